//! `native rtl_*(...)` calls of the library modules (mapped by `natives::native`) and the
//! typing of messages (SPMD: one program-wide type for `recv`).

use crate::engine::{Engine, Stop, VarFact, R, V};
use crate::expr::{article, article_cap};
use crate::func::Fx;
use crate::natives::{self, Native};
use crate::ty::{Site, T};
use epyc_syntax::ast;
use epyc_tir::{Const, Expr, ExprKind, Intrinsic};

impl<'n> Engine<'n> {
    /// `native rtl_x(args)` of the library modules.
    pub fn native(&mut self, fx: &mut Fx, name: &str, args: &[ast::Expr], site: Site) -> R<V> {
        let Some(native) = natives::native(name) else {
            return Err(self.error(site, format!("unknown native function '{name}'")));
        };
        let mut vals = self.args(fx, args)?;
        let want = |e: &mut Self, n: usize, vals: &Vec<V>| -> R<()> {
            if vals.len() != n {
                return Err(e.error(
                    site,
                    format!("native {name} takes {n} argument(s), {} given", vals.len()),
                ));
            }
            Ok(())
        };
        let int_arg = |e: &mut Self, v: V| -> R<Expr> {
            if !(v.1.is_intlike() || v.1 == T::Bool || v.1 == T::Bottom) {
                let n = e.tname(v.1);
                return Err(e.error(site, format!("native {name} needs an int here, not {n}")));
            }
            Ok(e.coerce(v, T::Int, site))
        };
        let const_int = |v: &V| match v.0.kind {
            ExprKind::Const(Const::Int(i)) => Some(i),
            _ => None,
        };
        let mk = |e: &mut Self, op: Intrinsic, args: Vec<Expr>, t: T| -> V {
            let ty = e.ty(t);
            (e.mk(ExprKind::Intrinsic { op, args }, ty, site), t)
        };
        use Intrinsic as I;
        match native {
            Native::Intr(op @ (I::CoreId | I::NumCores | I::RandInt)) => {
                want(self, 0, &vals)?;
                Ok(mk(self, op, vec![], T::Int))
            }
            Native::Intr(op @ (I::IsHost | I::IsDevice)) => {
                want(self, 0, &vals)?;
                Ok(mk(self, op, vec![], T::Bool))
            }
            Native::Intr(I::Sync) => {
                want(self, 0, &vals)?;
                Ok(mk(self, I::Sync, vec![], T::None))
            }
            Native::Intr(I::Random) => {
                want(self, 0, &vals)?;
                Ok(mk(self, I::Random, vec![], T::Float))
            }
            Native::Intr(op @ (I::Seed | I::Probe | I::TestSent | I::WaitSent)) => {
                want(self, 1, &vals)?;
                let a = int_arg(self, vals.remove(0))?;
                let t = if op == I::Seed { T::None } else { T::Bool };
                Ok(mk(self, op, vec![a], t))
            }
            Native::Intr(op @ (I::Send | I::SendNonBlocking)) => {
                want(self, 2, &vals)?;
                let dest = int_arg(self, vals.remove(1))?;
                let v = vals.remove(0);
                let v = self.message_value(fx, v, site, true)?;
                Ok(mk(self, op, vec![v, dest], T::None))
            }
            Native::Intr(op @ (I::SendRecv | I::Bcast)) => {
                // SPMD: every core runs this same call, so the partner's value has this
                // call's value type.
                want(self, 2, &vals)?;
                let other = int_arg(self, vals.remove(1))?;
                let v = vals.remove(0);
                let t = v.1.stored();
                let v = self.message_value(fx, v, site, false)?;
                Ok(mk(self, op, vec![v, other], t))
            }
            Native::Intr(I::Recv) => {
                want(self, 1, &vals)?;
                let src = int_arg(self, vals.remove(0))?;
                let t = self.received_type(site)?;
                Ok(mk(self, I::Recv, vec![src], t))
            }
            Native::RecvFunc => {
                want(self, 1, &vals)?;
                let src = int_arg(self, vals.remove(0))?;
                Ok(mk(self, I::Recv, vec![src], T::AnyFunc))
            }
            Native::Reduce => {
                want(self, 2, &vals)?;
                let Some(op) = const_int(&vals[1]).and_then(natives::reduce_op) else {
                    return Err(
                        self.error(site, "native rtl_reduce needs a constant operation 0..3")
                    );
                };
                let v = vals.remove(0);
                let t = match v.1 {
                    T::Float => T::Float,
                    T::Bottom => T::Bottom,
                    t if t.is_numeric() => T::Int,
                    t => {
                        let n = self.tname(t);
                        return Err(
                            self.error(site, format!("reduce needs an int or a float, not {n}"))
                        );
                    }
                };
                let e = self.coerce(v, t, site);
                Ok(mk(self, I::Reduce(op), vec![e], t))
            }
            Native::Math => {
                let code = vals.first().and_then(const_int);
                if code == Some(14) {
                    return Ok(mk(self, I::Random, vec![], T::Float));
                }
                want(self, 2, &vals)?;
                let Some(f) = code.and_then(natives::math_fn) else {
                    return Err(self.error(site, "native rtl_math needs a constant operation code"));
                };
                let v = vals.remove(1);
                if !(v.1.is_numeric() || v.1 == T::Bottom) {
                    let n = self.tname(v.1);
                    return Err(self.error(site, format!("maths functions take numbers, not {n}")));
                }
                let e = self.coerce(v, T::Float, site);
                Ok(mk(self, I::Math(f), vec![e], T::Float))
            }
            Native::Intr(op @ (I::Len | I::NDim)) => {
                want(self, 1, &vals)?;
                let v = vals.remove(0);
                self.need_list(&v, site)?;
                Ok(mk(self, op, vec![v.0], T::Int))
            }
            Native::Intr(I::Dim) => {
                want(self, 2, &vals)?;
                let d = int_arg(self, vals.remove(1))?;
                let v = vals.remove(0);
                self.need_list(&v, site)?;
                Ok(mk(self, I::Dim, vec![v.0, d], T::Int))
            }
            Native::Intr(I::ArrayNew) => {
                // Trailing none dimensions (defaults of array(d1, d2=none, ...)) are absent.
                while vals.last().is_some_and(|v| v.1 == T::None) {
                    vals.pop();
                }
                if vals.is_empty() || vals.len() > 7 {
                    return Err(self.error(site, "an array has 1 to 7 dimensions"));
                }
                let n = vals.len() as u8;
                let mut dims = vec![];
                for v in vals {
                    dims.push(int_arg(self, v)?);
                }
                let class = self.lists.at_site(site, n, &fx.ctx);
                Ok(mk(self, I::ArrayNew, dims, T::List(class)))
            }
            Native::Print | Native::NoOp => {
                Err(self.error(site, format!("native {name} is a statement, not a value")))
            }
            Native::Intr(op) => Err(self.internal(
                site.0,
                site.1,
                &format!("native {name} maps to {op:?}, which has no rule"),
            )),
        }
    }

    pub fn need_list(&mut self, v: &V, site: Site) -> R<()> {
        match v.1 {
            T::List(_) | T::Bottom => Ok(()),
            t => {
                let n = self.tname(t);
                Err(self.error(site, format!("a list is needed here, not {}", article(&n))))
            }
        }
    }

    /// A value sent in a message. `join` (send): its type joins the program-wide type of
    /// received messages; function values join the pool of functions callable at run time.
    pub fn message_value(&mut self, fx: &mut Fx, v: V, site: Site, join: bool) -> R<Expr> {
        match v.1 {
            T::Fn(d) => {
                if self.fn_pool.insert(d) {
                    self.changed = true;
                }
                Ok(self.coerce(v, T::AnyFunc, site))
            }
            T::AnyFunc => Ok(v.0),
            T::Bool | T::Int | T::IntNN | T::IntK(_) | T::Float | T::Str | T::Bottom => {
                if join && v.1 != T::Bottom {
                    let at = self.user_site(site);
                    self.join_message(v.1.stored(), at);
                }
                Ok(v.0)
            }
            t => {
                let n = self.tname(t);
                let _ = fx;
                Err(self.error(
                    site,
                    format!(
                        "{} cannot be sent as one message (send a list with send(data, pid, n))",
                        article_cap(&n)
                    ),
                ))
            }
        }
    }

    pub fn join_message(&mut self, t: T, site: Site) {
        match self.msg {
            None => {
                self.msg = Some(VarFact { t, site });
                self.changed = true;
            }
            Some(f) if f.t == t => {}
            Some(f) => {
                if self.msg_conflict.is_none() {
                    let why = format!("{} and {}", self.tname(f.t), self.tname(t));
                    self.msg_conflict = Some((why, f.site, site));
                    self.changed = true;
                }
            }
        }
    }

    /// The type of a received message: the one type sent anywhere in the program.
    pub fn received_type(&mut self, site: Site) -> R<T> {
        let site = self.user_site(site);
        if let Some((why, a, b)) = self.msg_conflict.clone() {
            let d = self.diag(site, format!(
                "this receive gets messages of different types ({why}, sent at lines {} and {}): dynamic",
                self.line(a),
                self.line(b)
            ));
            let d = self.note(d, a, "one type is sent here");
            let d = self.note(d, b, "another type is sent here");
            self.push_error(d);
            return Err(Stop::Error);
        }
        // Until a round has walked the whole program, a send may still come after this
        // receive: unknown yet (Bottom), not int, or the receiver's variables would keep an
        // int from the first round and turn dynamic once a float send is seen. Only the final
        // rounds know that nothing is sent at all: then int.
        Ok(self
            .msg
            .map_or(if self.final_rounds { T::Int } else { T::Bottom }, |f| f.t))
    }
}
