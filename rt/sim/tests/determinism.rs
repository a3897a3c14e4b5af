//! The same image gives the same output and the same per-core cycle counts on every run.

mod common;
use common::*;

#[test]
fn gauss_seidel_o3_cycle_counts_repeat_exactly() {
    let bytes = oracle_elf("gauss_seidel-O3.elf");
    let a = run(&bytes, 4, 4, None);
    let b = run(&bytes, 4, 4, None);
    assert!(a.fault.is_none(), "{:?}", a.fault);
    assert_eq!(a.output, b.output);
    let cycles = |r: &epiphany_sim::RunResult| {
        r.cores
            .iter()
            .map(|c| (c.cycles, c.counters))
            .collect::<Vec<_>>()
    };
    assert_eq!(cycles(&a), cycles(&b));
    assert!(a.max_cycles() > 0);
}
