//! The monitor: the one writer of program output. Every print becomes one whole line
//! `[host N] text\n`, written and flushed under one lock, so lines of different cores never
//! interleave and each core's lines keep their order.

use std::io::{BufRead, Write};
use std::sync::Mutex;

/// Where a run's output goes and its input comes from.
pub trait MonitorIo: Send + Sync {
    /// Writes and flushes `bytes` to standard output.
    fn out(&self, bytes: &[u8]);
    /// Writes and flushes `bytes` to standard error.
    fn err(&self, bytes: &[u8]);
    /// One line of input without its line end; None at end of input.
    fn read_line(&self) -> Option<Vec<u8>>;
}

/// The process's stdout, stderr and stdin.
pub struct StdIo;

impl MonitorIo for StdIo {
    fn out(&self, bytes: &[u8]) {
        let mut out = std::io::stdout().lock();
        // A closed stdout (e.g. `| head`) must not stop the cores; output is simply lost.
        let _ = out.write_all(bytes).and_then(|_| out.flush());
    }
    fn err(&self, bytes: &[u8]) {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(bytes).and_then(|_| err.flush());
    }
    fn read_line(&self) -> Option<Vec<u8>> {
        let mut line = Vec::new();
        match std::io::stdin().lock().read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => {
                strip_line_end(&mut line);
                Some(line)
            }
        }
    }
}

fn strip_line_end(line: &mut Vec<u8>) {
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
}

/// Output kept in memory and input given up front (tests, embedding).
#[derive(Default)]
pub struct CapturedIo {
    stdout: Mutex<Vec<u8>>,
    stderr: Mutex<Vec<u8>>,
    stdin: Mutex<std::collections::VecDeque<Vec<u8>>>,
}

impl CapturedIo {
    pub fn with_input(lines: &[&str]) -> CapturedIo {
        let io = CapturedIo::default();
        io.stdin
            .lock()
            .unwrap()
            .extend(lines.iter().map(|l| l.as_bytes().to_vec()));
        io
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }
}

impl MonitorIo for CapturedIo {
    fn out(&self, bytes: &[u8]) {
        self.stdout.lock().unwrap().extend_from_slice(bytes);
    }
    fn err(&self, bytes: &[u8]) {
        self.stderr.lock().unwrap().extend_from_slice(bytes);
    }
    fn read_line(&self) -> Option<Vec<u8>> {
        self.stdin.lock().unwrap().pop_front()
    }
}

/// Serialises all output of one run.
pub struct Monitor {
    io: std::sync::Arc<dyn MonitorIo>,
    lock: Mutex<()>,
}

impl Monitor {
    pub fn new(io: std::sync::Arc<dyn MonitorIo>) -> Monitor {
        Monitor {
            io,
            lock: Mutex::new(()),
        }
    }

    fn guard(&self) -> std::sync::MutexGuard<'_, ()> {
        // A poisoned lock only means another thread panicked mid-write; output goes on.
        self.lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One printed line of core `core`.
    pub fn print(&self, core: u32, text: &[u8]) {
        let mut line = format!("[host {core}] ").into_bytes();
        line.extend_from_slice(text);
        line.push(b'\n');
        let _g = self.guard();
        self.io.out(&line);
    }

    /// A line on stdout without the core prefix (timing reports).
    pub fn plain(&self, text: &str) {
        let _g = self.guard();
        self.io.out(format!("{text}\n").as_bytes());
    }

    /// Whole lines on stderr (errors, deadlock reports), written as one piece.
    pub fn error(&self, text: &str) {
        let _g = self.guard();
        self.io.err(text.as_bytes());
    }

    /// Shows the prompt (`[host N] prompt` without a line end, or `host N> ` without one) and
    /// reads a line; end of input gives the empty string. The lock is held throughout so no
    /// other core's line lands inside the prompt.
    pub fn input(&self, core: u32, prompt: Option<&[u8]>) -> Vec<u8> {
        let _g = self.guard();
        let shown = match prompt {
            Some(p) => {
                let mut s = format!("[host {core}] ").into_bytes();
                s.extend_from_slice(p);
                s
            }
            None => format!("host {core}> ").into_bytes(),
        };
        self.io.out(&shown);
        self.io.read_line().unwrap_or_default()
    }
}
