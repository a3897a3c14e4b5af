//! The heap for strings and lists: a bump allocator over this core's free local memory
//! (image end .. HEAP_LOCAL_END) that continues in the core's own area of shared DRAM when the
//! local part is full; objects are zeroed and 8-byte aligned and never freed one by one.
//! Strings and lists have the layouts of `epyc_rt_abi::layout`.

use super::mailbox::entry;
use super::{epilogue, prologue};

pub fn text() -> String {
    let mut s = String::from(
        r#"
; __epyc_alloc(bytes r0, pos r12) -> zeroed object. Leaf apart from the error; clobbers r16-r23.
.global __epyc_alloc
__epyc_alloc:
 li r16,0x01000000
 sub r17,r0,r16
 bgteu _alloc_oom
 add r0,r0,#7
 li r16,0xfffffff8
 and r0,r0,r16
 li r17,{STATE}
 ldr r18,[r17,#{ST_HEAP_PTR}]
 ldr r19,[r17,#{ST_HEAP_END}]
 add r20,r18,r0
 sub r21,r19,r20
 bltu _alloc_dram
 str r20,[r17,#{ST_HEAP_PTR}]
 b _alloc_zero
_alloc_dram:
 ldr r18,[r17,#{ST_DHEAP_PTR}]
 ldr r19,[r17,#{ST_DHEAP_END}]
 add r20,r18,r0
 sub r21,r19,r20
 bltu _alloc_oom
 str r20,[r17,#{ST_DHEAP_PTR}]
_alloc_zero:
 mov r21,#0
 mov r22,r18
_alloc_zero_loop:
 sub r23,r22,r20
 beq _alloc_done
 str r21,[r22],#1
 b _alloc_zero_loop
_alloc_done:
 mov r0,r18
 rts
_alloc_oom:
 mov r0,#{E_OUT_OF_MEMORY}
 mov r1,r12
 b _epyc_error

; __epyc_memcpy(dst r0, src r1, bytes r2): byte copy (either may be a global address). Leaf.
.global __epyc_memcpy
__epyc_memcpy:
 add r2,r2,#0
 beq _memcpy_done
_memcpy_loop:
 ldrb r16,[r1],#1
 strb r16,[r0],#1
 sub r2,r2,#1
 bne _memcpy_loop
_memcpy_done:
 rts

; __epyc_strlen(s r0) -> length (null is the empty string). Leaf.
.global __epyc_strlen
__epyc_strlen:
 add r0,r0,#0
 beq _strlen_null
 ldr r0,[r0]
_strlen_null:
 rts
"#,
    );

    // (a, b) -> a + b
    s += &entry("epyc_str_concat");
    s += &prologue(&["r4", "r5", "r6", "r7", "r8"]);
    s += r#"
 mov r4,r0
 mov r5,r1
 bl __epyc_strlen
 mov r6,r0
 mov r0,r5
 bl __epyc_strlen
 mov r7,r0
 add r0,r6,r7
 add r0,r0,#4
 mov r12,#0
 bl __epyc_alloc
 mov r8,r0
 add r1,r6,r7
 str r1,[r8]
 add r0,r8,#4
 add r1,r4,#4
 mov r2,r6
 bl __epyc_memcpy
 add r0,r8,#4
 add r0,r0,r6
 add r1,r5,#4
 mov r2,r7
 bl __epyc_memcpy
 mov r0,r8
"#;
    s += &epilogue(&["r4", "r5", "r6", "r7", "r8"]);

    // (s, n) -> s * n; n <= 0 gives "".
    s += &entry("epyc_str_repeat");
    s += &prologue(&["r4", "r5", "r6", "r7", "r8"]);
    s += r#"
 mov r4,r0
 mov r5,r1
 sub r1,r1,#0
 bgt _repeat_positive
 mov r5,#0
_repeat_positive:
 bl __epyc_strlen
 mov r6,r0
 mov r1,r5
 bl ___mulsi3
 mov r7,r0
 add r0,r0,#4
 mov r12,#0
 bl __epyc_alloc
 mov r8,r0
 str r7,[r8]
 add r7,r8,#4
_repeat_loop:
 sub r5,r5,#0
 beq _repeat_done
 mov r0,r7
 add r1,r4,#4
 mov r2,r6
 bl __epyc_memcpy
 add r7,r7,r6
 sub r5,r5,#1
 b _repeat_loop
_repeat_done:
 mov r0,r8
"#;
    s += &epilogue(&["r4", "r5", "r6", "r7", "r8"]);

    // (a, b) -> -1, 0, 1 bytewise. Leaf.
    s += &entry("epyc_str_cmp");
    s += r#"
 mov r16,#0
 mov r17,#0
 add r0,r0,#0
 beq _cmp_a_null
 ldr r16,[r0]
 add r0,r0,#4
_cmp_a_null:
 add r1,r1,#0
 beq _cmp_b_null
 ldr r17,[r1]
 add r1,r1,#4
_cmp_b_null:
_cmp_loop:
 add r16,r16,#0
 beq _cmp_a_end
 add r17,r17,#0
 beq _cmp_greater
 ldrb r18,[r0],#1
 ldrb r19,[r1],#1
 sub r20,r18,r19
 bltu _cmp_less
 bne _cmp_greater
 sub r16,r16,#1
 sub r17,r17,#1
 b _cmp_loop
_cmp_a_end:
 add r17,r17,#0
 bne _cmp_less
 mov r0,#0
 rts
_cmp_less:
 mov r0,#0
 sub r0,r0,#1
 rts
_cmp_greater:
 mov r0,#1
 rts
"#;

    // (len, elem size, pos) -> zeroed 1-dim list.
    s += &entry("epyc_list_new");
    s += &prologue(&["r4"]);
    s += r#"
 mov r12,r2
 sub r0,r0,#0
 bgte _listnew_len_ok
 mov r0,#0
_listnew_len_ok:
 mov r4,r0
 li r16,0x00ffffff
 sub r16,r16,r0
 blt _listnew_oom
 lsl r0,r0,#2
 sub r1,r1,#8
 bne _listnew_words
 lsl r0,r0,#1
_listnew_words:
 add r0,r0,#8
 bl __epyc_alloc
 str r4,[r0]
 mov r1,#1
 str r1,[r0,#1]
"#;
    s += &epilogue(&["r4"]);
    s += r#"
_listnew_oom:
 mov r0,#{E_OUT_OF_MEMORY}
 mov r1,r12
 b _epyc_error
"#;

    // (ndim, d0..d6, elem size, pos): d3..d6, size and pos on the stack at sp+8.. (GCC ABI).
    s += &entry("epyc_array_new");
    s += r#"
 ldr r16,[sp,#2]
 ldr r17,[sp,#3]
 ldr r18,[sp,#4]
 ldr r19,[sp,#5]
 ldr r20,[sp,#6]
 ldr r21,[sp,#7]
"#;
    // Frame: lr, r4..r8, then dims d0..d6 at [sp,#9..#15].
    s += &prologue(&[
        "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r15", "r32", "r33", "r34",
    ]);
    s += r#"
 mov r4,r0
 mov r5,r1
 mov r6,r2
 mov r7,r3
 mov r8,r16
 mov r9,r17
 mov r10,r18
 mov r11,r19
 mov r15,r20
 mov r32,r21
 mov r33,#1
 mov r34,#0
_array_len:
 sub r0,r34,r4
 bgte _array_len_done
 mov r1,r5
 sub r2,r34,#0
 beq _array_pick
 mov r1,r6
 sub r2,r34,#1
 beq _array_pick
 mov r1,r7
 sub r2,r34,#2
 beq _array_pick
 mov r1,r8
 sub r2,r34,#3
 beq _array_pick
 mov r1,r9
 sub r2,r34,#4
 beq _array_pick
 mov r1,r10
 sub r2,r34,#5
 beq _array_pick
 mov r1,r11
_array_pick:
 sub r2,r1,#0
 bgte _array_dim_ok
 mov r1,#0
_array_dim_ok:
 mov r0,r33
 bl ___mulsi3
 mov r33,r0
 li r16,0x00ffffff
 sub r16,r16,r0
 blt _array_oom
 add r34,r34,#1
 b _array_len
_array_len_done:
 ; header: 8 bytes, plus 4 * ndim when ndim > 1, rounded up to the element size
 mov r34,#8
 sub r0,r4,#1
 blte _array_header_done
 lsl r0,r4,#2
 add r34,r34,r0
_array_header_done:
 sub r0,r15,#8
 bne _array_align_done
 add r34,r34,#7
 li r0,0xfffffff8
 and r34,r34,r0
_array_align_done:
 lsl r0,r33,#2
 sub r1,r15,#8
 bne _array_bytes
 lsl r0,r0,#1
_array_bytes:
 add r0,r0,r34
 mov r12,r32
 bl __epyc_alloc
 str r33,[r0]
 str r4,[r0,#1]
 sub r1,r4,#1
 blte _array_done
 str r5,[r0,#2]
 str r6,[r0,#3]
 sub r1,r4,#2
 blte _array_done
 str r7,[r0,#4]
 sub r1,r4,#3
 blte _array_done
 str r8,[r0,#5]
 sub r1,r4,#4
 blte _array_done
 str r9,[r0,#6]
 sub r1,r4,#5
 blte _array_done
 str r10,[r0,#7]
 sub r1,r4,#6
 blte _array_done
 str r11,[r0,#8]
_array_done:
"#;
    s += &epilogue(&[
        "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r15", "r32", "r33", "r34",
    ]);
    s += r#"
_array_oom:
 mov r0,#{E_OUT_OF_MEMORY}
 mov r1,r32
 b _epyc_error
"#;
    s
}
