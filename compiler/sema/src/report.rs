//! What `epyc check FILE.py` prints: every specialisation with its signature, native or
//! dynamic, and why.

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub struct SpecReport {
    /// Source name (`<module>` for the module code).
    pub name: String,
    pub params: Vec<String>,
    pub ret: String,
    /// Empty when the specialisation is native; otherwise why it is dynamic.
    pub dynamic: Vec<String>,
}

impl SpecReport {
    pub fn is_native(&self) -> bool {
        self.dynamic.is_empty()
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckReport {
    pub specs: Vec<SpecReport>,
}

impl CheckReport {
    pub fn all_native(&self) -> bool {
        self.specs.iter().all(SpecReport::is_native)
    }
}

/// One line per distinct specialisation: those that differ only in the call site they are
/// made for (library functions, functions returning fresh lists) are shown once.
impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = std::collections::HashSet::new();
        for s in &self.specs {
            let sig = format!("{}({}) -> {}", s.name, s.params.join(", "), s.ret);
            let line = if s.is_native() {
                format!("{sig}  native")
            } else {
                format!("{sig}  dynamic: {}", s.dynamic.join("; "))
            };
            if shown.insert(line.clone()) {
                writeln!(f, "{line}")?;
            }
        }
        Ok(())
    }
}
