//! The execution loop: one interpreter per core, with an explicit frame stack (deep recursion
//! in byte code never grows the thread's stack).

use crate::rt::{rt_str, Rt};
use crate::value::{float_mod, int_floordiv, int_mod, int_pow, List, Num, Value};
use epyc_bytecode::format::GLOBAL_REF;
use epyc_bytecode::{Const, Module, Op, Svc};
use epyc_rt_abi::{pos, RtError, Tag};
use std::cell::RefCell;
use std::rc::Rc;

/// What every interpreter of one core shares: the module's variables and constants (native
/// code calling byte code starts another interpreter on the same core, see `reenter`).
#[derive(Clone)]
pub struct CoreState {
    rt: Rt,
    consts: Rc<Vec<Value>>,
    globals: Rc<RefCell<Vec<Value>>>,
    /// This core's globals block (native code called from byte code uses it).
    native_globals: *mut u8,
}

/// Calls deeper than this stop the core with the stack-overflow error (as native code does).
const MAX_DEPTH: usize = 50_000;

/// A function decoded once: instructions and the offset of each.
pub struct Decoded {
    pub ops: Vec<Op>,
    pub offsets: Vec<usize>,
}

pub struct Program {
    pub module: Module,
    pub funcs: Vec<Decoded>,
    /// Per function: native specialisations a call may run instead (mixed programs).
    pub natives: Vec<Vec<crate::native::NativeFn>>,
}

impl Program {
    pub fn new(module: Module) -> Result<Program, epyc_bytecode::format::DecodeError> {
        let mut funcs = Vec::new();
        for f in &module.funcs {
            let ops = f.ops()?;
            funcs.push(Decoded {
                offsets: ops.iter().map(|(o, _)| *o).collect(),
                ops: ops.into_iter().map(|(_, op)| op).collect(),
            });
        }
        Ok(Program {
            module,
            natives: Vec::new(),
            funcs,
        })
    }

    /// The constant pool as values (each core has its own: values are not shared).
    fn const_values(&self) -> Vec<Value> {
        self.module
            .consts
            .iter()
            .map(|c| match c {
                Const::Int(i) => Value::Int(*i),
                Const::Float(f) => Value::Float(*f),
                Const::Str(s) => Value::Str(Rc::from(s.as_str())),
            })
            .collect()
    }

    /// Instruction index of a byte offset (jump targets).
    fn index_of(&self, func: usize, offset: usize) -> usize {
        self.funcs[func].offsets.partition_point(|&o| o < offset)
    }
}

struct Frame {
    func: usize,
    pc: usize,
    base: usize,
}

pub struct Machine<'p> {
    p: &'p Program,
    rt: Rt,
    consts: Rc<Vec<Value>>,
    globals: Rc<RefCell<Vec<Value>>>,
    stack: Vec<Value>,
    frames: Vec<Frame>,
    /// This core's globals block (native code called from byte code uses it).
    native_globals: *mut u8,
}

impl<'p> Machine<'p> {
    pub fn new(p: &'p Program, native_globals: *mut u8) -> Machine<'p> {
        Machine::with_state(
            p,
            CoreState {
                rt: Rt::load(),
                consts: Rc::new(p.const_values()),
                globals: Rc::new(RefCell::new(vec![
                    Value::Unset;
                    p.module.global_names.len()
                ])),
                native_globals,
            },
        )
    }

    /// An interpreter of the core whose state `s` is (a fresh stack and frames).
    pub fn with_state(p: &'p Program, s: CoreState) -> Machine<'p> {
        Machine {
            p,
            rt: s.rt,
            consts: s.consts,
            globals: s.globals,
            stack: Vec::new(),
            frames: Vec::new(),
            native_globals: s.native_globals,
        }
    }

    /// The state other interpreters of this core share with this one.
    pub fn state(&self) -> CoreState {
        CoreState {
            rt: self.rt,
            consts: self.consts.clone(),
            globals: self.globals.clone(),
            native_globals: self.native_globals,
        }
    }

    /// Runs byte-code function `func` with `args` to its return (native code calling byte
    /// code); its result.
    pub fn call_function(&mut self, func: usize, args: Vec<Value>) -> Value {
        let argc = args.len();
        self.stack.extend(args);
        let depth = self.frames.len();
        self.push_frame(func, argc);
        if self.frames.len() > depth {
            self.run(depth);
        }
        self.pop()
    }

    fn pos(&self) -> i32 {
        let Some(fr) = self.frames.last() else {
            return 0;
        };
        let f = &self.p.module.funcs[fr.func];
        let off = self.p.funcs[fr.func].offsets[fr.pc.saturating_sub(1)];
        pos::encode(f.file as u32, f.line_at(off))
    }

    fn fail(&self, err: RtError, detail: &str) -> ! {
        self.rt.fail(err, detail, self.pos())
    }

    fn type_error(&self, what: &str) -> ! {
        self.fail(RtError::TypeError, what)
    }

    fn pop(&mut self) -> Value {
        self.stack
            .pop()
            .expect("operand stack underflow (compiler bug)")
    }

    fn push_frame(&mut self, func: usize, argc: usize) {
        if self.frames.len() >= MAX_DEPTH {
            self.fail(RtError::StackOverflow, "");
        }
        if let Some(natives) = self.p.natives.get(func).filter(|n| !n.is_empty()) {
            let base = self.stack.len() - argc;
            if let Some(r) = crate::native::call(natives, self.native_globals, &self.stack[base..])
            {
                self.stack.truncate(base);
                self.stack.push(r);
                return;
            }
        }
        let f = &self.p.module.funcs[func];
        if argc != f.nparams as usize {
            self.type_error(&format!(
                "{}() takes {} arguments, {} given",
                f.name, f.nparams, argc
            ));
        }
        let base = self.stack.len() - argc;
        self.stack.resize(base + f.nlocals as usize, Value::Unset);
        self.frames.push(Frame { func, pc: 0, base });
    }

    /// Runs function 0 (the program's module code) to its end.
    pub fn run_main(&mut self) {
        self.push_frame(0, 0);
        self.run(0);
    }

    fn run(&mut self, stop_depth: usize) {
        loop {
            let (func, pc, base) = {
                let fr = self.frames.last_mut().expect("a frame is running");
                let pc = fr.pc;
                fr.pc += 1;
                (fr.func, pc, fr.base)
            };
            let op = self.p.funcs[func].ops[pc];
            match op {
                Op::None => self.stack.push(Value::None),
                Op::True => self.stack.push(Value::Bool(true)),
                Op::False => self.stack.push(Value::Bool(false)),
                Op::Int8 { v } => self.stack.push(Value::Int(v as i32)),
                Op::Const { idx } => self.stack.push(self.consts[idx as usize].clone()),
                Op::Func { func } => self.stack.push(Value::Func(func)),
                Op::Load { slot } => {
                    let v = self.stack[base + slot as usize].clone();
                    self.stack.push(v);
                }
                Op::Store { slot } => {
                    let v = self.pop();
                    self.stack[base + slot as usize] = v;
                }
                Op::LoadG { global } => {
                    let v = self.globals.borrow()[global as usize].clone();
                    if matches!(v, Value::Unset) {
                        let n = self.p.module.global_names[global as usize];
                        let name = self.p.module.str_at(n).unwrap_or("?");
                        self.fail(RtError::NameNotDefined, name);
                    }
                    self.stack.push(v);
                }
                Op::StoreG { global } => {
                    let v = self.pop();
                    self.globals.borrow_mut()[global as usize] = v;
                }
                Op::CheckLocal { slot, name } => {
                    if matches!(self.stack[base + slot as usize], Value::Unset) {
                        let name = self.p.module.str_at(name).unwrap_or("?");
                        self.fail(RtError::NameNotDefined, name);
                    }
                }
                Op::Pop => {
                    self.pop();
                }
                Op::Dup => {
                    let v = self.stack.last().expect("dup of empty stack").clone();
                    self.stack.push(v);
                }
                Op::Dup2 => {
                    let n = self.stack.len();
                    let (a, b) = (self.stack[n - 2].clone(), self.stack[n - 1].clone());
                    self.stack.push(a);
                    self.stack.push(b);
                }
                Op::Swap => {
                    let n = self.stack.len();
                    self.stack.swap(n - 1, n - 2);
                }
                Op::Rot3 => {
                    let c = self.pop();
                    let n = self.stack.len();
                    self.stack.insert(n - 2, c);
                }
                Op::Add
                | Op::Sub
                | Op::Mul
                | Op::Div
                | Op::FloorDiv
                | Op::Mod
                | Op::Pow
                | Op::BitAnd
                | Op::BitOr
                | Op::BitXor
                | Op::Shl
                | Op::Shr => {
                    let b = self.pop();
                    let a = self.pop();
                    let r = self.binary(op, a, b);
                    self.stack.push(r);
                }
                Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge | Op::Is | Op::IsNot => {
                    let b = self.pop();
                    let a = self.pop();
                    let r = self.compare(op, &a, &b);
                    self.stack.push(Value::Bool(r));
                }
                Op::Neg | Op::Pos | Op::Invert => {
                    let a = self.pop();
                    let r = match (op, a.num()) {
                        (Op::Neg, Some(Num::I(i))) => Value::Int(i.wrapping_neg()),
                        (Op::Neg, Some(Num::F(f))) => Value::Float(-f),
                        (Op::Pos, Some(Num::I(i))) => Value::Int(i),
                        (Op::Pos, Some(Num::F(f))) => Value::Float(f),
                        (Op::Invert, Some(Num::I(i))) => Value::Int(!i),
                        _ => self.type_error(&format!("bad operand type {}", a.tag().name())),
                    };
                    self.stack.push(r);
                }
                Op::Not => {
                    let a = self.pop();
                    self.stack.push(Value::Bool(!a.truthy()));
                }
                Op::Jump { off } => self.jump(func, pc, off),
                Op::JumpIfFalse { off } => {
                    if !self.pop().truthy() {
                        self.jump(func, pc, off);
                    }
                }
                Op::JumpIfTrue { off } => {
                    if self.pop().truthy() {
                        self.jump(func, pc, off);
                    }
                }
                Op::JumpIfFalseKeep { off } => {
                    if !self.stack.last().expect("value to test").truthy() {
                        self.jump(func, pc, off);
                    } else {
                        self.pop();
                    }
                }
                Op::JumpIfTrueKeep { off } => {
                    if self.stack.last().expect("value to test").truthy() {
                        self.jump(func, pc, off);
                    } else {
                        self.pop();
                    }
                }
                Op::Call { func, argc } => self.push_frame(func as usize, argc as usize),
                Op::CallValue { argc } => {
                    let at = self.stack.len() - argc as usize - 1;
                    let f = self.stack.remove(at);
                    match f {
                        Value::Func(i) if (i as usize) < self.p.funcs.len() => {
                            self.push_frame(i as usize, argc as usize)
                        }
                        // D33: a numeric module constant called as `pi()` is its value.
                        v @ (Value::Int(_) | Value::Float(_)) if argc == 0 => self.stack.push(v),
                        other => {
                            self.type_error(&format!("'{}' is not a function", other.tag().name()))
                        }
                    }
                }
                Op::CallNative { .. } => {
                    self.type_error("native functions are not linked into this byte-code run")
                }
                Op::Return | Op::ReturnNone => {
                    let r = if op == Op::Return {
                        self.pop()
                    } else {
                        Value::None
                    };
                    let fr = self.frames.pop().expect("returning frame");
                    self.stack.truncate(fr.base);
                    self.stack.push(r);
                    if self.frames.len() == stop_depth {
                        return;
                    }
                }
                Op::List { n } => {
                    let at = self.stack.len() - n as usize;
                    let cells = self.stack.split_off(at);
                    self.stack.push(new_list(vec![cells.len()], cells));
                }
                Op::ListRepeat => {
                    let n = self.pop();
                    let l = self.pop();
                    let r = self.binary(Op::Mul, l, n);
                    self.stack.push(r);
                }
                Op::IndexRef { list, i, k } => {
                    let (l, idx) = self.index_refs(base, list, i, k);
                    let v = self.index(&l, &[idx], None);
                    self.stack.push(v);
                }
                Op::StoreIndexRef { list, i, k } => {
                    let v = self.pop();
                    let (l, idx) = self.index_refs(base, list, i, k);
                    self.index(&l, &[idx], Some(v));
                }
                Op::Index { k } => {
                    let at = self.stack.len() - k as usize;
                    let idx = self.stack.split_off(at);
                    let l = self.pop();
                    let v = self.index(&l, &idx, None);
                    self.stack.push(v);
                }
                Op::StoreIndex { k } => {
                    let at = self.stack.len() - k as usize;
                    let idx = self.stack.split_off(at);
                    let l = self.pop();
                    let v = self.pop();
                    self.index(&l, &idx, Some(v));
                }
                Op::Len => {
                    let v = self.pop();
                    let n = match &v {
                        Value::List(l) => l.cells.borrow().len(),
                        Value::Str(s) => s.len(),
                        other => self.type_error(&format!(
                            "object of type '{}' has no len()",
                            other.tag().name()
                        )),
                    };
                    self.stack.push(Value::Int(n as i32));
                }
                Op::Svc { svc, argc } => {
                    let at = self.stack.len() - argc as usize;
                    let args = self.stack.split_off(at);
                    let r = match Svc::from_u8(svc) {
                        Some(s) => self.service(s, args),
                        None => self.type_error(&format!("unknown runtime service {svc}")),
                    };
                    self.stack.push(r);
                }
                Op::Raise { err, detail } => {
                    let e = RtError::from_u32(err as u32).unwrap_or(RtError::TypeError);
                    let d = self.p.module.str_at(detail).unwrap_or("").to_string();
                    self.fail(e, &d);
                }
                Op::RangeNext { base: b, off } => {
                    let s = base + b as usize;
                    let (Value::Int(c), Value::Int(stop), Value::Int(step)) = (
                        self.stack[s].clone(),
                        self.stack[s + 1].clone(),
                        self.stack[s + 2].clone(),
                    ) else {
                        self.type_error("range() arguments must be ints")
                    };
                    if step == 0 {
                        self.fail(RtError::RangeStepZero, "");
                    }
                    if (step > 0 && c < stop) || (step < 0 && c > stop) {
                        self.stack[s] = Value::Int(c.wrapping_add(step));
                        self.stack.push(Value::Int(c));
                    } else {
                        self.jump(func, pc, off);
                    }
                }
            }
        }
    }

    fn jump(&mut self, func: usize, pc: usize, off: i16) {
        // Offsets are relative to the next instruction's byte offset.
        let code_len = self.p.module.funcs[func].code.len();
        let next = self.p.funcs[func]
            .offsets
            .get(pc + 1)
            .copied()
            .unwrap_or(code_len);
        let target = (next as i64 + off as i64) as usize;
        let fr = self.frames.last_mut().expect("jumping frame");
        fr.pc = self.p.index_of(func, target);
    }

    /// The value a superinstruction's `ref` operand names (`GLOBAL_REF`).
    fn read_ref(&self, base: usize, r: u8) -> Value {
        if r < GLOBAL_REF {
            return self.stack[base + r as usize].clone();
        }
        let global = (r - GLOBAL_REF) as usize;
        let v = self.globals.borrow()[global].clone();
        if matches!(v, Value::Unset) {
            let n = self.p.module.global_names[global];
            let name = self.p.module.str_at(n).unwrap_or("?");
            self.fail(RtError::NameNotDefined, name);
        }
        v
    }

    /// The list and the index (`i + k`, `i - (-k)`) of `IndexRef`/`StoreIndexRef`.
    fn index_refs(&self, base: usize, list: u8, i: u8, k: i8) -> (Value, Value) {
        let l = self.read_ref(base, list);
        let i = self.read_ref(base, i);
        let idx = match k {
            0 => i,
            k if k > 0 => self.binary(Op::Add, i, Value::Int(k as i32)),
            k => self.binary(Op::Sub, i, Value::Int(-(k as i32))),
        };
        (l, idx)
    }

    fn binary(&self, op: Op, a: Value, b: Value) -> Value {
        use Value as V;
        match (op, &a, &b) {
            (Op::Add, V::Str(x), y) => return V::Str(Rc::from(format!("{x}{}", y.text()))),
            (Op::Add, x, V::Str(y)) => return V::Str(Rc::from(format!("{}{y}", x.text()))),
            (Op::Mul, V::Str(s), n) | (Op::Mul, n, V::Str(s)) => {
                if let Some(Num::I(n)) = n.num() {
                    if n < 0 {
                        self.fail(RtError::NegativeRepeat, "");
                    }
                    return V::Str(Rc::from(s.repeat(n as usize)));
                }
            }
            (Op::Mul, V::List(l), n) | (Op::Mul, n, V::List(l)) => {
                if let Some(Num::I(n)) = n.num() {
                    let cells = l.cells.borrow();
                    let n = n.max(0) as usize;
                    let mut out = Vec::with_capacity(cells.len() * n);
                    for _ in 0..n {
                        out.extend(cells.iter().cloned());
                    }
                    let len = out.len();
                    return new_list(vec![len], out);
                }
            }
            (Op::Add, V::List(x), V::List(y)) => {
                let mut out = x.cells.borrow().clone();
                out.extend(y.cells.borrow().iter().cloned());
                let len = out.len();
                return new_list(vec![len], out);
            }
            _ => {}
        }
        let (Some(x), Some(y)) = (a.num(), b.num()) else {
            self.type_error(&format!(
                "unsupported operand types {} and {}",
                a.tag().name(),
                b.tag().name()
            ))
        };
        match (x, y) {
            (Num::I(x), Num::I(y)) => match op {
                Op::Add => V::Int(x.wrapping_add(y)),
                Op::Sub => V::Int(x.wrapping_sub(y)),
                Op::Mul => V::Int(x.wrapping_mul(y)),
                Op::Div | Op::FloorDiv => V::Int(
                    int_floordiv(x, y).unwrap_or_else(|| self.fail(RtError::DivisionByZero, "")),
                ),
                Op::Mod => {
                    V::Int(int_mod(x, y).unwrap_or_else(|| self.fail(RtError::DivisionByZero, "")))
                }
                Op::Pow if y >= 0 => V::Int(int_pow(x, y)),
                Op::Pow => V::Float((self.rt.powf)(x as f32, y as f32)),
                Op::BitAnd => V::Int(x & y),
                Op::BitOr => V::Int(x | y),
                Op::BitXor => V::Int(x ^ y),
                Op::Shl => V::Int(x.wrapping_shl(y as u32)),
                Op::Shr => V::Int(x.wrapping_shr(y as u32)),
                _ => unreachable!("binary() is called with arithmetic operators only"),
            },
            (x, y) => {
                let (x, y) = (x.f(), y.f());
                match op {
                    Op::Add => V::Float(x + y),
                    Op::Sub => V::Float(x - y),
                    Op::Mul => V::Float(x * y),
                    Op::Div => V::Float(x / y),
                    Op::FloorDiv => V::Float((x / y).floor()),
                    Op::Mod => V::Float(float_mod(x, y)),
                    // `x ** 2.0` is the correctly rounded square, as native code computes it
                    // (epyc-lower's `float_pow`).
                    Op::Pow if y == 2.0 => V::Float(x * x),
                    Op::Pow => V::Float((self.rt.powf)(x, y)),
                    _ => self.type_error("bit operations need ints"),
                }
            }
        }
    }

    fn compare(&self, op: Op, a: &Value, b: &Value) -> bool {
        use std::cmp::Ordering;
        if matches!(op, Op::Is | Op::IsNot) {
            let same = match (a, b) {
                (Value::None | Value::Unset, Value::None | Value::Unset) => true,
                (Value::Str(x), Value::Str(y)) => Rc::ptr_eq(x, y) || x == y,
                (Value::List(x), Value::List(y)) => Rc::ptr_eq(x, y),
                (x, y) if x.tag() == y.tag() => x.bits() == y.bits(),
                _ => false,
            };
            return same == (op == Op::Is);
        }
        let ord: Option<Ordering> = match (a, b) {
            (Value::Str(x), Value::Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
            (Value::None | Value::Unset, Value::None | Value::Unset) => Some(Ordering::Equal),
            (x, y) => match (x.num(), y.num()) {
                (Some(Num::I(x)), Some(Num::I(y))) => Some(x.cmp(&y)),
                (Some(x), Some(y)) => x.f().partial_cmp(&y.f()),
                _ => None,
            },
        };
        match (op, ord) {
            (Op::Eq, o) => o == Some(Ordering::Equal),
            (Op::Ne, o) => o != Some(Ordering::Equal),
            (_, None) if a.num().is_some() && b.num().is_some() => false, // NaN
            (_, None) => self.type_error(&format!(
                "cannot order {} and {}",
                a.tag().name(),
                b.tag().name()
            )),
            (Op::Lt, Some(o)) => o == Ordering::Less,
            (Op::Le, Some(o)) => o != Ordering::Greater,
            (Op::Gt, Some(o)) => o == Ordering::Greater,
            (Op::Ge, Some(o)) => o != Ordering::Less,
            _ => unreachable!("compare() is called with comparison operators only"),
        }
    }

    /// Reads (`store` None) or writes a cell.
    fn index(&self, l: &Value, idx: &[Value], store: Option<Value>) -> Value {
        let list = match l {
            Value::List(l) => l,
            Value::Str(s) if store.is_none() && idx.len() == 1 => {
                let i = self.one_index(&idx[0], s.len());
                return Value::Str(Rc::from(&s[i..i + 1]));
            }
            other => self.type_error(&format!("'{}' cannot be indexed", other.tag().name())),
        };
        let dims = &list.dims;
        if idx.len() > dims.len() {
            self.fail(RtError::TooManyIndexes, "");
        }
        let mut flat = 0usize;
        for (d, i) in idx.iter().enumerate() {
            flat = flat * dims[d] + self.one_index(i, dims[d]);
        }
        if idx.len() < dims.len() {
            // A row of an array: a list of the remaining dimensions, copied.
            let rest: usize = dims[idx.len()..].iter().product();
            let cells = list.cells.borrow()[flat * rest..(flat + 1) * rest].to_vec();
            if store.is_some() {
                self.type_error("cannot assign to a row of an array");
            }
            return new_list(dims[idx.len()..].to_vec(), cells);
        }
        match store {
            Some(v) => {
                list.cells.borrow_mut()[flat] = v;
                Value::None
            }
            None => list.cells.borrow()[flat].clone(),
        }
    }

    fn one_index(&self, i: &Value, len: usize) -> usize {
        let Some(Num::I(i)) = i.num() else {
            self.type_error(&format!(
                "list indices must be integers, not {}",
                i.tag().name()
            ))
        };
        let i = if i < 0 {
            i as i64 + len as i64
        } else {
            i as i64
        };
        if i < 0 || i >= len as i64 {
            self.fail(RtError::IndexOutOfRange, "");
        }
        i as usize
    }

    fn service(&self, s: Svc, a: Vec<Value>) -> Value {
        let rt = &self.rt;
        let p = self.pos();
        let int = |v: &Value| match v.num() {
            Some(Num::I(i)) => i,
            Some(Num::F(f)) => f as i32,
            None => self.type_error(&format!("expected an int, got {}", v.tag().name())),
        };
        match s {
            Svc::Print => {
                match &a[0] {
                    Value::Int(i) => (rt.print_int)(*i),
                    Value::Float(f) => (rt.print_float)(*f),
                    Value::Bool(b) => (rt.print_bool)(*b as i32),
                    Value::None | Value::Unset => (rt.print_none)(),
                    v => {
                        let s = rt_str(&v.text());
                        (rt.print_str)(s.as_ptr())
                    }
                }
                Value::None
            }
            Svc::Str => Value::Str(Rc::from(a[0].text())),
            Svc::Int => match &a[0] {
                Value::Str(s) => Value::Int(s.trim().parse().unwrap_or_else(|_| {
                    self.type_error(&format!("invalid literal for int(): '{s}'"))
                })),
                v => Value::Int(int(v)),
            },
            Svc::Float => match &a[0] {
                Value::Str(s) => Value::Float(s.trim().parse().unwrap_or_else(|_| {
                    self.type_error(&format!("could not convert string to float: '{s}'"))
                })),
                v => match v.num() {
                    Some(n) => Value::Float(n.f()),
                    None => self.type_error(&format!("float() of {}", v.tag().name())),
                },
            },
            Svc::CoreId => Value::Int((rt.coreid)()),
            Svc::NumCores => Value::Int((rt.numcores)()),
            Svc::IsHost => Value::Bool((rt.ishost)() != 0),
            Svc::IsDevice => Value::Bool((rt.isdevice)() != 0),
            // Byte-code cores announce each message's tag in an int message of its own
            // (FORMAT.md, "Messages"): the runtime has no receive that reports the tag yet.
            Svc::Send | Svc::SendNonBlocking => {
                let dest = int(&a[1]);
                let v = &a[0];
                let send = if s == Svc::Send { rt.send } else { rt.send_nb };
                match v {
                    Value::Str(st) => {
                        let b = rt_str(st);
                        (rt.send_str)(b.as_ptr(), dest, p)
                    }
                    v => {
                        let Some(bits) = v.bits() else {
                            self.type_error(&format!("cannot send a {}", v.tag().name()))
                        };
                        send(bits, v.tag() as i32, dest, p)
                    }
                }
                Value::None
            }
            Svc::Recv => {
                let (tag, payload) = rt.recv_any(int(&a[0]), p);
                match Tag::from_u32(tag) {
                    Some(Tag::Str) => {
                        // SAFETY: a str payload is a string object (layout::STR_*).
                        Value::Str(Rc::from(unsafe {
                            crate::rt::str_text(payload as usize as *const u8)
                        }))
                    }
                    Some(Tag::List) => self.type_error("cannot receive a list as one value"),
                    Some(t) => Value::from_bits(payload as u32 as i32, t),
                    None => self.fail(RtError::MessageType, "a message without a type tag"),
                }
            }
            Svc::RecvFunc => {
                let (tag, payload) = rt.recv_any(int(&a[0]), p);
                if tag != Tag::Func as u32 {
                    let got = Tag::from_u32(tag).map_or("?", Tag::name);
                    self.fail(
                        RtError::MessageType,
                        &format!("expected function, got {got}"),
                    );
                }
                Value::Func(payload as u16)
            }
            Svc::SendRecv | Svc::Bcast => {
                let v = &a[0];
                let Some(bits) = v.bits() else {
                    self.type_error(&format!("cannot send a {}", v.tag().name()))
                };
                let tag = v.tag();
                let f = if s == Svc::SendRecv {
                    rt.sendrecv
                } else {
                    rt.bcast
                };
                Value::from_bits(f(bits, tag as i32, int(&a[1]), tag as i32, p), tag)
            }
            Svc::Reduce => {
                let v = &a[0];
                let tag = match v.num() {
                    Some(Num::F(_)) => Tag::Float,
                    _ => Tag::Int,
                };
                let bits = match v.num() {
                    Some(Num::I(i)) => i,
                    Some(Num::F(f)) => f.to_bits() as i32,
                    None => self.type_error(&format!("cannot reduce a {}", v.tag().name())),
                };
                Value::from_bits((rt.reduce)(bits, tag as i32, int(&a[1]), p), tag)
            }
            Svc::Sync => {
                (rt.sync)(p);
                Value::None
            }
            Svc::Probe => Value::Bool((rt.probe)(int(&a[0]), p) != 0),
            Svc::TestSent => Value::Bool((rt.test_sent)(int(&a[0]), p) != 0),
            Svc::WaitSent => Value::Bool((rt.wait_sent)(int(&a[0]), p) != 0),
            Svc::Math => {
                let x = a[1].num().map(Num::f).unwrap_or_else(|| {
                    self.type_error(&format!("math of a {}", a[1].tag().name()))
                });
                Value::Float((rt.math)(int(&a[0]), x))
            }
            Svc::Random => Value::Float((rt.random)()),
            Svc::RandInt => Value::Int((rt.randint)()),
            Svc::Seed => {
                (rt.seed)(int(&a[0]));
                Value::None
            }
            Svc::ArrayNew => {
                let dims: Vec<usize> = a
                    .iter()
                    .map(|v| match v {
                        Value::None | Value::Unset => 1,
                        v => int(v).max(0) as usize,
                    })
                    .collect();
                let ndim = a
                    .iter()
                    .rposition(|v| !matches!(v, Value::None | Value::Unset))
                    .map_or(1, |i| i + 1);
                let dims = dims[..ndim].to_vec();
                let n: usize = dims.iter().product();
                new_list(dims, vec![Value::Int(0); n])
            }
            Svc::NDim => match &a[0] {
                Value::List(l) => Value::Int(l.dims.len() as i32),
                _ => Value::Int(0),
            },
            Svc::Dim => match &a[0] {
                Value::List(l) => {
                    let d = int(&a[1]) as usize;
                    Value::Int(l.dims.get(d).copied().unwrap_or(0) as i32)
                }
                _ => Value::Int(0),
            },
            Svc::Input => {
                let prompt = match &a[0] {
                    Value::None | Value::Unset => None,
                    v => Some(rt_str(&v.text())),
                };
                let ptr = (rt.input)(prompt.as_ref().map_or(std::ptr::null(), |p| p.as_ptr()));
                // SAFETY: the runtime returns a string object (layout::STR_*).
                input_value(unsafe { crate::rt::str_text(ptr) })
            }
            Svc::Exit => {
                (rt.exit)();
                Value::None
            }
            Svc::Min | Svc::Max => {
                let lt = self.compare(Op::Lt, &a[1], &a[0]);
                let take_second = if s == Svc::Min {
                    lt
                } else {
                    self.compare(Op::Gt, &a[1], &a[0])
                };
                if take_second {
                    a[1].clone()
                } else {
                    a[0].clone()
                }
            }
            Svc::Abs => match a[0].num() {
                Some(Num::I(i)) => Value::Int(i.wrapping_abs()),
                Some(Num::F(f)) => Value::Float(f.abs()),
                None => self.type_error(&format!("abs() of a {}", a[0].tag().name())),
            },
            Svc::Range => {
                let (start, stop, step) = (int(&a[0]), int(&a[1]), int(&a[2]));
                if step == 0 {
                    self.fail(RtError::RangeStepZero, "");
                }
                let mut cells = vec![];
                let mut c = start as i64;
                while (step > 0 && c < stop as i64) || (step < 0 && c > stop as i64) {
                    cells.push(Value::Int(c as i32));
                    c += step as i64;
                }
                let n = cells.len();
                new_list(vec![n], cells)
            }
        }
    }
}

/// The value of a line read by `input` (spec §8.1): only digits is an int, digits with a `.`
/// a float, anything else (`-5` too) a string.
fn input_value(line: String) -> Value {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(&line) {
        return Value::Int(line.parse::<i64>().map_or(i32::MAX, |v| v as i32));
    }
    if let Some((a, b)) = line.split_once('.') {
        if (digits(a) || a.is_empty()) && (digits(b) || b.is_empty()) && line.len() > 1 {
            if let Ok(f) = line.parse::<f32>() {
                return Value::Float(f);
            }
        }
    }
    Value::Str(Rc::from(line))
}

fn new_list(dims: Vec<usize>, cells: Vec<Value>) -> Value {
    Value::List(Rc::new(List {
        dims,
        cells: RefCell::new(cells),
    }))
}

impl CoreState {
    /// A copy of string object `obj` in the core's heap (as native code's strings), made by
    /// concatenating the empty string object `empty`.
    pub fn copy_str(&self, obj: &[u32], empty: &[u32]) -> *mut u8 {
        (self.rt.str_concat)(obj.as_ptr() as *const u8, empty.as_ptr() as *const u8)
    }
}
