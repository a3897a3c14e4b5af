//! Integer helper routines the backend calls (`epyc_epiphany::Routine`, libgcc's names with
//! the C prefix): multiplication and signed/unsigned division and remainder. Division by zero
//! is checked by compiled code before the call (Python's error); here it gives quotient ~0.

pub fn text() -> String {
    r#"
.global ___mulsi3
___mulsi3:
 mov r16,#0
_mul_loop:
 add r1,r1,#0
 beq _mul_done
 mov r17,#1
 and r17,r1,r17
 beq _mul_skip
 add r16,r16,r0
_mul_skip:
 lsl r0,r0,#1
 lsr r1,r1,#1
 b _mul_loop
_mul_done:
 mov r0,r16
 rts

; __epyc_udivmod(n r0, d r1) -> r0 = n / d, r1 = n % d (unsigned). Leaf; r16-r19.
.global __epyc_udivmod
__epyc_udivmod:
 mov r16,#0
 mov r17,#0
 mov r18,#32
_udiv_loop:
 lsl r17,r17,#1
 lsr r19,r0,#31
 orr r17,r17,r19
 lsl r0,r0,#1
 lsl r16,r16,#1
 sub r19,r17,r1
 bltu _udiv_skip
 mov r17,r19
 add r16,r16,#1
_udiv_skip:
 sub r18,r18,#1
 bne _udiv_loop
 mov r0,r16
 mov r1,r17
 rts

.global ___udivsi3
___udivsi3:
 b __epyc_udivmod

.global ___umodsi3
___umodsi3:
 mov r20,lr
 bl __epyc_udivmod
 mov r0,r1
 jr r20

.global ___divsi3
___divsi3:
 mov r20,lr
 eor r21,r0,r1
 asr r22,r0,#31
 eor r0,r0,r22
 sub r0,r0,r22
 asr r22,r1,#31
 eor r1,r1,r22
 sub r1,r1,r22
 bl __epyc_udivmod
 asr r21,r21,#31
 eor r0,r0,r21
 sub r0,r0,r21
 jr r20

.global ___modsi3
___modsi3:
 mov r20,lr
 asr r21,r0,#31
 eor r0,r0,r21
 sub r0,r0,r21
 asr r22,r1,#31
 eor r1,r1,r22
 sub r1,r1,r22
 bl __epyc_udivmod
 mov r0,r1
 eor r0,r0,r21
 sub r0,r0,r21
 jr r20
"#
    .to_string()
}

/// Bit counting and the high halves of 64-bit products.
pub fn bits_text() -> String {
    r#"
.global ___clzsi2
___clzsi2:
 mov r16,#32
 add r0,r0,#0
 beq _clz_done
 mov r16,#0
_clz_loop:
 add r0,r0,#0
 blt _clz_done
 lsl r0,r0,#1
 add r16,r16,#1
 b _clz_loop
_clz_done:
 mov r0,r16
 rts

.global ___ctzsi2
___ctzsi2:
 mov r16,#32
 add r0,r0,#0
 beq _ctz_done
 mov r16,#0
 mov r17,#1
_ctz_loop:
 and r18,r0,r17
 bne _ctz_done
 lsr r0,r0,#1
 add r16,r16,#1
 b _ctz_loop
_ctz_done:
 mov r0,r16
 rts

.global ___popcountsi2
___popcountsi2:
 mov r16,#0
 mov r17,#1
_popcount_loop:
 add r0,r0,#0
 beq _popcount_done
 and r18,r0,r17
 add r16,r16,r18
 lsr r0,r0,#1
 b _popcount_loop
_popcount_done:
 mov r0,r16
 rts

; __epyc_mul16(a r0, b r1) -> a * b for a, b < 2^16 (16 steps). Leaf; r16-r18.
.global __epyc_mul16
__epyc_mul16:
 mov r16,#0
 mov r17,#16
 mov r18,#1
_mul16_loop:
 and r19,r1,r18
 beq _mul16_skip
 add r16,r16,r0
_mul16_skip:
 lsl r0,r0,#1
 lsr r1,r1,#1
 sub r17,r17,#1
 bne _mul16_loop
 mov r0,r16
 rts

; ___epyc_umulhi(a, b) -> high 32 bits of the unsigned 64-bit product.
.global ___epyc_umulhi
___epyc_umulhi:
 mov r27,lr
 li r26,0xffff
 lsr r20,r0,#16
 and r21,r0,r26
 lsr r22,r1,#16
 and r23,r1,r26
 mov r0,r21
 mov r1,r23
 bl __epyc_mul16
 lsr r24,r0,#16
 mov r0,r21
 mov r1,r22
 bl __epyc_mul16
 mov r25,r0
 and r0,r0,r26
 add r24,r24,r0
 lsr r25,r25,#16
 mov r0,r20
 mov r1,r23
 bl __epyc_mul16
 and r21,r0,r26
 add r24,r24,r21
 lsr r0,r0,#16
 add r25,r25,r0
 mov r0,r20
 mov r1,r22
 bl __epyc_mul16
 add r0,r0,r25
 lsr r24,r24,#16
 add r0,r0,r24
 jr r27

; ___epyc_smulhi(a, b) -> high 32 bits of the signed 64-bit product:
; umulhi(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0).
.global ___epyc_smulhi
___epyc_smulhi:
 mov r44,lr
 mov r45,r0
 mov r46,r1
 bl ___epyc_umulhi
 asr r16,r45,#31
 and r16,r16,r46
 sub r0,r0,r16
 asr r16,r46,#31
 and r16,r16,r45
 sub r0,r0,r16
 jr r44
"#
    .to_string()
}
