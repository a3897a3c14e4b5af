//! Random bytes as code and random / corrupted ELFs: every run ends in a clean result (output,
//! exit or fault report) within a bounded number of cycles — never a panic or a hang.

mod common;
use common::*;
use std::time::{Duration, Instant};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const MAX_CYCLES: u64 = 300_000;

fn bounded_run(bytes: &[u8], rows: u32, cols: u32) -> Option<epiphany_sim::RunResult> {
    let cfg = epiphany_sim::Config {
        rows,
        cols,
        max_cycles: Some(MAX_CYCLES),
        ..Default::default()
    };
    let mut sim = epiphany_sim::Simulator::new(cfg).unwrap();
    sim.load_elf(bytes).ok()?;
    let t = Instant::now();
    let r = sim.run();
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "run took {:?}",
        t.elapsed()
    );
    if let Some(f) = &r.fault {
        // A report names the core, the PC and the instruction.
        let text = f.to_string();
        assert!(text.contains("pc 0x") && text.contains("core ("), "{text}");
        assert_ne!(r.exit_status(), 0);
    } else {
        // Without a fault every core ended by itself.
        assert!(
            r.cores.iter().all(|c| c.exit_code.is_some()),
            "run ended without exit or fault"
        );
    }
    Some(r)
}

#[test]
fn random_bytes_as_code_end_cleanly() {
    let base = oracle_elf("intops-O2.elf");
    // The oracle image's single segment starts at file offset of vaddr 0; code starts at 0x100.
    let text_at = find_text_offset(&base);
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut faults = 0;
    for round in 0..1500 {
        let mut img = base.clone();
        let len = 64 + rng.below(2048);
        for k in 0..len.min(img.len() - text_at) {
            img[text_at + k] = rng.next() as u8;
        }
        let (rows, cols) = if round % 10 == 0 { (2, 2) } else { (1, 1) };
        let r = bounded_run(&img, rows, cols).expect("a valid ELF with random code still loads");
        faults += r.fault.is_some() as u32;
    }
    assert!(faults > 1000, "random code should mostly fault ({faults})");
}

#[test]
fn corrupted_and_random_elfs_are_refused_or_run_cleanly() {
    let base = oracle_elf("calls-O2.elf");
    let mut rng = Rng(0x0bad_cafe_f00d_0001);
    for _ in 0..2000 {
        let mut img = base.clone();
        for _ in 0..1 + rng.below(16) {
            let i = if rng.below(2) == 0 {
                rng.below(64.min(img.len()))
            } else {
                rng.below(img.len())
            };
            img[i] = rng.next() as u8;
        }
        if rng.below(4) == 0 {
            img.truncate(rng.below(img.len()));
        }
        bounded_run(&img, 1, 1);
    }
    for n in 0..1000 {
        let len = rng.below(4096);
        let mut img: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if n % 2 == 0 && img.len() >= 20 {
            // Make some of them look like Epiphany ELFs so parsing goes deeper.
            img[..4].copy_from_slice(b"\x7fELF");
            img[4] = 1;
            img[5] = 1;
            img[18] = 0x23;
            img[19] = 0x12;
        }
        bounded_run(&img, 1, 1);
    }
}

#[test]
fn wild_workgroup_shapes_are_refused() {
    for (r, c) in [(0, 4), (4, 0), (33, 1), (1, 33)] {
        let cfg = epiphany_sim::Config {
            rows: r,
            cols: c,
            ..Default::default()
        };
        assert!(epiphany_sim::Simulator::new(cfg).is_err());
    }
}

/// File offset of virtual address 0x100 in the first PT_LOAD (ELF32 little-endian).
fn find_text_offset(elf: &[u8]) -> usize {
    let u32_at = |o: usize| u32::from_le_bytes(elf[o..o + 4].try_into().unwrap()) as usize;
    let u16_at = |o: usize| u16::from_le_bytes(elf[o..o + 2].try_into().unwrap()) as usize;
    let (phoff, phentsize, phnum) = (u32_at(28), u16_at(42), u16_at(44));
    for k in 0..phnum {
        let ph = phoff + k * phentsize;
        if u32_at(ph) == 1 {
            let (off, vaddr) = (u32_at(ph + 4), u32_at(ph + 8));
            return off + 0x100 - vaddr;
        }
    }
    panic!("no PT_LOAD");
}
