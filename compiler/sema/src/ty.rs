//! The specialiser's internal type lattice and the list element classes.
//!
//! `T` is richer than `epyc_tir::Ty` in two ways: `Bottom` ("no value seen yet", the identity
//! of joins while the fixpoint is still growing) and `IntNN` (an int known to be a non-negative
//! constant, which decides whether `int ** int` is an int, D8/D34). Lists name an element
//! *class*: every list that can flow into the same variable, parameter or cell shares one class
//! (union-find), so writes through any alias (`b = a`, a list parameter) refine the one element
//! type all of them are lowered with.

use std::collections::HashMap;

/// A byte position in a source file: (file index, byte offset). Identifies allocation sites and
/// the first assignment of a variable (for messages).
pub type Site = (u32, u32);

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum T {
    #[default]
    Bottom,
    None,
    Bool,
    Int,
    /// An int constant known to be >= 0 (literals); joins with `Int` to `Int`.
    IntNN,
    /// A parameter specialised for this non-negative constant (only parameters used as an
    /// exponent: `pow(x, 2)` becomes `x ** 2`, which lowering turns into a multiply).
    IntK(i32),
    /// A parameter specialised for this string constant (index into the engine's constant
    /// strings; only parameters compared with a string literal).
    StrK(u32),
    Float,
    Str,
    /// A list of the element class with this id (canonicalise with [`Lists::find`]).
    List(u32),
    /// A function value whose definition is known statically (index into the definitions).
    Fn(u32),
    /// A function value known only at run time.
    AnyFunc,
}

impl T {
    pub fn is_intlike(self) -> bool {
        matches!(self, T::Int | T::IntNN | T::IntK(_))
    }
    pub fn is_numeric(self) -> bool {
        self.is_intlike() || matches!(self, T::Float | T::Bool)
    }
    /// Known non-negative (decides `int ** int`).
    pub fn is_nonneg(self) -> bool {
        matches!(self, T::IntNN | T::IntK(_))
    }
    /// Forget facts that are about one value, not about a storage place.
    pub fn stored(self) -> T {
        match self {
            t if t.is_intlike() => T::Int,
            T::StrK(_) => T::Str,
            t => t,
        }
    }
}

/// One list element class.
#[derive(Clone, Debug)]
pub struct ListClass {
    parent: u32,
    pub elem: T,
    pub ndim: u8,
}

/// What one round saw written into a class (decides the widening rule, see crate docs).
#[derive(Clone, Debug, Default)]
pub struct Writes {
    pub nonconst_int: Option<Site>,
    pub float: Option<Site>,
    pub mixed_literal: Option<Site>,
}

#[derive(Clone, Debug, Default)]
pub struct Lists {
    classes: Vec<ListClass>,
    /// Allocation site, dimensions and call context (see `SpecKey::ctx`) -> class.
    by_site: HashMap<(Site, u8, Vec<Site>), u32>,
    /// Per round: writes seen, keyed by class id (re-canonicalised when checked).
    pub writes: HashMap<u32, Writes>,
}

impl Lists {
    /// The class of the list allocated at `site` (created on first use).
    pub fn at_site(&mut self, site: Site, ndim: u8, ctx: &[Site]) -> u32 {
        let key = (site, ndim, ctx.to_vec());
        if let Some(&c) = self.by_site.get(&key) {
            return self.find(c);
        }
        let id = self.classes.len() as u32;
        self.classes.push(ListClass {
            parent: id,
            elem: T::Bottom,
            ndim,
        });
        self.by_site.insert(key, id);
        id
    }

    /// Number of classes ever made (class ids below it exist).
    pub fn count(&self) -> u32 {
        self.classes.len() as u32
    }

    pub fn find(&self, mut c: u32) -> u32 {
        while self.classes[c as usize].parent != c {
            c = self.classes[c as usize].parent;
        }
        c
    }

    pub fn class(&self, c: u32) -> &ListClass {
        &self.classes[self.find(c) as usize]
    }

    /// Canonical form of a type (list classes by their root).
    pub fn canon(&self, t: T) -> T {
        match t {
            T::List(c) => T::List(self.find(c)),
            t => t,
        }
    }

    /// Merges two classes; Err when their dimensions or element kinds cannot be one list type.
    /// Returns whether anything changed.
    pub fn union(&mut self, a: u32, b: u32) -> Result<bool, String> {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return Ok(false);
        }
        let (ca, cb) = (
            self.classes[a as usize].clone(),
            self.classes[b as usize].clone(),
        );
        if ca.ndim != cb.ndim {
            return Err(format!(
                "a {}-dimensional and a {}-dimensional list",
                ca.ndim, cb.ndim
            ));
        }
        let elem = self.join_elem(ca.elem, cb.elem)?;
        self.classes[b as usize].parent = a;
        self.classes[a as usize].elem = elem;
        if let Some(w) = self.writes.remove(&b) {
            let e = self.writes.entry(a).or_default();
            e.nonconst_int = e.nonconst_int.or(w.nonconst_int);
            e.float = e.float.or(w.float);
            e.mixed_literal = e.mixed_literal.or(w.mixed_literal);
        }
        Ok(true)
    }

    /// Element join: as [`join`], except that int and float meet at float (the widening rule;
    /// whether it was legal is checked per round by [`Lists::widening_conflicts`]).
    pub fn join_elem(&mut self, a: T, b: T) -> Result<T, String> {
        let (a, b) = (a.stored(), b.stored());
        match (a, b) {
            (T::Int, T::Float) | (T::Float, T::Int) => Ok(T::Float),
            _ => join(self, a, b),
        }
    }

    /// Records a write of a value of type `t` into class `c`; returns whether the element type
    /// changed.
    pub fn write(&mut self, c: u32, t: T, is_const: bool, site: Site) -> Result<bool, String> {
        let root = self.find(c);
        if t.is_intlike() && !is_const {
            self.writes
                .entry(root)
                .or_default()
                .nonconst_int
                .get_or_insert(site);
        }
        if t == T::Float {
            self.writes
                .entry(root)
                .or_default()
                .float
                .get_or_insert(site);
        }
        let old = self.classes[root as usize].elem;
        let new = self.join_elem(old, t)?;
        let root = self.find(root);
        self.classes[root as usize].elem = new;
        Ok(self.canon(new) != self.canon(old))
    }

    /// Classes whose float element type came from widening although a non-constant int (or a
    /// literal mixing ints and floats) was written: those lists hold truly mixed numbers.
    pub fn widening_conflicts(&self) -> Vec<(Site, Site, bool)> {
        let mut by_root: HashMap<u32, Writes> = HashMap::new();
        for (&c, w) in &self.writes {
            let e = by_root.entry(self.find(c)).or_default();
            e.nonconst_int = e.nonconst_int.or(w.nonconst_int);
            e.float = e.float.or(w.float);
            e.mixed_literal = e.mixed_literal.or(w.mixed_literal);
        }
        let mut out = Vec::new();
        for (root, w) in by_root {
            if self.classes[root as usize].elem != T::Float {
                continue;
            }
            if let Some(l) = w.mixed_literal {
                out.push((l, w.float.unwrap_or(l), true));
            } else if let (Some(i), Some(f)) = (w.nonconst_int, w.float) {
                out.push((i, f, false));
            }
        }
        out.sort();
        out
    }
}

/// Least upper bound of two types; Err with a reason when they have no common native type.
pub fn join(lists: &mut Lists, a: T, b: T) -> Result<T, String> {
    Ok(match (a, b) {
        (T::Bottom, x) | (x, T::Bottom) => x,
        (x, y) if x == y => x,
        (T::IntK(_) | T::IntNN, T::IntK(_) | T::IntNN) => T::IntNN,
        (T::StrK(_) | T::Str, T::StrK(_) | T::Str) => T::Str,
        (x, y) if x.is_intlike() && y.is_intlike() => T::Int,
        (T::List(x), T::List(y)) => {
            lists.union(x, y)?;
            T::List(lists.find(x))
        }
        (T::Fn(_), T::Fn(_)) | (T::Fn(_), T::AnyFunc) | (T::AnyFunc, T::Fn(_)) => T::AnyFunc,
        _ => return Err(format!("{} and {}", name(lists, a), name(lists, b))),
    })
}

/// The type as the user reads it (`int`, `list[float]`).
pub fn name(lists: &Lists, t: T) -> String {
    match t {
        T::Bottom => "unknown".into(),
        T::None => "none".into(),
        T::Bool => "bool".into(),
        T::Int | T::IntNN | T::IntK(_) => "int".into(),
        T::Float => "float".into(),
        T::Str | T::StrK(_) => "str".into(),
        T::List(c) => {
            let cl = lists.class(c);
            let e = if cl.elem == T::Bottom {
                "int".to_string()
            } else {
                name(lists, cl.elem)
            };
            if cl.ndim == 1 {
                format!("list[{e}]")
            } else {
                format!("array{}d[{e}]", cl.ndim)
            }
        }
        T::Fn(_) | T::AnyFunc => "function".into(),
    }
}
