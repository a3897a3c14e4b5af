//! Cores of a run that live outside this process's threads: the device cores of a hybrid run
//! (`epyc run -d N -h M`, or device cores with a CPython host program). They are cores
//! `0..external` of the run's [`World`], so host cores message them, wait for them and see
//! them in collectives and deadlock reports exactly as any other core; whoever serves them
//! (the device monitor) performs their operations through [`ExternalCores`], on the same
//! channels, exchange queues and collective barrier as compiled host code.
//!
//! An external core's operation is split in two, as the device side works by requests: start
//! it (a message posted, a collective joined), then poll whether it completed. Nothing here
//! blocks, except [`ExternalCores::wait_for_change`].

pub use crate::world::{CollKind, CollResult, Payload, Scalar, Wait, WaitOp};
use crate::world::{Contribution, State, Status, World};
use epyc_rt_abi::Tag;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// The handle on a run's external cores (core ids `0..count()`), given to their server.
#[derive(Clone)]
pub struct ExternalCores {
    world: Arc<World>,
}

impl ExternalCores {
    pub(crate) fn new(world: Arc<World>) -> ExternalCores {
        ExternalCores { world }
    }

    /// Number of external cores: ids `0..count()`.
    pub fn count(&self) -> u32 {
        self.world.external as u32
    }

    /// Every core of the run (`numcores()`).
    pub fn numcores(&self) -> u32 {
        self.world.numcores()
    }

    /// `file:line` of a source position of the program (None when unknown).
    pub fn position(&self, pos: i32) -> Option<String> {
        self.world.position(pos)
    }

    /// The run's index of core id `id`, if the run has it.
    pub fn index_of(&self, id: i32) -> Option<usize> {
        self.world.index_of(id)
    }

    /// Posts `payload` from external core `me` to core `to`; returns its message number on
    /// that channel (it has been received once [`ExternalCores::taken`] says so).
    pub fn send(&self, me: usize, to: usize, payload: Payload, nonblocking: bool) -> u64 {
        let mut st = self.world.lock();
        let chan = st.chan(me, to);
        chan.queue.push_back(payload);
        chan.sent += 1;
        let seq = chan.sent;
        if nonblocking {
            chan.last_nonblocking = seq;
        }
        self.world.wake(to);
        seq
    }

    /// True once message `seq` from `me` to `to` has been received (`me` goes on: its
    /// recorded wait, if any, is cleared with the same lock, see [`resume`]).
    pub fn taken(&self, me: usize, to: usize, seq: u64) -> bool {
        let mut st = self.world.lock();
        let taken = st.chans.get(&(me, to)).map_or(0, |c| c.taken) >= seq;
        if taken {
            resume(&mut st, me);
        }
        taken
    }

    /// Number of the last non-blocking message from `me` to `to` (0: none).
    pub fn last_nonblocking(&self, me: usize, to: usize) -> u64 {
        self.world
            .lock()
            .chans
            .get(&(me, to))
            .map_or(0, |c| c.last_nonblocking)
    }

    /// Takes the next message from `from` to external core `me`, if one is there (`me` goes
    /// on: its recorded wait is cleared with the same lock, see [`resume`]).
    pub fn try_recv(&self, from: usize, me: usize) -> Option<Payload> {
        let mut st = self.world.lock();
        let chan = st.chans.get_mut(&(from, me))?;
        let payload = chan.queue.pop_front()?;
        chan.taken += 1;
        resume(&mut st, me);
        self.world.wake(from);
        Some(payload)
    }

    /// True when a message from `from` to `me` is waiting.
    pub fn probe(&self, from: usize, me: usize) -> bool {
        self.world
            .lock()
            .chans
            .get(&(from, me))
            .is_some_and(|c| !c.queue.is_empty())
    }

    /// The first half of `sendrecv`: external core `me` offers `value` to `partner`.
    pub fn exchange_put(&self, me: usize, partner: usize, value: Scalar) {
        let mut st = self.world.lock();
        st.exchange
            .entry((me, partner))
            .or_default()
            .push_back(value);
        self.world.wake(partner);
    }

    /// The second half: the partner's value for `me`, once it is there (`me` goes on, see
    /// [`resume`]).
    pub fn exchange_take(&self, partner: usize, me: usize) -> Option<Scalar> {
        let mut st = self.world.lock();
        let value = st.exchange.get_mut(&(partner, me))?.pop_front()?;
        resume(&mut st, me);
        Some(value)
    }

    /// External core `me` joins the next collective (`sync`: value None; `reduce` with op
    /// code `op`; `bcast` from `root`, expecting `expected`); returns the collective's
    /// number for [`ExternalCores::collective_result`].
    pub fn join_collective(
        &self,
        me: usize,
        kind: CollKind,
        value: Scalar,
        op: i32,
        root: usize,
        expected: i32,
    ) -> u64 {
        let mut st = self.world.lock();
        let gen = st.coll.gen;
        st.coll.arrived[me] = Some(Contribution {
            kind,
            value,
            op,
            root,
            expected,
        });
        if st.coll.arrived.iter().all(Option::is_some) {
            crate::collective::complete(&mut st);
            self.world.wake_all(&st);
        }
        gen
    }

    /// `me`'s result of collective number `gen`, once every core has joined it (`me` goes
    /// on, see [`resume`]).
    pub fn collective_result(&self, me: usize, gen: u64) -> Option<CollResult> {
        let mut st = self.world.lock();
        if st.coll.gen <= gen {
            return None;
        }
        resume(&mut st, me);
        Some(st.coll.results[me].clone())
    }

    /// Whether `wait` of external core `me` could proceed now.
    pub fn can_proceed(&self, me: usize, wait: &WaitOp) -> bool {
        self.world.lock().can_proceed(me, wait)
    }

    /// Records what each listed external core waits for (None: it runs). Set once their own
    /// side has stopped making progress, so the run's deadlock detection sees the whole run;
    /// cleared when they go on.
    pub fn set_waits(&self, waits: &[(usize, Option<Wait>)]) {
        let mut st = self.world.lock();
        for (me, wait) in waits {
            if st.status[*me].ended() {
                continue;
            }
            st.status[*me] = match wait {
                Some(w) => Status::Blocked(*w),
                None => Status::Running,
            };
        }
        drop(st);
        self.world.changed.notify_all();
    }

    /// External core `me` has ended (normally or after an error).
    pub fn end(&self, me: usize, failed: bool) {
        self.world.end(me, failed, false);
    }

    /// True once the run is over for everyone (a deadlock was reported, or [`abort`]).
    ///
    /// [`abort`]: ExternalCores::abort
    pub fn halted(&self) -> bool {
        self.world.lock().halted
    }

    /// True once every host core of the run has ended.
    pub fn host_cores_ended(&self) -> bool {
        let st = self.world.lock();
        st.status[self.world.external..].iter().all(Status::ended)
    }

    /// The external side failed beyond its cores (a device fault, a cycle limit) and has
    /// reported it: the run ends now with a runtime error.
    pub fn abort(&self) {
        self.world.lock().halted = true;
        self.world.changed.notify_all();
        self.world.external_change();
    }

    /// A count of the changes an external core may wait for, for
    /// [`ExternalCores::wait_for_change`].
    pub fn changes(&self) -> u64 {
        self.world.external_epoch.load(Ordering::SeqCst)
    }

    /// Sleeps until the count of changes differs from `seen` (something an external core
    /// may wait for changed since), the run halted, or `timeout` passed.
    pub fn wait_for_change(&self, seen: u64, timeout: Duration) {
        let st = self.world.lock();
        if st.halted || self.changes() != seen {
            return;
        }
        let _ = self.world.external_changed.wait_timeout(st, timeout);
    }
}

/// External core `me` has completed what it waited for: a wait recorded for it by
/// [`ExternalCores::set_waits`] no longer holds. Cleared in the same critical section as the
/// completion itself, because a message taken is gone from the queue: were the wait cleared
/// later (by its server, once it has answered the core), the partner woken by the taking could
/// block first and the run's deadlock detection would see this core still "waiting" for a
/// message it already has, and report a deadlock that is not one.
fn resume(st: &mut State, me: usize) {
    if matches!(st.status[me], Status::Blocked(_)) {
        st.status[me] = Status::Running;
    }
}

/// Converts a received value to the expected type as compiled code's `recv` does (an int
/// where a float is expected widens; any other difference is a message type error).
pub fn convert(got: Tag, bits: u32, expected: i32) -> Result<u32, String> {
    crate::messaging::convert(got, bits, expected)
}
