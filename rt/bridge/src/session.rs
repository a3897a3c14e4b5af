//! Running a program with CPython as its last core, and ending both sides cleanly: whichever
//! side fails first, the other is stopped at once with a message naming what happened.

use crate::link::{Link, Shared};
use crate::{bridge_entry, BridgeIo, SHARED};
use epyc_rt_host::external::ExternalCores;
use epyc_rt_host::{HostProgram, MonitorIo, RunConfig, STATUS_RUNTIME_ERROR};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

/// Time CPython gets to raise and end on its own after the cores stopped with an error.
const GRACE: Duration = Duration::from_secs(1);

/// Directory of the `epython` package, put on CPython's PYTHONPATH.
pub const PYTHON_PACKAGE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../python");

/// What `epyc run --fullpython` starts.
pub struct PythonRun {
    /// The CPython interpreter.
    pub python: PathBuf,
    /// The host program.
    pub script: PathBuf,
    pub args: Vec<String>,
    /// Cores of the epyc program (ids 0..cores; CPython is core `cores`): host virtual
    /// cores, or with `device` the device cores it serves.
    pub cores: u32,
    pub timing: bool,
    /// The epyc program runs on device cores instead of host virtual cores.
    pub device: Option<DeviceCores>,
}

/// Device cores as the epyc cores of a CPython run: `serve` runs them (the device monitor)
/// as the external cores `0..cores` of the host runtime's run whose only host core is
/// CPython's, with the run's output (errors reach CPython too).
pub struct DeviceCores {
    pub serve: Box<dyn FnOnce(ExternalCores, Arc<dyn MonitorIo>) -> i32 + Send>,
}

enum Event {
    Python(ExitStatus),
    Run(i32),
}

/// Exit status of a process as a shell reports it (128 + signal when killed).
fn status_code(s: ExitStatus) -> i32 {
    s.code().unwrap_or_else(|| 128 + s.signal().unwrap_or(0))
}

fn describe(s: ExitStatus) -> String {
    match (s.code(), s.signal()) {
        (Some(c), _) => format!("exited with status {c}"),
        (None, Some(9)) => "was killed (signal 9, SIGKILL)".into(),
        (None, Some(15)) => "was terminated (signal 15, SIGTERM)".into(),
        (None, Some(n)) => format!("was killed by signal {n}"),
        (None, None) => "ended".into(),
    }
}

fn socket_path() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    std::env::temp_dir().join(format!("epyc-{}-{nanos}.sock", std::process::id()))
}

fn python_path() -> String {
    match std::env::var("PYTHONPATH") {
        Ok(p) if !p.is_empty() => format!("{PYTHON_PACKAGE_DIR}:{p}"),
        _ => PYTHON_PACKAGE_DIR.to_string(),
    }
}

fn start_run(
    prog: &HostProgram,
    cores: u32,
    timing: bool,
    device: Option<DeviceCores>,
    events: mpsc::Sender<Event>,
) {
    let program = HostProgram {
        entry: bridge_entry,
        globals_size: prog.globals_size,
        files: prog.files.clone(),
    };
    std::thread::spawn(move || {
        let status = match device {
            // Device cores 0..cores are the run's external cores; CPython's proxy is its
            // only host core.
            Some(device) => {
                let config = RunConfig {
                    cores: 1,
                    first_core: cores,
                    timing,
                };
                let serve = device.serve;
                epyc_rt_host::run_with_external(
                    &program,
                    &config,
                    Arc::new(BridgeIo),
                    Box::new(move |ext| serve(ext, Arc::new(BridgeIo))),
                )
            }
            None => {
                let config = RunConfig {
                    cores: cores + 1,
                    first_core: 0,
                    timing,
                };
                epyc_rt_host::run_with_io(&program, &config, Arc::new(BridgeIo))
            }
        };
        let _ = events.send(Event::Run(status));
    });
}

/// Runs `prog` on `run.cores` host cores (or `run.device`'s device cores) with CPython on
/// `run.script` as core `run.cores`; returns the worst exit status of the two. When CPython
/// fails while the cores run, this ends the process itself (the cores cannot be stopped
/// otherwise).
pub fn run_with_python(prog: &HostProgram, tir: &epyc_tir::Program, run: PythonRun) -> i32 {
    let path = socket_path();
    let listener = match UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "error: cannot open the CPython link {}: {e}",
                path.display()
            );
            return STATUS_RUNTIME_ERROR;
        }
    };
    let mut cmd = Command::new(&run.python);
    cmd.arg(&run.script)
        .args(&run.args)
        .env("EPYTHON_SOCKET", &path)
        .env("EPYTHON_COREID", run.cores.to_string())
        .env("EPYTHON_NUMCORES", (run.cores + 1).to_string())
        .env("PYTHONPATH", python_path())
        .env("PYTHONUNBUFFERED", "1")
        .stdout(Stdio::piped());
    // SAFETY: prctl is async-signal-safe; if epyc dies, CPython is killed with it.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            eprintln!("error: cannot start {}: {e}", run.python.display());
            return 2;
        }
    };
    let pid = child.id() as i32;
    let relay = child.stdout.take().map(|out| {
        std::thread::spawn(move || {
            // CPython's lines go out whole, never inside a line of a core.
            for line in BufReader::new(out).split(b'\n').map_while(Result::ok) {
                let mut stdout = std::io::stdout().lock();
                let _ = stdout
                    .write_all(&line)
                    .and_then(|_| stdout.write_all(b"\n"));
                let _ = stdout.flush();
            }
        })
    });
    let msg_tag = crate::message_tag(tir);
    let shared = Shared::new(run.cores, msg_tag, prog.entry, Link::Listening(listener));
    if SHARED.set(shared).is_err() {
        eprintln!("error: only one CPython run per process");
        return STATUS_RUNTIME_ERROR;
    }
    let shared = SHARED.get().expect("just set");
    let (tx, events) = mpsc::channel();
    let python_tx = tx.clone();
    std::thread::spawn(move || {
        if let Ok(s) = child.wait() {
            let _ = python_tx.send(Event::Python(s));
        }
    });
    let script = run.script.display().to_string();
    start_run(prog, run.cores, run.timing, run.device, tx);
    let finish = |status: i32| {
        let _ = std::fs::remove_file(&path);
        status
    };

    match first_event(&events, shared) {
        Some(Event::Python(s)) => {
            shared.set_python_exit(status_code(s));
            if s.success() {
                let run_status = match events.recv() {
                    Ok(Event::Run(r)) => r,
                    _ => STATUS_RUNTIME_ERROR,
                };
                join_relay(relay);
                return finish(run_status);
            }
            join_relay(relay);
            let mut status = status_code(s);
            if shared.had_errors() {
                status = status.max(STATUS_RUNTIME_ERROR);
            } else {
                eprintln!(
                    "epyc: the host program {script} {}; stopping the cores",
                    describe(s)
                );
            }
            let _ = std::io::stdout().flush();
            let _ = std::fs::remove_file(&path);
            // The core threads may be inside compiled code: only ending the process stops them.
            std::process::exit(status.clamp(1, 255));
        }
        None => {
            // A core failed and CPython, not waiting in an `epython` call, went on: the run
            // has failed, so it ends now rather than when CPython next looks.
            // SAFETY: plain kill(2) of our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            eprintln!(
                "epyc: a core stopped with an error and the host program {script} did not end \
                 within {} s; killed it",
                GRACE.as_secs()
            );
            join_relay(relay);
            let _ = std::io::stdout().flush();
            let _ = std::fs::remove_file(&path);
            // The other cores may be inside compiled code or the simulator: end the process.
            std::process::exit(STATUS_RUNTIME_ERROR);
        }
        Some(Event::Run(r)) => {
            let python = match events.recv_timeout(if r == 0 { Duration::MAX } else { GRACE }) {
                Ok(Event::Python(s)) => status_code(s),
                _ => {
                    // SAFETY: plain kill(2) of our own child.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    eprintln!(
                        "epyc: the cores stopped (status {r}) and the host program {script} did not \
                         end within {} s; killed it",
                        GRACE.as_secs()
                    );
                    let _ = events.recv_timeout(GRACE);
                    137
                }
            };
            join_relay(relay);
            finish(r.max(python))
        }
    }
}

/// How often the supervisor looks whether a core error is older than [`GRACE`].
const ERROR_POLL: Duration = Duration::from_millis(50);

/// The first of CPython's exit and the run's end; None once a core error was passed to
/// CPython more than [`GRACE`] ago and neither came (CPython must then be stopped).
fn first_event(events: &mpsc::Receiver<Event>, shared: &Shared) -> Option<Event> {
    loop {
        match events.recv_timeout(ERROR_POLL) {
            Ok(e) => return Some(e),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Some(Event::Run(STATUS_RUNTIME_ERROR))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if shared.error_age().is_some_and(|age| age >= GRACE) {
                    return None;
                }
            }
        }
    }
}

/// Waits (briefly) for CPython's last output lines to be relayed.
fn join_relay(relay: Option<std::thread::JoinHandle<()>>) {
    if let Some(h) = relay {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = h.join();
            let _ = tx.send(());
        });
        let _ = rx.recv_timeout(GRACE);
    }
}

/// Runs `prog` on `cores` host cores (or `device`'s device cores) with the CPython process
/// listening at `socket` as core `cores` (it started this epyc); ends when every core has
/// ended.
pub fn run_attached(
    prog: &HostProgram,
    tir: &epyc_tir::Program,
    socket: &Path,
    cores: u32,
    timing: bool,
    device: Option<DeviceCores>,
) -> i32 {
    let stream = match UnixStream::connect(socket) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "error: cannot connect to CPython at {}: {e}",
                socket.display()
            );
            return 2;
        }
    };
    let shared = Shared::new(
        cores,
        crate::message_tag(tir),
        prog.entry,
        Link::Attached(stream),
    );
    if SHARED.set(shared).is_err() {
        eprintln!("error: only one CPython run per process");
        return STATUS_RUNTIME_ERROR;
    }
    let (tx, events) = mpsc::channel();
    start_run(prog, cores, timing, device, tx);
    match events.recv() {
        Ok(Event::Run(r)) => r,
        _ => STATUS_RUNTIME_ERROR,
    }
}
