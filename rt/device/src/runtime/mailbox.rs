//! Requests to the monitor through this core's mailbox slot (see `protocol`): printing,
//! exit, errors, input, text of values (done by the host's formatter so the text is exactly
//! the host runtime's), maths and the random generator.

/// `_name` and `name` labels, both global (C symbol prefix or not, the linker may use either).
pub fn entry(name: &str) -> String {
    format!(".global _{name}\n.global {name}\n_{name}:\n{name}:\n")
}

pub fn text() -> String {
    let mut s = String::from(
        r#"
; __epyc_req(code r0, a0 r1, a1 r2, a2 r3) -> RESULT in r0. Leaf; clobbers r16-r19.
.global __epyc_req
__epyc_req:
 li r16,{STATE}
 ldr r17,[r16,#{ST_SLOT}]
 str r1,[r17,#{S_A0}]
 str r2,[r17,#{S_A1}]
 str r3,[r17,#{S_A2}]
 str r0,[r17,#{S_REQ}]
 ldr r18,[r16,#{ST_REQ_SEQ}]
 add r18,r18,#1
 str r18,[r16,#{ST_REQ_SEQ}]
 str r18,[r17,#{S_REQ_SEQ}]
_req_wait:
 ldr r19,[r17,#{S_ACK_SEQ}]
 sub r19,r19,r18
 bne _req_wait
 ldr r0,[r17,#{S_RESULT}]
 rts

; As __epyc_req for requests that end the core: never returns.
.global __epyc_req_final
__epyc_req_final:
 li r16,{STATE}
 ldr r17,[r16,#{ST_SLOT}]
 str r1,[r17,#{S_A0}]
 str r2,[r17,#{S_A1}]
 str r3,[r17,#{S_A2}]
 str r0,[r17,#{S_REQ}]
 ldr r18,[r16,#{ST_REQ_SEQ}]
 add r18,r18,#1
 str r18,[r16,#{ST_REQ_SEQ}]
 str r18,[r17,#{S_REQ_SEQ}]
_req_final_park:
 b _req_final_park

; __epyc_copy_reply(len r0) -> a new string object copied from the reply buffer.
.global __epyc_copy_reply
__epyc_copy_reply:
"#,
    );
    s += &super::prologue(&["r4", "r5"]);
    s += r#"
 mov r4,r0
 add r0,r0,#4
 mov r12,#0
 bl __epyc_alloc
 mov r5,r0
 li r16,{STATE}
 ldr r1,[r16,#{ST_REPLY}]
 add r2,r4,#4
 bl __epyc_memcpy
 mov r0,r5
"#;
    s += &super::epilogue(&["r4", "r5"]);

    for (name, tag) in [
        ("epyc_print_int", "TAG_INT"),
        ("epyc_print_float", "TAG_FLOAT"),
        ("epyc_print_bool", "TAG_BOOL"),
    ] {
        s += &entry(name);
        s +=
            &format!(" mov r1,r0\n mov r2,#{{{tag}}}\n mov r0,#{{R_PrintScalar}}\n b __epyc_req\n");
    }
    s += &entry("epyc_print_none");
    s += " mov r1,#0\n mov r2,#{TAG_NONE}\n mov r0,#{R_PrintScalar}\n b __epyc_req\n";
    s += &entry("epyc_print_str");
    s += " mov r1,r0\n mov r0,#{R_PrintStr}\n b __epyc_req\n";
    s += &entry("epyc_exit");
    s += " mov r0,#{R_Exit}\n b __epyc_req_final\n";
    // (code, pos)
    s += &entry("epyc_error");
    s += " mov r3,r1\n mov r1,r0\n mov r2,#0\n mov r0,#{R_Error}\n b __epyc_req_final\n";
    // (code, detail, pos)
    s += &entry("epyc_error_detail");
    s += " mov r3,r2\n mov r2,r1\n mov r1,r0\n mov r0,#{R_Error}\n b __epyc_req_final\n";

    // Text replies: request, then copy the reply into this core's heap.
    for (name, setup) in [
        ("epyc_input", " mov r1,r0\n mov r0,#{R_Input}\n"),
        (
            "epyc_str_from_int",
            " mov r1,r0\n mov r2,#{TAG_INT}\n mov r0,#{R_FormatScalar}\n",
        ),
        (
            "epyc_str_from_float",
            " mov r1,r0\n mov r2,#{TAG_FLOAT}\n mov r0,#{R_FormatScalar}\n",
        ),
        (
            "epyc_str_from_bool",
            " mov r1,r0\n mov r2,#{TAG_BOOL}\n mov r0,#{R_FormatScalar}\n",
        ),
        (
            "epyc_str_from_list",
            " mov r2,r1\n mov r1,r0\n mov r0,#{R_FormatList}\n",
        ),
    ] {
        s += &entry(name);
        s += &super::prologue(&[]);
        s += setup;
        s += " bl __epyc_req\n bl __epyc_copy_reply\n";
        s += &super::epilogue(&[]);
    }

    // Scalar replies.
    // sqrt, floor, ceil and fabs are done here (exact, no round trip); the others by the
    // monitor with the host's float32 functions.
    s += &entry("epyc_math");
    s += r#"
 sub r16,r0,#0
 beq _math_sqrt
 sub r16,r0,#10
 beq _math_floor
 sub r16,r0,#11
 beq _math_ceil
 sub r16,r0,#16
 beq _math_fabs
 mov r2,r1
 mov r1,r0
 mov r0,#{R_Math}
 b __epyc_req
_math_floor:
 mov r0,r1
 b _floorf
_math_ceil:
 mov r0,r1
 b _ceilf
_math_fabs:
 li r16,0x7fffffff
 and r0,r1,r16
 rts
_math_sqrt:
 mov r0,r1
 add r1,r1,#0
 bgte _sqrtf
 li r16,0x7fffffff
 and r16,r1,r16
 beq _sqrtf
 li r17,0x7f800000
 sub r17,r16,r17
 bgtu _sqrtf
 mov r0,#{E_MATH_DOMAIN}
 mov r1,#0
 b _epyc_error
"#;
    s += &entry("epyc_powf");
    s += " mov r2,r1\n mov r1,r0\n mov r0,#{R_PowF}\n b __epyc_req\n";
    s += &entry("epyc_random");
    s += " mov r0,#{R_Random}\n b __epyc_req\n";
    s += &entry("epyc_randint");
    s += " mov r0,#{R_RandInt}\n b __epyc_req\n";
    s += &entry("epyc_seed");
    s += " mov r1,r0\n mov r0,#{R_Seed}\n b __epyc_req\n";

    // CLIF `trap` in compiled code (the backend's `Routine::Trap`): code in r0.
    s +=
        ".global ___epyc_trap\n___epyc_trap:\n mov r1,r0\n mov r0,#{R_Trap}\n b __epyc_req_final\n";

    // Identity.
    s += &entry("epyc_coreid");
    s += " li r16,{STATE}\n ldr r0,[r16,#{ST_MY_INDEX}]\n rts\n";
    s += &entry("epyc_numcores");
    // Every core of the run: device cores and the cores off the chip after them.
    s += " li r16,{STATE}\n ldr r0,[r16,#{ST_ALL_CORES}]\n rts\n";
    s += &entry("epyc_ishost");
    s += " mov r0,#0\n rts\n";
    s += &entry("epyc_isdevice");
    s += " mov r0,#1\n rts\n";
    s
}
