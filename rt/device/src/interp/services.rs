//! `Svc` handlers: each pops its arguments, calls the runtime function native code calls for
//! the value's tag, and pushes a result (none for statements).

use super::gen::*;
use super::handlers::SERVICES;
use cranelift_codegen::ir::{self, condcodes::IntCC, types::*, InstBuilder, MemFlagsData};
use epyc_bytecode::format::Svc;
use epyc_rt_abi::Tag;

/// Branches on the service number (already read) to one block per service.
pub fn dispatch(g: &mut Gen, r: &View, svc: ir::Value) {
    let bad = g.b.create_block();
    let count = SERVICES.iter().map(|&s| s as usize + 1).max().unwrap_or(0);
    let mut table_blocks = vec![bad; count];
    // Services differing only in the runtime routine they call share one block (see
    // [`routine_of`]).
    let mut blocks: Vec<(Svc, ir::Block)> = Vec::new();
    for &s in SERVICES {
        let leader = SHARED_BLOCKS
            .iter()
            .find(|grp| grp.contains(&s))
            .map_or(s, |grp| grp[0]);
        let b = match blocks.iter().find(|(l, _)| *l == leader) {
            Some(&(_, b)) => b,
            None => {
                let b = g.b.create_block();
                blocks.push((leader, b));
                b
            }
        };
        table_blocks[s as usize] = b;
    }
    table(g, svc, &table_blocks, bad);
    g.b.switch_to_block(bad);
    let t = g.k(1);
    r.type_error_if(g, t);
    g.b.ins().trap(ir::TrapCode::user(1).expect("trap code"));
    for (s, b) in blocks {
        g.b.switch_to_block(b);
        service(g, r, s, svc);
        r.next(g);
    }
}

fn push_none(g: &mut Gen, r: &View) {
    let z = g.k(0);
    r.push_k(g, Tag::None, z);
}

/// Groups of services sharing one block, the first naming it.
const SHARED_BLOCKS: &[&[Svc]] = &[
    &[Svc::Send, Svc::SendNonBlocking],
    &[Svc::Probe, Svc::TestSent, Svc::WaitSent],
    &[Svc::Recv, Svc::RecvFunc],
    &[Svc::NDim, Svc::Dim],
    &[Svc::Min, Svc::Max],
    &[Svc::Int, Svc::Float],
];

/// The address of the routine of service `svc` among `routines` (the last when none of the
/// others), and the signature to call it with: a few selects instead of a copy of the
/// service per routine (each copy cost 50-100 bytes).
fn routine_of(
    g: &mut Gen,
    svc: ir::Value,
    routines: &[(Svc, &'static str)],
    params: usize,
    ret: bool,
) -> (ir::SigRef, ir::Value) {
    let sig = signature_of(params, ret);
    let rets: &[ir::Type] = if ret { &[I32] } else { &[] };
    let mut addr = None;
    for &(s, sym) in routines.iter().rev() {
        let f = g.func(sym, &vec![I32; params], rets);
        let a = g.b.ins().func_addr(I32, f);
        addr = Some(match addr {
            None => a,
            Some(other) => {
                let is = g.b.ins().icmp_imm_s(IntCC::Equal, svc, s as i64);
                g.b.ins().select(is, a, other)
            }
        });
    }
    let sigref = g.b.import_signature(sig);
    (sigref, addr.expect("routines"))
}

fn service(g: &mut Gen, r: &View, s: Svc, svc: ir::Value) {
    match s {
        Svc::Print => {
            // Every value but none prints as its `str()` (the runtime's own formats), so
            // one runtime print routine serves all kinds; none prints as `NONE`.
            let (t, p) = r.pop(g);
            let bt = tag_of(g, t);
            let is_none = g.b.ins().icmp_imm_s(IntCC::Equal, bt, Tag::None as i64);
            let none_b = g.b.create_block();
            let other = g.b.create_block();
            let done = g.b.create_block();
            g.b.ins().brif(is_none, none_b, &[], other, &[]);
            g.b.switch_to_block(none_b);
            g.call("epyc_print_none", &[], None);
            g.b.ins().jump(done, &[]);
            g.b.switch_to_block(other);
            let s = g
                .call(TO_STR_SYMBOL, &[t, p, r.m()], Some(I32))
                .expect("str");
            g.call("epyc_print_str", &[s], None);
            g.b.ins().jump(done, &[]);
            g.b.switch_to_block(done);
            push_none(g, r);
        }
        Svc::Str => {
            let (t, p) = r.pop(g);
            let s = g
                .call(TO_STR_SYMBOL, &[t, p, r.m()], Some(I32))
                .expect("str");
            r.push_k(g, Tag::Str, s);
        }
        Svc::CoreId | Svc::NumCores => {
            let sym = if s == Svc::CoreId {
                "epyc_coreid"
            } else {
                "epyc_numcores"
            };
            let v = g.call(sym, &[], Some(I32)).expect("int");
            r.push_k(g, Tag::Int, v);
        }
        Svc::IsHost | Svc::IsDevice => {
            let v = g.k((s == Svc::IsDevice) as i64);
            r.push_k(g, Tag::Bool, v);
        }
        Svc::Send | Svc::SendNonBlocking => {
            // A str goes blocking either way, as on the host.
            let (_, dest) = r.pop(g);
            let (t, p) = r.pop(g);
            let bt = tag_of(g, t);
            let pos = r.pos(g);
            let is_str = g.b.ins().icmp_imm_s(IntCC::Equal, bt, Tag::Str as i64);
            let sb = g.b.create_block();
            let nb = g.b.create_block();
            let done = g.b.create_block();
            g.b.ins().brif(is_str, sb, &[], nb, &[]);
            g.b.switch_to_block(sb);
            g.call("epyc_send_str", &[p, dest, pos], None);
            g.b.ins().jump(done, &[]);
            g.b.switch_to_block(nb);
            let (sig, send) = routine_of(
                g,
                svc,
                &[
                    (Svc::Send, "epyc_send"),
                    (Svc::SendNonBlocking, "epyc_send_nb"),
                ],
                4,
                false,
            );
            g.b.ins().call_indirect(sig, send, &[p, bt, dest, pos]);
            g.b.ins().jump(done, &[]);
            g.b.switch_to_block(done);
            push_none(g, r);
        }
        Svc::Recv => {
            let (_, src) = r.pop(g);
            let pos = r.pos(g);
            let sp = r.sp(g);
            g.call(RECV_SYMBOL, &[src, pos, sp], None);
            let nsp = g.b.ins().iadd_imm_s(sp, 8);
            r.set_sp(g, nsp);
            // `recvfunc` (sharing this block) takes a function only, as the host's.
            let t = g.ld(sp, 0);
            let not_func = g.b.ins().icmp_imm_s(IntCC::NotEqual, t, Tag::Func as i64);
            // The service number is re-read from the instruction (`Svc svc argc`, pc past
            // it): keeping `svc` live across the call cost ~500 bytes of spills.
            let pc = r.pc(g);
            let this = g.b.ins().uload8(I32, MemFlagsData::trusted(), pc, -2);
            let is_rf =
                g.b.ins()
                    .icmp_imm_s(IntCC::Equal, this, Svc::RecvFunc as i64);
            let bad = g.b.ins().band(not_func, is_rf);
            let wrong = g.b.create_block();
            let ok = g.b.create_block();
            g.cold.push(wrong);
            g.b.ins().brif(bad, wrong, &[], ok, &[]);
            g.b.switch_to_block(wrong);
            super::scalar_services::recv_func_error(g, r, t);
            g.b.switch_to_block(ok);
        }
        Svc::Reduce => {
            let (_, op) = r.pop(g);
            let (t, p) = r.pop(g);
            let bt = tag_of(g, t);
            let not_num = number(g, bt);
            let not_num = g.b.ins().bxor_imm_s(not_num, 1);
            r.type_error_if(g, not_num);
            // bool reduces as an int
            let isf = g.b.ins().icmp_imm_s(IntCC::Equal, bt, Tag::Float as i64);
            let ti = g.k(Tag::Int as i64);
            let bt = g.b.ins().select(isf, bt, ti);
            let pos = r.pos(g);
            let v = g
                .call("epyc_reduce", &[p, bt, op, pos], Some(I32))
                .expect("bits");
            r.push(g, bt, v);
        }
        Svc::SendRecv | Svc::Bcast => {
            // The caller's own tag travels and is the one expected back (as native code).
            let (_, partner) = r.pop(g);
            let (t, p) = r.pop(g);
            let bt = tag_of(g, t);
            let not_num = number(g, bt);
            let not_num = g.b.ins().bxor_imm_s(not_num, 1);
            r.type_error_if(g, not_num);
            let pos = r.pos(g);
            let sym = if s == Svc::SendRecv {
                "epyc_sendrecv"
            } else {
                "epyc_bcast"
            };
            let v = g
                .call(sym, &[p, bt, partner, bt, pos], Some(I32))
                .expect("bits");
            r.push(g, bt, v);
        }
        Svc::Math => {
            let (t, p) = r.pop(g);
            let (_, op) = r.pop(g);
            let bt = tag_of(g, t);
            let not_num = number(g, bt);
            let not_num = g.b.ins().bxor_imm_s(not_num, 1);
            r.type_error_if(g, not_num);
            let x = as_float(g, bt, p);
            let f = g.call("epyc_math", &[op, x], Some(F32)).expect("float");
            let bits = float_bits(g, f);
            r.push_k(g, Tag::Float, bits);
        }
        Svc::Abs => super::scalar_services::abs(g, r),
        Svc::Random | Svc::RandInt | Svc::Seed => super::scalar_services::random(g, r, s),
        Svc::Probe => {
            let (sig, flag) = routine_of(
                g,
                svc,
                &[
                    (Svc::Probe, "epyc_probe"),
                    (Svc::TestSent, "epyc_test_sent"),
                    (Svc::WaitSent, "epyc_wait_sent"),
                ],
                2,
                true,
            );
            super::scalar_services::core_flag(g, r, sig, flag)
        }
        Svc::Range => super::range::service(g, r),
        Svc::ArrayNew => super::arrays::array_service(g, r),
        Svc::NDim => super::arrays::dims_service(g, r, svc),
        Svc::Min => super::minmax::service(g, r, svc),
        Svc::Int => super::scalar_services::convert(g, r, svc),
        Svc::Sync => {
            let pos = r.pos(g);
            g.call("epyc_sync", &[pos], None);
            push_none(g, r);
        }
        _ => {
            // Exit (the only other listed service).
            g.call("epyc_exit", &[], None);
            push_none(g, r);
        }
    }
}
