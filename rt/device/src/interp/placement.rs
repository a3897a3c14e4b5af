//! Where a byte-code module goes: in each core's local memory when it fits beside the
//! interpreter and the runtime, else (or on request: `-codeshared` / `-datashared`) in shared
//! DRAM from `memmap::SHARED_IMAGE_BASE`, one copy for all cores, as compiled images place
//! their code and constants. The header of the module stays local ([`MODULE_SYMBOL`]): every
//! core writes its own state there (`H_LIMIT`, `H_GLOBALS`, `H_SP`, `H_FENT`). The offsets the
//! header and the tables hold are then counted from the local header
//! ([`layout::encode_at`]): the interpreter adds them to the header's address as always.

use super::{globals_size, interpreter_object, layout, module_section, MODULE_SYMBOL};
use crate::link::{self, Image, Layout};
use crate::object::{Section, Symbol};
use anyhow::{anyhow, Result};
use epyc_bytecode::format::Module;

/// Symbol of the module's block in shared DRAM.
pub const SHARED_MODULE_SYMBOL: &str = "__epyc_bc_module_shared";
const SHARED_SECTION: &str = ".data.bc_module_shared";

/// An image running `m` on every core (function 0 as the entry) with the module in shared
/// DRAM when `shared` or when it does not fit in local memory; the second value is the
/// warning to print for the latter.
pub fn build_image_placed(m: &Module, shared: bool) -> Result<(Image, Option<String>)> {
    if !shared {
        match super::build_image(m) {
            Ok(image) => return Ok((image, None)),
            Err(e) if format!("{e:#}").contains("past the local heap limit") => {
                let bytes = layout::encode(m)?.len();
                let warning = format!(
                    "Warning: Your byte code of {bytes} bytes does not fit beside the \
                     interpreter in a core's local memory so storing it in shared memory \
                     (every core then reads each instruction from shared DRAM, which is far \
                     slower)"
                );
                return Ok((shared_image(m)?, Some(warning)));
            }
            Err(e) => return Err(e),
        }
    }
    Ok((shared_image(m)?, None))
}

fn sections(m: &Module, delta: u32) -> Result<Vec<Section>> {
    let data = layout::encode_at(m, delta)?;
    let mut header = module_section(m)?;
    header.data = data[..layout::HEADER_BYTES].to_vec();
    let block = Section {
        name: SHARED_SECTION.into(),
        data,
        align: 8,
        fixed_address: None,
        symbols: vec![Symbol {
            name: SHARED_MODULE_SYMBOL.into(),
            offset: 0,
            global: true,
        }],
        relocs: vec![],
    };
    let mut all = vec![header, block];
    // A byte-code program calls no native function: the interpreter's empty table of them.
    all.extend(super::native_call::table_sections(
        &[],
        8 * m.global_names.len() as u32,
        false,
    )?);
    Ok(all)
}

/// The image with the module's block in shared DRAM: linked once to learn where the header
/// and the block land, then with the offsets counted from the header (the same sizes, so the
/// same places).
fn shared_image(m: &Module) -> Result<Image> {
    let mut runtime = crate::runtime_object();
    runtime.sections.extend(interpreter_object()?.sections);
    let placed = Layout {
        shared_sections: [SHARED_SECTION.to_string()].into_iter().collect(),
        no_local_heap: false,
    };
    let addrs = |image: &Image| -> Result<(u32, u32)> {
        let at = |s: &str| {
            image
                .symbols
                .get(s)
                .copied()
                .ok_or_else(|| anyhow!("{s} not placed"))
        };
        Ok((at(MODULE_SYMBOL)?, at(SHARED_MODULE_SYMBOL)?))
    };
    let first = link::link_with(&runtime, &sections(m, 0)?, globals_size(m), &placed)?;
    let (header, block) = addrs(&first)?;
    let delta = block.wrapping_sub(header);
    let image = link::link_with(&runtime, &sections(m, delta)?, globals_size(m), &placed)?;
    if addrs(&image)? != (header, block) {
        return Err(anyhow!(
            "the module's header and block moved between two links"
        ));
    }
    Ok(image)
}
