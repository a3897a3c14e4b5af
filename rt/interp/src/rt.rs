//! The host runtime's functions (the same ones native code links against), looked up by their
//! contract symbols, so byte code prints, fails and passes messages through the same monitor
//! and message queues as native cores.

use epyc_rt_abi::{RtError, RtFn};

/// Typed entry points of the runtime functions the interpreter uses.
#[derive(Clone, Copy)]
pub struct Rt {
    pub print_int: extern "C" fn(i32),
    pub print_float: extern "C" fn(f32),
    pub print_bool: extern "C" fn(i32),
    pub print_none: extern "C" fn(),
    pub print_str: extern "C" fn(*const u8),
    pub exit: extern "C" fn(),
    pub error: extern "C" fn(i32, i32),
    pub error_detail: extern "C" fn(i32, *const u8, i32),
    pub coreid: extern "C" fn() -> i32,
    pub numcores: extern "C" fn() -> i32,
    pub ishost: extern "C" fn() -> i32,
    pub isdevice: extern "C" fn() -> i32,
    pub send: extern "C" fn(i32, i32, i32, i32),
    pub send_str: extern "C" fn(*const u8, i32, i32),
    pub recv_any: unsafe extern "C" fn(i32, i32, *mut u8),
    pub sendrecv: extern "C" fn(i32, i32, i32, i32, i32) -> i32,
    pub bcast: extern "C" fn(i32, i32, i32, i32, i32) -> i32,
    pub reduce: extern "C" fn(i32, i32, i32, i32) -> i32,
    pub sync: extern "C" fn(i32),
    pub probe: extern "C" fn(i32, i32) -> i32,
    pub send_nb: extern "C" fn(i32, i32, i32, i32),
    pub test_sent: extern "C" fn(i32, i32) -> i32,
    pub wait_sent: extern "C" fn(i32, i32) -> i32,
    pub math: extern "C" fn(i32, f32) -> f32,
    pub powf: extern "C" fn(f32, f32) -> f32,
    pub random: extern "C" fn() -> f32,
    pub randint: extern "C" fn() -> i32,
    pub seed: extern "C" fn(i32),
    pub input: extern "C" fn(*const u8) -> *mut u8,
    pub str_concat: extern "C" fn(*const u8, *const u8) -> *mut u8,
}

fn addr(f: RtFn) -> *const u8 {
    epyc_rt_host::symbols()
        .into_iter()
        .find(|(s, _)| *s == f.symbol())
        .map(|(_, a)| a)
        .unwrap_or_else(|| panic!("the host runtime lacks {}", f.symbol()))
}

/// The runtime function `f` as the function-pointer type `F`.
fn get<F: Copy>(f: RtFn) -> F {
    let a = addr(f);
    assert_eq!(std::mem::size_of::<F>(), std::mem::size_of::<*const u8>());
    // SAFETY: the host runtime's symbol table gives each RtFn's implementation, whose
    // signature is the contract's (checked by rt/host's own symbol tests); every field of
    // `Rt` spells that signature, and `F` is a function pointer of pointer size.
    unsafe { std::mem::transmute_copy::<*const u8, F>(&a) }
}

macro_rules! get {
    ($f:ident) => {
        get(RtFn::$f)
    };
}

impl Rt {
    pub fn load() -> Rt {
        Rt {
            print_int: get!(PrintInt),
            print_float: get!(PrintFloat),
            print_bool: get!(PrintBool),
            print_none: get!(PrintNone),
            print_str: get!(PrintStr),
            exit: get!(Exit),
            error: get!(Error),
            error_detail: get!(ErrorDetail),
            coreid: get!(CoreId),
            numcores: get!(NumCores),
            ishost: get!(IsHost),
            isdevice: get!(IsDevice),
            send: get!(Send),
            send_str: get!(SendStr),
            recv_any: get!(RecvAny),
            sendrecv: get!(SendRecv),
            bcast: get!(Bcast),
            reduce: get!(Reduce),
            sync: get!(Sync),
            probe: get!(Probe),
            send_nb: get!(SendNonBlocking),
            test_sent: get!(TestSent),
            wait_sent: get!(WaitSent),
            math: get!(Math),
            powf: get!(PowF),
            random: get!(Random),
            randint: get!(RandInt),
            seed: get!(Seed),
            input: get!(Input),
            str_concat: get!(StrConcat),
        }
    }

    /// Stops the core with `err` at `pos` (never returns: the runtime parks the core).
    pub fn fail(&self, err: RtError, detail: &str, pos: i32) -> ! {
        if detail.is_empty() {
            (self.error)(err as i32, pos);
        } else {
            let s = rt_str(detail);
            (self.error_detail)(err as i32, s.as_ptr(), pos);
        }
        unreachable!("epyc_error returned")
    }
}

/// A runtime string object (`layout::STR_*`) holding `s`, for calls that take a str.
pub fn rt_str(s: &str) -> Vec<u8> {
    let mut v = (s.len() as u32).to_le_bytes().to_vec();
    v.extend_from_slice(s.as_bytes());
    v
}

/// The text of a runtime string object.
///
/// # Safety
/// `s` points to a string object (`len: u32`, then `len` bytes).
pub unsafe fn str_text(s: *const u8) -> String {
    let len = u32::from_le_bytes(*(s as *const [u8; 4])) as usize;
    let bytes = std::slice::from_raw_parts(s.add(4), len);
    String::from_utf8_lossy(bytes).into_owned()
}

impl Rt {
    /// The next message from `src`, whatever its type: (tag, payload) as `epyc_recv_any`
    /// stores them (a str payload is a runtime string object).
    pub fn recv_any(&self, src: i32, pos: i32) -> (u32, u64) {
        let mut value = [0u64; 2];
        // SAFETY: `value` is a host tagged value (16 bytes: tag word, payload at 8), what
        // `epyc_recv_any` writes.
        unsafe { (self.recv_any)(src, pos, value.as_mut_ptr() as *mut u8) };
        (value[0] as u32, value[1])
    }
}
