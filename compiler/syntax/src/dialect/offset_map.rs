//! The record of every edit the dialect pass made, and the mapping of offsets in the rewritten
//! text back to the original text.

/// One replacement: `orig` bytes of the original text became `new` bytes of the rewritten text.
/// Either side may be empty (a pure insertion or a deletion).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edit {
    pub orig_start: u32,
    pub orig_end: u32,
    pub new_start: u32,
    pub new_end: u32,
}

/// Maps byte offsets of the rewritten text to byte offsets of the original text.
///
/// Outside edits the mapping is exact (unchanged text shifts by a constant). An offset inside a
/// replaced stretch maps to that stretch's original start (as the start of a range) or original
/// end (as the end of a range), so a node that covers an edit covers exactly the original text.
#[derive(Clone, Debug, Default)]
pub struct OffsetMap {
    /// Sorted by position; never overlapping.
    edits: Vec<Edit>,
}

impl OffsetMap {
    pub(crate) fn new(edits: Vec<Edit>) -> OffsetMap {
        OffsetMap { edits }
    }

    pub fn edits(&self) -> &[Edit] {
        &self.edits
    }

    /// The original offset of the character at rewritten offset `new` (the start of a range).
    /// At a deletion, the position after the deleted text.
    pub fn start(&self, new: u32) -> u32 {
        let i = self.edits.partition_point(|e| e.new_start <= new);
        let Some(e) = i.checked_sub(1).map(|i| self.edits[i]) else {
            return new;
        };
        if new < e.new_end {
            e.orig_start
        } else {
            e.orig_end + (new - e.new_end)
        }
    }

    /// The original offset just past the character before rewritten offset `new` (the end of a
    /// range). At a deletion, the position before the deleted text.
    pub fn end(&self, new: u32) -> u32 {
        let Some(last) = new.checked_sub(1) else {
            return 0;
        };
        let i = self.edits.partition_point(|e| e.new_start <= last);
        let Some(e) = i.checked_sub(1).map(|i| self.edits[i]) else {
            return new;
        };
        if last < e.new_end {
            e.orig_end
        } else {
            e.orig_end + (last - e.new_end) + 1
        }
    }

    /// Maps a rewritten range `[start, end)`; an empty range stays empty.
    pub fn range(&self, start: u32, end: u32) -> (u32, u32) {
        let s = self.start(start);
        if end <= start {
            return (s, s);
        }
        (s, self.end(end).max(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(orig: (u32, u32), new: (u32, u32)) -> Edit {
        Edit {
            orig_start: orig.0,
            orig_end: orig.1,
            new_start: new.0,
            new_end: new.1,
        }
    }

    #[test]
    fn unchanged_text_shifts_by_the_edits_before_it() {
        // "a <> b" -> "a != b" (same length), then "x^y" at 7 -> "x**y"
        let map = OffsetMap::new(vec![edit((2, 4), (2, 4)), edit((8, 9), (8, 10))]);
        assert_eq!(map.start(5), 5);
        assert_eq!(map.start(10), 9);
        assert_eq!(map.range(7, 11), (7, 10));
    }

    #[test]
    fn deletion_boundary_belongs_to_the_side_asked_for() {
        // original "x /*c*/y": "/*c*/" (2..7) deleted, rewritten "x y"
        let map = OffsetMap::new(vec![edit((2, 7), (2, 2))]);
        assert_eq!(map.end(2), 2);
        assert_eq!(map.start(2), 7);
        assert_eq!(map.range(2, 3), (7, 8));
    }

    #[test]
    fn insertion_maps_to_its_anchor() {
        // "print x" -> "print(x)": " " (5..6) -> "(", then ")" inserted at 7
        let map = OffsetMap::new(vec![edit((5, 6), (5, 6)), edit((7, 7), (7, 8))]);
        assert_eq!(map.range(0, 8), (0, 7));
        assert_eq!(map.range(6, 7), (6, 7));
    }
}
