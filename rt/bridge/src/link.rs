//! The state shared by the supervisor, the CPython core's proxy thread and the run's output:
//! the link to CPython (a Unix socket), how CPython ended, and core errors to pass on.

use crate::wire::{self, Value};
use epyc_rt_abi::Tag;
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// How the link is made.
pub enum Link {
    /// epyc started CPython and listens; CPython connects when it imports `epython`.
    Listening(UnixListener),
    /// CPython started epyc (the offload decorator) and listens; epyc has connected.
    Attached(UnixStream),
}

pub struct Shared {
    /// Core id of CPython: one past the last core of the run.
    pub python_core: u32,
    /// Type of the program's messages (see `message_type`).
    pub msg_tag: Tag,
    /// The compiled program's entry, run by every other core.
    pub real_entry: unsafe extern "C" fn(*mut u8),
    pub link: Link,
    /// Writing half of the connection, once made; errors wait in `pending` until then.
    writer: Mutex<Writer>,
    /// CPython's exit status once it ended (listening mode).
    python_exit: Mutex<Option<i32>>,
    exited: Condvar,
}

#[derive(Default)]
struct Writer {
    stream: Option<UnixStream>,
    pending: Vec<Vec<u8>>,
    /// A core error was passed on: the run failed (since then).
    errors: bool,
    since: Option<Instant>,
}

/// How often the proxy looks for CPython's connection while it has not connected.
const ACCEPT_POLL: Duration = Duration::from_millis(5);

impl Link {
    pub fn accept(&self, shared: &Shared) -> Option<UnixStream> {
        let stream = match self {
            Link::Attached(s) => s.try_clone().ok()?,
            Link::Listening(listener) => loop {
                if listener.set_nonblocking(true).is_err() {
                    return None;
                }
                match listener.accept() {
                    Ok((s, _)) => {
                        s.set_nonblocking(false).ok()?;
                        break s;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        if shared.python_exit.lock().unwrap().is_some() {
                            return None;
                        }
                        std::thread::sleep(ACCEPT_POLL);
                    }
                    Err(_) => return None,
                }
            },
        };
        let mut w = shared.writer.lock().unwrap();
        let mut writer = stream.try_clone().ok()?;
        for frame in w.pending.drain(..) {
            let _ = wire::write_frame(&mut writer, &frame);
        }
        w.stream = Some(writer);
        Some(stream)
    }
}

impl Shared {
    pub fn new(
        python_core: u32,
        msg_tag: Tag,
        real_entry: unsafe extern "C" fn(*mut u8),
        link: Link,
    ) -> Shared {
        let writer = match &link {
            Link::Attached(s) => Writer {
                stream: s.try_clone().ok(),
                ..Writer::default()
            },
            Link::Listening(_) => Writer::default(),
        };
        Shared {
            python_core,
            msg_tag,
            real_entry,
            link,
            writer: Mutex::new(writer),
            python_exit: Mutex::new(None),
            exited: Condvar::new(),
        }
    }

    /// Sends a frame to CPython (lost if CPython has gone: the supervisor reports that).
    pub fn write(&self, body: &[u8]) {
        let mut w = self.writer.lock().unwrap();
        if let Some(s) = w.stream.as_mut() {
            let _ = wire::write_frame(s, body);
        }
    }

    /// Passes a core's error report to CPython, where the pending or next `epython` call
    /// raises it.
    pub fn forward_error(&self, text: &str) {
        let mut body = vec![wire::REPLY_ERROR];
        Value::Str(text.trim_end().as_bytes().to_vec()).encode(&mut body);
        let mut w = self.writer.lock().unwrap();
        w.errors = true;
        w.since.get_or_insert_with(Instant::now);
        match w.stream.as_mut() {
            Some(s) => {
                let _ = wire::write_frame(s, &body);
            }
            None => w.pending.push(body),
        }
    }

    /// True once any core error was reported.
    pub fn had_errors(&self) -> bool {
        self.writer.lock().unwrap().errors
    }

    /// Time since the first core error was reported, if any was.
    pub fn error_age(&self) -> Option<Duration> {
        self.writer.lock().unwrap().since.map(|t| t.elapsed())
    }

    pub fn set_python_exit(&self, status: i32) {
        *self.python_exit.lock().unwrap() = Some(status);
        self.exited.notify_all();
    }

    pub fn wait_python_exit(&self) -> i32 {
        let mut st = self.python_exit.lock().unwrap();
        loop {
            if let Some(s) = *st {
                return s;
            }
            st = self.exited.wait(st).unwrap();
        }
    }
}
