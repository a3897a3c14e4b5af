//! Each dialect rewrite, as text, and that the result parses to the intended Python.

mod common;
use common::{parse, parse_ok, python};
use epyc_syntax::dialect::rewrite;

#[test]
fn print_statement_becomes_a_call() {
    assert_eq!(python("print x\n"), "print (x)\n");
    assert_eq!(python("print \"a\"+str(b)\n"), "print (\"a\"+str(b))\n");
    assert_eq!(python("print (a+b)*2\n"), "print ((a+b)*2)\n");
    assert_eq!(python("print -7\n"), "print (-7)\n");
    assert_eq!(python("print [1,2]\n"), "print ([1,2])\n");
    assert_eq!(python("print x # note\n"), "print (x) # note\n");
    assert_eq!(python("print x"), "print (x)");
}

#[test]
fn parenthesised_print_is_left_alone() {
    assert_eq!(python("print(x)\n"), "print(x)\n");
    assert_eq!(python("print (coreid() > 0)\n"), "print (coreid() > 0)\n");
}

#[test]
fn print_after_a_colon_or_semicolon_is_a_statement() {
    assert_eq!(
        python("if x == 3: print \"one\"\n"),
        "if x == 3: print (\"one\")\n"
    );
    assert_eq!(python("x=1; print x; y=2\n"), "x=1; print (x); y=2\n");
    assert_eq!(
        python("while c:\n    print i\n"),
        "while c:\n    print (i)\n"
    );
}

#[test]
fn print_used_as_a_name_is_not_rewritten() {
    assert_eq!(python("f = print\n"), "f = print\n");
    assert_eq!(python("print = 3\n"), "print = 3\n");
    assert_eq!(python("print\n"), "print\n");
}

#[test]
fn print_expression_may_span_bracketed_lines() {
    assert_eq!(
        python("print f(1,\n  2)\nx=1\n"),
        "print (f(1,\n  2))\nx=1\n"
    );
}

#[test]
fn print_statement_parses_as_one_call_with_one_argument() {
    let body = parse_ok("print 1+2\n");
    let ast::Stmt::Expr(e) = &body[0] else {
        panic!("{body:?}")
    };
    let ast::Expr::Call(call) = e.value.as_ref() else {
        panic!("{e:?}")
    };
    assert!(matches!(call.func.as_ref(), ast::Expr::Name(n) if n.id.as_str() == "print"));
    assert_eq!(call.args.len(), 1);
    assert!(matches!(call.args[0], ast::Expr::BinOp(_)));
}

use epyc_syntax::ast;

#[test]
fn block_comments_keep_line_numbers() {
    assert_eq!(python("/* a\n   b */\nx=1\n"), "\n\nx=1\n");
    assert_eq!(python("x = 1 /* c */ + 2\n"), "x = 1   + 2\n");
    assert_eq!(python("x = 1 /* a\nb */ + 2\n"), "x = 1  \\\n + 2\n");
    assert_eq!(python("f(1, /* a\nb */ 2)\n"), "f(1,  \\\n 2)\n");
    assert_eq!(python("if a:\n    /* c */ x=1\n"), "if a:\n    x=1\n");
    assert_eq!(
        python("if a:\n    /* c\n */ x=1\n"),
        "if a:\n    \n    x=1\n"
    );
    parse_ok("x = 1 /* a\nb */ + 2\ny = 3\n");
    parse_ok("if a:\n    /* c\n */ x=1\n    y=2\n");
    parse_ok("x = 1 /* a\n\n*/\ny=2\n");
}

#[test]
fn comment_markers_inside_strings_and_comments_are_text() {
    assert_eq!(python("s = \"/* not */\"\n"), "s = \"/* not */\"\n");
    assert_eq!(python("# print x /* y\nz=1\n"), "# print x /* y\nz=1\n");
    assert_eq!(python("/* \"quote */x=1\n"), "x=1\n");
}

#[test]
fn unterminated_block_comment_is_an_error() {
    let errors = rewrite("x=1\n/* forever\n").unwrap_err();
    assert_eq!(errors[0].message, "unterminated block comment");
    assert_eq!((errors[0].start, errors[0].end), (4, 6));
}

#[test]
fn keywords_in_any_case() {
    assert_eq!(
        python("While TRUE:\n    PRINT None\nIf x Is NONE: Pass\nELSE: y = false\n"),
        "while True:\n    print (None)\nif x is None: pass\nelse: y = False\n"
    );
    assert_eq!(
        python("FROM parallel IMPORT *\n"),
        "from parallel import *\n"
    );
    assert_eq!(python("x = none or true\n"), "x = None or True\n");
    assert_eq!(python("y = STR(x) + Input()\n"), "y = str(x) + input()\n");
    // Only ePython's keywords: other names keep their case (`ID`, `Symbol`, `Class`).
    assert_eq!(python("ID = Symbol + Class\n"), "ID = Symbol + Class\n");
}

#[test]
fn identifiers_stay_case_sensitive() {
    assert_eq!(
        python("Value = Count + coreID\n"),
        "Value = Count + coreID\n"
    );
}

#[test]
fn caret_is_power_and_diamond_is_not_equal() {
    assert_eq!(python("y = 2^10\n"), "y = 2**10\n");
    assert_eq!(python("y ^= 2\n"), "y **= 2\n");
    assert_eq!(python("if a <> b: pass\n"), "if a != b: pass\n");
    assert_eq!(python("if a != b: pass\n"), "if a != b: pass\n");
}

#[test]
fn bang_is_not() {
    assert_eq!(python("if !x: pass\n"), "if not x: pass\n");
    assert_eq!(python("if a and!x: pass\n"), "if a and not x: pass\n");
    assert_eq!(python("print !done\n"), "print (not done)\n");
    parse_ok("if a and!x: pass\n");
}

#[test]
fn native_calls_get_a_recognisable_name() {
    assert_eq!(
        python("return native rtl_coreid()\n"),
        "return __native__rtl_coreid()\n"
    );
    assert_eq!(python("NATIVE rtl_print(v)\n"), "__native__rtl_print(v)\n");
    assert_eq!(python("native = 3\n"), "native = 3\n");
    assert_eq!(epyc_syntax::NATIVE_PREFIX, "__native__");
}

#[test]
fn c_number_literals() {
    assert_eq!(
        python("x = 017 + 10u + 7UL + 3ll\n"),
        "x = 0o17 + 10 + 7 + 3\n"
    );
    assert_eq!(
        python("x = 1.5f * 2.0F + 1e3L + 0x1Fu\n"),
        "x = 1.5 * 2.0 + 1e3 + 0x1F\n"
    );
    assert_eq!(
        python("x = 0 + 00 + 0.5 + 0x1F\n"),
        "x = 0 + 00 + 0.5 + 0x1F\n"
    );
    let errors = rewrite("x = 019\n").unwrap_err();
    assert_eq!(errors[0].message, "invalid octal literal");
}

#[test]
fn double_quoted_strings_have_no_escapes() {
    assert_eq!(python(r#"print "tab\there""#), r#"print ("tab\\there")"#);
    let body = parse_ok("s = \"tab\\there\\\"\n");
    let ast::Stmt::Assign(a) = &body[0] else {
        panic!()
    };
    let ast::Expr::Constant(c) = a.value.as_ref() else {
        panic!()
    };
    assert_eq!(c.value, ast::Constant::Str("tab\\there\\".into()));
}

#[test]
fn single_quoted_and_triple_quoted_strings_are_python() {
    assert_eq!(python(r"s = 'a\tb'"), r"s = 'a\tb'");
    assert_eq!(
        python("s = \"\"\"doc\\n \"x\" \"\"\"\n"),
        "s = \"\"\"doc\\n \"x\" \"\"\"\n"
    );
    assert_eq!(python(r#"s = r"a\b""#), r#"s = r"a\b""#);
    let body = parse_ok("s = 'a\\tb'\n");
    let ast::Stmt::Assign(a) = &body[0] else {
        panic!()
    };
    let ast::Expr::Constant(c) = a.value.as_ref() else {
        panic!()
    };
    assert_eq!(c.value, ast::Constant::Str("a\tb".into()));
}

#[test]
fn nothing_is_rewritten_inside_strings() {
    let src = "s = 'print x ^ y <> z /* w */ native rtl_x() TRUE 017'\n";
    assert_eq!(python(src), src);
    let src = "s = \"print x ^ y <> z native rtl_x() TRUE 017\"\n";
    assert_eq!(python(src), src);
}

#[test]
fn tabs_in_indentation_count_four() {
    // ePython: a tab is 4 columns, so a tab and four spaces are the same block.
    assert_eq!(
        python("if a:\n\tx=1\n    y=2\n"),
        "if a:\n    x=1\n    y=2\n"
    );
    parse_ok("if a:\n\tx=1\n    y=2\n");
}

#[test]
fn exit_quit_and_decorators_are_python_already() {
    assert_eq!(python("EXIT()\nquit()\n"), "exit()\nquit()\n");
    parse_ok("@exportable\ndef f(a):\n    return a\nexit()\n");
}

#[test]
fn valid_python_passes_through_unchanged() {
    let src = "def f(a, b=2):\n    global g\n    for i in range(a):\n        if i > b:\n            break\n        elif -i < 0:\n            continue\n    x, y = 1, 2\n    return lambda: x ** -y\n";
    assert_eq!(python(src), src);
    parse_ok(src);
}

#[test]
fn crlf_line_ends() {
    parse_ok("x=1\r\nprint x\r\nif x:\r\n    print \"y\"\r\n");
}

#[test]
fn syntax_errors_are_reported_not_panicked() {
    for src in [
        "x = 1 +\n",
        "print (\n",
        "def\n",
        "\"unterminated\n",
        "x = )\n",
        "/*",
        "print",
    ] {
        let _ = parse(src);
    }
}
