//! The monitor's side of messages between device cores and cores off the chip (host virtual
//! cores, a CPython host program): a device core's `Off*` request (`protocol::Request`) is
//! performed with the host runtime's [`ExternalCores`], on the same channels, exchange queues
//! and collective barrier the host cores use. An operation that cannot complete at once
//! (a blocking send not yet taken, a receive with nothing there, a collective not every core
//! has joined) is [`Pending`]: the core stays in its mailbox wait and the monitor polls it.

use crate::monitor::Device;
use crate::protocol::Request;
use crate::remote_text;
use anyhow::Result;
use epyc_rt_abi::{RtError, Tag};
use epyc_rt_host::external::{
    convert, CollKind, CollResult, ExternalCores, Payload, Scalar, Wait, WaitOp,
};

/// What a device core's off-chip request came to.
pub enum Outcome {
    /// Done: acknowledge with this RESULT.
    Done(u32),
    /// Done with text for the reply buffer (a received str): RESULT is its length.
    Text(Vec<u8>),
    /// A message of any type received: RESULT is its tag, the reply buffer its payload.
    Tagged(Tag, Vec<u8>),
    /// Not yet: the core keeps waiting.
    Waiting(Pending),
    /// A runtime error of the core: the message and the source position.
    Fail(String, u32),
}

/// An off-chip operation a device core is waiting in.
#[derive(Clone, Copy, Debug)]
pub struct Pending {
    pub op: PendingOp,
    pub pos: u32,
}

#[derive(Clone, Copy, Debug)]
pub enum PendingOp {
    /// Blocking send: message `seq` to `dest` until taken (RESULT 0).
    Send {
        dest: usize,
        seq: u64,
    },
    /// `wait_sent`: the same, RESULT 1.
    WaitSent {
        dest: usize,
        seq: u64,
    },
    Recv {
        src: usize,
        expected: i32,
    },
    /// `recv` of byte code: any type.
    RecvAny {
        src: usize,
    },
    SendRecv {
        partner: usize,
        expected: i32,
    },
    Collective {
        kind: CollKind,
        gen: u64,
        root: Option<usize>,
    },
}

impl Pending {
    /// The wait as the host runtime's deadlock detection describes it.
    pub fn wait(&self) -> Wait {
        let op = match self.op {
            PendingOp::Send { dest, seq } => WaitOp::Send { dest, seq },
            PendingOp::WaitSent { dest, seq } => WaitOp::WaitSent { dest, seq },
            PendingOp::Recv { src, .. } | PendingOp::RecvAny { src } => WaitOp::Recv { src },
            PendingOp::SendRecv { partner, .. } => WaitOp::SendRecv { partner },
            PendingOp::Collective { kind, gen, root } => WaitOp::Collective { kind, gen, root },
        };
        Wait {
            op,
            pos: self.pos as i32,
        }
    }
}

fn missing(err: RtError, pos: u32) -> Outcome {
    Outcome::Fail(err.message(""), pos)
}

fn tag_of(t: u32) -> Option<Tag> {
    Tag::from_u32(t)
}

/// Starts the off-chip request `req` (arguments `a`) of device core `core`.
pub fn start(
    ext: &ExternalCores,
    dev: &dyn Device,
    core: u32,
    req: Request,
    a: [u32; 4],
) -> Result<Outcome> {
    let me = core as usize;
    let pos = a[3];
    let core_at = |id: u32, err: RtError| ext.index_of(id as i32).ok_or(missing(err, pos));
    let pending = |op| Outcome::Waiting(Pending { op, pos });
    Ok(match req {
        Request::OffSend | Request::OffSendNb => {
            let dest = match core_at(a[2], RtError::SendToMissingCore) {
                Ok(d) => d,
                Err(o) => return Ok(o),
            };
            let payload = match tag_of(a[1]) {
                Some(Tag::Str) => Payload::Str(remote_text::str_bytes(dev, core, a[0])?),
                Some(tag) => Payload::Scalar(Scalar { bits: a[0], tag }),
                None => {
                    return Ok(Outcome::Fail(
                        RtError::TypeError
                            .message(&format!("invalid value tag {} in a message", a[1])),
                        pos,
                    ))
                }
            };
            let nonblocking = req == Request::OffSendNb;
            let seq = ext.send(me, dest, payload, nonblocking);
            if nonblocking {
                Outcome::Done(0)
            } else {
                poll_or(ext, core, pending(PendingOp::Send { dest, seq }))
            }
        }
        Request::OffRecv => {
            let src = match core_at(a[0], RtError::RecvFromMissingCore) {
                Ok(s) => s,
                Err(o) => return Ok(o),
            };
            poll_or(
                ext,
                core,
                pending(PendingOp::Recv {
                    src,
                    expected: a[1] as i32,
                }),
            )
        }
        Request::OffRecvAny => match core_at(a[0], RtError::RecvFromMissingCore) {
            Ok(src) => poll_or(ext, core, pending(PendingOp::RecvAny { src })),
            Err(o) => o,
        },
        Request::OffProbe => match core_at(a[0], RtError::RecvFromMissingCore) {
            Ok(src) => Outcome::Done(ext.probe(src, me) as u32),
            Err(o) => o,
        },
        Request::OffTestSent | Request::OffWaitSent => {
            let dest = match core_at(a[0], RtError::SendToMissingCore) {
                Ok(d) => d,
                Err(o) => return Ok(o),
            };
            let seq = ext.last_nonblocking(me, dest);
            if req == Request::OffTestSent {
                Outcome::Done(ext.taken(me, dest, seq) as u32)
            } else {
                poll_or(ext, core, pending(PendingOp::WaitSent { dest, seq }))
            }
        }
        Request::OffSendRecv => {
            let partner = match core_at(a[2], RtError::SendrecvWithMissingCore) {
                Ok(p) => p,
                Err(o) => return Ok(o),
            };
            let Some(tag) = tag_of(a[1] & 0xff) else {
                return Ok(Outcome::Fail(
                    RtError::TypeError.message("invalid value tag in sendrecv"),
                    pos,
                ));
            };
            ext.exchange_put(me, partner, Scalar { bits: a[0], tag });
            poll_or(
                ext,
                core,
                pending(PendingOp::SendRecv {
                    partner,
                    expected: (a[1] >> 8) as i32,
                }),
            )
        }
        Request::OffSync | Request::OffReduce | Request::OffBcast => {
            let (kind, tag, root) = match req {
                Request::OffSync => (CollKind::Sync, Some(Tag::None), None),
                Request::OffReduce => (CollKind::Reduce, tag_of(a[1]), None),
                _ => {
                    let root = match core_at(a[2], RtError::SendToMissingCore) {
                        Ok(r) => r,
                        Err(o) => return Ok(o),
                    };
                    (CollKind::Bcast, tag_of(a[1] & 0xff), Some(root))
                }
            };
            let Some(tag) = tag else {
                return Ok(Outcome::Fail(
                    RtError::TypeError.message(&format!("invalid value tag in {}", kind.name())),
                    pos,
                ));
            };
            let bits = if kind == CollKind::Sync { 0 } else { a[0] };
            let gen = ext.join_collective(
                me,
                kind,
                Scalar { bits, tag },
                a[2] as i32,
                root.unwrap_or(0),
                (a[1] >> 8) as i32,
            );
            poll_or(
                ext,
                core,
                pending(PendingOp::Collective { kind, gen, root }),
            )
        }
        other => Outcome::Fail(
            format!("Internal error: monitor request {other:?} is not an off-chip message"),
            pos,
        ),
    })
}

/// `waiting`, or its completion if it can complete now.
fn poll_or(ext: &ExternalCores, core: u32, waiting: Outcome) -> Outcome {
    match waiting {
        Outcome::Waiting(p) => poll(ext, core, &p).unwrap_or(Outcome::Waiting(p)),
        done => done,
    }
}

/// Completes `p` of device core `core` if it can now; None while it still waits.
pub fn poll(ext: &ExternalCores, core: u32, p: &Pending) -> Option<Outcome> {
    let me = core as usize;
    let type_error = |detail: String| Outcome::Fail(RtError::MessageType.message(&detail), p.pos);
    Some(match p.op {
        PendingOp::Send { dest, seq } => {
            ext.taken(me, dest, seq).then_some(())?;
            Outcome::Done(0)
        }
        PendingOp::WaitSent { dest, seq } => {
            ext.taken(me, dest, seq).then_some(())?;
            Outcome::Done(1)
        }
        PendingOp::Recv { src, expected } => match ext.try_recv(src, me)? {
            Payload::Str(bytes) if expected == Tag::Str as i32 => Outcome::Text(bytes),
            Payload::Str(_) => type_error(convert(Tag::Str, 0, expected).err().unwrap_or_default()),
            Payload::Scalar(s) if expected == Tag::Str as i32 => {
                type_error(format!("expected str, got {}", s.tag.name()))
            }
            Payload::Scalar(s) => match convert(s.tag, s.bits, expected) {
                Ok(bits) => Outcome::Done(bits),
                Err(detail) => type_error(detail),
            },
        },
        PendingOp::RecvAny { src } => match ext.try_recv(src, me)? {
            Payload::Str(bytes) => Outcome::Tagged(Tag::Str, bytes),
            Payload::Scalar(s) => Outcome::Tagged(s.tag, s.bits.to_le_bytes().to_vec()),
        },
        PendingOp::SendRecv { partner, expected } => {
            let s = ext.exchange_take(partner, me)?;
            match convert(s.tag, s.bits, expected) {
                Ok(bits) => Outcome::Done(bits),
                Err(detail) => type_error(detail),
            }
        }
        PendingOp::Collective { gen, .. } => collective(ext.collective_result(me, gen)?, p.pos),
    })
}

fn collective(r: CollResult, pos: u32) -> Outcome {
    match r {
        Ok(bits) => Outcome::Done(bits),
        Err((err, detail)) => Outcome::Fail(err.message(&detail), pos),
    }
}
