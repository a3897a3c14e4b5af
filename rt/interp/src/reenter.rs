//! Native code calling byte code (issue 6, mixed programs): rt/abi `INTERP_CALL_SYMBOL`.
//!
//! Each core's thread records its program and interpreter state when it starts; native code
//! (called from byte code, so the core's interpreter is on the stack below it) calls
//! [`epyc_interp_call`], which runs the byte-code function in another interpreter of the
//! same core: its own operand stack and frames, the core's module variables and constants
//! shared (the outer interpreter does not run meanwhile).

use crate::machine::{CoreState, Machine, Program};
use crate::value::Value;
use epyc_rt_abi::{layout, Tag};
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Calls of byte code from native code since the current run started (all cores).
static BYTE_CODE_CALLS: AtomicU64 = AtomicU64::new(0);

/// How many calls native code made to byte code in the last run (all cores), shown by
/// `EPYC_MIXED_STATS=1`.
pub fn byte_code_calls() -> u64 {
    BYTE_CODE_CALLS.load(Ordering::Relaxed)
}

pub(crate) fn reset_byte_code_calls() {
    BYTE_CODE_CALLS.store(0, Ordering::Relaxed);
}

struct Core {
    prog: Arc<Program>,
    state: CoreState,
}

thread_local! {
    static CORE: RefCell<Option<Core>> = const { RefCell::new(None) };
}

/// Makes `state` (of `prog`) the one native code on this thread calls byte code with.
pub(crate) fn enter_core(prog: Arc<Program>, state: CoreState) {
    CORE.with(|c| *c.borrow_mut() = Some(Core { prog, state }));
}

/// The interpreter's entry for native code (see the module docs and rt/abi).
///
/// # Safety
/// `args` holds `argc` tagged values of this host's layout (a str's payload a string
/// object); `result` has room for one.
pub unsafe extern "C" fn epyc_interp_call(func: i32, args: *const u8, argc: i32, result: *mut u8) {
    let core = CORE.with(|c| {
        c.borrow()
            .as_ref()
            .map(|c| (c.prog.clone(), c.state.clone()))
    });
    let Some((prog, state)) = core else {
        panic!("native code called byte code on a core that runs no byte code (a bug in epyc)");
    };
    BYTE_CODE_CALLS.fetch_add(1, Ordering::Relaxed);
    let size = layout::value_size(usize::BITS / 8) as usize;
    let values = (0..argc.max(0) as usize)
        .map(|i| unsafe { arg(args.add(i * size)) })
        .collect();
    let mut machine = Machine::with_state(&prog, state.clone());
    let r = machine.call_function(func as usize, values);
    drop(machine);
    unsafe { store_result(&state, &r, result) };
}

/// The value of one tagged argument.
unsafe fn arg(at: *const u8) -> Value {
    let tag = unsafe { *(at.add(layout::VALUE_TAG as usize) as *const usize) } as u32;
    let payload =
        unsafe { *(at.add(layout::value_payload(usize::BITS / 8) as usize) as *const usize) };
    let bits = payload as u32;
    match Tag::from_u32(tag & 0xff) {
        Some(Tag::Bool) => Value::Bool(bits != 0),
        Some(Tag::Int) => Value::Int(bits as i32),
        Some(Tag::Float) => Value::Float(f32::from_bits(bits)),
        Some(Tag::Str) => Value::Str(
            unsafe { crate::rt::str_text(payload as *const u8) }
                .as_str()
                .into(),
        ),
        _ => Value::None,
    }
}

/// Stores `v` as a tagged value at `out`: a str is copied into the core's heap; a value that
/// does not cross the boundary (a list, a function) is stored as none — native code reads
/// no result of byte code it cannot type (it calls byte code only where it discards it).
unsafe fn store_result(state: &CoreState, v: &Value, out: *mut u8) {
    let (tag, payload) = match v {
        Value::Bool(b) => (Tag::Bool, *b as usize),
        Value::Int(i) => (Tag::Int, *i as u32 as usize),
        Value::Float(f) => (Tag::Float, f.to_bits() as usize),
        Value::Str(s) => {
            let obj = crate::native::string_object(s);
            let empty = crate::native::string_object("");
            (Tag::Str, state.copy_str(&obj, &empty) as usize)
        }
        _ => (Tag::None, 0),
    };
    unsafe {
        *(out.add(layout::VALUE_TAG as usize) as *mut usize) = tag as usize;
        *(out.add(layout::value_payload(usize::BITS / 8) as usize) as *mut usize) = payload;
    }
}
