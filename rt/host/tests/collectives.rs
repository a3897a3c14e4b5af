//! sync, reduce and bcast over every core of a run.
mod common;
use common::*;

const SUM: i32 = 0;
const MIN: i32 = 1;
const MAX: i32 = 2;
const PROD: i32 = 3;

fn fl(x: f32) -> i32 {
    x.to_bits() as i32
}

fn unfl(b: i32) -> f32 {
    f32::from_bits(b as u32)
}

/// reduce_ops.py.
unsafe extern "C" fn reduce_ops(_g: *mut u8) {
    let me = me();
    for op in [SUM, MIN, MAX, PROD] {
        epyc_print_int(epyc_reduce(me + 1, INT, op, at(3)));
    }
    let m = me as f32;
    epyc_print_float(unfl(epyc_reduce(fl(m * 1.5), FLOAT, SUM, at(7))));
    epyc_print_float(unfl(epyc_reduce(fl(m * 1.5), FLOAT, MAX, at(8))));
    epyc_print_float(unfl(epyc_reduce(fl(m * 1.5 + 1.0), FLOAT, MIN, at(9))));
    epyc_print_float(unfl(epyc_reduce(fl(m * 0.5 + 1.0), FLOAT, PROD, at(10))));
}

#[test]
fn reduce_every_op_int_and_float() {
    let out = run(4, reduce_ops);
    assert_eq!(out.status, 0, "{}", out.stderr);
    for core in 0..4 {
        assert_eq!(
            out.core(core),
            ["10", "1", "4", "24", "9.000000", "4.500000", "1.000000", "7.500000"]
        );
    }
}

/// 1000 back-to-back reductions of every op: every result right on every core, and float
/// sums identical to the core-order float32 sum each time (deviation D35).
unsafe extern "C" fn reduce_repeated(_g: *mut u8) {
    let me = me();
    let n = epyc_numcores();
    let mut wrong = 0;
    for i in 0..1000 {
        let v = (me * 7 + i) % 13 - 6;
        let vals: Vec<i32> = (0..n).map(|c| (c * 7 + i) % 13 - 6).collect();
        let want = [
            vals.iter().fold(0i32, |a, &b| a.wrapping_add(b)),
            *vals.iter().min().unwrap(),
            *vals.iter().max().unwrap(),
            vals.iter().fold(1i32, |a, &b| a.wrapping_mul(b)),
        ];
        for op in [SUM, MIN, MAX, PROD] {
            if epyc_reduce(v, INT, op, at(5)) != want[op as usize] {
                wrong += 1;
            }
        }
        let fv = v as f32 * 0.1 + i as f32;
        let fvals: Vec<f32> = vals.iter().map(|&x| x as f32 * 0.1 + i as f32).collect();
        let fsum = fvals.iter().fold(0.0f32, |s, &x| s + x);
        let fmax = fvals.iter().cloned().fold(f32::MIN, f32::max);
        if unfl(epyc_reduce(fl(fv), FLOAT, SUM, at(9))).to_bits() != fsum.to_bits() {
            wrong += 1;
        }
        if unfl(epyc_reduce(fl(fv), FLOAT, MAX, at(10))) != fmax {
            wrong += 1;
        }
    }
    print(&format!("wrong {wrong}"));
}

#[test]
fn reduce_is_correct_and_deterministic_back_to_back() {
    let out = run(6, reduce_repeated);
    assert_eq!(out.status, 0, "{}", out.stderr);
    for core in 0..6 {
        assert_eq!(out.core(core), ["wrong 0"], "core {core}");
    }
}

/// bcast.py, plus an int root value received where a float is expected.
unsafe extern "C" fn bcast(_g: *mut u8) {
    let me = me();
    epyc_print_int(epyc_bcast(me * 11 + 5, INT, 2, INT, at(3)));
    epyc_print_float(unfl(epyc_bcast(
        fl(me as f32 + 0.25),
        FLOAT,
        0,
        FLOAT,
        at(5),
    )));
    epyc_print_float(unfl(epyc_bcast(me, INT, 3, FLOAT, at(6))));
}

#[test]
fn bcast_gives_the_roots_value_everywhere() {
    let out = run(4, bcast);
    assert_eq!(out.status, 0, "{}", out.stderr);
    for core in 0..4 {
        assert_eq!(out.core(core), ["27", "0.250000", "3.000000"]);
    }
}

/// sync_phases.py: no core prints phase i+1 before every core printed phase i.
unsafe extern "C" fn phases(_g: *mut u8) {
    for i in 0..3 {
        print(&format!("phase {i}"));
        epyc_sync(at(6));
    }
    print("done");
}

#[test]
fn sync_separates_phases() {
    let out = run(4, phases);
    assert_eq!(out.status, 0, "{}", out.stderr);
    for core in 0..4 {
        assert_eq!(out.core(core), ["phase 0", "phase 1", "phase 2", "done"]);
    }
    let phase_of = |l: &str| l.rsplit(' ').next().unwrap().parse::<u32>().unwrap_or(3);
    let order: Vec<u32> = out.stdout.lines().map(phase_of).collect();
    assert!(
        order.windows(2).all(|w| w[0] <= w[1]),
        "phases interleaved: {order:?}"
    );
}

/// Many cores hammering the barrier.
unsafe extern "C" fn many_syncs(_g: *mut u8) {
    for _ in 0..2000 {
        epyc_sync(at(2));
    }
    print("ok");
}

#[test]
fn thousands_of_barriers_on_sixteen_cores() {
    let start = std::time::Instant::now();
    let out = run(16, many_syncs);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.per_core().len(), 16);
    // Blocking waits, not spinning: 2000 barriers over 16 threads on 2 CPUs stay fast.
    assert!(
        start.elapsed().as_secs_f64() < 20.0,
        "took {:?}",
        start.elapsed()
    );
}

/// The communication of listing 5 (Gauss-Seidel) at full size: 16 cores, 1254 iterations of
/// two halo sendrecvs and one float sum reduce each.
unsafe extern "C" fn halo_and_norm(_g: *mut u8) {
    let me = me();
    let n = epyc_numcores();
    let mut norm = 0.0f32;
    for it in 0..1254 {
        if me > 0 {
            epyc_sendrecv(fl(it as f32), FLOAT, me - 1, FLOAT, at(38));
        }
        if me < n - 1 {
            epyc_sendrecv(fl(it as f32), FLOAT, me + 1, FLOAT, at(39));
        }
        norm = unfl(epyc_reduce(fl(me as f32 * 0.001), FLOAT, SUM, at(18)));
    }
    if me == 0 {
        epyc_print_float(norm);
    }
}

#[test]
fn listing5_communication_is_fast() {
    let start = std::time::Instant::now();
    let out = run(16, halo_and_norm);
    let took = start.elapsed();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.core(0), ["0.120000"]);
    eprintln!("listing 5 communication pattern on 16 cores: {took:?}");
    assert!(took.as_secs_f64() < 10.0, "took {took:?}");
}

/// The largest run the driver allows: 1024 cores, each with its full-size stack.
unsafe extern "C" fn sum_ids(_g: *mut u8) {
    let total = epyc_reduce(me(), INT, SUM, at(2));
    if me() == 1023 {
        epyc_print_int(total);
    }
}

#[test]
fn a_thousand_and_twenty_four_cores() {
    let out = run(1024, sum_ids);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.core(1023), [(1023 * 1024 / 2).to_string()]);
}
