//! SQLAlchemy spelled as SQLAlchemy, read in: the 2.x (`session.scalars(select(Student)...)`)
//! and 1.x (`session.query(Student)...`) spellings are rewritten into the same tree as
//! ormscope's short forms, so they give the same SQL and the same result.
//!
//! Where SQLAlchemy behaves differently the tree says so in short-form words:
//! `session.get(Student, 999)` is `Student.get(999, None)` (None when there is no such row,
//! as Python's `dict.get`), and `.one()` / `.one_or_none()` keep their names.
//!
//! A spelling ormscope does not offer (`session.merge(...)`) is an error naming the nearest
//! form it does offer, in both spellings ([`nearest_form`]).

use super::ast::*;
use crate::error::{suggestion, Error, Result, Span};

/// Methods of a collection (short form or SQLAlchemy): after `Student.` these stay methods,
/// every other name is a column or relationship (`Student.year` is `year`).
const METHODS: &[&str] = &[
    "where",
    "filter",
    "filter_by",
    "order_by",
    "limit",
    "offset",
    "first",
    "all",
    "get",
    "one",
    "one_or_none",
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "select",
    "distinct",
    "group_by",
    "having",
    "add",
    "create",
    "append",
    "remove",
    "update",
    "delete",
    "include",
    "join_load",
    "query",
];

/// What the session object offers, in both spellings' terms.
const SESSION_METHODS: &[&str] = &[
    "get",
    "query",
    "scalars",
    "scalar",
    "execute",
    "add",
    "add_all",
    "delete",
    "flush",
    "commit",
    "rollback",
    "begin",
    "expire_all",
    "new",
    "dirty",
    "deleted",
];

/// Loader options, read inside `options(...)`.
const LOADERS: &[&str] = &["selectinload", "subqueryload", "joinedload", "lazyload"];

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

/// Rewrites the SQLAlchemy spellings in a statement into short forms.
pub fn desugar(statement: Statement) -> Result<Statement> {
    Ok(match statement {
        Statement::Expr(e) => {
            let span = e.span;
            match printed(e).as_slice() {
                [one] => Statement::Expr(expr(one.clone(), false)?),
                _ => return Err(print_error(span)),
            }
        }
        Statement::Assign { target, value } => Statement::Assign {
            target: expr(target, false)?,
            value: expr(value, false)?,
        },
        Statement::Delete(e) => Statement::Delete(expr(e, false)?),
        Statement::Loop {
            var,
            iterable,
            body,
        } => Statement::Loop {
            var,
            iterable: expr(iterable, false)?,
            body: match body {
                LoopBody::Values(values) => LoopBody::Values(
                    values
                        .into_iter()
                        .flat_map(printed)
                        .map(|v| expr(v, false))
                        .collect::<Result<_>>()?,
                ),
                LoopBody::Assign { target, value } => LoopBody::Assign {
                    target: expr(target, false)?,
                    value: expr(value, false)?,
                },
            },
        },
        other => other,
    })
}

/// The values `print(a, b)` shows, which ormscope shows by itself: `a`, `b`; any other
/// expression is itself.
fn printed(e: Expr) -> Vec<Expr> {
    match e.kind {
        ExprKind::Call(callee, args)
            if matches!(&callee.kind, ExprKind::Name(n) if n == "print")
                && args.iter().all(|a| a.keyword.is_none()) =>
        {
            args.into_iter().map(|a| a.value).collect()
        }
        kind => vec![Expr { kind, span: e.span }],
    }
}

fn print_error(span: Span) -> Error {
    Error::type_error(span, "print(...) of several values stands in a loop's body")
        .with_hint("in ormscope: `students[13].name`, or `for s in students: s.name, s.year`")
}

/// One step after the start of a chain: `.name`, `.13`, `[key]` or `(args)`, with the span of
/// the expression up to and including it.
#[derive(Debug, Clone)]
enum Suffix {
    Member(Ident, Span),
    Key(i64, Span, Span),
    Index(Expr, Span),
    Call(Vec<Argument>, Span),
}

impl Suffix {
    fn span(&self) -> Span {
        match self {
            Suffix::Member(_, s)
            | Suffix::Key(_, _, s)
            | Suffix::Index(_, s)
            | Suffix::Call(_, s) => *s,
        }
    }
}

/// Splits `a.b(c)[d]` into its start `a` and the steps after it.
fn flatten(e: Expr) -> (Expr, Vec<Suffix>) {
    let mut suffixes = Vec::new();
    let mut current = e;
    loop {
        let span = current.span;
        current = match current.kind {
            ExprKind::Member(base, Member::Name(ident)) => {
                suffixes.push(Suffix::Member(ident, span));
                *base
            }
            ExprKind::Member(base, Member::Key(k, ks)) => {
                suffixes.push(Suffix::Key(k, ks, span));
                *base
            }
            ExprKind::Index(base, key) => {
                suffixes.push(Suffix::Index(*key, span));
                *base
            }
            ExprKind::Call(callee, args) => {
                suffixes.push(Suffix::Call(args, span));
                *callee
            }
            kind => {
                suffixes.reverse();
                return (Expr { kind, span }, suffixes);
            }
        };
    }
}

fn apply(base: Expr, suffix: Suffix) -> Expr {
    let span = base.span.to(suffix.span());
    let kind = match suffix {
        Suffix::Member(ident, _) => ExprKind::Member(Box::new(base), Member::Name(ident)),
        Suffix::Key(k, ks, _) => ExprKind::Member(Box::new(base), Member::Key(k, ks)),
        Suffix::Index(key, _) => ExprKind::Index(Box::new(base), Box::new(key)),
        Suffix::Call(args, _) => ExprKind::Call(Box::new(base), args),
    };
    Expr { kind, span }
}

fn ident(name: &str, span: Span) -> Ident {
    Ident {
        name: name.to_string(),
        span,
    }
}

fn name_expr(name: &str, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Name(name.to_string()),
        span,
    }
}

/// `base.method(args)`.
fn method(base: Expr, name: &str, args: Vec<Argument>, span: Span) -> Expr {
    let callee_span = base.span.to(span);
    let callee = Expr {
        kind: ExprKind::Member(Box::new(base), Member::Name(ident(name, span))),
        span: callee_span,
    };
    Expr {
        kind: ExprKind::Call(Box::new(callee), args),
        span: callee_span,
    }
}

fn positional(value: Expr) -> Argument {
    Argument {
        keyword: None,
        value,
    }
}

/// How the steps after a SQLAlchemy head are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Short-form methods.
    Plain,
    /// After `session.query(...)`: `.get(k)` gives None for a missing key.
    Query1x,
    /// After `session.scalars(...)` / `session.execute(...)`: `.all()`, `.first()`,
    /// `.one()`, `.scalar()` fetch; `aggregate` when the statement gives one value.
    Result { aggregate: bool },
}

/// Rewrites one expression; `in_args` when it stands inside a call's arguments, where
/// `Student.year` means the column `year` and `func.count()` the aggregate `count()`.
fn expr(e: Expr, in_args: bool) -> Result<Expr> {
    let span = e.span;
    let boxed = |x: Box<Expr>| expr(*x, in_args).map(Box::new);
    let kind = match e.kind {
        ExprKind::Member(..) | ExprKind::Index(..) | ExprKind::Call(..) => {
            return chain(e, in_args).map(|(e, _)| e)
        }
        ExprKind::List(items) => ExprKind::List(
            items
                .into_iter()
                .map(|i| expr(i, in_args))
                .collect::<Result<_>>()?,
        ),
        ExprKind::Dict(entries) => ExprKind::Dict(
            entries
                .into_iter()
                .map(|(k, v)| Ok((k, expr(v, in_args)?)))
                .collect::<Result<_>>()?,
        ),
        ExprKind::Compare(l, op, r) => ExprKind::Compare(boxed(l)?, op, boxed(r)?),
        ExprKind::And(l, r) => ExprKind::And(boxed(l)?, boxed(r)?),
        ExprKind::Or(l, r) => ExprKind::Or(boxed(l)?, boxed(r)?),
        ExprKind::Not(x) => ExprKind::Not(boxed(x)?),
        ExprKind::Neg(x) => ExprKind::Neg(boxed(x)?),
        ExprKind::Arith(l, op, r) => ExprKind::Arith(boxed(l)?, op, boxed(r)?),
        kind @ (ExprKind::Literal(_) | ExprKind::Name(_)) => kind,
    };
    Ok(Expr { kind, span })
}

fn args_of(args: Vec<Argument>) -> Result<Vec<Argument>> {
    args.into_iter()
        .map(|a| {
            Ok(Argument {
                keyword: a.keyword,
                value: expr(a.value, true)?,
            })
        })
        .collect()
}

/// Rewrites a chain `start.step.step(...)...`, saying how a following step should be read.
fn chain(e: Expr, in_args: bool) -> Result<(Expr, Mode)> {
    let (root, suffixes) = flatten(e);
    let mut rest = suffixes.into_iter().peekable();
    let (mut current, mut mode) = match &root.kind {
        ExprKind::Name(name) => {
            let name = name.clone();
            head(root, &name, &mut rest, in_args)?
        }
        _ => (expr(root, in_args)?, Mode::Plain),
    };
    while let Some(suffix) = rest.next() {
        let (next, next_mode) = step(current, suffix, &mut rest, mode)?;
        current = next;
        mode = next_mode;
    }
    Ok((current, mode))
}

type Rest = std::iter::Peekable<std::vec::IntoIter<Suffix>>;

/// Takes the next step if it is a call, giving its arguments (unchanged) and span.
fn take_call(rest: &mut Rest) -> Option<(Vec<Argument>, Span)> {
    if matches!(rest.peek(), Some(Suffix::Call(..))) {
        if let Some(Suffix::Call(args, span)) = rest.next() {
            return Some((args, span));
        }
    }
    None
}

/// Takes the next step if it is `.name`, giving the name.
fn take_member(rest: &mut Rest) -> Option<Ident> {
    if matches!(rest.peek(), Some(Suffix::Member(..))) {
        if let Some(Suffix::Member(ident, _)) = rest.next() {
            return Some(ident);
        }
    }
    None
}

fn peek_member(rest: &mut Rest) -> Option<&str> {
    match rest.peek() {
        Some(Suffix::Member(ident, _)) => Some(ident.name.as_str()),
        _ => None,
    }
}

/// The start of a chain: a SQLAlchemy name (`session`, `select`, `func`, `and_`, `len`, a
/// qualified column) becomes its short form; any other name stays.
fn head(root: Expr, name: &str, rest: &mut Rest, in_args: bool) -> Result<(Expr, Mode)> {
    let span = root.span;
    let called = matches!(rest.peek(), Some(Suffix::Call(..)));
    if in_args && is_class_like(name) {
        if let Some(attr) = peek_member(rest) {
            if !METHODS.contains(&attr) {
                let attr = take_member(rest).map(|i| name_expr(&i.name, i.span));
                return Ok((attr.unwrap_or(root), Mode::Plain));
            }
        }
    }
    if in_args && peek_member(rest) == Some("c") {
        let _ = take_member(rest);
        if let Some(column) = take_member(rest) {
            return Ok((name_expr(&column.name, column.span), Mode::Plain));
        }
    }
    match name {
        "session" => session(root, rest),
        "select" | "update" | "delete" | "insert" if called => {
            let (args, call_span) = take_call(rest).unwrap_or_default();
            builder(name, args, span.to(call_span), rest)
        }
        "and_" | "or_" | "not_" | "len" | "desc" | "asc" if called => {
            let (args, call_span) = take_call(rest).unwrap_or_default();
            let whole = span.to(call_span);
            Ok((logic(name, args_of(args)?, whole)?, Mode::Plain))
        }
        "func" => {
            let Some(agg) = take_member(rest) else {
                return Err(func_error(span));
            };
            if !in_args {
                return Err(func_error(agg.span));
            }
            Ok((name_expr(&agg.name, agg.span), Mode::Plain))
        }
        _ if called && !is_class_like(name) && !(in_args && LOADERS.contains(&name)) => {
            match nearest_form(name) {
                Some((what, instead)) => Err(Error::name(span, what).with_hint(instead)),
                None => Ok((root, Mode::Plain)),
            }
        }
        _ => Ok((root, Mode::Plain)),
    }
}

/// Whether a name is spelled as a class (`Student`), so `Student.year` is a column.
fn is_class_like(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

fn func_error(span: Span) -> Error {
    Error::type_error(span, "func.count(), func.sum(...) belong inside select(...) or having(...)")
        .with_hint("in ormscope: students.count(), classes.sum(credits); or session.scalar(select(func.count()).select_from(Student))")
}

/// `and_(a, b)`, `or_(a, b)`, `not_(a)`, `len(x)`.
fn logic(name: &str, args: Vec<Argument>, span: Span) -> Result<Expr> {
    let mut values = args.into_iter().map(|a| a.value);
    let first = values.next().ok_or_else(|| {
        let example = if name == "len" {
            "e.g. len(students[13].classes)"
        } else {
            "e.g. and_(Student.year == 2, Student.advisor_id == 3)"
        };
        Error::type_error(span, format!("{name}() needs an argument")).with_hint(example)
    })?;
    let node = |kind| Expr { kind, span };
    Ok(match name {
        "not_" => node(ExprKind::Not(Box::new(first))),
        "len" => method(first, "count", Vec::new(), span),
        "desc" | "asc" => method(first, name, Vec::new(), span),
        _ => {
            let mut joined = first;
            for next in values {
                let both = joined.span.to(next.span);
                let kind = if name == "and_" {
                    ExprKind::And(Box::new(joined), Box::new(next))
                } else {
                    ExprKind::Or(Box::new(joined), Box::new(next))
                };
                joined = Expr { kind, span: both };
            }
            joined
        }
    })
}

/// One step after the head, read as `mode` says.
fn step(current: Expr, suffix: Suffix, rest: &mut Rest, mode: Mode) -> Result<(Expr, Mode)> {
    let Suffix::Member(name, member_span) = suffix else {
        let suffix = match suffix {
            Suffix::Call(args, s) => Suffix::Call(args_of(args)?, s),
            Suffix::Index(key, s) => Suffix::Index(expr(key, false)?, s),
            other => other,
        };
        return Ok((apply(current, suffix), Mode::Plain));
    };
    let Some((args, call_span)) = take_call(rest) else {
        return Ok((
            apply(current, Suffix::Member(name, member_span)),
            Mode::Plain,
        ));
    };
    let args = args_of(args)?;
    if name.name == "all" && mode != Mode::Plain && matches!(rest.peek(), Some(Suffix::Index(..))) {
        if let Some(Suffix::Index(key, _)) = rest.next() {
            return Ok((
                position_of(current, expr(key, false)?, name.span),
                Mode::Plain,
            ));
        }
    }
    if let Mode::Result { aggregate } = mode {
        let fetch = match name.name.as_str() {
            "all" | "fetchall" | "scalars" | "unique" => Some(None),
            "first" | "scalar" => Some(Some("first")),
            "one" | "scalar_one" => Some(Some("one")),
            "one_or_none" | "scalar_one_or_none" => Some(Some("one_or_none")),
            _ => None,
        };
        if let Some(fetch) = fetch {
            let keep = name.name == "scalars" || name.name == "unique";
            let next = if keep { mode } else { Mode::Plain };
            return Ok(match fetch {
                Some(m) if !aggregate => (method(current, m, args, name.span), next),
                _ => (current, next),
            });
        }
    }
    match name.name.as_str() {
        "get" if mode == Mode::Query1x && args.len() == 1 => {
            let mut args = args;
            args.push(positional(Expr {
                kind: ExprKind::Literal(Literal::None),
                span: call_span,
            }));
            Ok((method(current, "get", args, name.span), Mode::Query1x))
        }
        "options" => Ok((options(current, args)?, mode)),
        "update" | "delete" if args.iter().any(is_synchronize) || is_one_dict(&args) => {
            let args = update_arguments(args);
            Ok((method(current, &name.name, args, name.span), Mode::Plain))
        }
        "ilike" => Ok((method(current, "like", args, name.span), Mode::Plain)),
        "notin_" => Ok((method(current, "not_in", args, name.span), Mode::Plain)),
        "join" | "outerjoin" | "join_from" => Err(join_error(name.span)),
        _ => {
            let next = if mode == Mode::Query1x {
                Mode::Query1x
            } else {
                Mode::Plain
            };
            let callee = apply(current, Suffix::Member(name, member_span));
            Ok((apply(callee, Suffix::Call(args, call_span)), next))
        }
    }
}

/// `....all()[i]`, a position in the list of rows: `.offset(i).first()` (`.first()` for 0).
fn position_of(current: Expr, key: Expr, span: Span) -> Expr {
    if matches!(key.kind, ExprKind::Literal(Literal::Integer(0))) {
        return method(current, "first", Vec::new(), span);
    }
    let paged = method(current, "offset", vec![positional(key)], span);
    method(paged, "first", Vec::new(), span)
}

fn is_synchronize(a: &Argument) -> bool {
    a.keyword
        .as_ref()
        .is_some_and(|k| k.name == "synchronize_session")
}

fn is_one_dict(args: &[Argument]) -> bool {
    matches!(args, [only] if only.keyword.is_none() && matches!(only.value.kind, ExprKind::Dict(_)))
}

/// SQLAlchemy 1.x's `.update({'year': 3}, synchronize_session=False)` as `.update(year=3)`.
fn update_arguments(args: Vec<Argument>) -> Vec<Argument> {
    let mut out = Vec::new();
    for a in args.into_iter().filter(|a| !is_synchronize(a)) {
        match (a.keyword, a.value.kind) {
            (None, ExprKind::Dict(entries)) => {
                out.extend(entries.into_iter().map(|(k, v)| Argument {
                    keyword: Some(k),
                    value: v,
                }))
            }
            (keyword, kind) => out.push(Argument {
                keyword,
                value: Expr {
                    kind,
                    span: a.value.span,
                },
            }),
        }
    }
    out
}

/// `.options(selectinload(Student.classes), joinedload(Student.advisor))` as
/// `.include(classes).join_load(advisor)`.
fn options(mut current: Expr, args: Vec<Argument>) -> Result<Expr> {
    for arg in args {
        let value = arg.value;
        let ExprKind::Call(callee, inner) = value.kind else {
            return Err(options_error(value.span));
        };
        let short = match &callee.kind {
            ExprKind::Name(n) if n == "selectinload" || n == "subqueryload" => "include",
            ExprKind::Name(n) if n == "joinedload" => "join_load",
            ExprKind::Name(n) if n == "lazyload" => continue,
            _ => return Err(options_error(callee.span)),
        };
        current = method(current, short, inner, callee.span);
    }
    Ok(current)
}

fn options_error(span: Span) -> Error {
    Error::type_error(span, "options(...) takes selectinload(...) or joinedload(...)")
        .with_hint("in ormscope: students.include(classes); or select(Student).options(selectinload(Student.classes))")
}

fn join_error(span: Span) -> Error {
    Error::name(span, "ormscope follows relationships instead of joining by hand")
        .with_hint("in ormscope: `students.where(advisor.department == 'Arts')` or `students[13].classes`; or `select(Student).where(Student.advisor.has(Teacher.department == 'Arts'))`")
}

/// `session.get(...)`, `session.query(...)`, `session.scalars(...)`, `session.add(...)`, …
fn session(root: Expr, rest: &mut Rest) -> Result<(Expr, Mode)> {
    let Some(Suffix::Member(m, _)) = rest.peek().cloned() else {
        return Ok((root, Mode::Plain));
    };
    let handled = [
        "get", "query", "scalars", "scalar", "execute", "add", "add_all", "delete",
    ];
    if SESSION_METHODS.contains(&m.name.as_str()) && !handled.contains(&m.name.as_str()) {
        return Ok((root, Mode::Plain));
    }
    let _ = rest.next();
    let Some((args, call_span)) = take_call(rest) else {
        return Err(Error::type_error(
            m.span,
            format!("session.{} is a method: call it with ()", m.name),
        ));
    };
    let whole = root.span.to(call_span);
    let values: Vec<Expr> = args.iter().map(|a| a.value.clone()).collect();
    let one = |what: &str| -> Result<Expr> {
        match values.as_slice() {
            [only] => Ok(only.clone()),
            _ => Err(
                Error::type_error(whole, format!("session.{}() takes one argument", m.name))
                    .with_hint(format!("e.g. {what}")),
            ),
        }
    };
    match m.name.as_str() {
        "get" => {
            let [class, key] = values.as_slice() else {
                return Err(
                    Error::type_error(whole, "session.get() takes a class and a key")
                        .with_hint("e.g. session.get(Student, 13), in ormscope students[13]"),
                );
            };
            let none = Expr {
                kind: ExprKind::Literal(Literal::None),
                span: key.span,
            };
            let args = vec![positional(expr(key.clone(), false)?), positional(none)];
            Ok((method(class.clone(), "get", args, m.span), Mode::Plain))
        }
        "query" => Ok((query_root(values, whole)?, Mode::Query1x)),
        "scalars" | "execute" | "scalar" => {
            let statement = one(&format!("session.{}(select(Student))", m.name))?;
            let (inner, inner_mode) = chain_or_expr(statement)?;
            let aggregate = inner_mode == (Mode::Result { aggregate: true });
            if m.name == "scalar" {
                let e = if aggregate {
                    inner
                } else {
                    method(inner, "first", Vec::new(), m.span)
                };
                return Ok((e, Mode::Plain));
            }
            Ok((inner, Mode::Result { aggregate }))
        }
        "add" => Ok((
            expr(one("session.add(Student(name='Ada', ...))")?, false)?,
            Mode::Plain,
        )),
        "add_all" => {
            let list = one("session.add_all([Student(...), Student(...)])")?;
            if !matches!(list.kind, ExprKind::List(_)) {
                return Err(Error::type_error(list.span, "session.add_all() takes a list")
                    .with_hint("e.g. session.add_all([Student(name='Ada', email='ada@school.edu', year=1)])"));
            }
            Ok((expr(list, false)?, Mode::Plain))
        }
        "delete" => {
            let target = expr(one("session.delete(session.get(Student, 13))")?, false)?;
            Ok((method(target, "delete", Vec::new(), m.span), Mode::Plain))
        }
        _ => Err(nearest_session_error(&m)),
    }
}

fn chain_or_expr(e: Expr) -> Result<(Expr, Mode)> {
    match e.kind {
        ExprKind::Member(..) | ExprKind::Call(..) | ExprKind::Index(..) => chain(e, false),
        _ => Ok((expr(e, false)?, Mode::Plain)),
    }
}

/// The error for a session method ormscope does not offer.
fn nearest_session_error(m: &Ident) -> Error {
    let key = format!("session.{}", m.name);
    match nearest_form(&key) {
        Some((message, hint)) => Error::name(m.span, message).with_hint(hint),
        None => Error::name(m.span, format!("ormscope's session has no {}()", m.name))
            .with_hint(suggestion(&m.name, SESSION_METHODS.iter().copied())),
    }
}

/// `session.query(Student)` is `Student`; `session.query(Student.name, Student.email)` is
/// `Student.select(name, email)`.
fn query_root(values: Vec<Expr>, span: Span) -> Result<Expr> {
    let mut projection = Projection::default();
    for v in values {
        projection.take(v)?;
    }
    let base = projection.base.clone().ok_or_else(|| {
        Error::type_error(span, "session.query() takes a class or its columns")
            .with_hint("e.g. session.query(Student), in ormscope students")
    })?;
    if projection.aggregate.is_some() {
        return Err(Error::type_error(span, "ormscope reads func.count() in select(...), not in query(...)")
            .with_hint("session.query(Student).count(); or session.scalar(select(func.count()).select_from(Student))"));
    }
    if projection.columns.is_empty() {
        return Ok(base);
    }
    Ok(method(base, "select", projection.columns, span))
}

/// What a `select(...)` picks: whole objects of a class, some of its columns, an aggregate.
#[derive(Debug, Default)]
struct Projection {
    /// The class (or table) rows come from.
    base: Option<Expr>,
    /// Columns, as bare names.
    columns: Vec<Argument>,
    /// `func.count()`, `func.sum(Class.credits)`: the aggregate and its column.
    aggregate: Option<(Ident, Vec<Argument>)>,
}

impl Projection {
    fn set_base(&mut self, base: &Expr) -> Result<()> {
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
    fn take(&mut self, v: Expr) -> Result<()> {
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
fn builder(verb: &str, args: Vec<Argument>, span: Span, rest: &mut Rest) -> Result<(Expr, Mode)> {
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

/// For a Python or SQLAlchemy name ormscope does not offer, what it says and the nearest
/// form it does offer, in both spellings.
pub fn nearest_form(name: &str) -> Option<(String, String)> {
    let (what, instead): (&str, &str) = match name {
        "session.merge" => (
            "ormscope has no session.merge(): every object is read from the database by its key, so there is nothing detached to merge",
            "in ormscope: `students[13].update(name='Ann')` or `students[13].name = 'Ann'`; or `session.get(Student, 13)` and then set its attributes",
        ),
        "session.refresh" | "session.expire" => (
            "ormscope reads an object again at each use, so there is nothing to refresh",
            "in ormscope: `students[13]`, or `session.get(Student, 13)`; session.expire_all() expires everything",
        ),
        "session.expunge" | "session.expunge_all" | "session.close" | "session.close_all" => (
            "ormscope keeps one session for the whole run",
            "in ormscope: `commit` or `rollback`; or `session.commit()` / `session.rollback()` (`:session off` leaves session mode)",
        ),
        "session.bulk_save_objects" | "session.bulk_insert_mappings" => (
            "ormscope adds new rows one by one",
            "in ormscope: `students.add({'name': 'Ada', 'email': 'ada@school.edu', 'year': 1})`; or `session.add_all([Student(name='Ada', email='ada@school.edu', year=1)])`",
        ),
        "session.bulk_update_mappings" => (
            "ormscope changes many rows with one UPDATE",
            "in ormscope: `students.where(year == 4).update(year=3)`; or `session.execute(update(Student).where(Student.year == 4).values(year=3))`",
        ),
        "session.connection" | "session.bind" | "text" => (
            "raw SQL is typed after :sql in ormscope",
            "in ormscope: `:sql SELECT * FROM students WHERE year = 2`; or `students.where(year == 2)`, `session.scalars(select(Student).where(Student.year == 2))`",
        ),
        "session" => (
            "session is the SQLAlchemy session ormscope keeps for you: call one of its methods",
            "in ormscope: `students[13]`, `students.where(year == 2)`; or `session.get(Student, 13)`, `session.scalars(select(Student).where(Student.year == 2)).all()`",
        ),
        "select" | "selectinload" | "joinedload" => (
            "select(...) and the loader options take a class or its attributes, and run through the session",
            "in ormscope: `students.include(classes)`; or `session.scalars(select(Student).options(selectinload(Student.classes))).all()`",
        ),
        "func" => (
            "func.count(), func.sum(...) belong inside select(...) or having(...)",
            "in ormscope: `students.count()`, `classes.sum(credits)`; or `session.scalar(select(func.count()).select_from(Student))`",
        ),
        "len" => (
            "len(...) counts a collection",
            "in ormscope: `students[13].classes.count()`; or `len(students[13].classes)`",
        ),
        "and_" | "or_" | "not_" => (
            "and_, or_ and not_ join conditions inside where(...)",
            "in ormscope: `students.where(year == 2 and advisor_id == 3)`; or `select(Student).where(and_(Student.year == 2, Student.advisor_id == 3))`",
        ),
        "update" | "delete" | "insert" => (
            "update(...), delete(...) and insert(...) take a class and run through session.execute(...)",
            "in ormscope: `students.where(year == 4).update(year=3)`; or `session.execute(update(Student).where(Student.year == 4).values(year=3))`",
        ),
        "print" => (
            "ormscope shows every result itself: print(...) takes plain values only",
            "in ormscope: `students[13].name`; or `print(session.get(Student, 13).name)`",
        ),
        "list" | "sorted" | "tuple" => (
            "a collection is already a list of rows in ormscope",
            "in ormscope: `students.order_by(name)`; or `session.scalars(select(Student).order_by(Student.name)).all()`",
        ),
        "dir" | "help" | "type" | "vars" => (
            "ormscope describes classes with meta commands",
            "in ormscope: `:schema students`, `:mapping Student` and `:help`",
        ),
        "create_engine" | "Session" | "sessionmaker" | "declarative_base" | "engine" => (
            "ormscope has its engine and its session ready: the session is called `session`",
            "in ormscope: `students[13]`; or `session.get(Student, 13)`",
        ),
        "aliased" | "union" | "union_all" | "exists" | "literal_column" | "case" | "cast" => (
            "ormscope does not build that by hand: it follows relationships and nests queries for you",
            "in ormscope: `students.where(classes.any(credits >= 4))`, `students.where(id in classes.select(student_id))`; or `select(Student).where(Student.classes.any(Class.credits >= 4))`",
        ),
        _ => return None,
    };
    Some((what.to_string(), instead.to_string()))
}

#[cfg(test)]
mod tests;
