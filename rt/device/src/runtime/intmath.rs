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
