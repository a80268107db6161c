//! `session.get(...)`, `session.query(...)`, `session.scalars(...)`, `session.add(...)`, … read
//! as short forms.

use super::builder::Projection;
use super::*;

/// `session.get(...)`, `session.query(...)`, `session.scalars(...)`, `session.add(...)`, …
pub(super) fn session(root: Expr, rest: &mut Rest) -> Result<(Expr, Mode)> {
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
