//! Point-to-point message passing (ePython semantics): `send` blocks until the receiver has
//! taken the message, `recv` blocks until one arrives, messages between a pair are FIFO;
//! `sendrecv` is a pairwise exchange; non-blocking sends go into the same FIFO and can be
//! tested or waited for; `probe` looks without taking.

use crate::core::{self, fail, fail_plain};
use crate::heap;
use crate::world::{Payload, Scalar, Wait, WaitOp};
use epyc_rt_abi::{RtError, Tag};

/// The tag passed by compiled code, or a type error naming the bad value.
fn tag_of(tag: i32, pos: i32) -> Tag {
    Tag::from_u32(tag as u32).unwrap_or_else(|| {
        fail(
            RtError::TypeError,
            &format!("invalid value tag {tag} in a message"),
            pos,
        )
    })
}

/// `got` delivered where a value of tag `expected` is wanted: Int converts to Float, any
/// other difference is a message type error ("expected float, got str").
pub fn convert(got: Tag, bits: u32, expected: i32) -> Result<u32, String> {
    let Some(want) = Tag::from_u32(expected as u32) else {
        return Err(format!("invalid expected type tag {expected}"));
    };
    if got == want {
        Ok(bits)
    } else if got == Tag::Int && want == Tag::Float {
        Ok((bits as i32 as f32).to_bits())
    } else {
        Err(format!("expected {}, got {}", want.name(), got.name()))
    }
}

/// Blocking send of `payload` from the calling core to core id `dest`.
fn send_payload(payload: Payload, dest: i32, pos: i32) {
    let ctx = core::current();
    let world = &ctx.world;
    let Some(to) = world.index_of(dest) else {
        fail_plain(RtError::SendToMissingCore, pos)
    };
    let me = ctx.index;
    let mut st = world.lock();
    let chan = st.chan(me, to);
    chan.queue.push_back(payload);
    chan.sent += 1;
    let seq = chan.sent;
    world.wake(to);
    let wait = Wait {
        op: WaitOp::Send { dest: to, seq },
        pos,
    };
    drop(world.block(st, me, wait));
}

/// Takes the next message from core id `src`, waiting for it.
fn recv_payload(src: i32, pos: i32) -> Payload {
    let ctx = core::current();
    let world = &ctx.world;
    let Some(from) = world.index_of(src) else {
        fail_plain(RtError::RecvFromMissingCore, pos)
    };
    let me = ctx.index;
    let st = world.lock();
    let mut st = world.block(
        st,
        me,
        Wait {
            op: WaitOp::Recv { src: from },
            pos,
        },
    );
    let chan = st.chan(from, me);
    let payload = chan
        .queue
        .pop_front()
        .expect("block returns once a message is queued");
    chan.taken += 1;
    world.wake(from);
    payload
}

#[no_mangle]
pub extern "C" fn epyc_send(bits: i32, tag: i32, dest: i32, pos: i32) {
    let tag = tag_of(tag, pos);
    send_payload(
        Payload::Scalar(Scalar {
            bits: bits as u32,
            tag,
        }),
        dest,
        pos,
    );
}

/// # Safety
/// `s` is a string object.
#[no_mangle]
pub unsafe extern "C" fn epyc_send_str(s: *const u8, dest: i32, pos: i32) {
    let bytes = heap::str_bytes(s).to_vec();
    send_payload(Payload::Str(bytes), dest, pos);
}

#[no_mangle]
pub extern "C" fn epyc_recv(src: i32, expected: i32, pos: i32) -> i32 {
    match recv_payload(src, pos) {
        Payload::Scalar(s) => match convert(s.tag, s.bits, expected) {
            Ok(bits) => bits as i32,
            Err(detail) => fail(RtError::MessageType, &detail, pos),
        },
        Payload::Str(_) => {
            let detail = convert(Tag::Str, 0, expected).err().unwrap_or_default();
            fail(RtError::MessageType, &detail, pos)
        }
    }
}

#[no_mangle]
pub extern "C" fn epyc_recv_str(src: i32, pos: i32) -> *mut u8 {
    match recv_payload(src, pos) {
        Payload::Str(bytes) => heap::new_str(&bytes).unwrap_or_else(|e| fail_plain(e, pos)),
        Payload::Scalar(s) => fail(
            RtError::MessageType,
            &format!("expected str, got {}", s.tag.name()),
            pos,
        ),
    }
}

/// The next message from `src` whatever its type: its tag and payload (the bits, or a str
/// copied into this core's heap) as a tagged value at `out` (`layout::VALUE_*`, host
/// pointers: payload at 8).
///
/// # Safety
/// `out` points to `layout::value_size(8)` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn epyc_recv_any(src: i32, pos: i32, out: *mut u8) {
    let (tag, payload) = match recv_payload(src, pos) {
        Payload::Scalar(s) => (s.tag, u64::from(s.bits)),
        Payload::Str(bytes) => {
            let s = heap::new_str(&bytes).unwrap_or_else(|e| fail_plain(e, pos));
            (Tag::Str, s as u64)
        }
    };
    let payload_at = epyc_rt_abi::layout::value_payload(8) as usize;
    (out.add(epyc_rt_abi::layout::VALUE_TAG as usize) as *mut u64).write_unaligned(tag as u64);
    (out.add(payload_at) as *mut u64).write_unaligned(payload);
}

#[no_mangle]
pub extern "C" fn epyc_sendrecv(bits: i32, tag: i32, partner: i32, expected: i32, pos: i32) -> i32 {
    let tag = tag_of(tag, pos);
    let ctx = core::current();
    let world = &ctx.world;
    let Some(other) = world.index_of(partner) else {
        fail_plain(RtError::SendrecvWithMissingCore, pos)
    };
    let me = ctx.index;
    let mut st = world.lock();
    st.exchange
        .entry((me, other))
        .or_default()
        .push_back(Scalar {
            bits: bits as u32,
            tag,
        });
    world.wake(other);
    let wait = Wait {
        op: WaitOp::SendRecv { partner: other },
        pos,
    };
    let mut st = world.block(st, me, wait);
    let got = st
        .exchange
        .get_mut(&(other, me))
        .and_then(|q| q.pop_front())
        .expect("block returns once the partner's value is there");
    drop(st);
    convert(got.tag, got.bits, expected)
        .unwrap_or_else(|detail| fail(RtError::MessageType, &detail, pos)) as i32
}

#[no_mangle]
pub extern "C" fn epyc_probe(src: i32, pos: i32) -> i32 {
    let ctx = core::current();
    let Some(from) = ctx.world.index_of(src) else {
        fail_plain(RtError::RecvFromMissingCore, pos)
    };
    let waiting = ctx
        .world
        .lock()
        .chans
        .get(&(from, ctx.index))
        .is_some_and(|c| !c.queue.is_empty());
    if !waiting {
        // Programs poll probe in a loop; let the other cores run.
        std::thread::yield_now();
    }
    waiting as i32
}

#[no_mangle]
pub extern "C" fn epyc_send_nb(bits: i32, tag: i32, dest: i32, pos: i32) {
    let tag = tag_of(tag, pos);
    let ctx = core::current();
    let world = &ctx.world;
    let Some(to) = world.index_of(dest) else {
        fail_plain(RtError::SendToMissingCore, pos)
    };
    let mut st = world.lock();
    let chan = st.chan(ctx.index, to);
    chan.queue.push_back(Payload::Scalar(Scalar {
        bits: bits as u32,
        tag,
    }));
    chan.sent += 1;
    chan.last_nonblocking = chan.sent;
    world.wake(to);
}

#[no_mangle]
pub extern "C" fn epyc_test_sent(dest: i32, pos: i32) -> i32 {
    let ctx = core::current();
    let Some(to) = ctx.world.index_of(dest) else {
        fail_plain(RtError::SendToMissingCore, pos)
    };
    let mut st = ctx.world.lock();
    let chan = st.chan(ctx.index, to);
    let done = chan.taken >= chan.last_nonblocking;
    drop(st);
    if !done {
        std::thread::yield_now();
    }
    done as i32
}

#[no_mangle]
pub extern "C" fn epyc_wait_sent(dest: i32, pos: i32) -> i32 {
    let ctx = core::current();
    let world = &ctx.world;
    let Some(to) = world.index_of(dest) else {
        fail_plain(RtError::SendToMissingCore, pos)
    };
    let mut st = world.lock();
    let seq = st.chan(ctx.index, to).last_nonblocking;
    drop(world.block(
        st,
        ctx.index,
        Wait {
            op: WaitOp::WaitSent { dest: to, seq },
            pos,
        },
    ));
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(convert(Tag::Int, 5, Tag::Int as i32), Ok(5));
        assert_eq!(
            convert(Tag::Int, 5, Tag::Float as i32),
            Ok(5.0f32.to_bits())
        );
        assert_eq!(
            convert(Tag::Str, 0, Tag::Float as i32),
            Err("expected float, got str".to_string())
        );
        assert_eq!(
            convert(Tag::Float, 0, Tag::Int as i32),
            Err("expected int, got float".to_string())
        );
    }
}
