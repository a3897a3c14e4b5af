//! Test harness: Rust `extern "C"` functions stand in for compiled cores and call the runtime
//! through its contract symbols, exactly as compiled code links against them.
#![allow(dead_code)]

use epyc_rt_host::{run_with_io, CapturedIo, HostProgram, RunConfig};
use std::collections::BTreeMap;
use std::sync::Arc;

extern "C" {
    pub fn epyc_coreid() -> i32;
    pub fn epyc_numcores() -> i32;
    pub fn epyc_print_int(x: i32);
    pub fn epyc_print_float(x: f32);
    pub fn epyc_print_str(s: *const u8);
    pub fn epyc_exit();
    pub fn epyc_error(code: i32, pos: i32);
    pub fn epyc_send(bits: i32, tag: i32, dest: i32, pos: i32);
    pub fn epyc_send_str(s: *const u8, dest: i32, pos: i32);
    pub fn epyc_recv(src: i32, expected: i32, pos: i32) -> i32;
    pub fn epyc_recv_str(src: i32, pos: i32) -> *mut u8;
    pub fn epyc_sendrecv(bits: i32, tag: i32, partner: i32, expected: i32, pos: i32) -> i32;
    pub fn epyc_bcast(bits: i32, tag: i32, root: i32, expected: i32, pos: i32) -> i32;
    pub fn epyc_reduce(bits: i32, tag: i32, op: i32, pos: i32) -> i32;
    pub fn epyc_sync(pos: i32);
    pub fn epyc_probe(src: i32, pos: i32) -> i32;
    pub fn epyc_send_nb(bits: i32, tag: i32, dest: i32, pos: i32);
    pub fn epyc_test_sent(dest: i32, pos: i32) -> i32;
    pub fn epyc_wait_sent(dest: i32, pos: i32) -> i32;
    pub fn epyc_str_from_int(x: i32) -> *mut u8;
    pub fn epyc_str_from_float(x: f32) -> *mut u8;
    pub fn epyc_str_from_list(list: *const u8, tag: i32) -> *mut u8;
    pub fn epyc_str_concat(a: *const u8, b: *const u8) -> *mut u8;
    pub fn epyc_str_repeat(s: *const u8, n: i32) -> *mut u8;
    pub fn epyc_str_cmp(a: *const u8, b: *const u8) -> i32;
    pub fn epyc_list_new(len: i32, elem_size: i32, pos: i32) -> *mut u8;
    pub fn epyc_array_new(
        ndim: i32,
        d0: i32,
        d1: i32,
        d2: i32,
        d3: i32,
        d4: i32,
        d5: i32,
        d6: i32,
        elem: i32,
        pos: i32,
    ) -> *mut u8;
    pub fn epyc_input(prompt: *const u8) -> *mut u8;
    pub fn epyc_random() -> f32;
    pub fn epyc_randint() -> i32;
    pub fn epyc_seed(seed: i32);
    pub fn epyc_recv_any(src: i32, pos: i32, out: *mut u8);
}

pub const INT: i32 = 2;
pub const FLOAT: i32 = 3;
pub const STR: i32 = 4;
pub const LIST: i32 = 5;
pub const BOOL: i32 = 1;

/// Position `test.py:line`.
pub fn at(line: u32) -> i32 {
    epyc_rt_abi::pos::encode(0, line)
}

pub struct Outcome {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Each core's printed lines in order (`[host N] text` split by N).
    pub fn per_core(&self) -> BTreeMap<u32, Vec<String>> {
        let mut map: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        for line in self.stdout.lines() {
            let rest = line
                .strip_prefix("[host ")
                .unwrap_or_else(|| panic!("unprefixed line {line:?}"));
            let (n, text) = rest
                .split_once("] ")
                .unwrap_or((rest.trim_end_matches(']'), ""));
            map.entry(n.parse().unwrap())
                .or_default()
                .push(text.to_string());
        }
        map
    }

    pub fn core(&self, n: u32) -> Vec<String> {
        self.per_core().remove(&n).unwrap_or_default()
    }
}

pub fn run_io(cores: u32, entry: unsafe extern "C" fn(*mut u8), io: Arc<CapturedIo>) -> Outcome {
    run_config(
        RunConfig {
            cores,
            first_core: 0,
            timing: false,
        },
        entry,
        io,
    )
}

pub fn run_config(
    cfg: RunConfig,
    entry: unsafe extern "C" fn(*mut u8),
    io: Arc<CapturedIo>,
) -> Outcome {
    let prog = HostProgram {
        entry,
        globals_size: 64,
        files: vec!["test.py".to_string()],
    };
    let status = run_with_io(&prog, &cfg, io.clone());
    Outcome {
        status,
        stdout: io.stdout(),
        stderr: io.stderr(),
    }
}

pub fn run(cores: u32, entry: unsafe extern "C" fn(*mut u8)) -> Outcome {
    run_io(cores, entry, Arc::new(CapturedIo::default()))
}

/// A string object from text, copied into the calling core's heap by the runtime.
pub fn s(text: &str) -> *mut u8 {
    // A hand-made object with the ABI layout (len u32, then the bytes), 4-byte aligned.
    let mut words = vec![0u32; 1 + text.len().div_ceil(4)];
    words[0] = text.len() as u32;
    let raw = words.as_mut_ptr() as *mut u8;
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), raw.add(4), text.len());
        epyc_str_concat(raw, std::ptr::null())
    }
}

/// The text of a string object.
pub fn text(p: *const u8) -> String {
    unsafe {
        let len = (p as *const u32).read_unaligned() as usize;
        String::from_utf8(std::slice::from_raw_parts(p.add(4), len).to_vec()).unwrap()
    }
}

pub fn me() -> i32 {
    unsafe { epyc_coreid() }
}

pub fn print(t: &str) {
    unsafe { epyc_print_str(s(t)) }
}
