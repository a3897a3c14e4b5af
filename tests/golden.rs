//! The golden-output suite: every ePython program under `shared/golden/`, the project's own
//! programs in `tests/programs/` and the examples in `examples/`, run on every target epyc
//! has, compared by the rule of `shared/golden/README.md`. One test per program and target,
//! e.g. `host::parallel/ring`.

mod support;

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::*;

/// A target a program can run on.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// Host virtual cores (`-h N`, N = all the program's cores).
    Host,
    /// Simulated Epiphany cores (`-d N`; a hybrid program `-d N -h M`, in both modes: under
    /// `--interp` the device and host byte-code interpreters share the run).
    Device,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Host => "host",
            Target::Device => "device",
        }
    }

    fn run_args(self, device: u32, host: u32) -> Vec<String> {
        match self {
            Target::Host => vec!["-h".into(), (device + host).max(1).to_string()],
            Target::Device if host > 0 => vec![
                "-d".into(),
                device.to_string(),
                "-h".into(),
                host.to_string(),
            ],
            Target::Device => vec!["-d".into(), device.max(1).to_string()],
        }
    }

    /// The expected-output file for this target (`NAME.host.out` where the output differs).
    fn expected_file(self, program: &Path) -> PathBuf {
        let specific = program.with_extension(format!("{}.out", self.name()));
        if specific.exists() {
            specific
        } else {
            program.with_extension("out")
        }
    }
}

/// How a program is executed: compiled to native code (with per-function byte-code fallback
/// once mixed programs exist), or wholly as byte code (`--interp`, issue 6).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Compiled,
    Interp,
}

impl Mode {
    /// Suffix of the test name after the target (`host::` compiled, `host-interp::`,
    /// `device-interp::`).
    fn suffix(self) -> &'static str {
        match self {
            Mode::Compiled => "",
            Mode::Interp => "-interp",
        }
    }
}

/// What a program is expected to do.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Exit 0 with the expected output.
    Output,
    /// Compilation fails (exit 1): nothing runs, the `.err` lines (if any) appear.
    CompileError,
    /// A runtime error (exit 3): the lines before it, then `Error from core N: MSG`.
    RuntimeError,
    /// Dynamic code: exit 0 with the expected output, and in the default (compiled) mode a
    /// warning naming what falls back to byte code (falling back is never silent).
    FallsBack,
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    let shared = shared_dir().join("golden");
    for (dir, expect) in [
        ("basics", Expect::Output),
        ("parallel", Expect::Output),
        ("numeric", Expect::Output),
        ("bench", Expect::Output),
        ("errors", Expect::CompileError),
        ("dynamic", Expect::FallsBack),
    ] {
        for program in programs_in(&shared.join(dir)) {
            trials.extend(trials_for(&program, &format!("{dir}/"), expect));
        }
    }
    let repo = repo_dir();
    for dir in ["tests/programs", "examples"] {
        for program in programs_in(&repo.join(dir)) {
            if program.with_extension("out").exists() {
                trials.extend(trials_for(&program, &format!("{dir}/"), Expect::Output));
            }
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

fn programs_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "py"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

fn trials_for(program: &Path, group: &str, expect: Expect) -> Vec<Trial> {
    let stem = program.file_stem().unwrap().to_string_lossy().to_string();
    let runs = [
        (Target::Host, Mode::Compiled),
        (Target::Host, Mode::Interp),
        (Target::Device, Mode::Compiled),
        (Target::Device, Mode::Interp),
    ];
    let key = format!("{group}{stem}");
    runs.into_iter()
        .map(|(target, mode)| {
            let program = program.to_path_buf();
            let name = format!("{}{}::{key}", target.name(), mode.suffix());
            let excluded = DEVICE_INTERP_EXCLUDED
                .iter()
                .find(|e| e.program == key)
                .filter(|_| matches!((target, mode), (Target::Device, Mode::Interp)));
            let same_as = DEVICE_INTERP_SAME_AS
                .iter()
                .find(|(p, _)| *p == key)
                .filter(|_| matches!((target, mode), (Target::Device, Mode::Interp)));
            match (excluded, same_as) {
                (_, Some(&(_, other))) => {
                    Trial::test(name, move || check_same_program(&program, other))
                }
                (Some(e), None) => Trial::test(name, move || check_excluded(&program, e)),
                (None, None) => {
                    Trial::test(name, move || check_program(&program, target, mode, expect))
                }
            }
        })
        .collect()
}

/// A program the device byte-code interpreter cannot run yet, and why.
struct Exclusion {
    /// `group/stem`, as in the test names.
    program: &'static str,
    /// Why (the operation missing on the device).
    reason: &'static str,
    /// What epyc says instead of running it: checked, so an exclusion is never a silent skip
    /// and a program that starts to run is noticed (its entry must then go).
    says: &'static str,
}

/// Programs `device-interp` does not run yet (issue 6), with what epyc says instead: none
/// now. An entry names the missing operation and the text of the refusal (for example "the
/// device byte-code interpreter cannot run this program"); the interpreter with its own
/// runtime must stay within 12 KB of a core (`rt/device/src/interp/footprint.rs`: 11,714 of
/// 12,288 bytes used).
const DEVICE_INTERP_EXCLUDED: &[Exclusion] = &[];

/// Programs `device-interp` does not run because another program with the same text does:
/// (program, the one that runs). Listing 5 interpreted is ~300M simulated cycles (about 50 s
/// of simulation on this machine); once is enough. The test checks the texts are the same
/// (after the `# run:` line).
const DEVICE_INTERP_SAME_AS: &[(&str, &str)] =
    &[("bench/listing5_gauss_seidel", "examples/gauss_seidel")];

fn check_same_program(program: &Path, other: &str) -> Result<(), Failed> {
    let other = repo_dir().join(format!("{other}.py"));
    let body = |p: &Path| -> Result<String, Failed> {
        let text = std::fs::read_to_string(p).map_err(|e| format!("read {}: {e}", p.display()))?;
        Ok(text.lines().skip(1).collect::<Vec<_>>().join("\n"))
    };
    if body(program)? != body(&other)? {
        return Err(format!(
            "{} is excluded from device-interp as the same program as {}, but they differ",
            program.display(),
            other.display()
        )
        .into());
    }
    Ok(())
}

/// An excluded program must still fail clearly (never a wrong output or a hang), saying what
/// its exclusion says.
fn check_excluded(program: &Path, e: &Exclusion) -> Result<(), Failed> {
    let src = std::fs::read_to_string(program).map_err(|e| format!("read program: {e}"))?;
    let (device, host) = run_line(&src).unwrap_or((1, 0));
    let mut args: Vec<String> = vec!["run".into(), "--interp".into()];
    args.extend(Target::Device.run_args(device, host));
    args.push(program.display().to_string());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_epyc(&argv, Duration::from_secs(120));
    if out.timed_out || out.status == Some(0) || !out.stderr.contains(e.says) {
        return Err(format!(
            "excluded from device-interp ({}), so expected a failure saying {:?}; if it runs \
             now, remove it from DEVICE_INTERP_EXCLUDED\ncommand: epyc {}\nexit status: {:?}\n\
             --- stdout\n{}--- stderr\n{}",
            e.reason,
            e.says,
            args.join(" "),
            out.status,
            out.stdout,
            out.stderr
        )
        .into());
    }
    Ok(())
}

fn check_program(program: &Path, target: Target, mode: Mode, expect: Expect) -> Result<(), Failed> {
    let src = std::fs::read_to_string(program).map_err(|e| format!("read program: {e}"))?;
    let (device, host) = run_line(&src).unwrap_or((1, 0));
    let expected_path = target.expected_file(program);
    let expected_text = std::fs::read_to_string(&expected_path)
        .map_err(|e| format!("read {}: {e}", expected_path.display()))?;
    let expect = match expect {
        Expect::CompileError if expected_text.contains("Error from core ") => Expect::RuntimeError,
        // Under `--interp` everything is byte code: no warning is due.
        Expect::FallsBack if mode == Mode::Interp => Expect::Output,
        other => other,
    };

    let mut args: Vec<String> = vec!["run".into()];
    if mode == Mode::Interp {
        args.push("--interp".into());
    }
    args.extend(target.run_args(device, host));
    args.push(program.display().to_string());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    // Interpreted on the simulator, listing 5 takes ~50 s alone (more beside other tests).
    let limit = match (target, mode) {
        (Target::Device, Mode::Interp) => 400,
        _ => 120,
    };
    let out = run_epyc(&argv, Duration::from_secs(limit));
    let shown = || {
        format!(
            "command: epyc {}\nexit status: {:?}\n--- stdout\n{}--- stderr\n{}",
            args.join(" "),
            out.status,
            out.stdout,
            out.stderr
        )
    };
    if out.timed_out {
        return Err(format!("timed out\n{}", shown()).into());
    }
    let expected = split_output(&expected_text);
    let actual = split_output(&out.stdout);

    match expect {
        Expect::Output => {
            if out.status != Some(0) {
                return Err(format!("expected exit status 0\n{}", shown()).into());
            }
            compare_cores(&expected, &actual).map_err(|d| format!("{d}\n{}", shown()))?;
        }
        Expect::FallsBack => {
            if out.status != Some(0) {
                return Err(format!("expected exit status 0\n{}", shown()).into());
            }
            if !out.stderr.contains("falls back to byte code") {
                return Err(format!(
                    "dynamic code must not fall back silently: no warning naming it\n{}",
                    shown()
                )
                .into());
            }
            compare_cores(&expected, &actual).map_err(|d| format!("{d}\n{}", shown()))?;
        }
        Expect::CompileError => {
            if out.status != Some(1) {
                return Err(format!("expected a compile error (exit 1)\n{}", shown()).into());
            }
            if !actual.cores.is_empty() {
                return Err(format!(
                    "a program that does not compile printed output\n{}",
                    shown()
                )
                .into());
            }
            let err_file = program.with_extension("err");
            if let Ok(needles) = std::fs::read_to_string(&err_file) {
                for needle in needles.lines().filter(|l| !l.trim().is_empty()) {
                    if !out.stderr.contains(needle) {
                        return Err(
                            format!("the error must mention {needle:?}\n{}", shown()).into()
                        );
                    }
                }
            }
        }
        Expect::RuntimeError => {
            if out.status != Some(3) {
                return Err(format!("expected a runtime error (exit 3)\n{}", shown()).into());
            }
            compare_cores(&expected, &actual).map_err(|d| format!("{d}\n{}", shown()))?;
            let stderr_lines: Vec<&str> = out.stderr.lines().collect();
            for line in expected
                .other
                .iter()
                .filter(|l| l.starts_with("Error from core "))
            {
                if !stderr_lines.contains(&line.as_str()) {
                    return Err(format!("missing error line {line:?}\n{}", shown()).into());
                }
            }
        }
    }
    Ok(())
}
