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
                self.set_base(table_of(base))?;
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
                    match &a.value.kind {
                        ExprKind::Member(base, Member::Name(col)) => {
                            self.set_base(table_of(base))?;
                            if agg.name != "count" {
                                inner.push(positional(name_expr(&col.name, col.span)));
                            }
                        }
                        // `func.sum(InvoiceLine.UnitPrice * InvoiceLine.Quantity)`.
                        ExprKind::Arith(..) | ExprKind::Neg(_) if agg.name != "count" => {
                            let mut classes = Vec::new();
                            qualifiers(&a.value, &mut classes);
                            for class in &classes {
                                self.set_base(class)?;
                            }
                            inner.push(positional(expr(a.value.clone(), true)?));
                        }
                        _ => return Err(select_error(a.value.span)),
                    }
                }
                self.aggregate = Some((agg.clone(), inner));
                Ok(())
            }
            _ => Err(select_error(span)),
        }
    }
}

/// The table whose columns `PlaylistTrack.c` names (a Core table's `.c`); any other
/// expression is itself.
fn table_of(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Member(table, Member::Name(c))
            if c.name == "c" && matches!(table.kind, ExprKind::Name(_)) =>
        {
            table
        }
        _ => e,
    }
}

/// The classes named in qualified columns (`Student.year`) inside an expression.
fn qualifiers(e: &Expr, out: &mut Vec<Expr>) {
    match &e.kind {
        ExprKind::Member(base, Member::Name(_)) => match &table_of(base).kind {
            ExprKind::Name(n) if is_class_like(n) || !std::ptr::eq(table_of(base), &**base) => {
                out.push(table_of(base).clone())
            }
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

/// A statement being built: what it reads and the builder methods called on it, in order.
struct Built {
    projection: Projection,
    steps: Vec<(Ident, Vec<Argument>)>,
    values: Option<Vec<Argument>>,
    distinct: bool,
    grouped: bool,
    /// The statement's span up to its last builder method.
    end: Span,
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
    let mut built = Built {
        projection,
        steps: Vec::new(),
        values: None,
        distinct: false,
        grouped: false,
        end: span,
    };
    built.read_methods(rest)?;
    built.finish(verb, span)
}

impl Built {
    /// Takes the builder methods that follow (`.where(...)`, `.select_from(...)`, …).
    fn read_methods(&mut self, rest: &mut Rest) -> Result<()> {
        while let Some(name) = peek_member(rest) {
            if !BUILDER_METHODS.contains(&name) {
                if ["join", "outerjoin", "join_from"].contains(&name) {
                    let m = take_member(rest).map_or(self.end, |m| m.span);
                    return Err(join_error(m));
                }
                return Ok(());
            }
            let Some(m) = take_member(rest) else {
                return Ok(());
            };
            let Some((call_args, call_span)) = take_call(rest) else {
                return Err(Error::type_error(
                    m.span,
                    format!("{} is a method: call it with ()", m.name),
                ));
            };
            self.end = self.end.to(call_span);
            match m.name.as_str() {
                "select_from" => {
                    let [only] = call_args.as_slice() else {
                        return Err(Error::type_error(m.span, "select_from() takes one class")
                            .with_hint("e.g. select(func.count()).select_from(Student)"));
                    };
                    self.projection.set_base(&only.value)?;
                }
                "distinct" => self.distinct = true,
                "values" => self.values = Some(args_of(call_args)?),
                "options" => self.steps.push((m, call_args)),
                other => {
                    self.grouped |= other == "group_by";
                    self.steps.push((m, args_of(call_args)?));
                }
            }
        }
        Ok(())
    }

    /// The short-form chain: the class, its steps, then what the statement does.
    fn finish(mut self, verb: &str, span: Span) -> Result<(Expr, Mode)> {
        let end = self.end;
        let mut e = self.projection.base.clone().ok_or_else(|| {
            Error::type_error(span, "this select(...) does not say which class it reads").with_hint(
                "add .select_from(Student), e.g. select(func.count()).select_from(Student)",
            )
        })?;
        for (m, args) in std::mem::take(&mut self.steps) {
            e = if m.name == "options" {
                options(e, args_of(args)?)?
            } else {
                method(e, &m.name, args, m.span)
            };
        }
        let values = |what: &str, example: &str| {
            self.values.clone().ok_or_else(|| {
                Error::type_error(end, format!("{what}(...) needs .values(column=value)"))
                    .with_hint(format!("e.g. {example}"))
            })
        };
        let done = match verb {
            "update" => method(
                e,
                "update",
                values(
                    "update",
                    "update(Student).where(Student.year == 4).values(year=3)",
                )?,
                end,
            ),
            "delete" => method(e, "delete", Vec::new(), end),
            "insert" => method(
                e,
                "create",
                values(
                    "insert",
                    "insert(Student).values(name='Ada', email='ada@school.edu', year=1)",
                )?,
                end,
            ),
            _ => return Ok(self.projected(e)),
        };
        Ok((done, Mode::Result { aggregate: false }))
    }

    /// A select's rows: whole objects, columns, or an aggregate (per group when grouped).
    fn projected(self, mut e: Expr) -> (Expr, Mode) {
        let end = self.end;
        let mut aggregate = false;
        if let Some((agg, inner)) = self.projection.aggregate {
            aggregate = !self.grouped;
            e = method(e, &agg.name, inner, agg.span);
        } else if !self.projection.columns.is_empty() && !self.grouped {
            e = method(e, "select", self.projection.columns, end);
        }
        if self.distinct {
            e = method(e, "distinct", Vec::new(), end);
        }
        (e, Mode::Result { aggregate })
    }
}
