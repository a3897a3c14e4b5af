//! Reading runtime objects out of a device core's memory and turning them into text with the
//! host runtime's formatter (`epyc_rt_host::format`), so device output is exactly host output.
//! Lists are printed as `epyc_rt_host::list_text` prints them, with the device's 4-byte
//! pointers.

use crate::memmap::{DRAM_BASE, DRAM_SIZE};
use crate::monitor::Device;
use anyhow::{bail, Result};
use epyc_rt_abi::{layout, Tag};
use epyc_rt_host::format;

/// Reads `len` bytes at device address `addr` as core `core` sees it.
pub fn read(dev: &dyn Device, core: u32, addr: u32, len: u32) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; len as usize];
    if addr >> 20 == 0 {
        dev.read_core(core, addr, &mut buf)?;
    } else if (DRAM_BASE..DRAM_BASE + DRAM_SIZE).contains(&addr) {
        dev.read_dram(addr, &mut buf)?;
    } else {
        let (row, col) = (addr >> 26, (addr >> 20) & 63);
        let Some(idx) = dev.core_index(row, col) else {
            bail!("address {addr:#010x} is in no core of the workgroup");
        };
        dev.read_core(idx, addr & 0xf_ffff, &mut buf)?;
    }
    Ok(buf)
}

pub fn read_u32(dev: &dyn Device, core: u32, addr: u32) -> Result<u32> {
    let b = read(dev, core, addr, 4)?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The bytes of a string object (null reads as the empty string).
pub fn str_bytes(dev: &dyn Device, core: u32, s: u32) -> Result<Vec<u8>> {
    if s == 0 {
        return Ok(Vec::new());
    }
    let len = read_u32(dev, core, s)?;
    if len > DRAM_SIZE {
        bail!("string at {s:#x} claims {len} bytes");
    }
    read(dev, core, s + layout::STR_BYTES, len)
}

/// A scalar as `print` shows it.
pub fn scalar(bits: u32, tag: Tag) -> String {
    match tag {
        Tag::Int => format::int(bits as i32),
        Tag::Float => format::float(f32::from_bits(bits)),
        Tag::Bool => format::bool(bits as i32).to_string(),
        Tag::None => format::NONE.to_string(),
        Tag::Func => format!("<function {}>", bits as i32),
        Tag::Str | Tag::List => format!("{bits:#x}"),
    }
}

/// A list as `print` shows it (see `epyc_str_from_list` for the tag path).
pub fn list(dev: &dyn Device, core: u32, l: u32, path: u32) -> Result<String> {
    let mut out = String::new();
    write_list(dev, core, &mut out, l, path, 0)?;
    Ok(out)
}

fn write_list(
    dev: &dyn Device,
    core: u32,
    out: &mut String,
    l: u32,
    path: u32,
    depth: u32,
) -> Result<()> {
    if l == 0 {
        out.push_str("[]");
        return Ok(());
    }
    if depth > 8 {
        bail!("lists nested too deeply to print");
    }
    let tag = Tag::from_u32(path & 0xf).unwrap_or(Tag::Int);
    let len = read_u32(dev, core, l + layout::LIST_LEN)?;
    let ndim = read_u32(dev, core, l + layout::LIST_NDIM)?;
    let dims: Vec<u32> = if ndim <= 1 {
        vec![len]
    } else if ndim > 7 {
        bail!("list at {l:#x} has {ndim} dimensions");
    } else {
        (0..ndim)
            .map(|d| read_u32(dev, core, l + layout::list_dim(d)))
            .collect::<Result<_>>()?
    };
    let data = l + layout::list_data(dims.len() as u32, 4);
    let cells = read(dev, core, data, len.saturating_mul(4).min(DRAM_SIZE))?;
    let mut index = 0usize;
    write_dims(
        dev,
        core,
        out,
        &dims,
        &cells,
        tag,
        path >> 4,
        &mut index,
        depth,
    )
}

#[allow(clippy::too_many_arguments)]
fn write_dims(
    dev: &dyn Device,
    core: u32,
    out: &mut String,
    dims: &[u32],
    cells: &[u8],
    tag: Tag,
    inner: u32,
    index: &mut usize,
    depth: u32,
) -> Result<()> {
    out.push('[');
    for i in 0..dims[0] {
        if i > 0 {
            out.push_str(", ");
        }
        if dims.len() > 1 {
            write_dims(dev, core, out, &dims[1..], cells, tag, inner, index, depth)?;
        } else {
            let at = *index * 4;
            let Some(c) = cells.get(at..at + 4) else {
                bail!("list shorter than its dimensions");
            };
            let word = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            match tag {
                Tag::Str => out.push_str(&format::str_repr(&str_bytes(dev, core, word)?)),
                Tag::List => write_list(dev, core, out, word, inner, depth + 1)?,
                t => out.push_str(&scalar(word, t)),
            }
            *index += 1;
        }
    }
    out.push(']');
    Ok(())
}
