//! A list as `print` shows it (deviation D5): Python's brackets and commas with ePython's
//! scalar formats, `[1, 2, 3]`, `[1.500000, 2.000000]`, `[true, false]`, `['a', 'b']`;
//! arrays of several dimensions nest by dimension, `[[0, 1], [2, 3]]`.
//!
//! Element types come from a *tag path*: bits 0-3 are the element tag of this list; when the
//! elements are lists, bits 4-7 are the element tag of those, and so on (`Tag::List as i32 |
//! (Tag::Int as i32) << 4` is a list of lists of ints).

use crate::format;
use crate::heap::{self, PTR_SIZE};
use epyc_rt_abi::{layout, Tag};

/// # Safety
/// `list` is null or a list object whose elements have the types `tag_path` names.
pub unsafe fn list_text(list: *const u8, tag_path: i32) -> String {
    let mut out = String::new();
    write_list(&mut out, list, tag_path as u32);
    out
}

unsafe fn write_list(out: &mut String, list: *const u8, path: u32) {
    if list.is_null() {
        out.push_str("[]");
        return;
    }
    let tag = Tag::from_u32(path & 0xf).unwrap_or(Tag::Int);
    let elem_size = match tag {
        Tag::Str | Tag::List => PTR_SIZE,
        _ => 4,
    };
    let (_, dims) = heap::list_shape(list);
    let data = list.add(layout::list_data(dims.len() as u32, elem_size) as usize);
    let mut index = 0usize;
    write_dims(
        out,
        &dims,
        data,
        elem_size as usize,
        tag,
        path >> 4,
        &mut index,
    );
}

/// Writes the elements spanned by `dims` (the outermost first), nested in brackets.
unsafe fn write_dims(
    out: &mut String,
    dims: &[u32],
    data: *const u8,
    elem_size: usize,
    tag: Tag,
    inner: u32,
    index: &mut usize,
) {
    out.push('[');
    for i in 0..dims[0] {
        if i > 0 {
            out.push_str(", ");
        }
        if dims.len() > 1 {
            write_dims(out, &dims[1..], data, elem_size, tag, inner, index);
        } else {
            write_elem(out, data.add(*index * elem_size), tag, inner);
            *index += 1;
        }
    }
    out.push(']');
}

unsafe fn write_elem(out: &mut String, cell: *const u8, tag: Tag, inner: u32) {
    let word = (cell as *const u32).read();
    match tag {
        Tag::Int => out.push_str(&format::int(word as i32)),
        Tag::Float => out.push_str(&format::float(f32::from_bits(word))),
        Tag::Bool => out.push_str(format::bool(word as i32)),
        Tag::None => out.push_str(format::NONE),
        Tag::Func => out.push_str(&format!("<function {}>", word as i32)),
        Tag::Str => {
            let s = (cell as *const *const u8).read();
            out.push_str(&format::str_repr(heap::str_bytes(s)));
        }
        Tag::List => write_list(out, (cell as *const *const u8).read(), inner),
    }
}
