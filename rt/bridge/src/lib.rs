//! Host side of CPython interop (the paper's section IV, ePython's `-fullpython`): a CPython
//! process running a host program that imports `epython` (rt/python) is one more core of an
//! epyc run, with id = the number of epyc cores.
//!
//! How: the run gets one extra host core whose thread, instead of compiled code, serves the
//! requests CPython sends over a Unix socket (`proxy`), calling the runtime's own message
//! functions; so the CPython core blocks, is woken and is seen by deadlock detection exactly
//! like a compiled core. Errors the run reports on stderr are also passed to CPython, where
//! they raise `epython.EpythonError`. The wire format is in PROTOCOL.md.
//!
//! * [`run_with_python`]: epyc starts CPython on a host program and supervises both (`epyc
//!   run --fullpython`).
//! * [`run_attached`]: CPython started epyc and listens (the `@epython.offload` decorator);
//!   epyc connects and runs until the program's cores end.

mod link;
mod message_type;
mod proxy;
mod rt;
mod session;
pub mod wire;

pub use message_type::message_tag;
pub use session::{run_attached, run_with_python, DeviceCores, PythonRun};

use link::Shared;
use std::sync::OnceLock;

/// The one bridged run of this process (runtime entries cannot carry state).
static SHARED: OnceLock<Shared> = OnceLock::new();

/// Entry of every core of a bridged run: the CPython core serves the link, the others run
/// the program.
unsafe extern "C" fn bridge_entry(globals: *mut u8) {
    let shared = SHARED.get().expect("bridged run set up before it starts");
    if (rt::get().coreid)() as u32 == shared.python_core {
        proxy::serve(shared);
    } else {
        (shared.real_entry)(globals);
    }
}

/// The run's output: the process's own, with every error report also passed to CPython.
struct BridgeIo;

impl epyc_rt_host::MonitorIo for BridgeIo {
    fn out(&self, bytes: &[u8]) {
        epyc_rt_host::StdIo.out(bytes)
    }
    fn err(&self, bytes: &[u8]) {
        epyc_rt_host::StdIo.err(bytes);
        if let Some(shared) = SHARED.get() {
            shared.forward_error(&String::from_utf8_lossy(bytes));
        }
    }
    fn read_line(&self) -> Option<Vec<u8>> {
        epyc_rt_host::StdIo.read_line()
    }
}
