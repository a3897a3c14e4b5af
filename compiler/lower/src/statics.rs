//! Static data: the program's string constants as runtime string objects (rt/abi `layout`),
//! plus strings the lowering itself needs (e.g. `NONE`).

use epyc_rt_abi::layout;
use epyc_tir::{Program, StrId};
use std::collections::HashMap;

/// One read-only data object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticData {
    /// A symbol name unique in the program.
    pub name: String,
    pub bytes: Vec<u8>,
    pub align: u64,
}

/// Header of a list with the most dimensions (7): len, ndim and 7 sizes, rounded up.
const EMPTY_OBJECT_SIZE: usize = 64;

pub struct Statics {
    data: Vec<StaticData>,
    /// Extra strings added by the lowering, by content.
    extra: HashMap<String, usize>,
    empty: Option<usize>,
}

/// Encodes `s` as a runtime string object: u32 length, then the UTF-8 bytes.
pub fn string_object(s: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(layout::STR_BYTES as usize + s.len());
    bytes.extend_from_slice(&(s.len() as u32).to_le_bytes());
    bytes.extend_from_slice(s.as_bytes());
    bytes
}

impl Statics {
    /// Data indices 0..strings.len() are the program's `StrId`s.
    pub fn new(prog: &Program) -> Statics {
        let data = prog
            .strings
            .iter()
            .enumerate()
            .map(|(i, s)| StaticData {
                name: format!("epyc_str_{i}"),
                bytes: string_object(s),
                align: 4,
            })
            .collect();
        Statics {
            data,
            extra: HashMap::new(),
            empty: None,
        }
    }

    pub fn string(&self, id: StrId) -> Option<usize> {
        (id.index() < self.data.len()).then_some(id.index())
    }

    /// The data index of a string the lowering needs.
    pub fn extra_string(&mut self, s: &str) -> usize {
        if let Some(&i) = self.extra.get(s) {
            return i;
        }
        let i = self.data.len();
        self.data.push(StaticData {
            name: format!("epyc_str_{i}"),
            bytes: string_object(s),
            align: 4,
        });
        self.extra.insert(s.to_string(), i);
        i
    }

    /// The data index of a zeroed object that is a valid empty string and a valid empty
    /// list of any dimension count: the value of str/list variables before assignment.
    pub fn empty_object(&mut self) -> usize {
        if let Some(i) = self.empty {
            return i;
        }
        let i = self.data.len();
        self.data.push(StaticData {
            name: format!("epyc_empty_{i}"),
            bytes: vec![0; EMPTY_OBJECT_SIZE],
            align: 8,
        });
        self.empty = Some(i);
        i
    }

    pub fn into_data(self) -> Vec<StaticData> {
        self.data
    }
}
