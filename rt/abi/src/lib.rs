//! The runtime contract between compiled code and every runtime (host virtual cores today, the
//! Epiphany device runtime later): one source of truth for
//!
//! * [`RtFn`]: every runtime function compiled code may call, with its symbol and signature;
//! * [`layout`]: the memory layout of strings and lists, which compiled code reads in line;
//! * [`Tag`]: type tags of values in messages and list printing;
//! * [`RtError`]: runtime errors with their exact message texts;
//! * [`pos`]: how a source position is passed to the runtime.
//!
//! Calling convention of compiled code: every compiled function takes, before its own
//! parameters, the core's *globals base* (a pointer to this core's module variables; each
//! core has its own copy, zero-initialised). Runtime functions do not take it: the runtime
//! knows which core is calling (a thread-local on host cores, the core itself on a device).
//!
//! Value representation (both targets): int = i32, float = f32, bool = i32 0/1 at every
//! runtime boundary and in list cells, none = no value, str and list = pointer, function
//! value = i32 index of the function in the program's function table. Float arithmetic has
//! no subnormal numbers on either target: the Epiphany FPU flushes subnormal operands and
//! results to signed zero, and host cores run with the same flush (rt/host `fpu`).

/// Type tags of runtime values (messages, list printing, type errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Tag {
    None = 0,
    Bool = 1,
    Int = 2,
    Float = 3,
    Str = 4,
    List = 5,
    Func = 6,
}

impl Tag {
    pub fn from_u32(v: u32) -> Option<Tag> {
        Some(match v {
            0 => Tag::None,
            1 => Tag::Bool,
            2 => Tag::Int,
            3 => Tag::Float,
            4 => Tag::Str,
            5 => Tag::List,
            6 => Tag::Func,
            _ => return None,
        })
    }
    /// The word used in messages about types (`int`, `float`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Tag::None => "none",
            Tag::Bool => "bool",
            Tag::Int => "int",
            Tag::Float => "float",
            Tag::Str => "str",
            Tag::List => "list",
            Tag::Func => "function",
        }
    }
}

/// Source positions passed to the runtime as one i32: `(file << 20) | line`.
pub mod pos {
    pub const LINE_BITS: u32 = 20;
    pub fn encode(file: u32, line: u32) -> i32 {
        ((file << LINE_BITS) | (line & ((1 << LINE_BITS) - 1))) as i32
    }
    /// (file index, line)
    pub fn decode(p: i32) -> (u32, u32) {
        let p = p as u32;
        (p >> LINE_BITS, p & ((1 << LINE_BITS) - 1))
    }
}

/// Runtime errors. `message()` is the exact text printed after `Error from core N: `.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum RtError {
    IndexOutOfRange = 1,
    TooManyIndexes = 2,
    DivisionByZero = 3,
    /// Detail: the variable's name.
    NameNotDefined = 4,
    /// Detail: "expected X, got Y" built by the runtime.
    MessageType = 5,
    SendToMissingCore = 6,
    RecvFromMissingCore = 7,
    SendrecvWithMissingCore = 8,
    OutOfMemory = 9,
    StackOverflow = 10,
    RangeStepZero = 11,
    /// Detail: text.
    TypeError = 12,
    NegativeRepeat = 13,
    MathDomain = 14,
}

impl RtError {
    pub fn from_u32(v: u32) -> Option<RtError> {
        use RtError::*;
        Some(match v {
            1 => IndexOutOfRange,
            2 => TooManyIndexes,
            3 => DivisionByZero,
            4 => NameNotDefined,
            5 => MessageType,
            6 => SendToMissingCore,
            7 => RecvFromMissingCore,
            8 => SendrecvWithMissingCore,
            9 => OutOfMemory,
            10 => StackOverflow,
            11 => RangeStepZero,
            12 => TypeError,
            13 => NegativeRepeat,
            14 => MathDomain,
            _ => return None,
        })
    }

    /// The message; `detail` fills the errors that name something.
    pub fn message(self, detail: &str) -> String {
        use RtError::*;
        match self {
            IndexOutOfRange => {
                "Array index in expression exceeds array size in that dimension".into()
            }
            TooManyIndexes => "Too many array indexes in expression".into(),
            DivisionByZero => "Division by zero".into(),
            NameNotDefined => format!("name '{detail}' is not defined"),
            MessageType => format!("Message of the wrong type: {detail}"),
            SendToMissingCore => "Attempting to send to non-existent or inactive process".into(),
            RecvFromMissingCore => {
                "Attempting to receive from non-existent or inactive process".into()
            }
            SendrecvWithMissingCore => {
                "Attempting to sendrecv with non-existent or inactive process".into()
            }
            OutOfMemory => "Out of core and shared heap memory for data".into(),
            StackOverflow => "Stack overflow: recursion too deep for this core's memory".into(),
            RangeStepZero => "range() arg 3 must not be zero".into(),
            TypeError => format!("Type error: {detail}"),
            NegativeRepeat => "Repetition count must not be negative".into(),
            MathDomain => "math domain error".into(),
        }
    }
}

/// The entry native code calls byte code through in a mixed program (issue 6): provided by
/// the interpreter that runs the program (host: `epyc_interp`), not by the runtime, so it is
/// outside [`RtFn`]. `(function index: i32, args: ptr, argc: i32, result: ptr) -> void`:
/// `args` holds `argc` tagged values ([`layout::VALUE_TAG`], [`layout::value_payload`], one
/// [`layout::value_size`] each), the interpreter runs byte-code function `function index`
/// with them on the calling core and stores its result, a tagged value, at `result`.
pub const INTERP_CALL_SYMBOL: &str = "epyc_interp_call";

/// Memory layout of runtime objects. Compiled code reads lengths and elements in line, so
/// the offsets here are the contract. All integers are little-endian u32.
pub mod layout {
    /// String object: `len: u32` at 0, then `len` bytes of UTF-8 (no terminator needed).
    pub const STR_LEN: u32 = 0;
    pub const STR_BYTES: u32 = 4;

    /// List object: `len: u32` (total elements) at 0, `ndim: u32` at 4, then for
    /// `ndim > 1` the `ndim` dimension sizes (u32 each), then the elements, aligned to the
    /// element size. Scalars (int, float, bool as 0/1, function index) take 4 bytes; str and
    /// list elements take a pointer. Lists never change length.
    pub const LIST_LEN: u32 = 0;
    pub const LIST_NDIM: u32 = 4;
    pub const LIST_DIMS: u32 = 8;

    /// Tagged value (byte code's values, `epyc_recv_any`'s result): two pointer-sized words,
    /// the [`Tag`](super::Tag) in the low byte of the first, the payload in the second —
    /// scalar bits zero-extended (int, float, bool 0/1, function index), or a str/list
    /// pointer. 8 bytes on the device, 16 on the host.
    pub const VALUE_TAG: u32 = 0;

    /// Offset of a tagged value's payload on a target with `ptr_bytes`-byte pointers.
    pub fn value_payload(ptr_bytes: u32) -> u32 {
        ptr_bytes
    }

    /// Size of a tagged value on a target with `ptr_bytes`-byte pointers.
    pub fn value_size(ptr_bytes: u32) -> u32 {
        2 * ptr_bytes
    }

    /// Offset of dimension `d` (0-based) of an `ndim`-dimensional list (ndim > 1).
    pub fn list_dim(d: u32) -> u32 {
        LIST_DIMS + 4 * d
    }

    /// Offset of element 0 for a list with `ndim` dimensions and elements of `elem_size`.
    pub fn list_data(ndim: u32, elem_size: u32) -> u32 {
        let header = if ndim > 1 {
            LIST_DIMS + 4 * ndim
        } else {
            LIST_DIMS
        };
        header.div_ceil(elem_size.max(4)) * elem_size.max(4)
    }
}

/// Kinds of values at the runtime boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    I32,
    F32,
    /// The target's pointer type.
    Ptr,
}

macro_rules! runtime_functions {
    ($( $(#[$doc:meta])* $variant:ident = $sym:literal ( $($arg:ident),* ) -> $ret:tt $(, $noreturn:ident)? ;)*) => {
        /// Every runtime function compiled code can call.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum RtFn { $( $(#[$doc])* $variant, )* }

        impl RtFn {
            pub const ALL: &'static [RtFn] = &[ $(RtFn::$variant,)* ];

            /// The link-time symbol.
            pub fn symbol(self) -> &'static str {
                match self { $(RtFn::$variant => $sym,)* }
            }

            pub fn params(self) -> &'static [Arg] {
                match self { $(RtFn::$variant => &[$(Arg::$arg),*],)* }
            }

            pub fn ret(self) -> Option<Arg> {
                match self { $(RtFn::$variant => runtime_functions!(@ret $ret),)* }
            }

            /// True for functions that never return (the core stops).
            pub fn no_return(self) -> bool {
                match self { $(RtFn::$variant => runtime_functions!(@nr $($noreturn)?),)* }
            }
        }
    };
    (@ret void) => { None };
    (@ret $r:ident) => { Some(Arg::$r) };
    (@nr) => { false };
    (@nr noreturn) => { true };
}

runtime_functions! {
    /// () -> this core's id.
    CoreId = "epyc_coreid"() -> I32;
    /// () -> number of cores in the run.
    NumCores = "epyc_numcores"() -> I32;
    /// () -> 1 on a host virtual core.
    IsHost = "epyc_ishost"() -> I32;
    /// () -> 1 on an Epiphany core.
    IsDevice = "epyc_isdevice"() -> I32;

    PrintInt = "epyc_print_int"(I32) -> void;
    PrintFloat = "epyc_print_float"(F32) -> void;
    /// (0/1)
    PrintBool = "epyc_print_bool"(I32) -> void;
    PrintNone = "epyc_print_none"() -> void;
    PrintStr = "epyc_print_str"(Ptr) -> void;

    /// Stop this core normally (`exit()`, end of the program).
    Exit = "epyc_exit"() -> void, noreturn;
    /// (RtError code, pos) — stop this core with the error.
    Error = "epyc_error"(I32, I32) -> void, noreturn;
    /// (RtError code, detail str, pos) — as `Error`, with a detail (a name, a type).
    ErrorDetail = "epyc_error_detail"(I32, Ptr, I32) -> void, noreturn;

    /// (bits, tag, dest, pos): blocking send of a scalar (float bits as i32).
    Send = "epyc_send"(I32, I32, I32, I32) -> void;
    /// (str, dest, pos): blocking send of a string (copied to the receiver).
    SendStr = "epyc_send_str"(Ptr, I32, I32) -> void;
    /// (src, expected tag, pos) -> bits. Int arriving where Float is expected is converted;
    /// any other mismatch is RtError::MessageType.
    Recv = "epyc_recv"(I32, I32, I32) -> I32;
    /// (src, pos) -> str.
    RecvStr = "epyc_recv_str"(I32, I32) -> Ptr;
    /// (bits, tag, partner, expected tag, pos) -> partner's bits.
    SendRecv = "epyc_sendrecv"(I32, I32, I32, I32, I32) -> I32;
    /// (bits, tag, root, expected tag, pos) -> root's bits.
    Bcast = "epyc_bcast"(I32, I32, I32, I32, I32) -> I32;
    /// (bits, tag Int|Float, ReduceOp, pos) -> result bits, same tag.
    Reduce = "epyc_reduce"(I32, I32, I32, I32) -> I32;
    /// (pos): barrier over all cores.
    Sync = "epyc_sync"(I32) -> void;
    /// (src, pos) -> 1 if a message from src is waiting.
    Probe = "epyc_probe"(I32, I32) -> I32;
    /// (bits, tag, dest, pos): non-blocking send.
    SendNonBlocking = "epyc_send_nb"(I32, I32, I32, I32) -> void;
    /// (dest, pos) -> 1 if the last non-blocking send to dest was received.
    TestSent = "epyc_test_sent"(I32, I32) -> I32;
    /// (dest, pos) -> 1 once the last non-blocking send to dest was received.
    WaitSent = "epyc_wait_sent"(I32, I32) -> I32;

    /// (ePython rtl_math op code, x) -> f(x) in float32.
    Math = "epyc_math"(I32, F32) -> F32;
    /// (x, y) -> x ** y in float32.
    PowF = "epyc_powf"(F32, F32) -> F32;
    /// () -> float in [0, 1) from this core's deterministic generator.
    Random = "epyc_random"() -> F32;
    /// () -> non-negative int from this core's deterministic generator.
    RandInt = "epyc_randint"() -> I32;
    /// (seed)
    Seed = "epyc_seed"(I32) -> void;

    /// (x) -> new str, `%d`.
    StrFromInt = "epyc_str_from_int"(I32) -> Ptr;
    /// (x) -> new str, C `%f` of the value promoted to double.
    StrFromFloat = "epyc_str_from_float"(F32) -> Ptr;
    /// (0/1) -> "true"/"false".
    StrFromBool = "epyc_str_from_bool"(I32) -> Ptr;
    /// (list, element tag) -> the list as printed: `[1, 2, 3]`, `[1.500000]`.
    StrFromList = "epyc_str_from_list"(Ptr, I32) -> Ptr;
    /// (a, b) -> a + b.
    StrConcat = "epyc_str_concat"(Ptr, Ptr) -> Ptr;
    /// (s, n) -> s * n (n <= 0 gives "").
    StrRepeat = "epyc_str_repeat"(Ptr, I32) -> Ptr;
    /// (a, b) -> -1, 0 or 1 (bytewise lexicographic).
    StrCompare = "epyc_str_cmp"(Ptr, Ptr) -> I32;

    /// (len, element size, pos) -> new zeroed 1-dim list (len < 0 gives an empty list).
    ListNew = "epyc_list_new"(I32, I32, I32) -> Ptr;
    /// (ndim, d0, d1, d2, d3, d4, d5, d6, element size, pos) -> new zeroed array; unused
    /// dimensions are passed as 1.
    ArrayNew = "epyc_array_new"(I32, I32, I32, I32, I32, I32, I32, I32, I32, I32) -> Ptr;
    /// (prompt str or null) -> the line read, as a str.
    Input = "epyc_input"(Ptr) -> Ptr;

    /// (src, pos, out): the next message from src, whatever its type, stored at `out` as a
    /// tagged value (`layout::VALUE_*`): its [`Tag`], then its payload — the scalar's bits,
    /// or a str copied into this core's heap. The receive of code that cannot know the type
    /// (byte code); every message carries its tag (one format for all senders), and a
    /// receiver that knows its type statically takes the fast path, `Recv`/`RecvStr`.
    RecvAny = "epyc_recv_any"(I32, I32, Ptr) -> void;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for f in RtFn::ALL {
            assert!(seen.insert(f.symbol()), "duplicate symbol {}", f.symbol());
        }
    }

    #[test]
    fn list_data_is_aligned() {
        assert_eq!(layout::list_data(1, 4), 8);
        assert_eq!(layout::list_data(1, 8), 8);
        assert_eq!(layout::list_data(2, 4), 16);
        assert_eq!(layout::list_data(3, 8), 24);
        assert_eq!(layout::list_data(3, 4), 20);
    }

    #[test]
    fn pos_round_trips() {
        assert_eq!(pos::decode(pos::encode(3, 1234)), (3, 1234));
    }
}
