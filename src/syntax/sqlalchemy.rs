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
    "join",
    "outerjoin",
    "join_from",
    "options",
    "subquery",
    "cte",
    "with_entities",
    "scalar",
    "exists",
    "union",
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

/// Rewrites the SQLAlchemy spellings in a statement into short forms.
pub fn desugar(statement: Statement) -> Result<Statement> {
    Ok(match statement {
        Statement::Expr(e) => {
            let span = e.span;
            let mut values = printed(e);
            match (values.pop(), values.is_empty()) {
                (Some(one), true) => Statement::Expr(expr(one, false)?),
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

/// `sa.select(...)`, `sqlalchemy.func.count()`: SQLAlchemy's names, with the module they
/// come from left out (in arguments too).
fn unprefixed(e: Expr) -> Expr {
    let span = e.span;
    let kind = match e.kind {
        ExprKind::Member(base, Member::Name(ident)) if matches!(&base.kind, ExprKind::Name(m) if m == "sa" || m == "sqlalchemy") => {
            ExprKind::Name(ident.name)
        }
        ExprKind::Member(base, member) => ExprKind::Member(Box::new(unprefixed(*base)), member),
        ExprKind::Index(base, key) => ExprKind::Index(Box::new(unprefixed(*base)), key),
        ExprKind::Call(callee, args) => ExprKind::Call(
            Box::new(unprefixed(*callee)),
            args.into_iter()
                .map(|a| Argument {
                    keyword: a.keyword,
                    value: unprefixed(a.value),
                })
                .collect(),
        ),
        kind => kind,
    };
    Expr { kind, span }
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
    let (root, suffixes) = flatten(unprefixed(e));
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
    if in_args && is_class_like(name) && !is_method_call(rest) {
        if let Some(attr) = peek_member(rest) {
            if !METHODS.contains(&attr) && !is_table_columns(rest) {
                // The column keeps the whole `Class.column` as its span, so the translator can
                // tell which class it was named by (a column of another class never silently
                // means a column of the collection).
                let attr = take_member(rest).map(|i| name_expr(&i.name, span.to(i.span)));
                return Ok((attr.unwrap_or(root), Mode::Plain));
            }
        }
    }
    if in_args && is_table_columns(rest) {
        // `PlaylistTrack.c.PlaylistId`, a plain table's column. It keeps the whole of it as its
        // span, as `Class.column` does, so the translator can tell a column of another table.
        let _ = take_member(rest);
        if let Some(column) = take_member(rest) {
            return Ok((name_expr(&column.name, span.to(column.span)), Mode::Plain));
        }
    }
    let prefix = matches!(name, "sa" | "sqlalchemy")
        || (name == "db" && peek_member(rest) == Some("session"));
    if prefix && peek_member(rest).is_some() {
        if let Some(inner) = take_member(rest) {
            return head(
                name_expr(&inner.name, inner.span),
                &inner.name,
                rest,
                in_args,
            );
        }
    }
    match name {
        "session" => session::session(root, rest),
        "select" | "update" | "delete" | "insert" if called => {
            let (args, call_span) = take_call(rest).unwrap_or_default();
            builder::builder(name, args, span.to(call_span), rest)
        }
        "and_" | "or_" | "not_" | "desc" | "asc" if called => {
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
        _ => Ok((root, Mode::Plain)),
    }
}

/// Whether the chain goes on with a method called on its start (`Name.startswith('R')`,
/// `Album.any(...)`): then a capitalised start is a column or relationship, not a class.
fn is_method_call(rest: &Rest) -> bool {
    let mut ahead = rest.clone();
    matches!(ahead.next(), Some(Suffix::Member(..)))
        && matches!(ahead.next(), Some(Suffix::Call(..)))
}

/// Whether the chain goes on with `.c.column`: a Core table's columns.
fn is_table_columns(rest: &Rest) -> bool {
    let mut ahead = rest.clone();
    matches!(ahead.next(), Some(Suffix::Member(c, _)) if c.name == "c")
        && matches!(ahead.next(), Some(Suffix::Member(..)))
        && !matches!(ahead.next(), Some(Suffix::Call(..)))
}

/// Whether a name is spelled as a class (`Student`), so `Student.year` is a column.
fn is_class_like(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

fn func_error(span: Span) -> Error {
    Error::type_error(span, "func.count(), func.sum(...) belong inside select(...) or having(...)")
        .with_hint("in ormscope: students.count(), classes.sum(credits); or session.scalar(select(func.count()).select_from(Student))")
}

/// `and_(a, b)`, `or_(a, b)`, `not_(a)`, `desc(x)`, `asc(x)`.
fn logic(name: &str, args: Vec<Argument>, span: Span) -> Result<Expr> {
    let mut values = args.into_iter().map(|a| a.value);
    let first = values.next().ok_or_else(|| {
        let example = "e.g. and_(Student.year == 2, Student.advisor_id == 3)";
        Error::type_error(span, format!("{name}() needs an argument")).with_hint(example)
    })?;
    let node = |kind| Expr { kind, span };
    Ok(match name {
        "not_" => node(ExprKind::Not(Box::new(first))),
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
        "icontains" | "istartswith" | "iendswith" => Ok((
            method(current, &name.name[1..], args, name.span),
            Mode::Plain,
        )),
        "not_like" | "notlike" | "not_ilike" | "notilike" => {
            let like = method(current, "like", args, name.span);
            let span = like.span;
            let not = ExprKind::Not(Box::new(like));
            Ok((Expr { kind: not, span }, Mode::Plain))
        }
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

mod builder;
mod nearest;
mod session;

pub use nearest::{nearest_form, NEAREST};

#[cfg(test)]
mod tests;
