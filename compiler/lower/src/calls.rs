//! Calls through function values known only at run time: compare the index with each
//! candidate and call it directly; an index that is none of them is a runtime type error.

use crate::function::FnLowerer;
use crate::statics::NOT_A_FUNCTION;
use crate::types::value_type;
use anyhow::Result;
use cranelift_codegen::ir::{condcodes::IntCC, BlockArg, InstBuilder, Value};
use epyc_rt_abi::RtError;
use epyc_tir::{Expr, FuncId};

impl FnLowerer<'_, '_> {
    pub fn call_indirect(
        &mut self,
        e: &Expr,
        callee: &Expr,
        candidates: &[FuncId],
        args: &[Expr],
    ) -> Result<Option<Value>> {
        let index = self.value(callee)?;
        let vals = self.args(args)?;
        let merge = self.b.create_block();
        let res = value_type(&e.ty, self.ptr).map(|t| self.b.append_block_param(merge, t));
        for &c in candidates {
            let hit = self.b.create_block();
            let next = self.b.create_block();
            let is = self.b.ins().icmp_imm_u(IntCC::Equal, index, c.0 as i64);
            self.b.ins().brif(is, hit, &[], next, &[]);
            self.switch_to(hit);
            let r = self.call_func(c, &vals)?;
            let out: Vec<BlockArg> = r.into_iter().map(Into::into).collect();
            self.b.ins().jump(merge, &out);
            self.switch_to(next);
        }
        let current = self.b.current_block().expect("in a block");
        self.b.set_cold_block(current);
        let detail = self.extra_string(NOT_A_FUNCTION);
        self.emit_error_detail(RtError::TypeError, detail, e.pos);
        self.switch_to(merge);
        Ok(res)
    }
}
