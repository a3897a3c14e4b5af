//! Starting the cores of a run and waiting for them to end (or to deadlock).

use crate::core;
use crate::deadlock;
use crate::external::ExternalCores;
use crate::monitor::MonitorIo;
use crate::world::{Status, World};
use crate::{HostProgram, RunConfig};
use std::sync::Arc;
use std::time::Duration;

/// Exit statuses of a run.
pub const STATUS_OK: i32 = 0;
pub const STATUS_RUNTIME_ERROR: i32 = 3;

/// Stack of each core thread: large, since recursion should be limited only by memory (and
/// compiled code allows 100,000 nested calls on the host, `epyc_lower::HOST_MAX_CALL_DEPTH`,
/// which needs up to ~25 MiB). At least 64 MiB, up to 256 MiB when there are few cores. It is
/// address space only; pages are committed as they are touched.
pub fn core_stack_size(cores: u32) -> usize {
    const MIB: usize = 1 << 20;
    (16 * 1024 * MIB / cores.max(1) as usize).clamp(64 * MIB, 256 * MIB)
}

/// Safety net only: cores signal the watcher whenever they block or end.
const WATCH_INTERVAL: Duration = Duration::from_millis(200);

pub fn run_with_io(prog: &HostProgram, cfg: &RunConfig, io: Arc<dyn MonitorIo>) -> i32 {
    if cfg.cores == 0 {
        return STATUS_OK;
    }
    let world = Arc::new(World::new(
        cfg.first_core,
        cfg.cores as usize,
        prog.files.clone(),
        io,
        cfg.timing,
    ));
    run_world(prog, world, cfg.cores)
}

/// Cores `0..first_core` external, served by `serve` on a thread of its own.
pub fn run_with_external(
    prog: &HostProgram,
    cfg: &RunConfig,
    io: Arc<dyn MonitorIo>,
    serve: Box<dyn FnOnce(ExternalCores) -> i32 + Send>,
) -> i32 {
    let external = cfg.first_core as usize;
    let world = Arc::new(
        World::new(
            0,
            external + cfg.cores as usize,
            prog.files.clone(),
            io,
            cfg.timing,
        )
        .with_external(external),
    );
    let handle = ExternalCores::new(world.clone());
    let server = std::thread::Builder::new()
        .name("epyc external cores".into())
        .spawn(move || serve(handle));
    let server = match server {
        Ok(s) => s,
        Err(e) => {
            world
                .monitor
                .error(&format!("Error: cannot start the device monitor: {e}\n"));
            return STATUS_RUNTIME_ERROR;
        }
    };
    let status = run_world(prog, world, cfg.cores);
    // The server notices the end (every core ended, or the run halted) by itself.
    let served = server.join().unwrap_or(STATUS_RUNTIME_ERROR);
    status.max(served)
}

/// Starts a thread for each core of `world` after its external ones, then watches the run.
fn run_world(prog: &HostProgram, world: Arc<World>, cores: u32) -> i32 {
    let entry = prog.entry;
    let globals_size = prog.globals_size;
    let mut handles = Vec::new();
    for index in world.external..world.count {
        let w = world.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("epyc core {}", world.core_id(index)))
            .stack_size(core_stack_size(cores))
            .spawn(move || core_main(w, index, entry, globals_size));
        match spawned {
            Ok(h) => handles.push((index, h)),
            Err(e) => {
                world.monitor.error(&format!(
                    "Error: cannot start core {}: {e}\n",
                    world.core_id(index)
                ));
                world.end(index, true, false);
            }
        }
    }
    let status = watch(&world);
    let returned = world.lock().returned.clone();
    for (index, h) in handles {
        // Threads parked after exit(), an error or a deadlock never end; they are left behind.
        if returned[index] {
            let _ = h.join();
        }
    }
    status
}

fn core_main(
    world: Arc<World>,
    index: usize,
    entry: unsafe extern "C" fn(*mut u8),
    globals_size: usize,
) {
    #[cfg(target_os = "linux")]
    crate::overflow::guard_current_thread(world.core_id(index));
    core::enter(world, index);
    crate::fpu::flush_subnormals();
    // Zeroed module variables of this core, 16-byte aligned.
    let mut globals = vec![0u128; globals_size.div_ceil(16).max(1)];
    // SAFETY: the entry is compiled code taking this core's globals block of the size it
    // declared.
    unsafe { entry(globals.as_mut_ptr() as *mut u8) };
    core::finish(true);
}

/// Waits until every core has ended or the run is stuck; the run's exit status.
fn watch(world: &World) -> i32 {
    let mut st = world.lock();
    loop {
        if st.halted {
            // The external cores' server ended the run (and said why).
            return STATUS_RUNTIME_ERROR;
        }
        if st.status.iter().all(Status::ended) {
            let failed = st.status.iter().any(|s| matches!(s, Status::Failed));
            return if failed {
                STATUS_RUNTIME_ERROR
            } else {
                STATUS_OK
            };
        }
        if let Some(report) = deadlock::stuck_report(world, &st) {
            st.halted = true;
            drop(st);
            world.monitor.error(&report);
            return STATUS_RUNTIME_ERROR;
        }
        st = world
            .changed
            .wait_timeout(st, WATCH_INTERVAL)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}
