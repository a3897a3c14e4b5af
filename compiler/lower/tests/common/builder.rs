//! Small helpers to write TIR programs by hand in tests (shared with epyc-host's tests).
#![allow(dead_code)]

use epyc_tir::*;

/// Every helper places its node on line 1 unless `at` moves it.
pub const P: Pos = Pos {
    file: 0,
    line: 1,
    col: 1,
};

pub fn at(line: u32, mut e: Expr) -> Expr {
    e.pos.line = line;
    e
}

pub fn st(kind: StmtKind) -> Stmt {
    Stmt { kind, pos: P }
}

pub fn st_at(line: u32, kind: StmtKind) -> Stmt {
    Stmt {
        kind,
        pos: Pos { line, ..P },
    }
}

pub fn ex(kind: ExprKind, ty: Ty) -> Expr {
    Expr { kind, ty, pos: P }
}

pub fn int(i: i32) -> Expr {
    ex(ExprKind::Const(Const::Int(i)), Ty::Int)
}
pub fn flt(f: f32) -> Expr {
    ex(ExprKind::Const(Const::Float(f)), Ty::Float)
}
pub fn boolean(b: bool) -> Expr {
    ex(ExprKind::Const(Const::Bool(b)), Ty::Bool)
}
pub fn none() -> Expr {
    ex(ExprKind::Const(Const::None), Ty::None)
}
pub fn string(id: StrId) -> Expr {
    ex(ExprKind::Const(Const::Str(id)), Ty::Str)
}
pub fn list_ty(elem: Ty) -> Ty {
    Ty::list_of(elem)
}

pub fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    let ty = a.ty.clone();
    ex(ExprKind::Binary(op, Box::new(a), Box::new(b)), ty)
}
pub fn add(a: Expr, b: Expr) -> Expr {
    bin(BinOp::Add, a, b)
}
pub fn sub(a: Expr, b: Expr) -> Expr {
    bin(BinOp::Sub, a, b)
}
pub fn mul(a: Expr, b: Expr) -> Expr {
    bin(BinOp::Mul, a, b)
}
pub fn cmp(op: CmpOp, a: Expr, b: Expr) -> Expr {
    ex(ExprKind::Compare(op, Box::new(a), Box::new(b)), Ty::Bool)
}
pub fn neg(a: Expr) -> Expr {
    let ty = a.ty.clone();
    ex(ExprKind::Unary(UnOp::Neg, Box::new(a)), ty)
}
pub fn not(a: Expr) -> Expr {
    ex(ExprKind::Unary(UnOp::Not, Box::new(a)), Ty::Bool)
}
pub fn conv(a: Expr, to: Ty) -> Expr {
    ex(ExprKind::Convert(Box::new(a)), to)
}
pub fn and(a: Expr, b: Expr) -> Expr {
    let ty = a.ty.clone();
    ex(ExprKind::And(Box::new(a), Box::new(b)), ty)
}
pub fn or(a: Expr, b: Expr) -> Expr {
    let ty = a.ty.clone();
    ex(ExprKind::Or(Box::new(a), Box::new(b)), ty)
}
pub fn select(c: Expr, a: Expr, b: Expr) -> Expr {
    let ty = a.ty.clone();
    ex(
        ExprKind::Select {
            cond: Box::new(c),
            then_value: Box::new(a),
            else_value: Box::new(b),
        },
        ty,
    )
}
pub fn intr(op: Intrinsic, args: Vec<Expr>, ty: Ty) -> Expr {
    ex(ExprKind::Intrinsic { op, args }, ty)
}
pub fn index(list: Expr, indices: Vec<Expr>) -> Expr {
    let Ty::List(elem, _) = &list.ty else {
        panic!("index of a non-list in a test")
    };
    let ty = (**elem).clone();
    ex(
        ExprKind::Index {
            list: Box::new(list),
            indices,
        },
        ty,
    )
}
pub fn list_lit(elem: Ty, items: Vec<Expr>) -> Expr {
    ex(ExprKind::ListLit(items), list_ty(elem))
}
pub fn list_repeat(elem: Ty, items: Vec<Expr>, count: Expr) -> Expr {
    ex(
        ExprKind::ListRepeat {
            items,
            count: Box::new(count),
        },
        list_ty(elem),
    )
}

pub fn print(e: Expr) -> Stmt {
    st(StmtKind::Print(e))
}
pub fn expr_stmt(e: Expr) -> Stmt {
    st(StmtKind::Expr(e))
}
pub fn ret(e: Expr) -> Stmt {
    st(StmtKind::Return(Some(e)))
}
pub fn if_(c: Expr, then_body: Vec<Stmt>, else_body: Vec<Stmt>) -> Stmt {
    st(StmtKind::If {
        cond: c,
        then_body,
        else_body,
    })
}
pub fn for_range(var: &Var, start: Expr, stop: Expr, step: Expr, body: Vec<Stmt>) -> Stmt {
    st(StmtKind::ForRange {
        var: var.0,
        start,
        stop,
        step,
        body,
    })
}
pub fn for_list(var: &Var, list: Expr, body: Vec<Stmt>) -> Stmt {
    st(StmtKind::ForList {
        var: var.0,
        list,
        body,
    })
}
pub fn while_(c: Expr, body: Vec<Stmt>) -> Stmt {
    st(StmtKind::While { cond: c, body })
}

/// A function under construction.
pub struct Func {
    pub f: Function,
}

impl Func {
    pub fn new(name: &str, ret: Ty) -> Func {
        Func {
            f: Function {
                name: name.into(),
                symbol: format!("{name}$t"),
                params: vec![],
                locals: vec![],
                ret,
                body: vec![],
                pos: P,
            },
        }
    }
    pub fn local(&mut self, name: &str, ty: Ty) -> Var {
        self.f.locals.push(Local {
            name: name.into(),
            ty: ty.clone(),
        });
        Var(
            LocalOrGlobal::Local(LocalId(self.f.locals.len() as u32 - 1)),
            ty,
        )
    }
    pub fn param(&mut self, name: &str, ty: Ty) -> Var {
        let v = self.local(name, ty);
        if let LocalOrGlobal::Local(l) = v.0 {
            self.f.params.push(l);
        }
        v
    }
    pub fn push(&mut self, s: Stmt) {
        self.f.body.push(s);
    }
}

/// A variable with its type: `v.get()` reads, `v.set(e)` assigns.
#[derive(Clone)]
pub struct Var(pub LocalOrGlobal, pub Ty);

impl Var {
    pub fn get(&self) -> Expr {
        ex(ExprKind::Var(self.0), self.1.clone())
    }
    pub fn set(&self, e: Expr) -> Stmt {
        st(StmtKind::Assign(Place::Var(self.0), e))
    }
}

pub fn set_index(list: Expr, indices: Vec<Expr>, value: Expr) -> Stmt {
    st(StmtKind::Assign(Place::Index { list, indices }, value))
}

/// A program under construction; function 0 is `main`.
pub struct Prog {
    pub p: Program,
}

impl Default for Prog {
    fn default() -> Self {
        Self::new()
    }
}

impl Prog {
    pub fn new() -> Prog {
        Prog {
            p: Program {
                files: vec!["test.py".into()],
                funcs: vec![],
                globals: vec![],
                strings: vec![],
                main: FuncId(0),
            },
        }
    }
    pub fn string(&mut self, s: &str) -> Expr {
        self.p.strings.push(s.into());
        string(StrId(self.p.strings.len() as u32 - 1))
    }
    pub fn global(&mut self, name: &str, ty: Ty) -> Var {
        self.p.globals.push(Global {
            name: name.into(),
            ty: ty.clone(),
        });
        Var(
            LocalOrGlobal::Global(GlobalId(self.p.globals.len() as u32 - 1)),
            ty,
        )
    }
    /// Reserves a function id (so bodies can call functions defined later).
    pub fn reserve(&mut self, name: &str, ret: Ty) -> FuncId {
        self.p.funcs.push(Func::new(name, ret).f);
        FuncId(self.p.funcs.len() as u32 - 1)
    }
    pub fn define(&mut self, id: FuncId, f: Func) {
        self.p.funcs[id.index()] = f.f;
    }
    pub fn add(&mut self, f: Func) -> FuncId {
        self.p.funcs.push(f.f);
        FuncId(self.p.funcs.len() as u32 - 1)
    }
    pub fn call(&self, id: FuncId, args: Vec<Expr>) -> Expr {
        let ty = self.p.funcs[id.index()].ret.clone();
        ex(ExprKind::Call { func: id, args }, ty)
    }
}

/// A program whose main is `body` (no other functions).
pub fn main_only(body: Vec<Stmt>) -> Program {
    let mut p = Prog::new();
    let mut m = Func::new("main", Ty::None);
    m.f.body = body;
    p.add(m);
    p.p
}
