//! The address of every runtime function under its contract symbol, for the JIT to link
//! against, together with the parameter kinds read off each function's Rust type, so a test
//! can check every `RtFn` against its implementation.

use crate::{collective as c, control_fns as ctl, list_fns as l, math_fns as m, messaging as msg};
use crate::{print_fns as p, random as r, string_fns as s};
use epyc_rt_abi::Arg;

/// A type at the runtime boundary.
pub trait AbiType {
    const ARG: Arg;
}
impl AbiType for i32 {
    const ARG: Arg = Arg::I32;
}
impl AbiType for f32 {
    const ARG: Arg = Arg::F32;
}
impl AbiType for *const u8 {
    const ARG: Arg = Arg::Ptr;
}
impl AbiType for *mut u8 {
    const ARG: Arg = Arg::Ptr;
}

/// A return type: a value or nothing.
pub trait AbiRet {
    const RET: Option<Arg>;
}
impl AbiRet for () {
    const RET: Option<Arg> = None;
}
impl AbiRet for i32 {
    const RET: Option<Arg> = Some(Arg::I32);
}
impl AbiRet for f32 {
    const RET: Option<Arg> = Some(Arg::F32);
}
impl AbiRet for *mut u8 {
    const RET: Option<Arg> = Some(Arg::Ptr);
}

/// An `extern "C"` function pointer whose signature is made of boundary types.
pub trait Signature {
    fn params() -> Vec<Arg>;
    fn ret() -> Option<Arg>;
    fn address(self) -> *const u8;
}

macro_rules! signature {
    ($($a:ident),*) => {
        impl<R: AbiRet, $($a: AbiType),*> Signature for extern "C" fn($($a),*) -> R {
            fn params() -> Vec<Arg> { vec![$($a::ARG),*] }
            fn ret() -> Option<Arg> { R::RET }
            fn address(self) -> *const u8 { self as *const u8 }
        }
        impl<R: AbiRet, $($a: AbiType),*> Signature for unsafe extern "C" fn($($a),*) -> R {
            fn params() -> Vec<Arg> { vec![$($a::ARG),*] }
            fn ret() -> Option<Arg> { R::RET }
            fn address(self) -> *const u8 { self as *const u8 }
        }
    };
}
signature!();
signature!(A);
signature!(A, B);
signature!(A, B, C);
signature!(A, B, C, D);
signature!(A, B, C, D, E);
signature!(A, B, C, D, E, F, G, H, I, J);

/// One runtime function: symbol, address, parameter kinds, return kind.
pub struct Entry {
    pub symbol: &'static str,
    pub address: *const u8,
    pub params: Vec<Arg>,
    pub ret: Option<Arg>,
}

fn entry<S: Signature>(symbol: &'static str, f: S) -> Entry {
    Entry {
        symbol,
        params: S::params(),
        ret: S::ret(),
        address: f.address(),
    }
}

macro_rules! table {
    ($($sym:literal => $f:expr, $ty:ty;)*) => {
        vec![$(entry::<$ty>($sym, $f as $ty),)*]
    };
}

type F0<R> = extern "C" fn() -> R;
type F1<A, R> = extern "C" fn(A) -> R;
type F2<A, B, R> = extern "C" fn(A, B) -> R;
type F3<A, B, C, R> = extern "C" fn(A, B, C) -> R;
type F4<A, B, C, D, R> = extern "C" fn(A, B, C, D) -> R;
type F5<A, B, C, D, E, R> = extern "C" fn(A, B, C, D, E) -> R;
type U1<A, R> = unsafe extern "C" fn(A) -> R;
type U2<A, B, R> = unsafe extern "C" fn(A, B) -> R;
type U3<A, B, C, R> = unsafe extern "C" fn(A, B, C) -> R;
type P = *const u8;
type M = *mut u8;
type I = i32;
type Array = extern "C" fn(I, I, I, I, I, I, I, I, I, I) -> M;

/// Every runtime function implemented here.
pub fn entries() -> Vec<Entry> {
    table! {
        "epyc_coreid" => ctl::epyc_coreid, F0<I>;
        "epyc_numcores" => ctl::epyc_numcores, F0<I>;
        "epyc_ishost" => ctl::epyc_ishost, F0<I>;
        "epyc_isdevice" => ctl::epyc_isdevice, F0<I>;
        "epyc_print_int" => p::epyc_print_int, F1<I, ()>;
        "epyc_print_float" => p::epyc_print_float, F1<f32, ()>;
        "epyc_print_bool" => p::epyc_print_bool, F1<I, ()>;
        "epyc_print_none" => p::epyc_print_none, F0<()>;
        "epyc_print_str" => p::epyc_print_str, U1<P, ()>;
        "epyc_exit" => ctl::epyc_exit, F0<()>;
        "epyc_error" => ctl::epyc_error, F2<I, I, ()>;
        "epyc_error_detail" => ctl::epyc_error_detail, U3<I, P, I, ()>;
        "epyc_send" => msg::epyc_send, F4<I, I, I, I, ()>;
        "epyc_send_str" => msg::epyc_send_str, U3<P, I, I, ()>;
        "epyc_recv" => msg::epyc_recv, F3<I, I, I, I>;
        "epyc_recv_str" => msg::epyc_recv_str, F2<I, I, M>;
        "epyc_sendrecv" => msg::epyc_sendrecv, F5<I, I, I, I, I, I>;
        "epyc_bcast" => c::epyc_bcast, F5<I, I, I, I, I, I>;
        "epyc_reduce" => c::epyc_reduce, F4<I, I, I, I, I>;
        "epyc_sync" => c::epyc_sync, F1<I, ()>;
        "epyc_probe" => msg::epyc_probe, F2<I, I, I>;
        "epyc_send_nb" => msg::epyc_send_nb, F4<I, I, I, I, ()>;
        "epyc_test_sent" => msg::epyc_test_sent, F2<I, I, I>;
        "epyc_wait_sent" => msg::epyc_wait_sent, F2<I, I, I>;
        "epyc_math" => m::epyc_math, F2<I, f32, f32>;
        "epyc_powf" => m::epyc_powf, F2<f32, f32, f32>;
        "epyc_random" => r::epyc_random, F0<f32>;
        "epyc_randint" => r::epyc_randint, F0<I>;
        "epyc_seed" => r::epyc_seed, F1<I, ()>;
        "epyc_str_from_int" => s::epyc_str_from_int, F1<I, M>;
        "epyc_str_from_float" => s::epyc_str_from_float, F1<f32, M>;
        "epyc_str_from_bool" => s::epyc_str_from_bool, F1<I, M>;
        "epyc_str_from_list" => s::epyc_str_from_list, U2<P, I, M>;
        "epyc_str_concat" => s::epyc_str_concat, U2<P, P, M>;
        "epyc_str_repeat" => s::epyc_str_repeat, U2<P, I, M>;
        "epyc_str_cmp" => s::epyc_str_cmp, U2<P, P, I>;
        "epyc_list_new" => l::epyc_list_new, F3<I, I, I, M>;
        "epyc_array_new" => l::epyc_array_new, Array;
        "epyc_input" => p::epyc_input, U1<P, M>;
        "epyc_recv_any" => msg::epyc_recv_any, U3<I, I, M, ()>;
    }
}
