//! Collective operations over all cores of the run: `sync` (barrier), `reduce` (with its
//! implicit barrier) and `bcast`. Each is one round of the barrier in `world::Collective`; the
//! last core to arrive computes every core's result. Reductions combine the values in core-id
//! order, starting from core 0's value (sums from 0), so results are deterministic and
//! repeated calls never see stale values (deviation D35).

use crate::core::{self, fail, fail_plain};
use crate::messaging::convert;
use crate::world::{CollKind, CollResult, Contribution, Scalar, State, Wait, WaitOp};
use epyc_rt_abi::{RtError, Tag};

/// ePython's reduce operator codes (`rtl_reduce`).
const OP_SUM: i32 = 0;
const OP_MIN: i32 = 1;
const OP_MAX: i32 = 2;
const OP_PROD: i32 = 3;

/// Joins the collective as the calling core with `c`; returns this core's result.
fn join(c: Contribution, pos: i32) -> CollResult {
    let ctx = core::current();
    let world = &ctx.world;
    let me = ctx.index;
    let mut st = world.lock();
    let gen = st.coll.gen;
    st.coll.arrived[me] = Some(c);
    if st.coll.arrived.iter().all(Option::is_some) {
        complete(&mut st);
        world.wake_all(&st);
    }
    let root = (c.kind == CollKind::Bcast).then_some(c.root);
    let wait = Wait {
        op: WaitOp::Collective {
            kind: c.kind,
            gen,
            root,
        },
        pos,
    };
    let st = world.block(st, me, wait);
    st.coll.results[me].clone()
}

/// Every core has arrived: compute each core's result and open the next round.
pub(crate) fn complete(st: &mut State) {
    let arrived: Vec<Contribution> = st
        .coll
        .arrived
        .iter_mut()
        .map(|a| a.take().expect("all arrived"))
        .collect();
    let reduce_values: Vec<Scalar> = arrived
        .iter()
        .filter(|c| c.kind == CollKind::Reduce)
        .map(|c| c.value)
        .collect();
    for (i, c) in arrived.iter().enumerate() {
        st.coll.results[i] = match c.kind {
            CollKind::Sync => Ok(0),
            CollKind::Reduce => reduce(&reduce_values, c.op).map(|r| as_tag(r, c.value.tag)),
            CollKind::Bcast => {
                let v = arrived[c.root].value;
                convert(v.tag, v.bits, c.expected).map_err(|d| (RtError::MessageType, d))
            }
        };
    }
    st.coll.gen += 1;
}

/// A reduction result, either kind.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    Int(i32),
    Float(f32),
}

fn as_tag(n: Num, tag: Tag) -> u32 {
    match (n, tag) {
        (Num::Float(f), Tag::Float) => f.to_bits(),
        (Num::Float(f), _) => f as i32 as u32,
        (Num::Int(i), Tag::Float) => (i as f32).to_bits(),
        (Num::Int(i), _) => i as u32,
    }
}

/// Combines the values in core order: ints with wrapping arithmetic when every value is an
/// int (or bool), floats (float32, as the cores compute) otherwise.
fn reduce(values: &[Scalar], op: i32) -> Result<Num, (RtError, String)> {
    if !(OP_SUM..=OP_PROD).contains(&op) {
        return Err((
            RtError::TypeError,
            format!("unknown reduce operation code {op}"),
        ));
    }
    if let Some(bad) = values
        .iter()
        .find(|v| !matches!(v.tag, Tag::Int | Tag::Bool | Tag::Float))
    {
        return Err((
            RtError::TypeError,
            format!("reduce needs int or float values, got {}", bad.tag.name()),
        ));
    }
    if values.iter().all(|v| v.tag != Tag::Float) {
        let mut it = values.iter().map(|v| v.bits as i32);
        let first = it.next().unwrap_or(0);
        let r = match op {
            OP_SUM => it.fold(first, i32::wrapping_add),
            OP_MIN => it.fold(first, i32::min),
            OP_MAX => it.fold(first, i32::max),
            _ => it.fold(first, i32::wrapping_mul),
        };
        return Ok(Num::Int(r));
    }
    let mut it = values.iter().map(|v| match v.tag {
        Tag::Float => f32::from_bits(v.bits),
        _ => v.bits as i32 as f32,
    });
    let first = it.next().unwrap_or(0.0);
    let r = match op {
        // As the C baseline: s = 0.0f; s += v for each core in order.
        OP_SUM => it.fold(0.0f32 + first, |s, v| s + v),
        OP_MIN => it.fold(first, |m, v| if v < m { v } else { m }),
        OP_MAX => it.fold(first, |m, v| if v > m { v } else { m }),
        _ => it.fold(first, |p, v| p * v),
    };
    Ok(Num::Float(r))
}

fn finish(result: CollResult, pos: i32) -> i32 {
    match result {
        Ok(bits) => bits as i32,
        Err((err, detail)) => fail(err, &detail, pos),
    }
}

#[no_mangle]
pub extern "C" fn epyc_sync(pos: i32) {
    let c = Contribution {
        kind: CollKind::Sync,
        value: Scalar {
            bits: 0,
            tag: Tag::None,
        },
        op: 0,
        root: 0,
        expected: 0,
    };
    finish(join(c, pos), pos);
}

#[no_mangle]
pub extern "C" fn epyc_reduce(bits: i32, tag: i32, op: i32, pos: i32) -> i32 {
    let Some(tag) = Tag::from_u32(tag as u32) else {
        fail(
            RtError::TypeError,
            &format!("invalid value tag {tag} in reduce"),
            pos,
        )
    };
    let c = Contribution {
        kind: CollKind::Reduce,
        value: Scalar {
            bits: bits as u32,
            tag,
        },
        op,
        root: 0,
        expected: 0,
    };
    finish(join(c, pos), pos)
}

#[no_mangle]
pub extern "C" fn epyc_bcast(bits: i32, tag: i32, root: i32, expected: i32, pos: i32) -> i32 {
    let Some(tag) = Tag::from_u32(tag as u32) else {
        fail(
            RtError::TypeError,
            &format!("invalid value tag {tag} in bcast"),
            pos,
        )
    };
    let Some(root) = core::current().world.index_of(root) else {
        fail_plain(RtError::RecvFromMissingCore, pos)
    };
    let c = Contribution {
        kind: CollKind::Bcast,
        value: Scalar {
            bits: bits as u32,
            tag,
        },
        op: 0,
        root,
        expected,
    };
    finish(join(c, pos), pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(v: &[i32]) -> Vec<Scalar> {
        v.iter()
            .map(|&i| Scalar {
                bits: i as u32,
                tag: Tag::Int,
            })
            .collect()
    }
    fn floats(v: &[f32]) -> Vec<Scalar> {
        v.iter()
            .map(|&f| Scalar {
                bits: f.to_bits(),
                tag: Tag::Float,
            })
            .collect()
    }

    #[test]
    fn int_reductions() {
        let v = ints(&[1, 2, 3, 4]);
        assert_eq!(reduce(&v, OP_SUM), Ok(Num::Int(10)));
        assert_eq!(reduce(&v, OP_MIN), Ok(Num::Int(1)));
        assert_eq!(reduce(&v, OP_MAX), Ok(Num::Int(4)));
        assert_eq!(reduce(&v, OP_PROD), Ok(Num::Int(24)));
        assert_eq!(
            reduce(&ints(&[i32::MAX, 1]), OP_SUM),
            Ok(Num::Int(i32::MIN))
        );
    }

    #[test]
    fn float_reductions() {
        let v = floats(&[0.0, 1.5, 3.0, 4.5]);
        assert_eq!(reduce(&v, OP_SUM), Ok(Num::Float(9.0)));
        assert_eq!(reduce(&v, OP_MAX), Ok(Num::Float(4.5)));
        assert_eq!(
            reduce(&floats(&[1.0, 1.5, 2.0, 2.5]), OP_PROD),
            Ok(Num::Float(7.5))
        );
        assert!(reduce(&v, 9).is_err());
    }
}
