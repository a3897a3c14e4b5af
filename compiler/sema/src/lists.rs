//! List literals, `[x] * n`, and element access (one index per array dimension, level by
//! level for lists of lists).

use crate::engine::{Engine, Stop, R, V};
use crate::expr::article_cap;
use crate::func::Fx;
use crate::ty::{Site, T};
use epyc_syntax::ast;
use epyc_tir::{Const, Expr, ExprKind};

impl<'n> Engine<'n> {
    pub fn list_items(&mut self, fx: &mut Fx, l: &ast::ExprList, site: Site) -> R<(u32, Vec<V>)> {
        let class = self.lists.at_site(site, 1, &fx.ctx);
        let mut items = vec![];
        for e in &l.elts {
            items.push(self.expr(fx, e)?);
        }
        let has_int = items.iter().any(|v| v.1.is_intlike());
        let has_float = items.iter().any(|v| v.1 == T::Float);
        if has_int && has_float {
            self.lists
                .writes
                .entry(class)
                .or_default()
                .mixed_literal
                .get_or_insert(site);
        }
        for v in &items {
            let is_const = matches!(v.0.kind, ExprKind::Const(Const::Int(_)));
            if let Err(why) = self.lists.write(class, v.1, is_const, site) {
                let msg = format!("a list cannot hold {why} (a list of mixed kinds is dynamic)");
                return Err(self.error(site, msg));
            }
        }
        let class = self.lists.find(class);
        Ok((class, items))
    }

    pub fn coerce_items(&mut self, class: u32, items: Vec<V>, site: Site) -> Vec<Expr> {
        let elem = self.lists.class(class).elem;
        items
            .into_iter()
            .map(|v| self.coerce(v, elem, site))
            .collect()
    }

    pub fn list_lit(&mut self, fx: &mut Fx, l: &ast::ExprList, site: Site) -> R<V> {
        let (class, items) = self.list_items(fx, l, site)?;
        let items = self.coerce_items(class, items, site);
        let ty = self.ty(T::List(class));
        Ok((self.mk(ExprKind::ListLit(items), ty, site), T::List(class)))
    }

    /// `[a, b] * n`: the literal repeated (no intermediate list).
    pub fn list_repeat(
        &mut self,
        fx: &mut Fx,
        l: &ast::ExprList,
        count: &ast::Expr,
        site: Site,
    ) -> R<V> {
        let (class, items) = self.list_items(fx, l, site)?;
        let count = self.expr(fx, count)?;
        let items = self.coerce_items(class, items, site);
        if !(count.1.is_intlike() || count.1 == T::Bool || count.1 == T::Bottom) {
            let n = self.tname(count.1);
            return Err(self.error(
                site,
                format!("a list can only be repeated by an int, not {n}"),
            ));
        }
        let count = self.coerce(count, T::Int, site);
        let ty = self.ty(T::List(class));
        Ok((
            self.mk(
                ExprKind::ListRepeat {
                    items,
                    count: Box::new(count),
                },
                ty,
                site,
            ),
            T::List(class),
        ))
    }

    /// `a[i][j]...` as (list, its class, indices): one index per dimension.
    pub fn index_parts(&mut self, fx: &mut Fx, e: &ast::Expr) -> R<(Expr, u32, Vec<Expr>)> {
        let site = fx.site(e);
        let mut idx_ast = vec![];
        let mut base = e;
        while let ast::Expr::Subscript(s) = base {
            idx_ast.push(&*s.slice);
            base = &s.value;
        }
        idx_ast.reverse();
        let mut list = self.expr(fx, base)?;
        let mut rest = &idx_ast[..];
        loop {
            let T::List(class) = list.1 else {
                if list.1 == T::Bottom {
                    return Err(Stop::Error);
                }
                let n = self.tname(list.1);
                return Err(self.error(site, format!("{} cannot be indexed", article_cap(&n))));
            };
            // An array takes one index per dimension; a list of lists one per level.
            let ndim = self.lists.class(class).ndim as usize;
            if rest.len() < ndim {
                return Err(self.error(site, format!(
                    "this list has {ndim} dimension(s) and is indexed with {} index(es); use one index per dimension",
                    rest.len()
                )));
            }
            let mut indices = vec![];
            for i in &rest[..ndim] {
                if let ast::Expr::Slice(_) = i {
                    return Err(self.error(site, "slices are not supported in ePython"));
                }
                let v = self.expr(fx, i)?;
                if !(v.1.is_intlike() || v.1 == T::Bool || v.1 == T::Bottom) {
                    let n = self.tname(v.1);
                    return Err(self.error(site, format!("list indices must be ints, not {n}")));
                }
                indices.push(self.coerce(v, T::Int, site));
            }
            rest = &rest[ndim..];
            let class = self.lists.find(class);
            if rest.is_empty() {
                return Ok((list.0, class, indices));
            }
            let elem = self.lists.class(class).elem;
            let ty = self.elem_ty(elem);
            let read = self.mk(
                ExprKind::Index {
                    list: Box::new(list.0),
                    indices,
                },
                ty,
                site,
            );
            list = (read, elem);
        }
    }
}
