//! Reset vector and start-up: set the stack, find this core's index from COREID and the
//! group header the monitor wrote, fill the runtime state (core table, mailbox slot, heaps),
//! call the program's entry with the globals base, then exit.
//!
//! Also the stack check's two symbols (`epyc_epiphany::Flags::stack_check`): the limit word
//! and the routine a prologue calls when its frame would go below it.
//!
//! The globals are zeroed here. The runtime state is not: other cores may already be writing
//! into this core's postboxes, so it relies on the loader clearing SRAM (e-hal zeroes every
//! core's SRAM before loading; the simulator starts zeroed).

/// The IVT: only the reset (SYNC) vector is used.
pub fn ivt_text() -> String {
    "_epyc_reset_vector:\n b _epyc_start\n".to_string()
}

/// `___epyc_stack_limit`: the lowest sp a compiled prologue may leave, leaving
/// `RUNTIME_STACK_RESERVE` bytes for the runtime routines compiled code calls.
/// `___epyc_stack_overflow(pos r0)`: called by a prologue that went below it (before it stored
/// anything there); reports the error at `pos` and ends the core. The program's frames are no
/// longer needed, so the report runs on a fresh stack from the top.
pub fn stack_check_text() -> String {
    format!(
        r#"
.global ___epyc_stack_limit
___epyc_stack_limit:
 .word {guard}

.global ___epyc_stack_overflow
___epyc_stack_overflow:
 li sp,{top}
 mov r1,r0
 mov r0,#{code}
 b _epyc_error
"#,
        guard = crate::memmap::STACK_GUARD,
        top = crate::memmap::STACK_TOP,
        code = epyc_rt_abi::RtError::StackOverflow as u32,
    )
}

pub fn text() -> String {
    r#"
.global _epyc_start
_epyc_start:
 li sp,{STACK_TOP}
 mov fp,#0
 li r16,{STATE}
 li r17,{MAILBOX}
_start_wait_go:
 ldr r0,[r17,#{H_GO}]
 add r0,r0,#0
 beq _start_wait_go
 ldr r1,[r17,#{H_NCORES}]
 str r1,[r16,#{ST_NCORES}]
 ldr r18,[r17,#{H_ALL_CORES}]
 str r18,[r16,#{ST_ALL_CORES}]
 ldr r2,[r17,#{H_FIRST_ROW}]
 ldr r3,[r17,#{H_FIRST_COL}]
 ldr r4,[r17,#{H_COLS}]
 movfs r5,coreid
 lsl r0,r5,#20
 str r0,[r16,#{ST_MY_BASE}]
 lsr r6,r5,#6
 mov r7,#63
 and r7,r5,r7
 sub r6,r6,r2
 sub r7,r7,r3
 mov r8,r7
_start_index:
 add r6,r6,#0
 beq _start_index_done
 add r8,r8,r4
 sub r6,r6,#1
 b _start_index
_start_index_done:
 str r8,[r16,#{ST_MY_INDEX}]
 mov r9,#0
 mov r10,r2
 mov r11,r3
 mov r12,#0
_start_table:
 sub r0,r9,r1
 bgte _start_table_done
 lsl r0,r10,#26
 lsl r18,r11,#20
 orr r0,r0,r18
 lsl r19,r9,#2
 add r19,r19,r16
 str r0,[r19,#{ST_CORE_BASE}]
 add r9,r9,#1
 add r11,r11,#1
 add r12,r12,#1
 sub r0,r12,r4
 bne _start_table
 mov r12,#0
 mov r11,r3
 add r10,r10,#1
 b _start_table
_start_table_done:
 lsl r0,r8,#{SLOT_SHIFT}
 add r0,r0,r17
 add r0,r0,#{HDR_BYTES}
 str r0,[r16,#{ST_SLOT}]
 mov r18,#{RUNNING}
 str r18,[r0,#{S_STATE}]
 lsl r0,r8,#16
 li r18,{REPLY_BASE}
 add r0,r0,r18
 str r0,[r16,#{ST_REPLY}]
 lsl r0,r8,#20
 li r18,{DRAM_HEAP_BASE}
 add r0,r0,r18
 str r0,[r16,#{ST_DHEAP_PTR}]
 li r18,{DRAM_HEAP_STRIDE}
 add r0,r0,r18
 str r0,[r16,#{ST_DHEAP_END}]
 la r0,__epyc_heap_start
 add r0,r0,#7
 li r18,0xfffffff8
 and r0,r0,r18
 str r0,[r16,#{ST_HEAP_PTR}]
 la r0,__epyc_heap_end
 str r0,[r16,#{ST_HEAP_END}]
 ; zero this core's globals (a board may be restarted without reloading)
 la r0,__epyc_globals
 la r1,__epyc_heap_start
 mov r2,#0
_start_zero_globals:
 sub r3,r0,r1
 bgteu _start_call
 str r2,[r0],#1
 b _start_zero_globals
_start_call:
 la r0,__epyc_globals
 bl _epyc_main
 b _epyc_exit
"#
    .to_string()
}
