//! Stack overflow on a core (deep recursion in compiled code) as a clear runtime error
//! instead of a crash (deviation D35).
//!
//! Each core thread records its stack bounds and core id in thread-locals and gets an
//! alternate signal stack. A SIGSEGV/SIGBUS handler checks whether the faulting address lies
//! just below the core's stack (its guard area): then it writes `Error from core N: Stack
//! overflow: ...` to stderr and ends the process with status 3. Only async-signal-safe calls
//! are made there (the faulting thread may be inside malloc or hold a runtime lock, so the
//! other cores cannot be allowed to go on cleanly). Any other fault goes to the handler that
//! was installed before (Rust's own, or the default action).

use epyc_rt_abi::RtError;
use std::cell::Cell;
use std::sync::{Once, OnceLock};

/// How far below the stack's lowest address a fault still counts as an overflow (compiled
/// frames may skip over a guard page when they are large).
const GUARD_REACH: usize = 1 << 20;
/// An alternate signal stack per core thread, for the handler to run on.
const ALT_STACK_SIZE: usize = 64 * 1024;

thread_local! {
    /// (lowest stack address, core id) of a core thread; id -1 elsewhere.
    static STACK: Cell<(usize, i64)> = const { Cell::new((0, -1)) };
}

static INSTALL: Once = Once::new();
/// The message text, made before any handler can run (the handler must not allocate).
static MESSAGE: OnceLock<String> = OnceLock::new();
static mut PREVIOUS_SEGV: Option<libc::sigaction> = None;
static mut PREVIOUS_BUS: Option<libc::sigaction> = None;

/// Called on each core thread before it runs compiled code.
pub fn guard_current_thread(core_id: u32) {
    INSTALL.call_once(install_handlers);
    let Some(lowest) = current_stack_lowest() else {
        return;
    };
    STACK.with(|s| s.set((lowest, core_id as i64)));
    // The handler cannot run on the overflowed stack. The memory stays with the thread.
    let alt = Box::leak(vec![0u8; ALT_STACK_SIZE].into_boxed_slice());
    let ss = libc::stack_t {
        ss_sp: alt.as_mut_ptr() as *mut libc::c_void,
        ss_flags: 0,
        ss_size: ALT_STACK_SIZE,
    };
    // SAFETY: `ss` describes memory owned by this thread for its whole life.
    unsafe { libc::sigaltstack(&ss, std::ptr::null_mut()) };
}

fn current_stack_lowest() -> Option<usize> {
    // SAFETY: plain queries of the calling thread's attributes.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let ok = libc::pthread_attr_getstack(&attr, &mut addr, &mut size) == 0;
        libc::pthread_attr_destroy(&mut attr);
        ok.then_some(addr as usize)
    }
}

fn install_handlers() {
    MESSAGE.get_or_init(|| RtError::StackOverflow.message(""));
    // SAFETY: installing a handler that only uses async-signal-safe calls; the previous
    // actions are stored before the new handler can run.
    unsafe {
        for (sig, slot) in [
            (libc::SIGSEGV, std::ptr::addr_of_mut!(PREVIOUS_SEGV)),
            (libc::SIGBUS, std::ptr::addr_of_mut!(PREVIOUS_BUS)),
        ] {
            let mut old: libc::sigaction = std::mem::zeroed();
            let mut new: libc::sigaction = std::mem::zeroed();
            new.sa_sigaction = on_fault as *const () as usize;
            new.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut new.sa_mask);
            libc::sigaction(sig, std::ptr::null(), &mut old);
            *slot = Some(old);
            libc::sigaction(sig, &new, std::ptr::null_mut());
        }
    }
}

extern "C" fn on_fault(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let (lowest, core) = STACK.with(|s| s.get());
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let addr = unsafe { (*info).si_addr() } as usize;
    if core >= 0 && addr < lowest + 4096 && addr + GUARD_REACH >= lowest {
        report_and_exit(core);
    }
    // Not a core's stack overflow: hand over to whoever handled the signal before.
    // SAFETY: the stored action was read from the kernel at install time.
    unsafe {
        let previous = if sig == libc::SIGSEGV {
            *std::ptr::addr_of!(PREVIOUS_SEGV)
        } else {
            *std::ptr::addr_of!(PREVIOUS_BUS)
        };
        match previous {
            Some(p) if p.sa_sigaction != libc::SIG_DFL && p.sa_sigaction != libc::SIG_IGN => {
                if p.sa_flags & libc::SA_SIGINFO != 0 {
                    let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                        std::mem::transmute(p.sa_sigaction);
                    f(sig, info, ctx);
                } else {
                    let f: extern "C" fn(libc::c_int) = std::mem::transmute(p.sa_sigaction);
                    f(sig);
                }
            }
            _ => {
                // Default action: returning re-runs the faulting instruction, which now kills
                // the process with the signal as usual.
                libc::signal(sig, libc::SIG_DFL);
            }
        }
    }
}

/// Writes the error line without allocating and ends the process with status 3.
fn report_and_exit(core: i64) -> ! {
    let mut buf = [0u8; 160];
    let mut len = 0;
    let mut put = |bytes: &[u8]| {
        for &b in bytes {
            if len < buf.len() {
                buf[len] = b;
                len += 1;
            }
        }
    };
    put(b"Error from core ");
    let mut digits = [0u8; 20];
    let mut n = core as u64;
    let mut d = digits.len();
    loop {
        d -= 1;
        digits[d] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    put(&digits[d..]);
    put(b": ");
    put(MESSAGE
        .get()
        .map_or(&b"Stack overflow"[..], |m| m.as_bytes()));
    put(b"\n");
    // SAFETY: write and _exit are async-signal-safe.
    unsafe {
        libc::write(2, buf.as_ptr() as *const libc::c_void, len);
        libc::_exit(crate::runner::STATUS_RUNTIME_ERROR);
    }
}
