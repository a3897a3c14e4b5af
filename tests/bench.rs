//! `epyc bench` and `epyc run --interp -d N` through the real binary: the byte-code
//! interpreter on simulated device cores, and compiled against interpreted cycles.

mod support;

use std::path::PathBuf;
use std::time::Duration;
use support::*;

fn golden(rel: &str) -> String {
    shared_dir().join("golden").join(rel).display().to_string()
}

/// A fresh directory for one test's output files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("epyc-bench-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn bench_writes_table_csv_and_plot_with_compiled_faster() {
    let dir = scratch("csv");
    let (csv, svg) = (dir.join("b.csv"), dir.join("b.svg"));
    let program = golden("numeric/pi_integration.py");
    let out = run_epyc(
        &[
            "bench",
            &program,
            "--cores",
            "1,2",
            "--modes",
            "compiled,interp",
            "--csv",
            csv.to_str().unwrap(),
            "--plot",
            svg.to_str().unwrap(),
        ],
        Duration::from_secs(300),
    );
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(out.stdout.starts_with("mode "), "{}", out.stdout);
    assert!(!out.stdout.contains("n/a"), "{}", out.stdout);

    let text = std::fs::read_to_string(&csv).expect("CSV written");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("mode,cores,cycles,seconds,speedup,efficiency,interp_vs_compiled,status")
    );
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let keys: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("compiled", "1"),
            ("compiled", "2"),
            ("interp", "1"),
            ("interp", "2")
        ]
    );
    let cycles = |mode: &str, cores: &str| -> u64 {
        let r = rows.iter().find(|r| r[0] == mode && r[1] == cores).unwrap();
        assert_eq!(r.len(), 8, "{r:?}");
        assert_eq!(r[7], "ok", "{r:?}");
        let seconds: f64 = r[3].parse().unwrap();
        let c: u64 = r[2].parse().unwrap();
        assert!((seconds - c as f64 / 600e6).abs() < 1e-9, "{r:?}");
        c
    };
    for cores in ["1", "2"] {
        let (compiled, interp) = (cycles("compiled", cores), cycles("interp", cores));
        assert!(compiled > 0 && interp > 0);
        assert!(
            compiled < interp,
            "{cores} cores: compiled {compiled} cycles, interpreted {interp}"
        );
    }
    // pi_integration splits its loop among the cores: 2 cores take fewer cycles than 1.
    assert!(cycles("compiled", "2") < cycles("compiled", "1"));
    assert!(cycles("interp", "2") < cycles("interp", "1"));

    let plot = std::fs::read_to_string(&svg).expect("SVG written");
    assert!(plot.starts_with("<svg"), "{}", &plot[..plot.len().min(200)]);
    assert!(plot.contains("compiled") && plot.contains("interp"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bench_reports_a_failing_run_as_not_available() {
    let program = repo_dir()
        .join("tests/programs/errors/index_on_core_1.py")
        .display()
        .to_string();
    let out = run_epyc(
        &["bench", &program, "--cores", "2", "--modes", "interp"],
        Duration::from_secs(120),
    );
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let row = out
        .stdout
        .lines()
        .find(|l| l.starts_with("interp"))
        .expect("an interp row");
    assert!(row.contains("n/a: exit status 3"), "{row}");
    assert!(row.contains("core 1"), "{row}");
}

#[test]
fn bench_rejects_bad_core_counts() {
    let program = golden("numeric/pi_integration.py");
    let out = run_epyc(
        &["bench", &program, "--cores", "0,2"],
        Duration::from_secs(30),
    );
    assert_eq!(out.status, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("--cores"), "{}", out.stderr);
}

/// `--interp -d 2` runs the golden programs on the device interpreter with their expected
/// output, per core.
#[test]
fn interp_on_two_device_cores_gives_the_golden_output() {
    for rel in ["numeric/pi_integration.py", "parallel/dev_send_string.py"] {
        let program = golden(rel);
        let out = run_epyc(
            &["run", "--interp", "-d", "2", &program],
            Duration::from_secs(120),
        );
        assert_eq!(out.status, Some(0), "{rel}: {}", out.stderr);
        let want = std::fs::read_to_string(program.replace(".py", ".out")).unwrap();
        if let Err(diff) = compare_cores(&split_output(&want), &split_output(&out.stdout)) {
            panic!("{rel}:\n{diff}");
        }
    }
}
