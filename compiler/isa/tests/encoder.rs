//! The structured encoder (what the backend uses) and the assembler parser on objdump's text.

use epiphany_isa::{
    assemble_line, decode, disasm, encode_shortest, AddrMode, Cond, Inst, Op, Width, UNKNOWN,
};

fn inst(op: Op, rd: u8, rn: u8, rm: u8, imm: i32) -> Inst {
    Inst {
        op,
        size: 4,
        rd,
        rn,
        rm,
        sub: false,
        imm,
    }
}

fn size_of(i: Inst) -> u8 {
    encode_shortest(&i)
        .unwrap_or_else(|e| panic!("{i:?}: {e}"))
        .size
}

#[test]
fn sixteen_bit_form_when_it_fits() {
    assert_eq!(size_of(inst(Op::Add, 1, 2, 3, 0)), 2);
    assert_eq!(size_of(inst(Op::Add, 1, 2, 13, 0)), 4);
    assert_eq!(size_of(inst(Op::AddImm, 1, 2, 0, 3)), 2);
    assert_eq!(size_of(inst(Op::AddImm, 1, 2, 0, -4)), 2);
    assert_eq!(size_of(inst(Op::AddImm, 1, 2, 0, 4)), 4);
    assert_eq!(size_of(inst(Op::AddImm, 1, 2, 0, 1023)), 4);
    assert_eq!(size_of(inst(Op::MovImm, 7, 0, 0, 255)), 2);
    assert_eq!(size_of(inst(Op::MovImm, 7, 0, 0, 256)), 4);
    assert_eq!(size_of(inst(Op::B(Cond::Ne), 0, 0, 0, 254)), 2);
    assert_eq!(size_of(inst(Op::B(Cond::Ne), 0, 0, 0, -256)), 2);
    assert_eq!(size_of(inst(Op::B(Cond::Ne), 0, 0, 0, 256)), 4);
    assert_eq!(size_of(inst(Op::Bl, 0, 0, 0, 1 << 20)), 4);
    let ld = |mode, rd, rn, imm| {
        inst(
            Op::Load {
                width: Width::Word,
                mode,
            },
            rd,
            rn,
            0,
            imm,
        )
    };
    assert_eq!(size_of(ld(AddrMode::Disp, 0, 1, 28)), 2);
    assert_eq!(size_of(ld(AddrMode::Disp, 0, 1, 32)), 4);
    assert_eq!(size_of(ld(AddrMode::Disp, 0, 1, -4)), 4);
    assert_eq!(size_of(ld(AddrMode::PostDisp, 0, 1, 4)), 4);
    assert_eq!(size_of(inst(Op::Jr, 0, 14, 0, 0)), 4);
    assert_eq!(size_of(inst(Op::Jr, 0, 3, 0, 0)), 2);
    assert_eq!(size_of(inst(Op::Movfs, 0, 0, 0, 64 + 3)), 4);
    assert_eq!(size_of(inst(Op::Movfs, 0, 0, 0, 1)), 2);
    // GNU as never emits the 16-bit fabs (its CGEN syntax is broken), so neither do we.
    assert_eq!(size_of(inst(Op::Fabs, 1, 2, 0, 0)), 4);
}

#[test]
fn encoder_agrees_with_the_assembler() {
    let e = encode_shortest(&inst(Op::Jr, 0, 14, 0, 0)).unwrap();
    assert_eq!((e.word, e.size), (0x0402_194F, 4));
    assert_eq!(disasm(&decode(e.word).unwrap(), 0), "rts");
    let st = inst(
        Op::Store {
            width: Width::Double,
            mode: AddrMode::Disp,
        },
        2,
        13,
        0,
        -8,
    );
    let e = encode_shortest(&st).unwrap();
    assert_eq!(Ok(e), assemble_line("strd r2,[sp,-1]", 0));
    assert_eq!(e.bytes().len(), 4);
}

#[test]
fn encoder_refuses_what_gnu_refuses_and_what_does_not_fit() {
    let bad = [
        inst(
            Op::Load {
                width: Width::Double,
                mode: AddrMode::Index,
            },
            3,
            1,
            2,
            0,
        ),
        inst(
            Op::Load {
                width: Width::Word,
                mode: AddrMode::PostIndex,
            },
            4,
            4,
            2,
            0,
        ),
        inst(
            Op::Load {
                width: Width::Word,
                mode: AddrMode::Disp,
            },
            4,
            5,
            0,
            2,
        ),
        inst(
            Op::Load {
                width: Width::Word,
                mode: AddrMode::Disp,
            },
            4,
            5,
            0,
            4 * 2048,
        ),
        inst(Op::AddImm, 1, 2, 0, 1024),
        inst(Op::MovImm, 1, 0, 0, 65536),
        inst(Op::MovImm, 1, 0, 0, -1),
        inst(Op::B(Cond::Al), 0, 0, 0, 3),
        inst(Op::B(Cond::Al), 0, 0, 0, 1 << 24),
        inst(Op::Add, 64, 0, 0, 0),
        inst(Op::Movts, 0, 0, 0, 4 * 64),
        inst(Op::Swi, 0, 0, 0, 5),
    ];
    for i in bad {
        assert!(encode_shortest(&i).is_err(), "{i:?} was encoded");
    }
}

/// Reading objdump's own text back: every valid word of decode.tsv assembles to an
/// instruction with the same meaning (GNU may pick the 16-bit form of a 32-bit word), unless
/// GNU as refuses that text.
#[test]
fn objdump_text_assembles_back() {
    let shared = std::env::var("EPYC_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            let beside = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
            if beside.join("oracle").is_dir() {
                beside
            } else {
                "/work/shared".into()
            }
        });
    let text = std::fs::read_to_string(shared.join("oracle/isa/decode.tsv")).expect("decode.tsv");
    let mut failures = Vec::new();
    let mut refused = 0;
    let mut total = 0;
    for (i, line) in text.lines().skip(1).enumerate() {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols[2] == UNKNOWN {
            continue;
        }
        total += 1;
        let addr = 8 * (i % 500) as u32;
        let word = u32::from_str_radix(cols[0], 16).unwrap();
        let want = decode(word).unwrap();
        match assemble_line(cols[2], addr) {
            Ok(e) => {
                let got = decode(e.word).unwrap();
                // The size may shrink; the one-operand FPU ops' unused rm field is not text.
                let free_rm = matches!(
                    want.op,
                    Op::Float | Op::Fix | Op::Fabs | Op::Frecip | Op::Fsqrt
                );
                let rm = if free_rm { want.rm } else { got.rm };
                let same = Inst {
                    size: want.size,
                    rm,
                    ..got
                };
                if same != want {
                    failures.push(format!("{}: {:?} -> {:?}", cols[2], want, got));
                }
            }
            Err(e) => {
                let known = e.0.contains("even:odd")
                    || e.0.contains("post-modified")
                    || cols[2].starts_with("swi ")
                    || cols[2] == "fabs rd,rn";
                if known {
                    refused += 1;
                } else {
                    failures.push(format!("{}: refused: {e}", cols[2]));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} fail:\n{}",
        failures.len(),
        failures
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!(
        "{total} objdump lines: {} reassembled, {refused} refused as GNU does",
        total - refused
    );
}

#[test]
fn assembler_reports_bad_lines_without_panicking() {
    for bad in [
        "",
        "   ",
        "frob r1,r2",
        "add r1,r2",
        "add r1,r2,r3,r4",
        "add r1,r2,r64",
        "ldr r1,[r2,",
        "ldr r1,[r2,8]]",
        "mov r1,0x",
        "mov r1,99999999999999999999",
        "beq.q .+2",
        "beq .+3",
        "b.s .+256",
        "trap 64",
        "movts bogus,r1",
        "ldr r1,[r2,#-5",
        "add r1,r2,é",
    ] {
        assert!(assemble_line(bad, 0).is_err(), "{bad:?} assembled");
    }
    // Random junk built from instruction-like pieces never panics.
    let pieces = [
        "ldr", "strd", "add", "mov", "beq", ".s", ".l", " ", "r1", "r63", "sp", ",", "[", "]", "#",
        "-", "+", "0x1f", "7", ".", "config", "é", "\t", "2047", "-4",
    ];
    let mut x: u32 = 12345;
    for _ in 0..20_000 {
        let mut line = String::new();
        for _ in 0..(x % 9) {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            line.push_str(pieces[(x >> 16) as usize % pieces.len()]);
        }
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let _ = assemble_line(&line, x & !1);
    }
}
