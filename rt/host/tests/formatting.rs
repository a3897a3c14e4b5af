//! Printed text of values: floats exactly as C's printf("%f"), lists, strings, input.
mod common;
use common::*;
use epyc_rt_host::CapturedIo;
use std::ffi::{c_char, c_int, CStr};
use std::sync::Arc;

extern "C" {
    fn snprintf(buf: *mut c_char, n: usize, fmt: *const c_char, ...) -> c_int;
}

fn c_printf_f(x: f32) -> String {
    let mut buf = vec![0 as c_char; 128];
    // SAFETY: the buffer holds any %f of a float32 (at most 47 characters).
    unsafe {
        snprintf(buf.as_mut_ptr(), buf.len(), c"%f".as_ptr(), x as f64);
        CStr::from_ptr(buf.as_ptr()).to_string_lossy().into_owned()
    }
}

/// Expected strings written from C semantics (exact binary value, 6 decimals, ties to even).
#[test]
fn float_table() {
    let table: &[(f32, &str)] = &[
        (2.5, "2.500000"),
        (1.0 / 3.0, "0.333333"),
        (-0.0, "-0.000000"),
        (1e10, "10000000000.000000"),
        (1e-7, "0.000000"),
        (123456789.0, "123456792.000000"),
        (0.1 + 0.2, "0.300000"),
        (-1e30, "-1000000015047466219876688855040.000000"),
        (f32::INFINITY, "inf"),
        (1.0 / 128.0, "0.007812"),
        (5.0 / 128.0, "0.039062"),
        (0.0000015, "0.000002"),
        (33.333332, "33.333332"),
    ];
    for &(x, want) in table {
        assert_eq!(epyc_rt_host::format::float(x), want);
    }
}

/// Against this machine's C library over many values of every magnitude.
#[test]
fn floats_match_the_c_library() {
    let mut state = 0x1234_5678_9abc_def0u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..200_000 {
        let x = f32::from_bits(next() as u32);
        assert_eq!(
            epyc_rt_host::format::float(x),
            c_printf_f(x),
            "bits {:#x}",
            x.to_bits()
        );
    }
    for i in 0..100_000u32 {
        // Short decimals and exact ties.
        let x = i as f32 / 1024.0;
        assert_eq!(epyc_rt_host::format::float(x), c_printf_f(x));
        let y = -(i as f32) * 0.001;
        assert_eq!(epyc_rt_host::format::float(y), c_printf_f(y));
    }
}

unsafe extern "C" fn printing(_g: *mut u8) {
    epyc_print_int(-3);
    epyc_print_float(2.5);
    let list = epyc_list_new(3, 4, at(1)) as *mut u32;
    let data = list.add(2);
    for i in 0..3 {
        data.add(i).write(i as u32 + 1);
    }
    epyc_print_str(epyc_str_from_list(list as *const u8, INT));
    let floats = epyc_list_new(2, 4, at(1)) as *mut f32;
    floats.add(2).write(1.5);
    floats.add(3).write(2.0);
    epyc_print_str(epyc_str_from_list(floats as *const u8, FLOAT));
    let bools = epyc_list_new(2, 4, at(1)) as *mut u32;
    bools.add(2).write(1);
    epyc_print_str(epyc_str_from_list(bools as *const u8, BOOL));
    // A 2x3 array prints nested.
    let arr = epyc_array_new(2, 2, 3, 1, 1, 1, 1, 1, 4, at(1));
    let cells = arr.add(epyc_rt_abi::layout::list_data(2, 4) as usize) as *mut i32;
    for i in 0..6 {
        cells.add(i).write(i as i32 * 10);
    }
    epyc_print_str(epyc_str_from_list(arr, INT));
    // A list of strings and a list of lists of ints (tag path: inner tag in bits 4-7).
    let strs = epyc_list_new(2, 8, at(1));
    let sdata = strs.add(epyc_rt_abi::layout::list_data(1, 8) as usize) as *mut *mut u8;
    sdata.write(s("a"));
    sdata.add(1).write(s("it's"));
    epyc_print_str(epyc_str_from_list(strs, STR));
    let outer = epyc_list_new(2, 8, at(1));
    let odata = outer.add(8) as *mut *mut u8;
    odata.write(list as *mut u8);
    odata.add(1).write(epyc_list_new(0, 4, at(1)));
    epyc_print_str(epyc_str_from_list(outer, LIST | (INT << 4)));
    epyc_print_str(epyc_str_from_list(epyc_list_new(-5, 4, at(1)), INT));
}

#[test]
fn values_and_lists_print_as_specified() {
    let out = run(1, printing);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "[host 0] -3\n[host 0] 2.500000\n[host 0] [1, 2, 3]\n[host 0] [1.500000, 2.000000]\n\
         [host 0] [true, false]\n[host 0] [[0, 10, 20], [30, 40, 50]]\n[host 0] ['a', \"it's\"]\n\
         [host 0] [[1, 2, 3], []]\n[host 0] []\n"
    );
}

unsafe extern "C" fn string_ops(_g: *mut u8) {
    let ab = s("ab");
    epyc_print_str(epyc_str_repeat(ab, 3));
    epyc_print_str(epyc_str_repeat(ab, -2));
    epyc_print_int(epyc_str_cmp(s("a"), s("b")));
    epyc_print_int(epyc_str_cmp(s("abd"), s("abc")));
    epyc_print_int(epyc_str_cmp(ab, s("ab")));
    epyc_print_int(epyc_str_cmp(s("ab"), s("abc")));
    epyc_print_str(epyc_str_concat(s("value: "), epyc_str_from_float(1.5)));
    epyc_print_str(epyc_str_concat(epyc_str_from_int(-7), s("z")));
}

#[test]
fn string_operations() {
    let out = run(1, string_ops);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(
        out.core(0),
        ["ababab", "", "-1", "1", "0", "-1", "value: 1.500000", "-7z"]
    );
}

unsafe extern "C" fn reads_input(_g: *mut u8) {
    let name = epyc_input(s("name? "));
    epyc_print_str(epyc_str_concat(s("hi "), name));
    let next = epyc_input(std::ptr::null());
    epyc_print_str(next);
    let eof = epyc_input(std::ptr::null());
    epyc_print_int(text(eof).len() as i32);
}

#[test]
fn input_prompts_through_the_monitor() {
    let io = Arc::new(CapturedIo::with_input(&["Ann", "42"]));
    let out = run_io(1, reads_input, io);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "[host 0] name? [host 0] hi Ann\nhost 0> [host 0] 42\nhost 0> [host 0] 0\n"
    );
}

/// Lines of many cores printing at once are never mixed.
unsafe extern "C" fn chatty(_g: *mut u8) {
    for i in 0..300 {
        print(&format!("core {} line {i} {}", me(), "x".repeat(200)));
    }
}

#[test]
fn lines_never_interleave() {
    let out = run(8, chatty);
    assert_eq!(out.status, 0);
    let per_core = out.per_core();
    assert_eq!(per_core.len(), 8);
    for (core, lines) in per_core {
        for (i, l) in lines.iter().enumerate() {
            assert_eq!(l, &format!("core {core} line {i} {}", "x".repeat(200)));
        }
    }
}

unsafe extern "C" fn seeded(_g: *mut u8) {
    let a: Vec<i32> = (0..5).map(|_| epyc_randint()).collect();
    epyc_seed(42);
    let b: Vec<i32> = (0..5).map(|_| epyc_randint()).collect();
    print(&format!("{a:?} {b:?} {}", epyc_random()));
}

#[test]
fn random_is_deterministic_per_core() {
    let first = run(3, seeded);
    let second = run(3, seeded);
    assert_eq!(first.per_core(), second.per_core());
    let c0 = first.core(0)[0].clone();
    let c1 = first.core(1)[0].clone();
    // Different default streams per core, the same stream after seed(42).
    assert_ne!(c0.split(']').next(), c1.split(']').next());
    assert_eq!(c0.split(" [").nth(1), c1.split(" [").nth(1));
}
