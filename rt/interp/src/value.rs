//! Tagged values of the host interpreter and the operators on them (spec §4 with D2-D18, the
//! same rules sema applies statically, so byte code prints what native code prints).

use epyc_rt_abi::Tag;
use epyc_rt_host::format;
use std::cell::RefCell;
use std::rc::Rc;

/// A list: its dimensions (one for a plain list) and its cells, row-major.
#[derive(Debug)]
pub struct List {
    pub dims: Vec<usize>,
    pub cells: RefCell<Vec<Value>>,
}

#[derive(Clone, Debug)]
pub enum Value {
    /// A slot no assignment has reached yet.
    Unset,
    None,
    Bool(bool),
    Int(i32),
    Float(f32),
    Str(Rc<str>),
    List(Rc<List>),
    Func(u16),
}

impl Value {
    pub fn tag(&self) -> Tag {
        match self {
            Value::Unset | Value::None => Tag::None,
            Value::Bool(_) => Tag::Bool,
            Value::Int(_) => Tag::Int,
            Value::Float(_) => Tag::Float,
            Value::Str(_) => Tag::Str,
            Value::List(_) => Tag::List,
            Value::Func(_) => Tag::Func,
        }
    }

    /// Python truth (D13).
    pub fn truthy(&self) -> bool {
        match self {
            Value::Unset | Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.cells.borrow().is_empty(),
            Value::Func(_) => true,
        }
    }

    /// The number, if it is one (bool is an int).
    pub fn num(&self) -> Option<Num> {
        match self {
            Value::Bool(b) => Some(Num::I(*b as i32)),
            Value::Int(i) => Some(Num::I(*i)),
            Value::Float(f) => Some(Num::F(*f)),
            _ => None,
        }
    }

    /// Text as `print` and `"" + x` show it.
    pub fn text(&self) -> String {
        match self {
            Value::Unset | Value::None => "NONE".into(),
            Value::Bool(b) => format::bool(*b as i32).into(),
            Value::Int(i) => format::int(*i),
            Value::Float(f) => format::float(*f),
            Value::Str(s) => s.to_string(),
            Value::List(l) => list_text(l),
            Value::Func(i) => format!("<function {i}>"),
        }
    }

    /// Scalar payload bits (messages): float bits, bool 0/1, function index.
    pub fn bits(&self) -> Option<i32> {
        Some(match self {
            Value::Unset | Value::None => 0,
            Value::Bool(b) => *b as i32,
            Value::Int(i) => *i,
            Value::Float(f) => f.to_bits() as i32,
            Value::Func(i) => *i as i32,
            Value::Str(_) | Value::List(_) => return None,
        })
    }

    pub fn from_bits(bits: i32, tag: Tag) -> Value {
        match tag {
            Tag::None => Value::None,
            Tag::Bool => Value::Bool(bits != 0),
            Tag::Int => Value::Int(bits),
            Tag::Float => Value::Float(f32::from_bits(bits as u32)),
            Tag::Func => Value::Func(bits as u16),
            Tag::Str | Tag::List => Value::None,
        }
    }
}

fn list_text(l: &List) -> String {
    fn elem(v: &Value) -> String {
        match v {
            Value::Str(s) => format::str_repr(s.as_bytes()),
            v => v.text(),
        }
    }
    fn dim(cells: &[Value], dims: &[usize]) -> String {
        if dims.len() <= 1 {
            let items: Vec<String> = cells.iter().map(elem).collect();
            return format!("[{}]", items.join(", "));
        }
        let step = dims[1..].iter().product::<usize>().max(1);
        let items: Vec<String> = cells.chunks(step).map(|c| dim(c, &dims[1..])).collect();
        format!("[{}]", items.join(", "))
    }
    dim(&l.cells.borrow(), &l.dims)
}

#[derive(Clone, Copy, Debug)]
pub enum Num {
    I(i32),
    F(f32),
}

impl Num {
    pub fn f(self) -> f32 {
        match self {
            Num::I(i) => i as f32,
            Num::F(f) => f,
        }
    }
}

/// Python floor division and modulo of ints (None: division by zero).
pub fn int_floordiv(a: i32, b: i32) -> Option<i32> {
    if b == 0 {
        return None;
    }
    let q = a.wrapping_div(b);
    Some(if (a % b != 0) && ((a < 0) != (b < 0)) {
        q.wrapping_sub(1)
    } else {
        q
    })
}

pub fn int_mod(a: i32, b: i32) -> Option<i32> {
    if b == 0 {
        return None;
    }
    let r = a.wrapping_rem(b);
    Some(if r != 0 && ((r < 0) != (b < 0)) {
        r + b
    } else {
        r
    })
}

pub fn float_mod(a: f32, b: f32) -> f32 {
    let r = a % b;
    if r != 0.0 && ((r < 0.0) != (b < 0.0)) {
        r + b
    } else {
        r
    }
}

/// int ** int for a non-negative exponent (wraps).
pub fn int_pow(mut base: i32, mut exp: i32) -> i32 {
    let mut acc: i32 = 1;
    while exp > 0 {
        if exp & 1 == 1 {
            acc = acc.wrapping_mul(base);
        }
        base = base.wrapping_mul(base);
        exp >>= 1;
    }
    acc
}
