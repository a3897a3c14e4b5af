//! How much of a core's memory the byte-code interpreter takes (issue 6: at most 12 KB of a
//! core's 32 KB; ePython's interpreter took 24 KB).
//!
//! The accounting: the interpreter's own code (the generated loop, its helpers and the
//! assembly parts) plus the runtime routines that only the interpreter needs. Routines that
//! every program links anyway — the start-up, printing, errors, core identity, messages and
//! collectives ([`SHARED_ROUTINES`]) — belong to the runtime, which native code on the same
//! core shares; they are counted separately as [`Footprint::shared_runtime`]. Everything else
//! the interpreter reaches (string formatting and concatenation, lists, float math, `**`,
//! random numbers ...) is charged to the interpreter even though native programs that use
//! those features link the same routines. The module, the value stack and the globals are
//! data and are not counted.

use super::{
    build_image, code_size, interpreter_object, link_symbol, MODULE_SYMBOL, VSTACK_SYMBOL,
};
use crate::{asm, link, memmap};
use anyhow::Result;
use epyc_bytecode::format::Module;
use std::collections::HashSet;

/// The runtime routines every program links (with the start-up they pull in), shared with
/// native code and not charged to the interpreter.
pub const SHARED_ROUTINES: &[&str] = &[
    "epyc_print_int",
    "epyc_print_float",
    "epyc_print_bool",
    "epyc_print_none",
    "epyc_print_str",
    "epyc_exit",
    "epyc_error",
    "epyc_error_detail",
    "epyc_coreid",
    "epyc_numcores",
    "epyc_send",
    "epyc_recv",
    "epyc_send_str",
    "epyc_recv_str",
    "epyc_sendrecv",
    "epyc_bcast",
    "epyc_reduce",
    "epyc_sync",
    "epyc_probe",
    "epyc_send_nb",
    "epyc_test_sent",
    "epyc_wait_sent",
];

/// Bytes of code on a core running byte code, split by who they are charged to.
#[derive(Clone, Debug)]
pub struct Footprint {
    /// The interpreter's own code.
    pub interpreter: usize,
    /// Runtime routines the interpreter reaches that are not in [`SHARED_ROUTINES`].
    pub interpreter_only_runtime: usize,
    /// Runtime routines shared with native code (start-up included).
    pub shared_runtime: usize,
    /// The runtime routines charged to the interpreter: (first symbol, bytes).
    pub interpreter_only_routines: Vec<(String, usize)>,
}

impl Footprint {
    /// What issue 6 holds against 12 KB: the interpreter and the runtime only it needs.
    pub fn charged(&self) -> usize {
        self.interpreter + self.interpreter_only_runtime
    }
}

/// The code segments (runtime and interpreter) of an image, each named by the first (in
/// name order) global symbol it defines, so the same routine has the same name in two
/// images laid out differently.
fn code_segments(image: &link::Image) -> Vec<(String, usize)> {
    image
        .segments
        .iter()
        .filter(|(a, _)| *a >= memmap::CODE_BASE)
        .filter_map(|(a, d)| {
            let end = *a + d.len() as u32;
            let name = image
                .symbols
                .iter()
                .filter(|(_, &s)| s >= *a && s < end)
                .map(|(n, _)| n.clone())
                .min()
                // A segment with no global symbol is charged to the interpreter.
                .unwrap_or_default();
            (name != MODULE_SYMBOL && name != VSTACK_SYMBOL).then_some((name, d.len()))
        })
        .collect()
}

/// The footprint of the interpreter running `m` (the interpreter is the same for every
/// module; the module decides nothing but the data).
pub fn measure(m: &Module) -> Result<Footprint> {
    let interp = interpreter_object()?;
    let interpreter = code_size(&interp);
    let own: HashSet<String> = interp
        .sections
        .iter()
        .flat_map(|s| s.symbols.iter().map(|y| y.name.clone()))
        .collect();
    let calls: String = SHARED_ROUTINES
        .iter()
        .map(|r| format!(" bl {}\n", link_symbol(r)))
        .collect();
    let native = asm::assemble(
        ".shared",
        &format!(".global _epyc_main\n_epyc_main:\n{calls} rts\n"),
    )?;
    let shared_image = link::link(&crate::runtime_object(), &[native], 8)?;
    let shared: HashSet<String> = code_segments(&shared_image)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let mut fp = Footprint {
        interpreter,
        interpreter_only_runtime: 0,
        shared_runtime: 0,
        interpreter_only_routines: Vec::new(),
    };
    for (name, len) in code_segments(&build_image(m)?) {
        if own.contains(&name) {
            continue;
        } else if shared.contains(&name) {
            fp.shared_runtime += len;
        } else {
            fp.interpreter_only_runtime += len;
            fp.interpreter_only_routines.push((name, len));
        }
    }
    Ok(fp)
}
