//! Node ranges point at the original text, exactly, whatever the dialect pass changed.

mod common;
use common::parse_ok;
use epyc_syntax::ast::{self, Ranged};

fn text_of<'a>(src: &'a str, node: &impl Ranged) -> &'a str {
    let r = node.range();
    &src[r.start().to_usize()..r.end().to_usize()]
}

fn expr_stmt(stmt: &ast::Stmt) -> &ast::Expr {
    match stmt {
        ast::Stmt::Expr(e) => &e.value,
        other => panic!("not an expression statement: {other:?}"),
    }
}

fn call(expr: &ast::Expr) -> &ast::ExprCall {
    match expr {
        ast::Expr::Call(c) => c,
        other => panic!("not a call: {other:?}"),
    }
}

fn assign_value(stmt: &ast::Stmt) -> &ast::Expr {
    match stmt {
        ast::Stmt::Assign(a) => &a.value,
        other => panic!("not an assignment: {other:?}"),
    }
}

#[test]
fn print_statement_ranges() {
    let src = "x=1\nprint   x + 10\ny=2\n";
    let body = parse_ok(src);
    assert_eq!(text_of(src, &body[1]), "print   x + 10");
    let c = call(expr_stmt(&body[1]));
    assert_eq!(text_of(src, &*c.func), "print");
    assert_eq!(text_of(src, &c.args[0]), "x + 10");
    assert_eq!(text_of(src, &body[2]), "y=2");
}

#[test]
fn ranges_after_a_multi_line_block_comment() {
    let src = "a = 1 /* one\ntwo\nthree */ + b\n/* x\n*/ print a\nc = \"s\\t\" + 017\n";
    let body = parse_ok(src);
    assert_eq!(body.len(), 3);
    let ast::Expr::BinOp(sum) = assign_value(&body[0]) else {
        panic!()
    };
    assert_eq!(text_of(src, &*sum.left), "1");
    assert_eq!(text_of(src, &*sum.right), "b");
    assert_eq!(
        text_of(src, assign_value(&body[0])),
        "1 /* one\ntwo\nthree */ + b"
    );
    assert_eq!(text_of(src, &body[1]), "print a");
    let ast::Expr::BinOp(cat) = assign_value(&body[2]) else {
        panic!()
    };
    assert_eq!(text_of(src, &*cat.left), "\"s\\t\"");
    assert_eq!(text_of(src, &*cat.right), "017");
}

#[test]
fn ranges_of_rewritten_tokens_cover_the_original_spelling() {
    let src = "if !done and x <> y: z = 2^n + native rtl_coreid() + TRUE + 1.5f\n";
    let body = parse_ok(src);
    let ast::Stmt::If(s) = &body[0] else { panic!() };
    let ast::Expr::BoolOp(cond) = s.test.as_ref() else {
        panic!()
    };
    assert_eq!(text_of(src, &cond.values[0]), "!done");
    assert_eq!(text_of(src, &cond.values[1]), "x <> y");
    let value = assign_value(&s.body[0]);
    assert_eq!(
        text_of(src, value),
        "2^n + native rtl_coreid() + TRUE + 1.5f"
    );
    let mut terms = Vec::new();
    let mut e = value;
    while let ast::Expr::BinOp(b) = e {
        if b.op != ast::Operator::Add {
            break;
        }
        terms.push(text_of(src, &*b.right));
        e = &b.left;
    }
    terms.push(text_of(src, e));
    assert_eq!(terms, ["1.5f", "TRUE", "native rtl_coreid()", "2^n"]);
    let ast::Expr::BinOp(add) = value else {
        panic!()
    };
    let ast::Expr::BinOp(add2) = add.left.as_ref() else {
        panic!()
    };
    let ast::Expr::BinOp(add3) = add2.left.as_ref() else {
        panic!()
    };
    let native = call(&add3.right);
    assert_eq!(text_of(src, &*native.func), "native rtl_coreid");
    let ast::Expr::Name(n) = native.func.as_ref() else {
        panic!()
    };
    assert_eq!(n.id.as_str(), "__native__rtl_coreid");
}

#[test]
fn ranges_in_tab_indented_blocks() {
    let src = "while x:\n\tprint x\n\tx = x - 1\n";
    let body = parse_ok(src);
    let ast::Stmt::While(w) = &body[0] else {
        panic!()
    };
    assert_eq!(text_of(src, &w.body[0]), "print x");
    assert_eq!(text_of(src, &w.body[1]), "x = x - 1");
}

#[test]
fn syntax_error_position_is_in_the_original_text() {
    // The `y` is at line 3, column 9 of the original; the rewritten text has shifted it.
    let src = "/* a\nb */ print \"x\\y\"\nz = 2^3 y\n";
    let diags = common::parse(src).expect_err("must fail");
    let file = epyc_syntax::SourceFile::new("t.py", src);
    assert_eq!(file.line_col(diags[0].start), (3, 9));
    assert_eq!(&src[diags[0].start as usize..diags[0].end as usize], "y");
}
