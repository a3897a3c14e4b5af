//! Float helper routines: `___divsf3`, correctly rounded (round to nearest even) like the
//! host's division, with the Epiphany FPU's flush-to-zero of denormal inputs and results.

pub fn text() -> String {
    r#"
.global ___divsf3
___divsf3:
 eor r16,r0,r1
 li r27,0x80000000
 and r16,r16,r27
 mov r26,#255
 lsr r17,r0,#23
 and r17,r17,r26
 lsr r18,r1,#23
 and r18,r18,r26
 li r25,0x7fffff
 and r19,r0,r25
 and r20,r1,r25
 sub r21,r17,r26
 beq _fdiv_a_special
 sub r21,r18,r26
 beq _fdiv_b_special
 add r17,r17,#0
 beq _fdiv_a_zero
 add r18,r18,#0
 beq _fdiv_inf
 li r24,0x800000
 orr r19,r19,r24
 orr r20,r20,r24
 sub r17,r17,r18
 add r17,r17,#127
 sub r21,r19,r20
 bgteu _fdiv_normalised
 lsl r19,r19,#1
 sub r17,r17,#1
_fdiv_normalised:
 mov r22,#0
 mov r23,#25
_fdiv_loop:
 lsl r22,r22,#1
 sub r21,r19,r20
 bltu _fdiv_skip
 mov r19,r21
 add r22,r22,#1
_fdiv_skip:
 lsl r19,r19,#1
 sub r23,r23,#1
 bne _fdiv_loop
 mov r21,#1
 and r23,r22,r21
 lsr r22,r22,#1
 add r23,r23,#0
 beq _fdiv_rounded
 add r19,r19,#0
 bne _fdiv_round_up
 and r21,r22,r21
 beq _fdiv_rounded
_fdiv_round_up:
 add r22,r22,#1
 li r21,0x1000000
 sub r21,r22,r21
 bne _fdiv_rounded
 lsr r22,r22,#1
 add r17,r17,#1
_fdiv_rounded:
 sub r21,r17,#0
 blte _fdiv_zero
 sub r21,r17,r26
 bgte _fdiv_inf
 and r22,r22,r25
 lsl r17,r17,#23
 orr r0,r22,r17
 orr r0,r0,r16
 rts
_fdiv_a_special:
 add r19,r19,#0
 bne _fdiv_nan_a
 sub r21,r18,r26
 beq _fdiv_nan
 b _fdiv_inf
_fdiv_b_special:
 add r20,r20,#0
 bne _fdiv_nan_b
 b _fdiv_zero
_fdiv_a_zero:
 add r18,r18,#0
 beq _fdiv_nan
_fdiv_zero:
 mov r0,r16
 rts
_fdiv_inf:
 li r0,0x7f800000
 orr r0,r0,r16
 rts
_fdiv_nan_a:
 li r21,0x400000
 orr r0,r0,r21
 rts
_fdiv_nan_b:
 li r21,0x400000
 orr r0,r1,r21
 rts
_fdiv_nan:
 li r0,0x7fc00000
 rts
"#
    .to_string()
}
