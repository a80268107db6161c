use super::super::ast::*;
use super::super::parse;
use crate::error::Span;
use proptest::prelude::*;

/// The tree with every span set to zero, to compare shapes.
fn strip(e: &Expr) -> Expr {
    let b = |x: &Expr| Box::new(strip(x));
    let id = |i: &Ident| Ident {
        name: i.name.clone(),
        span: Span::default(),
    };
    let kind = match &e.kind {
        ExprKind::Literal(l) => ExprKind::Literal(l.clone()),
        ExprKind::Name(n) => ExprKind::Name(n.clone()),
        ExprKind::List(items) => ExprKind::List(items.iter().map(strip).collect()),
        ExprKind::Dict(entries) => {
            ExprKind::Dict(entries.iter().map(|(k, v)| (id(k), strip(v))).collect())
        }
        ExprKind::Member(base, Member::Name(i)) => ExprKind::Member(b(base), Member::Name(id(i))),
        ExprKind::Member(base, Member::Key(k, _)) => {
            ExprKind::Member(b(base), Member::Key(*k, Span::default()))
        }
        ExprKind::Index(base, key) => ExprKind::Index(b(base), b(key)),
        ExprKind::Call(callee, args) => ExprKind::Call(
            b(callee),
            args.iter()
                .map(|a| Argument {
                    keyword: a.keyword.as_ref().map(id),
                    value: strip(&a.value),
                })
                .collect(),
        ),
        ExprKind::Compare(l, op, r) => ExprKind::Compare(b(l), *op, b(r)),
        ExprKind::And(l, r) => ExprKind::And(b(l), b(r)),
        ExprKind::Or(l, r) => ExprKind::Or(b(l), b(r)),
        ExprKind::Not(x) => ExprKind::Not(b(x)),
        ExprKind::Neg(x) => ExprKind::Neg(b(x)),
        ExprKind::Arith(l, op, r) => ExprKind::Arith(b(l), *op, b(r)),
    };
    Expr {
        kind,
        span: Span::default(),
    }
}

fn parsed(text: &str) -> Expr {
    match parse(text) {
        Ok(Statement::Expr(e)) => strip(&e),
        other => panic!("{text:?} did not parse back as an expression: {other:?}"),
    }
}

fn node(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}

const NAMES: &[&str] = &[
    "students", "year", "name", "credits", "x", "s1", "where", "count",
];

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        (0i64..100_000).prop_map(Literal::Integer),
        prop::sample::select(&[0.5, 2.25, 1e20, 1.5e-7, 3.0][..]).prop_map(Literal::Real),
        "[a-zA-Z '\"\\\\\n\t%_]{0,6}".prop_map(Literal::Text),
        any::<bool>().prop_map(Literal::Bool),
        Just(Literal::None),
    ]
}

fn ident() -> impl Strategy<Value = Ident> {
    prop::sample::select(NAMES).prop_map(|n| Ident {
        name: n.to_string(),
        span: Span::default(),
    })
}

fn arith_op() -> impl Strategy<Value = ArithOp> {
    prop::sample::select(
        &[
            ArithOp::Add,
            ArithOp::Sub,
            ArithOp::Mul,
            ArithOp::Div,
            ArithOp::FloorDiv,
            ArithOp::Mod,
        ][..],
    )
}

fn compare_op() -> impl Strategy<Value = CompareOp> {
    prop::sample::select(
        &[
            CompareOp::Eq,
            CompareOp::Ne,
            CompareOp::Lt,
            CompareOp::Le,
            CompareOp::Gt,
            CompareOp::Ge,
            CompareOp::In,
            CompareOp::NotIn,
            CompareOp::Is,
            CompareOp::IsNot,
        ][..],
    )
}

/// Trees as the parser builds them (no negative literals: `-3` is `Neg(3)`).
fn tree() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        literal().prop_map(|l| node(ExprKind::Literal(l))),
        prop::sample::select(NAMES).prop_map(|n| node(ExprKind::Name(n.to_string()))),
    ];
    leaf.prop_recursive(4, 40, 3, |inner| {
        let boxed = inner.clone().prop_map(Box::new);
        let argument = (prop::option::of(ident()), inner.clone())
            .prop_map(|(keyword, value)| Argument { keyword, value });
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| node(ExprKind::List(v))),
            prop::collection::vec((ident(), inner.clone()), 0..3)
                .prop_map(|v| node(ExprKind::Dict(v))),
            (boxed.clone(), ident()).prop_map(|(b, i)| node(ExprKind::Member(b, Member::Name(i)))),
            (boxed.clone(), 0i64..50)
                .prop_map(|(b, k)| node(ExprKind::Member(b, Member::Key(k, Span::default())))),
            (boxed.clone(), boxed.clone()).prop_map(|(b, k)| node(ExprKind::Index(b, k))),
            (boxed.clone(), prop::collection::vec(argument, 0..3))
                .prop_map(|(c, a)| node(ExprKind::Call(c, a))),
            (boxed.clone(), compare_op(), boxed.clone())
                .prop_map(|(l, op, r)| node(ExprKind::Compare(l, op, r))),
            (boxed.clone(), boxed.clone()).prop_map(|(l, r)| node(ExprKind::And(l, r))),
            (boxed.clone(), boxed.clone()).prop_map(|(l, r)| node(ExprKind::Or(l, r))),
            boxed.clone().prop_map(|x| node(ExprKind::Not(x))),
            boxed.clone().prop_map(|x| node(ExprKind::Neg(x))),
            (boxed.clone(), arith_op(), boxed)
                .prop_map(|(l, op, r)| node(ExprKind::Arith(l, op, r))),
        ]
    })
}

proptest! {
    #[test]
    fn parsing_the_printed_form_gives_the_same_tree(e in tree()) {
        let printed = e.to_string();
        prop_assert_eq!(parsed(&printed), strip(&e), "printed as {}", printed);
    }
}

#[test]
fn printing_keeps_python_precedence_with_few_parentheses() {
    for text in [
        "students.where(year == 2 and not name.startswith('A') or id in [1, 2])",
        "classes.where((credits + 1) * 2 > 5).update(credits=credits - 1)",
        "a - (b - c)",
        "a - b - c",
        "-(a + b) // 2 % 3",
        "(3).13",
        "students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})",
        "not (a or b)",
        "(a == b) == c",
    ] {
        assert_eq!(parsed(text).to_string(), text);
    }
}

#[test]
fn statements_print_in_the_short_form() {
    for text in [
        "s = students[13]",
        "del students[13]",
        "for s in students.where(year == 2): s.name, s.classes.count()",
        "students[13].year = students[13].year + 1",
        "begin",
    ] {
        let statement = parse(text).expect("parses");
        assert_eq!(statement.to_string(), text);
    }
}

#[test]
fn sqlalchemy_spellings_print_as_their_short_form() {
    let statement = parse(
        "session.scalars(select(Student).where(Student.year == 2).order_by(Student.name.desc())).all()",
    )
    .expect("parses");
    assert_eq!(
        statement.to_string(),
        "Student.where(year == 2).order_by(name.desc())"
    );
}
