//! `native rtl_x(args)` in library modules: the one place that maps a runtime service name to
//! what the specialiser emits. The syntax stage spells `native rtl_x(...)` as a call of
//! `__native__rtl_x(...)` ([`NATIVE_PREFIX`]).

use epyc_tir::{Intrinsic, MathFn, ReduceOp};

pub use epyc_syntax::NATIVE_PREFIX;

/// What a native call becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Native {
    /// An intrinsic whose arguments and result follow [`Intrinsic`]'s documentation.
    Intr(Intrinsic),
    /// `rtl_reduce(v, op)`: op must be a constant 0..3 (sum, min, max, prod).
    Reduce,
    /// `rtl_math(op, x)`: op a constant `rtl_math` code.
    Math,
    /// `rtl_recvfunc(pid)`: receive a function value (tag Func): `Recv` typed `AnyFunc`.
    RecvFunc,
    /// `rtl_print(v)`: a print statement.
    Print,
    /// `rtl_free(a)`, `rtl_gc()`: memory is managed by the runtime; the call does nothing.
    NoOp,
}

/// Maps a native name (`rtl_coreid`) to its meaning; `None` for unknown names.
pub fn native(name: &str) -> Option<Native> {
    use Intrinsic as I;
    use Native::*;
    Some(match name {
        "rtl_coreid" => Intr(I::CoreId),
        "rtl_numcores" => Intr(I::NumCores),
        "rtl_ishost" => Intr(I::IsHost),
        "rtl_isdevice" => Intr(I::IsDevice),
        "rtl_send" => Intr(I::Send),
        "rtl_recv" => Intr(I::Recv),
        "rtl_recvfunc" => RecvFunc,
        "rtl_sendrecv" => Intr(I::SendRecv),
        "rtl_bcast" => Intr(I::Bcast),
        "rtl_reduce" => Reduce,
        "rtl_sync" => Intr(I::Sync),
        "rtl_probe" => Intr(I::Probe),
        "rtl_send_nonblocking" => Intr(I::SendNonBlocking),
        "rtl_test_for_send" => Intr(I::TestSent),
        "rtl_wait_for_send" => Intr(I::WaitSent),
        "rtl_math" => Math,
        "rtl_numdims" => Intr(I::NDim),
        "rtl_dsize" => Intr(I::Dim),
        "rtl_len" => Intr(I::Len),
        "rtl_allocatearray" | "rtl_allocatesharedarray" => Intr(I::ArrayNew),
        "rtl_random" => Intr(I::Random),
        "rtl_randint" => Intr(I::RandInt),
        "rtl_seed" => Intr(I::Seed),
        "rtl_print" => Print,
        "rtl_free" | "rtl_gc" => NoOp,
        _ => return None,
    })
}

pub fn reduce_op(code: i32) -> Option<ReduceOp> {
    Some(match code {
        0 => ReduceOp::Sum,
        1 => ReduceOp::Min,
        2 => ReduceOp::Max,
        3 => ReduceOp::Prod,
        _ => return None,
    })
}

pub fn math_fn(code: i32) -> Option<MathFn> {
    use MathFn::*;
    Some(match code {
        0 => Sqrt,
        1 => Sin,
        2 => Cos,
        3 => Tan,
        4 => Asin,
        5 => Acos,
        6 => Atan,
        7 => Sinh,
        8 => Cosh,
        9 => Tanh,
        10 => Floor,
        11 => Ceil,
        12 => Log,
        13 => Log10,
        15 => Exp,
        _ => return None,
    })
}
