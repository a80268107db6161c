use super::*;

fn expr(text: &str) -> Expr {
    match parse(text) {
        Ok(Statement::Expr(e)) => e,
        other => panic!("{text}: expected an expression, got {other:?}"),
    }
}

/// A compact spelling of an expression tree, to assert shapes without spans.
fn shape(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Literal(Literal::Integer(i)) => i.to_string(),
        ExprKind::Literal(Literal::Real(r)) => format!("{r:?}"),
        ExprKind::Literal(Literal::Text(s)) => format!("{s:?}"),
        ExprKind::Literal(Literal::Bool(b)) => b.to_string(),
        ExprKind::Literal(Literal::None) => "None".into(),
        ExprKind::Name(n) => n.clone(),
        ExprKind::List(items) => format!(
            "[{}]",
            items.iter().map(shape).collect::<Vec<_>>().join(",")
        ),
        ExprKind::Dict(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}:{}", k.name, shape(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        ExprKind::Member(base, Member::Name(n)) => format!("{}.{}", shape(base), n.name),
        ExprKind::Member(base, Member::Key(k, _)) => format!("{}.#{k}", shape(base)),
        ExprKind::Index(base, key) => format!("{}[{}]", shape(base), shape(key)),
        ExprKind::Call(callee, args) => format!(
            "{}({})",
            shape(callee),
            args.iter()
                .map(|a| match &a.keyword {
                    Some(k) => format!("{}={}", k.name, shape(&a.value)),
                    None => shape(&a.value),
                })
                .collect::<Vec<_>>()
                .join(",")
        ),
        ExprKind::Compare(l, op, r) => format!("({} {} {})", shape(l), op.symbol(), shape(r)),
        ExprKind::And(l, r) => format!("({} and {})", shape(l), shape(r)),
        ExprKind::Or(l, r) => format!("({} or {})", shape(l), shape(r)),
        ExprKind::Not(x) => format!("(not {})", shape(x)),
        ExprKind::Neg(x) => format!("-{}", shape(x)),
        ExprKind::Arith(l, op, r) => format!("({} {} {})", shape(l), op.symbol(), shape(r)),
    }
}

#[test]
fn the_seed_statement_parses_into_a_call_on_a_relationship() {
    let e = expr("students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})");
    assert_eq!(
        shape(&e),
        r#"students[13].classes.append({name:"Biology 301",abbreviation:"BI301"})"#
    );
}

#[test]
fn dot_key_is_the_seeds_spelling_of_an_index() {
    assert_eq!(shape(&expr("students.13.classes")), "students.#13.classes");
}

#[test]
fn boolean_operators_follow_python_precedence() {
    assert_eq!(
        shape(&expr(
            "students.where(not year <= 2 and id != 13 or name == 'x')"
        )),
        r#"students.where((((not (year <= 2)) and (id != 13)) or (name == "x")))"#
    );
}

#[test]
fn membership_and_identity_operators() {
    assert_eq!(
        shape(&expr("x.where(a not in [1, 2])")),
        "x.where((a not in [1,2]))"
    );
    assert_eq!(
        shape(&expr("x.where(a is not None)")),
        "x.where((a is not None))"
    );
    assert_eq!(shape(&expr("x.where(a is None)")), "x.where((a is None))");
    assert_eq!(
        shape(&expr("x.where(index in [])")),
        "x.where((index in []))"
    );
}

#[test]
fn keyword_arguments_and_descending_order() {
    assert_eq!(
        shape(&expr(
            "students.filter_by(year=2).order_by(-year, name.desc())"
        )),
        "students.filter_by(year=2).order_by(-year,name.desc())"
    );
}

#[test]
fn string_escapes_are_applied() {
    assert_eq!(
        shape(&expr(
            r#"'it\'s' "a\"b" 'x\\y\n'"#.split(' ').next().unwrap_or("")
        )),
        "\"it's\""
    );
    assert_eq!(shape(&expr(r#""a\"b\tc""#)), "\"a\\\"b\\tc\"");
}

#[test]
fn literals_of_every_kind() {
    assert_eq!(
        shape(&expr("[1, 2.5, True, false, None, null, 'x']")),
        r#"[1,2.5,true,false,None,None,"x"]"#
    );
}

#[test]
fn assignments_deletes_and_transactions() {
    assert!(matches!(
        parse("s = students[13]"),
        Ok(Statement::Assign { .. })
    ));
    assert!(matches!(
        parse("students[13].name = \"Ann\""),
        Ok(Statement::Assign { .. })
    ));
    assert!(matches!(
        parse("del students[13]"),
        Ok(Statement::Delete(_))
    ));
    assert!(matches!(
        parse("begin"),
        Ok(Statement::Transaction(TransactionVerb::Begin, _))
    ));
    assert!(matches!(
        parse(" rollback "),
        Ok(Statement::Transaction(TransactionVerb::Rollback, _))
    ));
    assert!(matches!(parse("   # only a comment"), Ok(Statement::Empty)));
}

#[test]
fn a_name_that_starts_with_a_keyword_is_still_a_name() {
    assert_eq!(shape(&expr("index.notes.islands")), "index.notes.islands");
    assert_eq!(shape(&expr("beginner")), "beginner");
}

#[test]
fn spans_point_at_the_member_name() {
    let e = expr("students[13].nickname");
    let ExprKind::Member(_, Member::Name(ident)) = &e.kind else {
        panic!("not a member: {e:?}");
    };
    assert_eq!(ident.span.line_column("students[13].nickname"), (1, 14));
}

#[test]
fn parse_errors_are_in_plain_words() {
    let err = parse("students..count()").expect_err("two dots");
    assert_eq!(err.kind, crate::error::ErrorKind::Parse);
    assert!(!err.message.contains("Rule"), "{}", err.message);
    let err = parse("students.").expect_err("dangling dot");
    assert!(err.message.contains("ends too early"), "{}", err.message);
    let err = parse("students.where(year == 2 && id == 1)").expect_err("&&");
    assert_eq!(
        err.hint.as_deref(),
        Some("write 'and' / 'or' instead of '&&' / '||'")
    );
}

#[test]
fn too_large_numbers_are_type_errors() {
    let err = parse("students[99999999999999999999]").expect_err("overflow");
    assert_eq!(err.kind, crate::error::ErrorKind::Type);
}

#[test]
fn long_runs_of_prefix_operators_are_refused_cleanly() {
    let text = format!("students.where({}year == 1)", "not ".repeat(500));
    assert_eq!(
        parse(&text).map_err(|e| e.kind),
        Err(crate::error::ErrorKind::Parse)
    );
    let text = format!("students.order_by({}year)", "-".repeat(500));
    assert_eq!(
        parse(&text).map_err(|e| e.kind),
        Err(crate::error::ErrorKind::Parse)
    );
}

#[test]
fn nesting_up_to_the_limit_parses_without_overflow() {
    let depth = brackets::MAX_DEPTH;
    let text = format!(
        "students.where({}year == 1{})",
        "(".repeat(depth - 1),
        ")".repeat(depth - 1)
    );
    // The program parses on a thread with a large stack (see main.rs); so does this test.
    let parsed = std::thread::Builder::new()
        .stack_size(crate::STACK_SIZE)
        .spawn(move || parse(&text).is_ok())
        .and_then(|t| t.join().map_err(|_| std::io::Error::other("panicked")));
    assert!(matches!(parsed, Ok(true)));
}

#[test]
fn scripts_split_into_statements_with_continuations() {
    let script = "# a comment\nstudents[13]\n\nstudents.where(\n  year == 2\n)\n:sql SELECT (1\nstudents.count()\n";
    assert_eq!(
        split_statements(script),
        vec![
            "students[13]",
            "students.where(\n  year == 2\n)",
            ":sql SELECT (1",
            "students.count()"
        ]
    );
}

#[test]
fn very_long_and_or_chains_are_refused_with_a_hint() {
    let text = format!("students.where({})", vec!["id == 1"; 600].join(" or "));
    let err = parse(&text).expect_err("too many conditions");
    assert!(
        err.message.contains("more than 500 conditions"),
        "{}",
        err.message
    );
    let fine = format!("students.where({})", vec!["id == 1"; 400].join(" or "));
    assert!(parse(&fine).is_ok());
}

#[test]
fn comparisons_do_not_chain_but_brackets_may_compare_a_comparison() {
    let err = parse("students.where(1 < year < 3)").expect_err("chained comparison");
    assert_eq!(err.kind, crate::error::ErrorKind::Parse);
    assert!(err.message.contains("do not chain"), "{}", err.message);
    assert_eq!(
        err.span.line_column("students.where(1 < year < 3)"),
        (1, 25)
    );
    assert_eq!(
        shape(&expr("x.where((a < b) == True)")),
        "x.where(((a < b) == true))"
    );
}

#[test]
fn precedence_of_arithmetic_comparison_and_prefix_operators() {
    assert_eq!(
        shape(&expr("x.where(-a * b + c // 2 - d % 3 >= e / f)")),
        "x.where(((((-a * b) + (c // 2)) - (d % 3)) >= (e / f)))"
    );
    assert_eq!(
        shape(&expr("x.where(~a & b | c)")),
        "x.where((((not a) and b) or c))"
    );
    assert_eq!(
        shape(&expr("x.where(not a == b and not c)")),
        "x.where(((not (a == b)) and (not c)))"
    );
}

#[test]
fn keywords_are_refused_where_a_value_belongs() {
    let err = parse("students.where(and)").expect_err("keyword as value");
    assert!(err.message.contains("unexpected 'and'"), "{}", err.message);
    assert!(err.hint.is_some_and(|h| h.contains("keyword")));
    let err = parse("for in students: s").expect_err("keyword as loop variable");
    assert!(err.message.contains("unexpected 'in'"), "{}", err.message);
}

#[test]
fn a_keyword_argument_must_be_a_plain_name() {
    let err = parse("students.where(year == 2 and name = 'x')").expect_err("= in a condition");
    assert!(err.message.contains("plain name"), "{}", err.message);
    assert_eq!(err.hint.as_deref(), Some("to compare two values use '=='"));
    assert_eq!(
        shape(&expr("students.filter_by(year = 2)")),
        "students.filter_by(year=2)"
    );
}

#[test]
fn loop_bodies_are_values_or_one_assignment() {
    let Ok(Statement::Loop { body, .. }) = parse("for s in students: s.name, s.year,") else {
        panic!("not a loop");
    };
    assert!(matches!(body, LoopBody::Values(v) if v.len() == 2));
    let Ok(Statement::Loop { body, .. }) = parse("for s in students: s.year = 3") else {
        panic!("not a loop");
    };
    assert!(matches!(body, LoopBody::Assign { .. }));
}
