//! TIR: the typed, target-neutral intermediate representation of an ePython program.
//!
//! The type specialiser (`epyc-sema`) produces it; every backend consumes it (CLIF lowering for
//! host cores and for the Epiphany; later the byte-code compiler). Invariants a consumer may
//! rely on (the producer checks them with [`Program::validate`]):
//!
//! * Every expression carries its static type; no expression has a "dynamic" type. Functions
//!   that cannot be typed never reach TIR.
//! * Operands of [`ExprKind::Binary`] and [`ExprKind::Compare`] already have the operation's
//!   operand type: the specialiser inserts explicit [`ExprKind::Convert`] nodes (int -> float,
//!   bool -> int, ...). Lowering never guesses a coercion.
//! * Conditions of `if`/`while` and operands of `and`/`or`/`not` in condition position are
//!   `Bool`; truthiness tests are explicit `Convert { to: Ty::Bool }`.
//! * Names are resolved: locals by [`LocalId`] (per function), module variables by
//!   [`GlobalId`], callees by [`FuncId`] (one function per specialisation), string constants
//!   by [`StrId`].
//! * Source positions are 1-based lines of the program's files ([`Pos`]); runtime errors report
//!   them.
//!
//! Ints are 32-bit two's complement and wrap; floats are IEEE binary32. Only the pointer width
//! differs between targets, and TIR does not mention it.

pub use epyc_rt_abi::{RtError, Tag};
use std::fmt;

/// A source position: file index (into [`Program::files`]) and 1-based line and column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pos {
    pub file: u32,
    pub line: u32,
    pub col: u32,
}

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}
id_type!(
    /// A function specialisation, index into [`Program::funcs`].
    FuncId
);
id_type!(
    /// A module-level variable, index into [`Program::globals`].
    GlobalId
);
id_type!(
    /// A local variable or parameter of one function, index into [`Function::locals`].
    LocalId
);
id_type!(
    /// A string constant, index into [`Program::strings`].
    StrId
);

/// Static types. Lists are references to a runtime object (see `epyc_rt_abi::layout`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// The type of `none`: one value, no runtime representation.
    None,
    Bool,
    Int,
    Float,
    /// An immutable string (a pointer to a runtime string object).
    Str,
    /// A list (or `array(...)`) of `elem`, with `ndim` dimensions (1 for literal lists).
    /// `a[i][j]` on a 2-dim list is one [`ExprKind::Index`] with two indices.
    List(Box<Ty>, u8),
    /// A function value: which specialisation it denotes is known statically.
    Func(FuncId),
    /// A function value known only at run time (e.g. received in a message): the i32 index
    /// (`FuncId.0`) of a function in the program. Calls through it use
    /// [`ExprKind::CallIndirect`].
    AnyFunc,
}

impl Ty {
    pub fn list_of(elem: Ty) -> Ty {
        Ty::List(Box::new(elem), 1)
    }
    /// Scalars travel in messages and live in list cells as one 32-bit word.
    pub fn is_scalar(&self) -> bool {
        matches!(self, Ty::Bool | Ty::Int | Ty::Float)
    }
    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Float)
    }
    /// The runtime type tag of a value of this type (messages, printing of lists).
    pub fn tag(&self) -> Tag {
        match self {
            Ty::None => Tag::None,
            Ty::Bool => Tag::Bool,
            Ty::Int => Tag::Int,
            Ty::Float => Tag::Float,
            Ty::Str => Tag::Str,
            Ty::List(..) => Tag::List,
            Ty::Func(_) | Ty::AnyFunc => Tag::Func,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::None => write!(f, "none"),
            Ty::Bool => write!(f, "bool"),
            Ty::Int => write!(f, "int"),
            Ty::Float => write!(f, "float"),
            Ty::Str => write!(f, "str"),
            Ty::List(e, 1) => write!(f, "list[{e}]"),
            Ty::List(e, n) => write!(f, "array{n}d[{e}]"),
            Ty::Func(id) => write!(f, "function#{}", id.0),
            Ty::AnyFunc => write!(f, "function"),
        }
    }
}

/// A whole program, ready for a backend.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// Source file paths (for error positions), indexed by [`Pos::file`].
    pub files: Vec<String>,
    /// Every specialisation of every reachable function, plus the module code.
    pub funcs: Vec<Function>,
    /// Module-level variables. Every core has its own copy, zero-initialised at start.
    pub globals: Vec<Global>,
    /// String constants.
    pub strings: Vec<String>,
    /// The module's top-level code (no parameters, returns `none`): the program's entry.
    pub main: FuncId,
}

#[derive(Clone, Debug)]
pub struct Global {
    pub name: String,
    pub ty: Ty,
}

#[derive(Clone, Debug)]
pub struct Function {
    /// Source name, e.g. `computeNorm`.
    pub name: String,
    /// Unique symbol for this specialisation, e.g. `computeNorm$f_i_n` (stable across runs).
    pub symbol: String,
    /// The locals that hold the parameters, in order.
    pub params: Vec<LocalId>,
    pub locals: Vec<Local>,
    pub ret: Ty,
    pub body: Block,
    pub pos: Pos,
}

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub ty: Ty,
}

pub type Block = Vec<Stmt>;

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub pos: Pos,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    /// `place = value` (value has the place's type).
    Assign(Place, Expr),
    /// An expression evaluated for its effect (a call).
    Expr(Expr),
    /// `print value`: one line on this core's output.
    Print(Expr),
    If {
        cond: Expr,
        then_body: Block,
        else_body: Block,
    },
    /// `while cond: body`. Lowering emits it rotated (guard + do-while) so LICM fires.
    While {
        cond: Expr,
        body: Block,
    },
    /// `for var in range(start, stop, step)`: a counted loop, no list is allocated.
    /// `step` is never zero (checked by the specialiser when constant, else at run time).
    /// All of `var`, `start`, `stop`, `step` are `Int`.
    ForRange {
        var: LocalOrGlobal,
        start: Expr,
        stop: Expr,
        step: Expr,
        body: Block,
    },
    /// `for var in list: body` (walks the elements in order, reading the length each step).
    ForList {
        var: LocalOrGlobal,
        list: Expr,
        body: Block,
    },
    Break,
    Continue,
    /// `return [value]` (`None` for a function returning `none`).
    Return(Option<Expr>),
    /// `exit()` / `quit()`: stop this core.
    Exit,
    /// `name 'x' is not defined` and similar errors the specialiser proved will happen if this
    /// point is reached: stop the core with this runtime error (detail: e.g. the name).
    Raise(RtError, Option<StrId>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalOrGlobal {
    Local(LocalId),
    Global(GlobalId),
}

#[derive(Clone, Debug)]
pub enum Place {
    Var(LocalOrGlobal),
    /// `list[i]` or `array[i][j]...` (as many indices as the list's `ndim`).
    Index {
        list: Expr,
        indices: Vec<Expr>,
    },
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub pos: Pos,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Const {
    None,
    Bool(bool),
    Int(i32),
    Float(f32),
    Str(StrId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// Arithmetic negation (int wraps).
    Neg,
    /// Boolean not (operand is Bool).
    Not,
}

/// Arithmetic operators; both operands have the same type, which is the result type
/// (except `Div` on ints, which keeps ePython's int result with floor rounding, and `Pow`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    /// Int: floor division (Python 2 `/`), division by zero is a runtime error.
    /// Float: IEEE division.
    Div,
    /// Floor division: int -> int floor, float -> float floor.
    FloorDiv,
    /// Python modulo (sign of the divisor); int by zero is a runtime error.
    Mod,
    /// Int ** non-negative int -> int (wrapping). Float ** float -> float. The specialiser
    /// turns int ** (possibly negative) int into float ** float.
    Pow,
    /// String concatenation (both operands Str).
    Concat,
    /// String repetition: Str * Int (lhs Str, rhs Int).
    Repeat,
}

/// Comparisons: operands have the same type (Int, Float, Bool, Str, None); result Bool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `is` (identity; for none, ints, floats, bools it is equality).
    Is,
    IsNot,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Const(Const),
    Var(LocalOrGlobal),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// Short-circuit `and`: evaluates rhs only if lhs is truthy. Both operands and the result
    /// have this expression's type (Python returns an operand).
    And(Box<Expr>, Box<Expr>),
    /// Short-circuit `or`, as `And`.
    Or(Box<Expr>, Box<Expr>),
    /// Conditional expression `a if cond else b`.
    Select {
        cond: Box<Expr>,
        then_value: Box<Expr>,
        else_value: Box<Expr>,
    },
    /// Type conversion to `self.ty`: int->float, float->int (truncation), bool->int,
    /// bool->float, any -> Bool (truthiness, Python rules), any -> Str (ePython's string
    /// conversion: `%d`, `%f`, `true`/`false`, `NONE`, lists as printed).
    Convert(Box<Expr>),
    /// Direct call of a specialisation.
    Call {
        func: FuncId,
        args: Vec<Expr>,
    },
    /// A runtime service or an operation lowering expands in line; see [`Intrinsic`].
    Intrinsic {
        op: Intrinsic,
        args: Vec<Expr>,
    },
    /// Element read, bounds-checked (negative indices count from the end, as Python).
    Index {
        list: Box<Expr>,
        indices: Vec<Expr>,
    },
    /// A list literal `[a, b, c]`; elements already have the element type.
    ListLit(Vec<Expr>),
    /// `[a, b] * n`: the literal repeated `count` times (count < 0 gives an empty list).
    ListRepeat {
        items: Vec<Expr>,
        count: Box<Expr>,
    },
    /// A function used as a value. Its type is `Func(id)`, or `AnyFunc` where the value
    /// flows to places holding several functions (then it is the index `id.0`).
    FuncRef(FuncId),
    /// A call through an `AnyFunc` value: lowering dispatches on the index over `candidates`
    /// (every function that can reach this call; each takes `args`' types and returns this
    /// expression's type). An index outside the candidates is a runtime `TypeError`.
    CallIndirect {
        callee: Box<Expr>,
        candidates: Vec<FuncId>,
        args: Vec<Expr>,
    },
}

/// Operations that are runtime calls or target-specific expansions. Argument and result types
/// are given per variant; the specialiser guarantees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intrinsic {
    /// () -> Int
    CoreId,
    /// () -> Int
    NumCores,
    /// () -> Bool
    IsHost,
    /// () -> Bool
    IsDevice,
    /// (value: scalar or Str, dest: Int) -> None. Blocking until received.
    Send,
    /// (src: Int) -> T, where T is this expression's type. A message of another type is a
    /// runtime type error; an Int message received as Float is converted.
    Recv,
    /// (value, partner: Int) -> T (partner's value).
    SendRecv,
    /// (value, root: Int) -> T (root's value).
    Bcast,
    /// (value: Int|Float, op) -> same type. The op is the constant.
    Reduce(ReduceOp),
    /// () -> None. Barrier over all cores.
    Sync,
    /// (src: Int) -> Bool.
    Probe,
    /// (value, dest: Int) -> None.
    SendNonBlocking,
    /// (dest: Int) -> Bool.
    TestSent,
    /// (dest: Int) -> Bool.
    WaitSent,
    /// (Float) -> Float.
    Math(MathFn),
    /// (Float, Float) -> Float: `x ** y` on floats.
    PowF,
    /// (list) -> Int: number of elements (product of dimensions).
    Len,
    /// (Str) -> Int.
    StrLen,
    /// (list, dim: Int) -> Int: size of one dimension.
    Dim,
    /// (list) -> Int: number of dimensions.
    NDim,
    /// (d1: Int, ..., dn: Int) -> List(T, n): zero-initialised array (`array(...)`).
    ArrayNew,
    /// () -> Float in [0, 1): the core's deterministic generator.
    Random,
    /// () -> Int, non-negative: the core's deterministic generator (C `rand()` style).
    RandInt,
    /// (seed: Int) -> None.
    Seed,
    /// (a: Int|Float, b: same) -> same: minimum / maximum.
    Min,
    Max,
    /// (Int|Float) -> same.
    Abs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReduceOp {
    Sum = 0,
    Min = 1,
    Max = 2,
    Prod = 3,
}

/// Maths functions; the numbering is ePython's `rtl_math` op code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathFn {
    Sqrt = 0,
    Sin = 1,
    Cos = 2,
    Tan = 3,
    Asin = 4,
    Acos = 5,
    Atan = 6,
    Sinh = 7,
    Cosh = 8,
    Tanh = 9,
    Floor = 10,
    Ceil = 11,
    Log = 12,
    Log10 = 13,
    Exp = 15,
}

impl Program {
    pub fn func(&self, id: FuncId) -> &Function {
        &self.funcs[id.index()]
    }

    /// Checks the invariants listed in the crate documentation; returns the first violation.
    /// Producers call it in debug builds and tests.
    pub fn validate(&self) -> Result<(), String> {
        for f in &self.funcs {
            let mut v = Validator {
                prog: self,
                func: f,
            };
            v.block(&f.body).map_err(|e| format!("{}: {e}", f.symbol))?;
        }
        Ok(())
    }
}

struct Validator<'a> {
    prog: &'a Program,
    func: &'a Function,
}

impl Validator<'_> {
    fn var_ty(&self, v: LocalOrGlobal) -> &Ty {
        match v {
            LocalOrGlobal::Local(l) => &self.func.locals[l.index()].ty,
            LocalOrGlobal::Global(g) => &self.prog.globals[g.index()].ty,
        }
    }

    fn block(&mut self, b: &Block) -> Result<(), String> {
        b.iter().try_for_each(|s| self.stmt(s))
    }

    fn stmt(&mut self, s: &Stmt) -> Result<(), String> {
        let at = |m: String| format!("line {}: {m}", s.pos.line);
        match &s.kind {
            StmtKind::Assign(place, value) => {
                self.expr(value)?;
                let want = match place {
                    Place::Var(v) => self.var_ty(*v).clone(),
                    Place::Index { list, indices } => {
                        self.expr(list)?;
                        indices.iter().try_for_each(|i| self.expr(i))?;
                        match &list.ty {
                            Ty::List(e, _) => (**e).clone(),
                            t => return Err(at(format!("indexed store into {t}"))),
                        }
                    }
                };
                if want != value.ty {
                    return Err(at(format!("assigns {} to a {want} place", value.ty)));
                }
                Ok(())
            }
            StmtKind::Expr(e) | StmtKind::Print(e) => self.expr(e),
            StmtKind::If {
                cond,
                then_body,
                else_body,
            } => {
                self.cond(cond).map_err(at)?;
                self.expr(cond)?;
                self.block(then_body)?;
                self.block(else_body)
            }
            StmtKind::While { cond, body } => {
                self.cond(cond).map_err(at)?;
                self.expr(cond)?;
                self.block(body)
            }
            StmtKind::ForRange {
                start,
                stop,
                step,
                body,
                ..
            } => {
                for e in [start, stop, step] {
                    self.expr(e)?;
                    if e.ty != Ty::Int {
                        return Err(at("range bound is not int".into()));
                    }
                }
                self.block(body)
            }
            StmtKind::ForList { list, body, .. } => {
                self.expr(list)?;
                self.block(body)
            }
            StmtKind::Return(Some(e)) => {
                self.expr(e)?;
                if e.ty != self.func.ret {
                    return Err(at(format!(
                        "returns {} from a {} function",
                        e.ty, self.func.ret
                    )));
                }
                Ok(())
            }
            StmtKind::Return(None)
            | StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Exit
            | StmtKind::Raise(..) => Ok(()),
        }
    }

    fn cond(&self, e: &Expr) -> Result<(), String> {
        if e.ty == Ty::Bool {
            Ok(())
        } else {
            Err(format!("condition of type {}", e.ty))
        }
    }

    fn expr(&mut self, e: &Expr) -> Result<(), String> {
        let at = |m: String| format!("line {}: {m}", e.pos.line);
        match &e.kind {
            ExprKind::Binary(op, a, b) => {
                self.expr(a)?;
                self.expr(b)?;
                let ok = match op {
                    BinOp::Repeat => a.ty == Ty::Str && b.ty == Ty::Int,
                    BinOp::Concat => a.ty == Ty::Str && b.ty == Ty::Str,
                    _ => a.ty == b.ty && a.ty.is_numeric(),
                };
                if !ok {
                    return Err(at(format!("{op:?} on {} and {}", a.ty, b.ty)));
                }
                Ok(())
            }
            ExprKind::Compare(_, a, b) => {
                self.expr(a)?;
                self.expr(b)?;
                if a.ty != b.ty {
                    return Err(at(format!("comparison of {} and {}", a.ty, b.ty)));
                }
                Ok(())
            }
            ExprKind::Unary(_, a) | ExprKind::Convert(a) => self.expr(a),
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                self.expr(a)?;
                self.expr(b)
            }
            ExprKind::Select {
                cond,
                then_value,
                else_value,
            } => {
                self.cond(cond).map_err(at)?;
                self.expr(cond)?;
                self.expr(then_value)?;
                self.expr(else_value)
            }
            ExprKind::Call { func, args } => {
                let callee = self.prog.func(*func);
                if callee.params.len() != args.len() {
                    return Err(at(format!(
                        "call of {} with {} args",
                        callee.symbol,
                        args.len()
                    )));
                }
                for (p, a) in callee.params.iter().zip(args) {
                    self.expr(a)?;
                    if callee.locals[p.index()].ty != a.ty {
                        return Err(at(format!(
                            "argument of type {} to {}",
                            a.ty, callee.symbol
                        )));
                    }
                }
                if callee.ret != e.ty {
                    return Err(at(format!(
                        "call typed {} of a {} function",
                        e.ty, callee.ret
                    )));
                }
                Ok(())
            }
            ExprKind::Intrinsic { args, .. } => args.iter().try_for_each(|a| self.expr(a)),
            ExprKind::CallIndirect { callee, args, .. } => {
                self.expr(callee)?;
                args.iter().try_for_each(|a| self.expr(a))
            }
            ExprKind::Index { list, indices } => {
                self.expr(list)?;
                indices.iter().try_for_each(|i| self.expr(i))
            }
            ExprKind::ListLit(items) => items.iter().try_for_each(|i| self.expr(i)),
            ExprKind::ListRepeat { items, count } => {
                items.iter().try_for_each(|i| self.expr(i))?;
                self.expr(count)
            }
            ExprKind::Const(_) | ExprKind::Var(_) | ExprKind::FuncRef(_) => Ok(()),
        }
    }
}
