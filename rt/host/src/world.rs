//! The shared state of one run: every core's status and every message in flight, under one
//! mutex. A core that must wait records what it waits for (`Wait`) and sleeps on its own
//! condition variable; whoever changes the state it waits on wakes it. Because every wait is
//! described in the state, the run's watcher can tell exactly when no core can ever proceed.

use crate::monitor::{Monitor, MonitorIo};
use epyc_rt_abi::{pos, RtError, Tag};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// A scalar value in a message: its 4 bytes and its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scalar {
    pub bits: u32,
    pub tag: Tag,
}

pub enum Payload {
    Scalar(Scalar),
    /// A string's bytes, copied out of the sender's heap.
    Str(Vec<u8>),
}

/// Point-to-point messages from one core to another, first in first out. Messages are
/// numbered from 1 in sending order; since they are taken in that order, `taken >= n`
/// means message n has been received.
#[derive(Default)]
pub struct Channel {
    pub queue: VecDeque<Payload>,
    pub sent: u64,
    pub taken: u64,
    /// Number of the last non-blocking send (0: none).
    pub last_nonblocking: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollKind {
    Sync,
    Reduce,
    Bcast,
}

impl CollKind {
    pub fn name(self) -> &'static str {
        match self {
            CollKind::Sync => "sync",
            CollKind::Reduce => "reduce",
            CollKind::Bcast => "bcast",
        }
    }
}

/// What a blocked core waits for (local core indices).
#[derive(Clone, Copy, Debug)]
pub enum WaitOp {
    /// Its message number `seq` to `dest` to be received.
    Send { dest: usize, seq: u64 },
    /// A message from `src`.
    Recv { src: usize },
    /// The partner's half of a sendrecv.
    SendRecv { partner: usize },
    /// Every core to reach collective number `gen`.
    Collective {
        kind: CollKind,
        gen: u64,
        root: Option<usize>,
    },
    /// Its non-blocking message number `seq` to `dest` to be received.
    WaitSent { dest: usize, seq: u64 },
    /// An external core (a device core) waiting for another external core in a way this
    /// world cannot see (on-chip message passing): `what` ("recv from", ...) and the partner.
    /// Set only while the cores' own side has seen no progress, so it never proceeds here.
    Elsewhere { what: &'static str, partner: usize },
}

#[derive(Clone, Copy, Debug)]
pub struct Wait {
    pub op: WaitOp,
    pub pos: i32,
}

#[derive(Clone, Copy, Debug)]
pub enum Status {
    Running,
    Blocked(Wait),
    Finished,
    Failed,
}

impl Status {
    pub fn ended(&self) -> bool {
        matches!(self, Status::Finished | Status::Failed)
    }
}

/// One core's part in a collective operation.
#[derive(Clone, Copy, Debug)]
pub struct Contribution {
    pub kind: CollKind,
    pub value: Scalar,
    /// Reduce: the ReduceOp code.
    pub op: i32,
    /// Bcast: the root (local index).
    pub root: usize,
    /// Bcast: the tag this core expects back.
    pub expected: i32,
}

/// Result of a collective for one core: bits, or an error with its detail.
pub type CollResult = Result<u32, (RtError, String)>;

/// Collective operations (sync, reduce, bcast) all go through one barrier: collective number
/// `gen` completes when every core has contributed; the last to arrive computes each core's
/// result and bumps `gen`. A core can only arrive at the next collective after reading its
/// result, so one result slot per core suffices.
pub struct Collective {
    pub gen: u64,
    pub arrived: Vec<Option<Contribution>>,
    pub results: Vec<CollResult>,
}

pub struct State {
    pub status: Vec<Status>,
    /// Cores that returned from the entry (their threads end and can be joined).
    pub returned: Vec<bool>,
    pub chans: HashMap<(usize, usize), Channel>,
    /// sendrecv halves in flight, (from, to).
    pub exchange: HashMap<(usize, usize), VecDeque<Scalar>>,
    pub coll: Collective,
    /// The run is over (deadlock found): nothing more is reported.
    pub halted: bool,
}

impl State {
    pub fn chan(&mut self, from: usize, to: usize) -> &mut Channel {
        self.chans.entry((from, to)).or_default()
    }

    fn queued(&self, from: usize, to: usize) -> bool {
        self.chans
            .get(&(from, to))
            .is_some_and(|c| !c.queue.is_empty())
    }

    fn taken(&self, from: usize, to: usize) -> u64 {
        self.chans.get(&(from, to)).map_or(0, |c| c.taken)
    }

    /// True when what `me` waits for has happened.
    pub fn can_proceed(&self, me: usize, op: &WaitOp) -> bool {
        match *op {
            WaitOp::Send { dest, seq } | WaitOp::WaitSent { dest, seq } => {
                self.taken(me, dest) >= seq
            }
            WaitOp::Recv { src } => self.queued(src, me),
            WaitOp::SendRecv { partner } => self
                .exchange
                .get(&(partner, me))
                .is_some_and(|q| !q.is_empty()),
            WaitOp::Collective { gen, .. } => self.coll.gen > gen,
            WaitOp::Elsewhere { .. } => false,
        }
    }
}

pub struct World {
    /// Id of the first core of this run; local index i is core `first + i`.
    pub first: u32,
    pub count: usize,
    /// Cores `0..external` run elsewhere (device cores, served by `ExternalCores`): no thread
    /// of this run is theirs, and waking one wakes whoever serves them.
    pub external: usize,
    pub files: Vec<String>,
    pub monitor: Monitor,
    pub timing: bool,
    state: Mutex<State>,
    wake: Vec<Condvar>,
    /// Signalled when a core ends, or blocks as the last running core, for the watcher.
    pub changed: Condvar,
    /// Signalled when something an external core may wait for changed (a message to it, a
    /// message of it taken, a collective completed, a core ended); `external_epoch` counts
    /// those changes, so their server can wait without missing one.
    pub external_changed: Condvar,
    pub external_epoch: AtomicU64,
}

impl World {
    pub fn new(
        first: u32,
        count: usize,
        files: Vec<String>,
        io: Arc<dyn MonitorIo>,
        timing: bool,
    ) -> World {
        World {
            first,
            count,
            files,
            monitor: Monitor::new(io),
            timing,
            state: Mutex::new(State {
                status: vec![Status::Running; count],
                returned: vec![false; count],
                chans: HashMap::new(),
                exchange: HashMap::new(),
                coll: Collective {
                    gen: 0,
                    arrived: vec![None; count],
                    results: vec![Ok(0); count],
                },
                halted: false,
            }),
            wake: (0..count).map(|_| Condvar::new()).collect(),
            changed: Condvar::new(),
            external: 0,
            external_changed: Condvar::new(),
            external_epoch: AtomicU64::new(0),
        }
    }

    /// Tells the external cores' server that something changed.
    pub fn external_change(&self) {
        self.external_epoch.fetch_add(1, Ordering::SeqCst);
        self.external_changed.notify_all();
    }

    /// The same world with its first `n` cores external (see `external`).
    pub fn with_external(mut self, n: usize) -> World {
        self.external = n.min(self.count);
        self
    }

    /// Total number of cores (`numcores()`): cores before `first` exist elsewhere (device).
    pub fn numcores(&self) -> u32 {
        self.first + self.count as u32
    }

    pub fn core_id(&self, index: usize) -> u32 {
        self.first + index as u32
    }

    /// Local index of core id `id`, if it is one of this run's cores.
    pub fn index_of(&self, id: i32) -> Option<usize> {
        let i = (id as i64) - self.first as i64;
        (0..self.count as i64).contains(&i).then_some(i as usize)
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock is a runtime bug; the state itself stays usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn wake(&self, core: usize) {
        if core < self.external {
            self.external_change();
        } else {
            self.wake[core].notify_one();
        }
    }

    /// Wakes every core blocked in a wait. A core that is running is not waiting on its
    /// condition variable, and notifying it would cost a futex system call for nothing (a
    /// one-core `reduce` in a loop paid one per call).
    pub fn wake_all(&self, st: &State) {
        for (cv, status) in self.wake.iter().zip(&st.status).skip(self.external) {
            if matches!(status, Status::Blocked(_)) {
                cv.notify_one();
            }
        }
        if self.external > 0 {
            self.external_change();
        }
    }

    /// Blocks core `me` until `wait` can proceed; the caller then performs the operation.
    pub fn block<'a>(
        &'a self,
        mut st: MutexGuard<'a, State>,
        me: usize,
        wait: Wait,
    ) -> MutexGuard<'a, State> {
        if st.can_proceed(me, &wait.op) {
            return st;
        }
        st.status[me] = Status::Blocked(wait);
        // The run can only be stuck once no core is running; only then is the watcher needed.
        if !st.status.iter().any(|s| matches!(s, Status::Running)) {
            self.changed.notify_all();
        }
        while !st.can_proceed(me, &wait.op) {
            st = self.wake[me].wait(st).unwrap_or_else(|e| e.into_inner());
        }
        st.status[me] = Status::Running;
        st
    }

    /// Records that core `me` ended.
    pub fn end(&self, me: usize, failed: bool, returned: bool) {
        let mut st = self.lock();
        st.status[me] = if failed {
            Status::Failed
        } else {
            Status::Finished
        };
        st.returned[me] = returned;
        drop(st);
        self.changed.notify_all();
        if self.external > 0 {
            self.external_change();
        }
    }

    /// `file:line` of an encoded position, None when unknown (line 0).
    pub fn position(&self, p: i32) -> Option<String> {
        let (file, line) = pos::decode(p);
        if line == 0 {
            return None;
        }
        let name = self
            .files
            .get(file as usize)
            .map_or("<unknown file>", |f| f.as_str());
        Some(format!("{name}:{line}"))
    }
}
