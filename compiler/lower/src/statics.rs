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

/// Detail of the type error for an index outside the candidates (ePython's text).
pub const NOT_A_FUNCTION: &str =
    "Function called via a variable but this variable is not pointing to any function";

/// How a function value converts to str.
pub fn function_text(name: &str) -> String {
    format!("<function {name}>")
}

pub struct Statics {
    data: Vec<StaticData>,
    /// Extra strings added by the lowering, by content.
    extra: HashMap<String, usize>,
    empty: Option<usize>,
    canonical: usize,
    /// How many of the data objects are the program's string constants.
    strings: usize,
}

/// Encodes `s` as a runtime string object: u32 length, then the UTF-8 bytes.
pub fn string_object(s: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(layout::STR_BYTES as usize + s.len());
    bytes.extend_from_slice(&(s.len() as u32).to_le_bytes());
    bytes.extend_from_slice(s.as_bytes());
    bytes
}

impl Statics {
    /// Data indices 0..strings.len() are the program's `StrId`s, then every string the
    /// lowering may need and the empty object: all data exists before any function is
    /// lowered, so every function can name data `d` by the same external-name slot `d`
    /// (what inlining relies on, see `canonical_count`).
    pub fn new(prog: &Program) -> Statics {
        let mut st = Statics::program_strings(prog);
        st.extra_string("NONE");
        st.extra_string("<function>");
        st.extra_string(NOT_A_FUNCTION);
        for f in &prog.funcs {
            st.extra_string(&function_text(&f.name));
        }
        st.empty_object();
        st.canonical = st.data.len();
        st
    }

    /// Data objects that every function declares first, in order (external-name slot `d` is
    /// data `d` in every function).
    pub fn canonical_count(&self) -> usize {
        self.canonical
    }

    fn program_strings(prog: &Program) -> Statics {
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
            strings: prog.strings.len(),
            data,
            extra: HashMap::new(),
            empty: None,
            canonical: 0,
        }
    }

    pub fn string(&self, id: StrId) -> Option<usize> {
        (id.index() < self.strings).then_some(id.index())
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
