//! Statements other than loops.

use crate::function::{FnLowerer, TRAP_AFTER_NORETURN};
use anyhow::{anyhow, Result};
use cranelift_codegen::ir::InstBuilder;
use epyc_rt_abi::RtFn;
use epyc_tir::{Place, Stmt, StmtKind};

impl FnLowerer<'_, '_> {
    /// One statement; its instructions carry its line as their source location, so the
    /// Epiphany image's line table maps code back to statements.
    pub fn stmt(&mut self, s: &Stmt) -> Result<()> {
        self.set_pos(s.pos);
        let r = self.stmt_kind(s);
        // code after a compound statement's body (an if's merge) is the statement's own
        self.set_pos(s.pos);
        r
    }

    fn stmt_kind(&mut self, s: &Stmt) -> Result<()> {
        match &s.kind {
            StmtKind::Assign(Place::Var(v), value) => {
                let x = self.expr(value)?;
                self.write_var(*v, x)
            }
            StmtKind::Assign(Place::Index { list, indices }, value) => {
                // Python evaluates the value before the target's subscripts.
                let x = self.expr(value)?;
                let l = self.value(list)?;
                self.store_element(l, list, indices, x, s.pos)
            }
            StmtKind::Expr(e) => self.expr(e).map(drop),
            StmtKind::Print(e) => self.print(e),
            StmtKind::If {
                cond,
                then_body,
                else_body,
            } => {
                let c = self.value(cond)?;
                let then_b = self.b.create_block();
                let else_b = self.b.create_block();
                let merge = self.b.create_block();
                self.b.ins().brif(c, then_b, &[], else_b, &[]);
                self.switch_to(then_b);
                self.block(then_body)?;
                self.b.ins().jump(merge, &[]);
                self.switch_to(else_b);
                self.block(else_body)?;
                self.b.ins().jump(merge, &[]);
                self.switch_to(merge);
                Ok(())
            }
            StmtKind::While { cond, body } => self.while_loop(cond, body),
            StmtKind::ForRange {
                var,
                start,
                stop,
                step,
                body,
            } => self.for_range(*var, start, stop, step, body, s.pos),
            StmtKind::ForList { var, list, body } => self.for_list(*var, list, body),
            StmtKind::Break => {
                let l = self.innermost_loop()?;
                self.b.ins().jump(l.brk, &[]);
                Ok(())
            }
            StmtKind::Continue => {
                let l = self.innermost_loop()?;
                self.b.ins().jump(l.cont, &[]);
                Ok(())
            }
            StmtKind::Return(value) => {
                let v = match value {
                    Some(e) => self.expr(e)?,
                    None => None,
                };
                self.emit_return(v);
                Ok(())
            }
            StmtKind::Exit => {
                self.call_rt(RtFn::Exit, &[]);
                self.b.ins().trap(TRAP_AFTER_NORETURN);
                Ok(())
            }
            StmtKind::Raise(err, detail) => {
                match detail {
                    Some(d) => {
                        let d = self.string_const(*d)?;
                        self.emit_error_detail(*err, d, s.pos);
                    }
                    None => self.emit_error(*err, s.pos),
                }
                Ok(())
            }
        }
    }

    fn innermost_loop(&self) -> Result<crate::function::LoopExits> {
        self.loops
            .last()
            .copied()
            .ok_or_else(|| anyhow!("internal error: break or continue outside a loop"))
    }
}
