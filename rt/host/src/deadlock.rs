//! Deadlock detection. The run is stuck when no core is running and no blocked core's wait can
//! be satisfied: every live core waits in message passing for something only another waiting
//! (or ended) core could do. Checked by the run's watcher each time a core blocks or ends, so
//! it is found at once; the report names each blocked core's operation, partner and line.

use crate::world::{CollKind, State, Status, WaitOp, World};

/// The report if the run can make no more progress, None while some core can.
pub fn stuck_report(world: &World, st: &State) -> Option<String> {
    let mut blocked = Vec::new();
    for (i, s) in st.status.iter().enumerate() {
        match s {
            Status::Running => return None,
            Status::Blocked(w) if st.can_proceed(i, &w.op) => return None,
            Status::Blocked(w) => blocked.push((i, *w)),
            Status::Finished | Status::Failed => {}
        }
    }
    if blocked.is_empty() {
        return None;
    }
    let mut text = String::from("Deadlock: every running core is blocked in message passing\n");
    for (i, w) in blocked {
        let what = describe(world, st, i, &w.op);
        let at = world
            .position(w.pos)
            .map(|p| format!(" at {p}"))
            .unwrap_or_default();
        text.push_str(&format!("  core {}: {what}{at}\n", world.core_id(i)));
    }
    Some(text)
}

/// "recv from core 1 (finished)", "sync: waiting for cores 2, 3".
fn describe(world: &World, st: &State, me: usize, op: &WaitOp) -> String {
    let core = |i: usize| format!("core {}{}", world.core_id(i), ended_note(&st.status[i]));
    match *op {
        WaitOp::Send { dest, .. } => format!("send to {}", core(dest)),
        WaitOp::Recv { src } => format!("recv from {}", core(src)),
        WaitOp::SendRecv { partner } => format!("sendrecv with {}", core(partner)),
        WaitOp::WaitSent { dest, .. } => format!("wait_sent to {}", core(dest)),
        WaitOp::Elsewhere { what, partner } => format!("{what} {}", core(partner)),
        WaitOp::Collective { kind, root, .. } => {
            let missing: Vec<String> = (0..st.status.len())
                .filter(|&j| j != me && st.coll.arrived[j].is_none())
                .map(|j| format!("{}{}", world.core_id(j), ended_note(&st.status[j])))
                .collect();
            let name = match (kind, root) {
                (CollKind::Bcast, Some(r)) => format!("bcast from root core {}", world.core_id(r)),
                _ => kind.name().to_string(),
            };
            format!("{name}, waiting for core(s) {}", missing.join(", "))
        }
    }
}

fn ended_note(s: &Status) -> &'static str {
    match s {
        Status::Finished => " (finished)",
        Status::Failed => " (stopped by an error)",
        _ => "",
    }
}
