//! List and array allocation for compiled code (elements are read and written in line).

use crate::core;
use crate::heap;
use epyc_rt_abi::RtError;

#[no_mangle]
pub extern "C" fn epyc_list_new(len: i32, elem_size: i32, pos: i32) -> *mut u8 {
    let len = len.max(0) as u32;
    allocate(&[len], elem_size, pos)
}

#[allow(clippy::too_many_arguments)] // the contract passes all seven dimensions
#[no_mangle]
pub extern "C" fn epyc_array_new(
    ndim: i32,
    d0: i32,
    d1: i32,
    d2: i32,
    d3: i32,
    d4: i32,
    d5: i32,
    d6: i32,
    elem_size: i32,
    pos: i32,
) -> *mut u8 {
    let all = [d0, d1, d2, d3, d4, d5, d6];
    if !(1..=7).contains(&ndim) {
        core::fail(
            RtError::TypeError,
            &format!("an array has 1 to 7 dimensions, not {ndim}"),
            pos,
        );
    }
    let dims: Vec<u32> = all[..ndim as usize]
        .iter()
        .map(|&d| d.max(0) as u32)
        .collect();
    allocate(&dims, elem_size, pos)
}

fn allocate(dims: &[u32], elem_size: i32, pos: i32) -> *mut u8 {
    if !(1..=8).contains(&elem_size) {
        core::fail(
            RtError::TypeError,
            &format!("invalid list element size {elem_size}"),
            pos,
        );
    }
    heap::new_list(dims, elem_size as u32).unwrap_or_else(|e| core::fail_plain(e, pos))
}
