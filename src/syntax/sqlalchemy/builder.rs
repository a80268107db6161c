//! `select(...)`, `update(...)`, `delete(...)`, `insert(...)` and the builder methods after
//! them, read as one short-form chain.

use super::*;

/// Methods of a `select(...)`, `update(...)`, `delete(...)` or `insert(...)` being built.
const BUILDER_METHODS: &[&str] = &[
    "where",
    "filter",
    "filter_by",
    "order_by",
    "limit",
    "offset",
    "select_from",
    "options",
    "group_by",
    "having",
    "distinct",
    "values",
];

/// What a `select(...)` picks: whole objects of a class, some of its columns, an aggregate.
#[derive(Debug, Default)]
pub(super) struct Projection {
    /// The class (or table) rows come from.
    pub(super) base: Option<Expr>,
    /// Columns, as bare names.
    pub(super) columns: Vec<Argument>,
    /// `func.count()`, `func.sum(Class.credits)`: the aggregate and its column.
    pub(super) aggregate: Option<(Ident, Vec<Argument>)>,
}

impl Projection {
    pub(super) fn set_base(&mut self, base: &Expr) -> Result<()> {
        match (&self.base, &base.kind) {
            (None, _) => {
                self.base = Some(base.clone());
                Ok(())
            }
            (Some(Expr { kind: ExprKind::Name(a), .. }), ExprKind::Name(b)) if a == b => Ok(()),
            _ => Err(Error::type_error(
                base.span,
                "ormscope selects from one class at a time",
            )
            .with_hint("follow a relationship instead: students[13].classes, or students.where(classes.any())")),
        }
    }

    /// Reads one argument of `select(...)`.
    pub(super) fn take(&mut self, v: Expr) -> Result<()> {
        let span = v.span;
        match &v.kind {
            ExprKind::Name(_) => self.set_base(&v),
            ExprKind::Member(base, Member::Name(col)) => {
                if matches!(base.kind, ExprKind::Name(ref n) if n == "func") {
                    return Err(
                        Error::type_error(span, format!("func.{} needs ()", col.name))
                            .with_hint("e.g. func.count()"),
                    );
                }
                self.set_base(base)?;
                self.columns
                    .push(positional(name_expr(&col.name, col.span)));
                Ok(())
            }
            ExprKind::Arith(..) | ExprKind::Neg(_) => {
                let mut classes = Vec::new();
                qualifiers(&v, &mut classes);
                for class in &classes {
                    self.set_base(class)?;
                }
                self.columns.push(positional(expr(v, true)?));
                Ok(())
            }
            ExprKind::Call(callee, args) => {
                let ExprKind::Member(func, Member::Name(agg)) = &callee.kind else {
                    return Err(select_error(span));
                };
                if !matches!(&func.kind, ExprKind::Name(n) if n == "func") {
                    return Err(select_error(span));
                }
                let mut inner = Vec::new();
                for a in args {
                    if let ExprKind::Member(base, Member::Name(col)) = &a.value.kind {
                        self.set_base(base)?;
                        if agg.name != "count" {
                            inner.push(positional(name_expr(&col.name, col.span)));
                        }
                    } else {
                        return Err(select_error(a.value.span));
                    }
                }
                self.aggregate = Some((agg.clone(), inner));
                Ok(())
            }
            _ => Err(select_error(span)),
        }
    }
}

/// The classes named in qualified columns (`Student.year`) inside an expression.
fn qualifiers(e: &Expr, out: &mut Vec<Expr>) {
    match &e.kind {
        ExprKind::Member(base, Member::Name(_)) => match &base.kind {
            ExprKind::Name(n) if is_class_like(n) => out.push((**base).clone()),
            _ => qualifiers(base, out),
        },
        ExprKind::Arith(l, _, r) | ExprKind::Compare(l, _, r) => {
            qualifiers(l, out);
            qualifiers(r, out);
        }
        ExprKind::Neg(x) | ExprKind::Not(x) => qualifiers(x, out),
        _ => {}
    }
}

fn select_error(span: Span) -> Error {
    Error::type_error(
        span,
        "select(...) takes a class, its columns, or func.count() / func.sum(...)",
    )
    .with_hint("e.g. select(Student), select(Student.name, Student.email), select(func.count()).select_from(Student)")
}

/// `select(...)`, `update(...)`, `delete(...)`, `insert(...)` and the builder methods after
/// them, as one short-form chain.
pub(super) fn builder(
    verb: &str,
    args: Vec<Argument>,
    span: Span,
    rest: &mut Rest,
) -> Result<(Expr, Mode)> {
    let mut projection = Projection::default();
    for a in args {
        projection.take(a.value)?;
    }
    if verb != "select" && (!projection.columns.is_empty() || projection.aggregate.is_some()) {
        return Err(
            Error::type_error(span, format!("{verb}(...) takes a class"))
                .with_hint(format!("e.g. {verb}(Student)")),
        );
    }
    let mut steps: Vec<(Ident, Vec<Argument>)> = Vec::new();
    let mut values: Option<Vec<Argument>> = None;
    let mut distinct = false;
    let mut grouped = false;
    let mut end = span;
    while let Some(name) = peek_member(rest) {
        if !BUILDER_METHODS.contains(&name) {
            if ["join", "outerjoin", "join_from"].contains(&name) {
                let m = take_member(rest).map_or(end, |m| m.span);
                return Err(join_error(m));
            }
            break;
        }
        let Some(m) = take_member(rest) else { break };
        let Some((call_args, call_span)) = take_call(rest) else {
            return Err(Error::type_error(
                m.span,
                format!("{} is a method: call it with ()", m.name),
            ));
        };
        end = end.to(call_span);
        match m.name.as_str() {
            "select_from" => {
                let [only] = call_args.as_slice() else {
                    return Err(Error::type_error(m.span, "select_from() takes one class")
                        .with_hint("e.g. select(func.count()).select_from(Student)"));
                };
                projection.set_base(&only.value)?;
            }
            "distinct" => distinct = true,
            "values" => values = Some(args_of(call_args)?),
            "options" => steps.push((ident("options", m.span), call_args)),
            other => {
                grouped |= other == "group_by";
                steps.push((m, args_of(call_args)?));
            }
        }
    }
    let base = projection.base.clone().ok_or_else(|| {
        Error::type_error(span, "this select(...) does not say which class it reads")
            .with_hint("add .select_from(Student), e.g. select(func.count()).select_from(Student)")
    })?;
    let mut e = base;
    for (m, args) in steps {
        e = if m.name == "options" {
            options(e, args_of(args)?)?
        } else {
            method(e, &m.name, args, m.span)
        };
    }
    let mut aggregate = false;
    match verb {
        "update" => {
            let values = values.ok_or_else(|| {
                Error::type_error(end, "update(...) needs .values(column=value)")
                    .with_hint("e.g. update(Student).where(Student.year == 4).values(year=3)")
            })?;
            e = method(e, "update", values, end);
        }
        "delete" => e = method(e, "delete", Vec::new(), end),
        "insert" => {
            let values = values.ok_or_else(|| {
                Error::type_error(end, "insert(...) needs .values(column=value)").with_hint(
                    "e.g. insert(Student).values(name='Ada', email='ada@school.edu', year=1)",
                )
            })?;
            e = method(e, "create", values, end);
        }
        _ => {
            if let Some((agg, inner)) = projection.aggregate {
                aggregate = !grouped;
                e = method(e, &agg.name, inner, agg.span);
            } else if !projection.columns.is_empty() && !grouped {
                e = method(e, "select", projection.columns, end);
            }
            if distinct {
                e = method(e, "distinct", Vec::new(), end);
            }
        }
    }
    Ok((e, Mode::Result { aggregate }))
}
