//! Shared helpers of the end-to-end suites: where the reference material is, how to run the
//! `epyc` binary with a time limit, and the golden comparison rule of `shared/golden/README.md`.
#![allow(dead_code)] // each test binary uses a different subset of these helpers

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

/// `shared/`: `$EPYC_SHARED`, else beside the repository (CI's layout), else /work/shared.
pub fn shared_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("EPYC_SHARED") {
        return PathBuf::from(dir);
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if beside.is_dir() {
        return beside;
    }
    PathBuf::from("/work/shared")
}

pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Outcome {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

/// Runs `epyc ARGS` with stdin closed, killing it after `limit`.
pub fn run_epyc(args: &[&str], limit: Duration) -> Outcome {
    run_epyc_with_env(args, &[], limit)
}

/// [`run_epyc`] with extra environment variables.
pub fn run_epyc_with_env(args: &[&str], env: &[(&str, &str)], limit: Duration) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_epyc"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the epyc binary starts");
    // Drain both pipes on threads so a chatty program cannot block on a full pipe.
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).ok();
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).ok();
        s
    });
    let (status, timed_out) = match child.wait_timeout(limit).expect("wait for epyc") {
        Some(st) => (st.code(), false),
        None => {
            child.kill().ok();
            child.wait().ok();
            (None, true)
        }
    };
    Outcome {
        status,
        stdout: out_thread.join().unwrap_or_default(),
        stderr: err_thread.join().unwrap_or_default(),
        timed_out,
    }
}

/// The `# run: -d N [-h M]` line of a golden program: (device cores, host cores).
pub fn run_line(src: &str) -> Option<(u32, u32)> {
    let first = src.lines().next()?;
    let rest = first
        .trim()
        .strip_prefix("#")?
        .trim()
        .strip_prefix("run:")?;
    let words: Vec<&str> = rest.split_whitespace().collect();
    let (mut d, mut h) = (0, 0);
    let mut i = 0;
    while i + 1 < words.len() {
        match words[i] {
            "-d" => d = words[i + 1].parse().ok()?,
            "-h" => h = words[i + 1].parse().ok()?,
            _ => return None,
        }
        i += 2;
    }
    Some((d, h))
}

/// Output split by the comparison rule: each core's lines in order, and the unprefixed lines.
#[derive(Default, Debug)]
pub struct SplitOutput {
    pub cores: BTreeMap<u32, Vec<String>>,
    pub other: Vec<String>,
}

/// Splits output lines; `[host K] ` counts as `[device K] ` (the golden rule for host runs).
pub fn split_output(text: &str) -> SplitOutput {
    let mut split = SplitOutput::default();
    for line in text.lines() {
        match core_prefix(line) {
            Some((core, rest)) => split
                .cores
                .entry(core)
                .or_default()
                .push(format!("[device {core}] {rest}")),
            None => split.other.push(line.to_string()),
        }
    }
    split
}

fn core_prefix(line: &str) -> Option<(u32, &str)> {
    let rest = line
        .strip_prefix("[device ")
        .or_else(|| line.strip_prefix("[host "))?;
    let close = rest
        .find("] ")
        .or_else(|| rest.strip_suffix(']').map(|s| s.len()))?;
    let core = rest[..close].parse().ok()?;
    Some((core, rest.get(close + 2..).unwrap_or("")))
}

/// Per core, the sequence of lines must be equal. Returns a readable diff on mismatch.
pub fn compare_cores(expected: &SplitOutput, actual: &SplitOutput) -> Result<(), String> {
    let mut report = String::new();
    let cores: std::collections::BTreeSet<u32> = expected
        .cores
        .keys()
        .chain(actual.cores.keys())
        .copied()
        .collect();
    for core in cores {
        let empty = Vec::new();
        let want = expected.cores.get(&core).unwrap_or(&empty);
        let got = actual.cores.get(&core).unwrap_or(&empty);
        if want != got {
            report.push_str(&format!("core {core}: lines differ\n"));
            report.push_str(&line_diff(want, got));
        }
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(report)
    }
}

/// A small line diff: `-` expected only, `+` actual only, ` ` both (longest common subsequence).
pub fn line_diff(want: &[String], got: &[String]) -> String {
    let (n, m) = (want.len(), got.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if want[i] == got[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < n || j < m {
        if i < n && j < m && want[i] == got[j] {
            out.push_str(&format!("    {}\n", want[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("  + {}\n", got[j]));
            j += 1;
        } else {
            out.push_str(&format!("  - {}\n", want[i]));
            i += 1;
        }
    }
    out
}
