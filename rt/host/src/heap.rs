//! Per-core heap for strings and lists, laid out as `epyc_rt_abi::layout` says.
//!
//! A bump allocator over zeroed chunks, one per thread: objects are never freed one by one
//! (ePython programs have no frees that matter), the whole heap goes when the core ends.
//! Nothing is shared between cores: strings in messages are copied into the receiver's heap.

use epyc_rt_abi::{layout, RtError};
use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::cell::RefCell;
use std::ptr::NonNull;

/// Size of a pointer element in a list on the host.
pub const PTR_SIZE: u32 = std::mem::size_of::<usize>() as u32;
const CHUNK_BYTES: usize = 256 * 1024;
/// Objects larger than this get a block of their own.
const BIG_OBJECT: usize = CHUNK_BYTES / 4;
/// Heap of a thread that is not a core of a run (tests calling the runtime directly).
const DEFAULT_HEAP_LIMIT: usize = 8 << 30;
/// All cores of a run together may use about this much before RtError::OutOfMemory (the
/// machine has 24 GiB); a core asking for more gets the error, not the OOM killer.
const RUN_HEAP_BUDGET: usize = 16 << 30;
const ALIGN: usize = 16;

struct Block {
    ptr: NonNull<u8>,
    layout: Layout,
}

impl Drop for Block {
    fn drop(&mut self) {
        // SAFETY: allocated in `Block::new` with this layout.
        unsafe { dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

impl Block {
    fn new(bytes: usize) -> Option<Block> {
        let layout = Layout::from_size_align(bytes.max(1), ALIGN).ok()?;
        // SAFETY: the layout has a non-zero size.
        let ptr = NonNull::new(unsafe { alloc_zeroed(layout) })?;
        Some(Block { ptr, layout })
    }
}

pub struct Arena {
    blocks: Vec<Block>,
    /// Free bytes at the end of the current chunk start here.
    cursor: usize,
    chunk_end: usize,
    total: usize,
    limit: usize,
}

impl Default for Arena {
    fn default() -> Arena {
        Arena {
            blocks: Vec::new(),
            cursor: 0,
            chunk_end: 0,
            total: 0,
            limit: DEFAULT_HEAP_LIMIT,
        }
    }
}

impl Arena {
    /// Zeroed memory for `bytes` bytes, aligned to 16; None when out of memory.
    pub fn alloc(&mut self, bytes: usize) -> Option<*mut u8> {
        let size = bytes.max(1).checked_next_multiple_of(ALIGN)?;
        if self.total.checked_add(size)? > self.limit {
            return None;
        }
        self.total += size;
        if size > BIG_OBJECT {
            let block = Block::new(size)?;
            let p = block.ptr.as_ptr();
            self.blocks.push(block);
            return Some(p);
        }
        if self.chunk_end - self.cursor < size {
            let block = Block::new(CHUNK_BYTES)?;
            self.cursor = block.ptr.as_ptr() as usize;
            self.chunk_end = self.cursor + CHUNK_BYTES;
            self.blocks.push(block);
        }
        let p = self.cursor as *mut u8;
        self.cursor += size;
        Some(p)
    }

    /// Frees everything (the core has ended; nothing refers to its objects any more).
    pub fn reset(&mut self) {
        *self = Arena {
            limit: self.limit,
            ..Arena::default()
        };
    }
}

thread_local! {
    static HEAP: RefCell<Arena> = RefCell::new(Arena::default());
}

fn alloc(bytes: usize) -> Result<*mut u8, RtError> {
    HEAP.with(|h| h.borrow_mut().alloc(bytes))
        .ok_or(RtError::OutOfMemory)
}

/// Makes this thread's heap one core's share of a run of `cores` cores.
pub fn set_core_share(cores: usize) {
    let limit = (RUN_HEAP_BUDGET / cores.max(1)).clamp(256 << 20, DEFAULT_HEAP_LIMIT);
    HEAP.with(|h| h.borrow_mut().limit = limit);
}

/// Frees this thread's heap.
pub fn reset_current() {
    HEAP.with(|h| h.borrow_mut().reset());
}

/// A new string object holding `bytes`.
pub fn new_str(bytes: &[u8]) -> Result<*mut u8, RtError> {
    let len = u32::try_from(bytes.len()).map_err(|_| RtError::OutOfMemory)?;
    let p = alloc(layout::STR_BYTES as usize + bytes.len())?;
    // SAFETY: `p` has room for the header and the bytes.
    unsafe {
        (p as *mut u32).write(len);
        std::ptr::copy_nonoverlapping(
            bytes.as_ptr(),
            p.add(layout::STR_BYTES as usize),
            bytes.len(),
        );
    }
    Ok(p)
}

/// The bytes of a string object (a null pointer reads as the empty string).
///
/// # Safety
/// `s` is null or points to a string object that outlives the returned slice.
pub unsafe fn str_bytes<'a>(s: *const u8) -> &'a [u8] {
    if s.is_null() {
        return &[];
    }
    let len = (s as *const u32).read() as usize;
    std::slice::from_raw_parts(s.add(layout::STR_BYTES as usize), len)
}

/// A new zeroed list of `dims.len()` dimensions (1..=7) with elements of `elem_size` bytes.
pub fn new_list(dims: &[u32], elem_size: u32) -> Result<*mut u8, RtError> {
    let ndim = dims.len() as u32;
    let elem_size = match elem_size {
        1..=8 => elem_size.max(4),
        _ => return Err(RtError::TypeError),
    };
    let mut len: u32 = 1;
    for &d in dims {
        len = len.checked_mul(d).ok_or(RtError::OutOfMemory)?;
    }
    let data = layout::list_data(ndim, elem_size) as usize;
    let bytes = (len as usize)
        .checked_mul(elem_size as usize)
        .and_then(|b| b.checked_add(data))
        .ok_or(RtError::OutOfMemory)?;
    let p = alloc(bytes)?;
    // SAFETY: `p` has room for the header (data >= header size).
    unsafe {
        (p.add(layout::LIST_LEN as usize) as *mut u32).write(len);
        (p.add(layout::LIST_NDIM as usize) as *mut u32).write(ndim);
        if ndim > 1 {
            for (d, &size) in dims.iter().enumerate() {
                (p.add(layout::list_dim(d as u32) as usize) as *mut u32).write(size);
            }
        }
    }
    Ok(p)
}

/// Header of a list object: (total length, dimension sizes).
///
/// # Safety
/// `l` points to a list object.
pub unsafe fn list_shape(l: *const u8) -> (u32, Vec<u32>) {
    let len = (l.add(layout::LIST_LEN as usize) as *const u32).read();
    let ndim = (l.add(layout::LIST_NDIM as usize) as *const u32).read();
    if ndim <= 1 {
        return (len, vec![len]);
    }
    let dims = (0..ndim)
        .map(|d| (l.add(layout::list_dim(d) as usize) as *const u32).read())
        .collect();
    (len, dims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip() {
        let s = new_str(b"hello").unwrap();
        assert_eq!(unsafe { str_bytes(s) }, b"hello");
        assert_eq!(unsafe { str_bytes(std::ptr::null()) }, b"");
    }

    #[test]
    fn lists_have_the_abi_layout() {
        let l = new_list(&[3, 4], 4).unwrap();
        let (len, dims) = unsafe { list_shape(l) };
        assert_eq!((len, dims), (12, vec![3, 4]));
        let data = layout::list_data(2, 4) as usize;
        let cells = unsafe { std::slice::from_raw_parts(l.add(data) as *const u32, 12) };
        assert!(cells.iter().all(|&c| c == 0));
        assert_eq!(l as usize % 8, 0);
    }

    #[test]
    fn the_limit_is_per_core() {
        let mut a = Arena {
            limit: 1 << 20,
            ..Arena::default()
        };
        assert!(a.alloc(600 << 10).is_some());
        assert!(a.alloc(600 << 10).is_none());
        a.reset();
        assert!(a.alloc(600 << 10).is_some());
    }

    #[test]
    fn huge_requests_are_out_of_memory() {
        assert_eq!(new_list(&[65536, 65536, 4], 4), Err(RtError::OutOfMemory));
        assert_eq!(new_list(&[1 << 30, 2], 8), Err(RtError::OutOfMemory));
    }
}
