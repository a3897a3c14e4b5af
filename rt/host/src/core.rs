//! The calling core: a thread-local context (which run, which core), and how a core stops.
//!
//! A core stops in the middle of compiled code (`exit()`, a runtime error) without unwinding
//! through JIT frames, which have no unwind tables we could rely on: the thread records its end,
//! frees its heap and then sleeps forever. The run ends when every core has ended or can never
//! proceed, and the process exits with the parked threads in it.

use crate::heap;
use crate::monitor::StdIo;
use crate::world::World;
use epyc_rt_abi::RtError;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

pub struct CoreCtx {
    pub world: Arc<World>,
    /// Local index in the run.
    pub index: usize,
    /// Core id (`coreid()`).
    pub id: u32,
    pub rng: Cell<u64>,
    pub started: Instant,
}

thread_local! {
    static CORE: RefCell<Option<Rc<CoreCtx>>> = const { RefCell::new(None) };
}

/// Makes this thread core `index` of `world`.
pub fn enter(world: Arc<World>, index: usize) {
    let id = world.core_id(index);
    let ctx = CoreCtx {
        world,
        index,
        id,
        rng: Cell::new(crate::random::seed_state(id as i32)),
        started: Instant::now(),
    };
    heap::set_core_share(ctx.world.count);
    CORE.with(|c| *c.borrow_mut() = Some(Rc::new(ctx)));
}

/// The calling core. A thread that is not a core of any run (a test calling the runtime
/// directly) becomes core 0 of a one-core run of its own.
pub fn current() -> Rc<CoreCtx> {
    if let Some(ctx) = CORE.with(|c| c.borrow().clone()) {
        return ctx;
    }
    enter(
        Arc::new(World::new(0, 1, Vec::new(), Arc::new(StdIo), false)),
        0,
    );
    CORE.with(|c| c.borrow().clone())
        .expect("core context just installed")
}

/// The core ended normally: timing line, heap freed, status recorded.
pub fn finish(returned: bool) {
    let ctx = current();
    if ctx.world.timing {
        let secs = ctx.started.elapsed().as_secs_f64();
        ctx.world
            .monitor
            .plain(&format!("Core {} completed in {secs:.6} seconds", ctx.id));
    }
    heap::reset_current();
    ctx.world.end(ctx.index, false, returned);
}

/// `exit()`: the core stops normally here.
pub fn exit() -> ! {
    finish(false);
    park_forever()
}

/// A runtime error: reported as `Error from core N: MESSAGE` and `  at FILE:LINE`, then the
/// core stops.
pub fn fail(err: RtError, detail: &str, pos: i32) -> ! {
    let ctx = current();
    let mut text = format!("Error from core {}: {}\n", ctx.id, err.message(detail));
    if let Some(at) = ctx.world.position(pos) {
        text.push_str(&format!("  at {at}\n"));
    }
    if !ctx.world.lock().halted {
        ctx.world.monitor.error(&text);
    }
    heap::reset_current();
    ctx.world.end(ctx.index, true, false);
    park_forever()
}

/// Error when there is no detail to add.
pub fn fail_plain(err: RtError, pos: i32) -> ! {
    fail(err, "", pos)
}

fn park_forever() -> ! {
    loop {
        std::thread::park();
    }
}
