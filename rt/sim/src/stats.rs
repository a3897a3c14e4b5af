//! The `--stats` report (text for stderr, JSON for scripts).

use crate::machine::RunResult;
use std::fmt::Write;

pub fn text(r: &RunResult) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "core      cycles        insns   IPC   dual  ra-stall  branch  ld-stall  fetch  e1-stall     idle  exit"
    );
    for c in &r.cores {
        let k = &c.counters;
        let ipc = if c.cycles > 0 {
            k.insns as f64 / c.cycles as f64
        } else {
            0.0
        };
        let _ = writeln!(
            s,
            "({:2},{:2}) {:>11} {:>12} {:>5.3} {:>6} {:>9} {:>7} {:>9} {:>6} {:>9} {:>8}  {}",
            c.row,
            c.col,
            c.cycles,
            k.insns,
            ipc,
            k.dual_issues,
            k.ra_stalls,
            k.branch_stalls,
            k.load_stalls,
            k.fetch_stalls,
            k.e1_stalls,
            k.idle_cycles,
            c.exit_code
                .map(|x| x.to_string())
                .unwrap_or_else(|| "-".into())
        );
    }
    let insns = r.total_instructions();
    let _ = writeln!(
        s,
        "total: {} cycles (slowest core), {} instructions, {:.3} s host, {:.1} M simulated instructions/s",
        r.max_cycles(),
        insns,
        r.host_seconds,
        mips(r)
    );
    s
}

pub fn mips(r: &RunResult) -> f64 {
    if r.host_seconds > 0.0 {
        r.total_instructions() as f64 / r.host_seconds / 1e6
    } else {
        0.0
    }
}

pub fn json(r: &RunResult) -> String {
    let mut s = String::from("{\n  \"cores\": [\n");
    for (i, c) in r.cores.iter().enumerate() {
        let k = &c.counters;
        let _ = writeln!(
            s,
            "    {{\"row\": {}, \"col\": {}, \"cycles\": {}, \"instructions\": {}, \"ialu\": {}, \"fpu\": {}, \"dual_issues\": {}, \"ra_stalls\": {}, \"branch_stalls\": {}, \"load_stalls\": {}, \"fetch_stalls\": {}, \"e1_stalls\": {}, \"idle_cycles\": {}, \"exit\": {}}}{}",
            c.row,
            c.col,
            c.cycles,
            k.insns,
            k.ialu_insns,
            k.fpu_insns,
            k.dual_issues,
            k.ra_stalls,
            k.branch_stalls,
            k.load_stalls,
            k.fetch_stalls,
            k.e1_stalls,
            k.idle_cycles,
            c.exit_code.map(|x| x.to_string()).unwrap_or_else(|| "null".into()),
            if i + 1 < r.cores.len() { "," } else { "" }
        );
    }
    let fault = match &r.fault {
        Some(f) => format!(
            "\"{}\"",
            f.to_string()
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
        ),
        None => "null".into(),
    };
    let _ = write!(
        s,
        "  ],\n  \"cycles\": {},\n  \"instructions\": {},\n  \"host_seconds\": {:.6},\n  \"sim_mips\": {:.3},\n  \"exit_status\": {},\n  \"fault\": {}\n}}\n",
        r.max_cycles(),
        r.total_instructions(),
        r.host_seconds,
        mips(r),
        r.exit_status(),
        fault
    );
    s
}
