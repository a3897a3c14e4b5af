//! The instruction table (work in progress: the decoder is being filled in).

use crate::inst::Inst;

/// Decode a fetched word; see [`crate::inst::decode`].
pub fn decode(_word: u32) -> Option<Inst> {
    None
}
