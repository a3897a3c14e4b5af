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

/// Conversions, rounding to integral values and the square root, all in integer arithmetic
/// so they never depend on the FPU's rounding mode.
pub fn rounding_text() -> String {
    r#"
; ___floatunsisf(u) -> float: values >= 2^31 are halved keeping a sticky bit, converted, doubled.
.global ___floatunsisf
___floatunsisf:
 add r0,r0,#0
 blt _fltu_big
 float r0,r0
 rts
_fltu_big:
 mov r16,#1
 and r16,r0,r16
 lsr r0,r0,#1
 orr r0,r0,r16
 float r0,r0
 fadd r0,r0,r0
 rts

; ___fixunssfsi(f) -> u32, truncating; negative and NaN give 0, too large gives 0xffffffff.
.global ___fixunssfsi
___fixunssfsi:
 add r0,r0,#0
 blt _fixu_zero
 lsr r16,r0,#23
 sub r17,r16,#127
 blt _fixu_zero
 sub r18,r16,#255
 beq _fixu_special
 sub r18,r17,#32
 bgte _fixu_max
 li r18,0x7fffff
 and r0,r0,r18
 li r18,0x800000
 orr r0,r0,r18
 sub r18,r17,#23
 blt _fixu_right
 lsl r0,r0,r18
 rts
_fixu_right:
 mov r19,#23
 sub r18,r19,r17
 lsr r0,r0,r18
 rts
_fixu_special:
 lsl r18,r0,#9
 bne _fixu_zero
_fixu_max:
 mov r0,#0
 sub r0,r0,#1
 rts
_fixu_zero:
 mov r0,#0
 rts

; __epyc_fsplit(x r0) -> r16 = unbiased exponent, r17 = fraction mask for it (valid when
; 0 <= exponent < 23), r18 = sign bit. Leaf.
.global __epyc_fsplit
__epyc_fsplit:
 lsr r16,r0,#23
 mov r17,#255
 and r16,r16,r17
 sub r16,r16,#127
 li r17,0x7fffff
 lsr r17,r17,r16
 li r18,0x80000000
 and r18,r0,r18
 rts

.global _truncf
_truncf:
 mov r20,lr
 bl __epyc_fsplit
 sub r19,r16,#23
 bgte _trunc_same
 add r16,r16,#0
 blt _trunc_zero
 mov r19,#0
 sub r19,r19,#1
 eor r17,r17,r19
 and r0,r0,r17
 jr r20
_trunc_zero:
 mov r0,r18
_trunc_same:
 jr r20

.global _floorf
_floorf:
 mov r20,lr
 bl __epyc_fsplit
 sub r19,r16,#23
 bgte _floor_same
 add r16,r16,#0
 bgte _floor_mid
 lsl r19,r0,#1
 beq _floor_same
 mov r0,#0
 add r18,r18,#0
 beq _floor_same
 li r0,0xbf800000
 jr r20
_floor_mid:
 and r19,r0,r17
 beq _floor_same
 add r18,r18,#0
 beq _floor_mask
 add r19,r17,#1
 add r0,r0,r19
_floor_mask:
 mov r19,#0
 sub r19,r19,#1
 eor r17,r17,r19
 and r0,r0,r17
_floor_same:
 jr r20

.global _ceilf
_ceilf:
 mov r20,lr
 bl __epyc_fsplit
 sub r19,r16,#23
 bgte _ceil_same
 add r16,r16,#0
 bgte _ceil_mid
 lsl r19,r0,#1
 beq _ceil_same
 mov r0,r18
 add r18,r18,#0
 bne _ceil_same
 li r0,0x3f800000
 jr r20
_ceil_mid:
 and r19,r0,r17
 beq _ceil_same
 add r18,r18,#0
 bne _ceil_mask
 add r19,r17,#1
 add r0,r0,r19
_ceil_mask:
 mov r19,#0
 sub r19,r19,#1
 eor r17,r17,r19
 and r0,r0,r17
_ceil_same:
 jr r20

; round half to even
.global _nearbyintf
_nearbyintf:
 mov r20,lr
 bl __epyc_fsplit
 sub r19,r16,#23
 bgte _near_same
 add r16,r16,#0
 bgte _near_mid
 add r19,r16,#1
 blt _near_zero
 ; 0.5 <= |x| < 1: exactly 0.5 goes to 0, the rest to 1
 li r19,0x7fffffff
 and r19,r0,r19
 li r21,0x3f000000
 sub r19,r19,r21
 beq _near_zero
 li r0,0x3f800000
 orr r0,r0,r18
 jr r20
_near_zero:
 mov r0,r18
 jr r20
_near_mid:
 and r19,r0,r17
 add r21,r17,#1
 lsr r22,r21,#1
 sub r23,r19,r22
 bltu _near_mask
 bne _near_up
 and r23,r0,r21
 beq _near_mask
_near_up:
 add r0,r0,r21
_near_mask:
 mov r19,#0
 sub r19,r19,#1
 eor r17,r17,r19
 and r0,r0,r17
_near_same:
 jr r20

; _sqrtf(x): correctly rounded; negative gives NaN, denormals are flushed to zero.
.global _sqrtf
_sqrtf:
 lsr r16,r0,#23
 mov r17,#255
 and r16,r16,r17
 li r18,0x80000000
 and r18,r0,r18
 sub r17,r16,#255
 beq _sqrt_special
 add r16,r16,#0
 beq _sqrt_zero
 add r18,r18,#0
 bne _sqrt_nan
 li r17,0x7fffff
 and r19,r0,r17
 li r17,0x800000
 orr r19,r19,r17
 sub r16,r16,#127
 mov r17,#1
 and r17,r16,r17
 beq _sqrt_even
 sub r16,r16,#1
 lsr r20,r19,#6
 lsl r21,r19,#26
 b _sqrt_start
_sqrt_even:
 lsr r20,r19,#7
 lsl r21,r19,#25
_sqrt_start:
 asr r16,r16,#1
 mov r22,#0
 mov r23,#0
 mov r24,#25
 li r26,0x3ffff
_sqrt_loop:
 lsr r25,r20,#16
 lsl r23,r23,#2
 orr r23,r23,r25
 lsl r20,r20,#2
 and r20,r20,r26
 lsr r25,r21,#30
 orr r20,r20,r25
 lsl r21,r21,#2
 lsl r25,r22,#2
 add r25,r25,#1
 lsl r22,r22,#1
 sub r27,r23,r25
 bltu _sqrt_skip
 mov r23,r27
 add r22,r22,#1
_sqrt_skip:
 sub r24,r24,#1
 bne _sqrt_loop
 mov r17,#1
 and r17,r22,r17
 lsr r22,r22,#1
 add r22,r22,r17
 li r17,0x1000000
 sub r17,r22,r17
 bne _sqrt_pack
 lsr r22,r22,#1
 add r16,r16,#1
_sqrt_pack:
 li r17,0x7fffff
 and r22,r22,r17
 add r16,r16,#127
 lsl r16,r16,#23
 orr r0,r22,r16
 rts
_sqrt_special:
 lsl r17,r0,#9
 bne _sqrt_quiet
 add r18,r18,#0
 bne _sqrt_nan
 rts
_sqrt_quiet:
 li r17,0x400000
 orr r0,r0,r17
 rts
_sqrt_zero:
 mov r0,r18
 rts
_sqrt_nan:
 li r0,0x7fc00000
 rts
"#
    .to_string()
}
