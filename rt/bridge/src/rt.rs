//! The host runtime's message functions, called by the CPython core's proxy thread exactly as
//! compiled code calls them (through their contract symbols), so the CPython core takes part
//! in the run's message passing, collectives and deadlock detection like any other core.

use epyc_rt_abi::RtFn;
use std::sync::OnceLock;

type Send = extern "C" fn(i32, i32, i32, i32);
type WaitSent = extern "C" fn(i32, i32) -> i32;
type SendStr = unsafe extern "C" fn(*const u8, i32, i32);
type Recv = extern "C" fn(i32, i32, i32) -> i32;
type RecvStr = extern "C" fn(i32, i32) -> *mut u8;
type SendRecv = extern "C" fn(i32, i32, i32, i32, i32) -> i32;
type Bcast = extern "C" fn(i32, i32, i32, i32, i32) -> i32;
type Reduce = extern "C" fn(i32, i32, i32, i32) -> i32;
type Sync = extern "C" fn(i32);
type CoreId = extern "C" fn() -> i32;

pub struct Runtime {
    pub send: Send,
    pub send_nb: Send,
    pub wait_sent: WaitSent,
    pub send_str: SendStr,
    pub recv: Recv,
    pub recv_str: RecvStr,
    pub sendrecv: SendRecv,
    pub bcast: Bcast,
    pub reduce: Reduce,
    pub sync: Sync,
    pub coreid: CoreId,
}

fn address(f: RtFn) -> *const u8 {
    epyc_rt_host::symbols()
        .into_iter()
        .find(|(s, _)| *s == f.symbol())
        .map(|(_, a)| a)
        .unwrap_or_else(|| panic!("the host runtime has no {}", f.symbol()))
}

/// The runtime's functions, looked up once.
pub fn get() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    // SAFETY: each symbol's implementation has the signature the contract (`RtFn`) gives it,
    // which the host runtime's own tests check against its Rust types.
    RT.get_or_init(|| unsafe {
        Runtime {
            send: std::mem::transmute::<*const u8, Send>(address(RtFn::Send)),
            send_nb: std::mem::transmute::<*const u8, Send>(address(RtFn::SendNonBlocking)),
            wait_sent: std::mem::transmute::<*const u8, WaitSent>(address(RtFn::WaitSent)),
            send_str: std::mem::transmute::<*const u8, SendStr>(address(RtFn::SendStr)),
            recv: std::mem::transmute::<*const u8, Recv>(address(RtFn::Recv)),
            recv_str: std::mem::transmute::<*const u8, RecvStr>(address(RtFn::RecvStr)),
            sendrecv: std::mem::transmute::<*const u8, SendRecv>(address(RtFn::SendRecv)),
            bcast: std::mem::transmute::<*const u8, Bcast>(address(RtFn::Bcast)),
            reduce: std::mem::transmute::<*const u8, Reduce>(address(RtFn::Reduce)),
            sync: std::mem::transmute::<*const u8, Sync>(address(RtFn::Sync)),
            coreid: std::mem::transmute::<*const u8, CoreId>(address(RtFn::CoreId)),
        }
    })
}
