//! Flow-sensitive variables: a function's local that is assigned values of unrelated kinds at
//! different times (`x = 1 ... x = "s"`) is split into *webs* — the classic def-use webs:
//! definitions joined whenever one use can see several of them (reaching definitions over
//! the function's structured control flow). Each web is typed on its own, so only a use that
//! really sees two kinds (`if c: x = 1 else: x = "s"` then `print x`) is dynamic.

use crate::names::nested_blocks;
use epyc_syntax::ast;
use rustpython_parser::ast::Ranged;
use std::collections::{BTreeSet, HashMap, HashSet};

/// What every name occurrence of a function's locals is called after splitting. Names of
/// later webs get a `#k` suffix; [`display`] gives the source name back.
#[derive(Clone, Debug, Default)]
pub struct Webs {
    /// Byte offset of a read -> variable.
    pub uses: HashMap<u32, String>,
    /// Byte offset of an assignment target (`x = `, `x += `, `for x in`) -> variable.
    pub defs: HashMap<u32, String>,
    /// Every variable name the splitting made (besides the source names).
    pub names: HashSet<String>,
}

/// The source name of a (possibly split) variable.
pub fn display(name: &str) -> &str {
    name.split('#').next().unwrap_or(name)
}

type Env = HashMap<String, BTreeSet<u32>>;

struct Rd<'a> {
    locals: &'a HashSet<String>,
    /// Definitions: (variable, offset); params use offsets from u32::MAX down.
    defs: Vec<(String, u32)>,
    def_at: HashMap<u32, u32>,
    /// Reads: offset -> (variable, definitions that reach it).
    uses: HashMap<u32, (String, BTreeSet<u32>)>,
    breaks: Vec<Vec<Env>>,
    conts: Vec<Vec<Env>>,
}

/// Splits the locals of a function body into webs.
pub fn split(body: &[ast::Stmt], params: &[String], locals: &HashSet<String>) -> Webs {
    let mut rd = Rd {
        locals,
        defs: vec![],
        def_at: HashMap::new(),
        uses: HashMap::new(),
        breaks: vec![],
        conts: vec![],
    };
    let mut env = Env::new();
    for (i, p) in params.iter().enumerate() {
        rd.def(p, u32::MAX - i as u32, &mut env);
    }
    rd.block(body, Some(env));
    rd.webs()
}

fn union(a: Option<Env>, b: Option<Env>) -> Option<Env> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(mut a), Some(b)) => {
            for (k, v) in b {
                a.entry(k).or_default().extend(v);
            }
            Some(a)
        }
    }
}

impl Rd<'_> {
    fn def(&mut self, name: &str, offset: u32, env: &mut Env) {
        let id = *self.def_at.entry(offset).or_insert_with(|| {
            self.defs.push((name.to_string(), offset));
            self.defs.len() as u32 - 1
        });
        env.insert(name.to_string(), BTreeSet::from([id]));
    }

    fn target(&mut self, t: &ast::Expr, env: &mut Env) {
        match t {
            ast::Expr::Name(n) if self.locals.contains(n.id.as_str()) => {
                self.def(n.id.as_str(), t.range().start().to_u32(), env)
            }
            ast::Expr::Name(_) => {}
            other => self.expr(other, env), // a[i] = ...: reads a and i
        }
    }

    fn expr(&mut self, e: &ast::Expr, env: &Env) {
        match e {
            ast::Expr::Name(n) if self.locals.contains(n.id.as_str()) => {
                let reaching = env.get(n.id.as_str()).cloned().unwrap_or_default();
                let u = self
                    .uses
                    .entry(e.range().start().to_u32())
                    .or_insert_with(|| (n.id.to_string(), BTreeSet::new()));
                u.1.extend(reaching);
            }
            ast::Expr::BinOp(b) => {
                self.expr(&b.left, env);
                self.expr(&b.right, env);
            }
            ast::Expr::UnaryOp(u) => self.expr(&u.operand, env),
            ast::Expr::BoolOp(b) => b.values.iter().for_each(|v| self.expr(v, env)),
            ast::Expr::Compare(c) => {
                self.expr(&c.left, env);
                c.comparators.iter().for_each(|v| self.expr(v, env));
            }
            ast::Expr::Call(c) => {
                self.expr(&c.func, env);
                c.args.iter().for_each(|v| self.expr(v, env));
            }
            ast::Expr::IfExp(i) => {
                self.expr(&i.test, env);
                self.expr(&i.body, env);
                self.expr(&i.orelse, env);
            }
            ast::Expr::Subscript(s) => {
                self.expr(&s.value, env);
                self.expr(&s.slice, env);
            }
            ast::Expr::List(l) => l.elts.iter().for_each(|v| self.expr(v, env)),
            ast::Expr::Tuple(l) => l.elts.iter().for_each(|v| self.expr(v, env)),
            ast::Expr::Attribute(a) => self.expr(&a.value, env),
            ast::Expr::Starred(s) => self.expr(&s.value, env),
            _ => {}
        }
    }

    fn block(&mut self, body: &[ast::Stmt], mut env: Option<Env>) -> Option<Env> {
        for s in body {
            env = self.stmt(s, env?);
        }
        env
    }

    fn stmt(&mut self, s: &ast::Stmt, mut env: Env) -> Option<Env> {
        match s {
            ast::Stmt::Expr(e) => self.expr(&e.value, &env),
            ast::Stmt::Assign(a) => {
                self.expr(&a.value, &env);
                for t in &a.targets {
                    self.target(t, &mut env);
                }
            }
            ast::Stmt::AugAssign(a) => {
                self.expr(&a.target, &env);
                self.expr(&a.value, &env);
                self.target(&a.target, &mut env);
            }
            ast::Stmt::Return(r) => {
                if let Some(v) = &r.value {
                    self.expr(v, &env);
                }
                return None;
            }
            ast::Stmt::Break(_) => {
                if let Some(b) = self.breaks.last_mut() {
                    b.push(env);
                }
                return None;
            }
            ast::Stmt::Continue(_) => {
                if let Some(c) = self.conts.last_mut() {
                    c.push(env);
                }
                return None;
            }
            ast::Stmt::If(i) => {
                self.expr(&i.test, &env);
                let a = self.block(&i.body, Some(env.clone()));
                let b = self.block(&i.orelse, Some(env));
                return union(a, b);
            }
            ast::Stmt::While(w) => return self.looped(s, &w.body, env),
            ast::Stmt::For(f) => {
                self.expr(&f.iter, &env);
                return self.looped(s, &f.body, env);
            }
            _ => {
                for inner in nested_blocks(s) {
                    env = self.block(inner, Some(env))?;
                }
            }
        }
        Some(env)
    }

    /// A loop: the head sees the entry and every back edge; iterate to the fixpoint.
    fn looped(&mut self, s: &ast::Stmt, body: &[ast::Stmt], entry: Env) -> Option<Env> {
        let mut head = entry.clone();
        loop {
            self.breaks.push(vec![]);
            self.conts.push(vec![]);
            let mut env = head.clone();
            match s {
                ast::Stmt::While(w) => self.expr(&w.test, &env),
                ast::Stmt::For(f) => self.target(&f.target, &mut env),
                _ => {}
            }
            let end = self.block(body, Some(env));
            let breaks = self.breaks.pop().unwrap_or_default();
            let conts = self.conts.pop().unwrap_or_default();
            let mut next = union(Some(entry.clone()), end);
            for c in conts {
                next = union(next, Some(c));
            }
            let next = next.unwrap_or_default();
            if next == head {
                let mut exit = Some(head);
                for b in breaks {
                    exit = union(exit, Some(b));
                }
                return exit;
            }
            head = next;
        }
    }

    fn webs(self) -> Webs {
        let n = self.defs.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn find(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        for (_, ds) in self.uses.values() {
            let ds: Vec<usize> = ds.iter().map(|&d| d as usize).collect();
            for w in ds.windows(2) {
                let (a, b) = (find(&mut parent, w[0]), find(&mut parent, w[1]));
                parent[b] = a;
            }
        }
        // Name the webs of each variable in order of their first definition (parameters
        // first): the first keeps the source name.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&d| {
            let off = self.defs[d].1;
            (off < u32::MAX - 4096, off) // parameters (top offsets) first
        });
        let mut web_name: HashMap<usize, String> = HashMap::new();
        let mut count: HashMap<&str, usize> = HashMap::new();
        for &d in &order {
            let root = find(&mut parent, d);
            if web_name.contains_key(&root) {
                continue;
            }
            let var = self.defs[d].0.as_str();
            let k = count.entry(var).or_insert(0);
            *k += 1;
            let name = if *k == 1 {
                var.to_string()
            } else {
                format!("{var}#{k}")
            };
            web_name.insert(root, name);
        }
        let mut webs = Webs::default();
        for d in 0..n {
            let root = find(&mut parent, d);
            let name = web_name[&root].clone();
            if name.contains('#') {
                webs.names.insert(name.clone());
            }
            let off = self.defs[d].1;
            if off < u32::MAX - 4096 {
                webs.defs.insert(off, name);
            }
        }
        for (off, (var, ds)) in &self.uses {
            let name = match ds.iter().next() {
                Some(&d) => web_name[&find(&mut parent, d as usize)].clone(),
                // Reached by no assignment: a name of its own, never assigned.
                None => format!("{var}#unassigned"),
            };
            if name.contains('#') {
                webs.names.insert(name.clone());
            }
            webs.uses.insert(*off, name);
        }
        webs
    }
}
