//! The collection methods SQLAlchemy's spellings bring with them, with SQLAlchemy's meaning:
//! `get(key, None)` (what `session.get` becomes: None for a missing key), `.one()`,
//! `.one_or_none()`, `having(...)` on groups, a position `[i]` in an object's relationship
//! (a Python list), and `session.add_all([...])`'s list of new rows.

use super::eval::{Eval, Val};
use crate::answer::{NoteKind, Outcome};
use crate::error::{Error, ErrorKind, Result, Span};
use crate::mapper::query::Query;
use crate::sql::Value;
use crate::syntax::ast::{Argument, ExprKind, Literal};

impl Eval<'_> {
    /// `students.get(13, None)`: the object, or None when there is no such row (SQLAlchemy's
    /// `session.get(Student, 13)`; `students[13]` and `students.get(13)` say it is missing).
    pub(crate) fn get_or_default(
        &mut self,
        q: Query,
        args: &[Argument],
        span: Span,
    ) -> Result<Val> {
        let [key, default] = args else {
            return Err(Error::type_error(span, "get() takes a key, and None"));
        };
        if key.keyword.is_some()
            || default.keyword.is_some()
            || !matches!(default.value.kind, ExprKind::Literal(Literal::None))
        {
            return Err(Error::type_error(
                default.value.span,
                "get(key, None) gives None for a missing key; no other default is offered",
            )
            .with_hint("e.g. students.get(13, None), or session.get(Student, 13)"));
        }
        let key_val = self.eval(&key.value)?;
        let found = if q.filters.is_empty() && q.joins.is_empty() && q.parent.is_none() {
            let obj = self.key_object(&q.table, key_val, key.value.span)?;
            self.step(|ev| {
                format!(
                    "{} {}: one object by its primary key, or None (as session.get)",
                    ev.class_of(&obj.table),
                    obj.key_text()
                )
            });
            self.load(&obj, span).map(|_| Val::Object(obj))
        } else {
            let index = Argument {
                keyword: None,
                value: key.value.clone(),
            };
            self.method_on_query(q, "get", &[index], span)
        };
        match found {
            Err(e) if e.kind == ErrorKind::NotFound => {
                self.trace.note(
                    NoteKind::Loading,
                    "no such row: get() with None gives None, as session.get does",
                );
                Ok(Val::Nothing)
            }
            other => other,
        }
    }

    /// `.one()` (exactly one row, or a `not_found` error) and `.one_or_none()`.
    pub(crate) fn one(&mut self, q: Query, strict: bool, span: Span) -> Result<Val> {
        let method = if strict { "one" } else { "one_or_none" };
        let rows = self.run_query(q.to_select(), span)?;
        match rows.rows.len() {
            0 => {
                self.check_parent(&q, span)?;
                if strict {
                    return Err(Error::not_found(
                        span,
                        format!(
                            "no {} matched: .one() needs exactly one",
                            self.class_of(&q.table)
                        ),
                    )
                    .with_hint(
                        ".one_or_none() gives None instead, .first() the first row or None",
                    ));
                }
                Ok(Val::Nothing)
            }
            1 => {
                let row = rows.rows.into_iter().next().unwrap_or_default();
                if !q.is_whole_rows() {
                    return Ok(match row.as_slice() {
                        [only] => Val::Scalar(only.clone()),
                        _ => Val::Rows(crate::result::Rows {
                            columns: rows.columns,
                            rows: vec![row],
                        }),
                    });
                }
                let obj = self.object_from_row(&q.table, &rows.columns, &row, span)?;
                self.remember(&obj, row);
                Ok(Val::Object(obj))
            }
            n => Err(Error::type_error(
                span,
                format!("{n} rows matched, and .{method}() needs at most one"),
            )
            .with_hint(".first() takes the first of them; or narrow the condition")),
        }
    }

    /// `.having(count() > 9)`: a condition on each group of `group_by(...)`.
    pub(crate) fn having(&mut self, mut q: Query, args: &[Argument], span: Span) -> Result<Val> {
        if q.group_by.is_empty() {
            return Err(Error::type_error(
                span,
                "having(...) filters groups: call group_by(...) first",
            )
            .with_hint("e.g. students.group_by(year).having(count() > 9); rows are filtered with where(...)"));
        }
        if args.is_empty() {
            return Err(Error::type_error(span, "having() needs a condition")
                .with_hint("e.g. having(count() > 9)"));
        }
        self.grouping = true;
        let mut result = Ok(());
        for arg in args {
            match self.condition(&arg.value, &q.table.clone()) {
                Ok(cond) => q.having.push(cond),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.grouping = false;
        result?;
        self.step(|_| "having(...): the condition on each group becomes the HAVING clause".into());
        Ok(Val::Query(Box::new(q)))
    }

    /// `students[13].classes[i]`: the row at position `i` of an object's relationship, as in
    /// a Python list (`[0]` is `.first()`).
    pub(crate) fn position(&mut self, q: &Query, key: Val, span: Span) -> Result<Val> {
        let class = self.class_of(&q.table);
        let i = match key {
            Val::Scalar(Value::Integer(i)) => i,
            _ => {
                return Err(Error::type_error(
                    span,
                    "[...] on an object's relationship is a position: a whole number from 0",
                )
                .with_hint(format!(
                    "to pick a {class} by its key use the table: {}[41]",
                    q.table
                )))
            }
        };
        if i < 0 {
            return Err(Error::type_error(
                span,
                format!("[{i}]: positions count from 0 here; negative ones are not offered"),
            )
            .with_hint("the last row: .order_by(-id).first()"));
        }
        if q.as_relationship().is_some() {
            self.step(|_| format!(
                "[{i}]: the relationship is a Python list, so the whole collection is loaded and position {i} picked ([0] is the first)"
            ));
            let members = self.load_collection(q, span)?;
            let at = usize::try_from(i)
                .ok()
                .and_then(|i| members.into_iter().nth(i));
            return at
                .map(Val::Object)
                .ok_or_else(|| self.no_position(q, i, span));
        }
        let beyond_page = q.limit.is_some_and(|l| i >= l);
        let mut one = q.clone();
        let offset = one.offset.unwrap_or(0).saturating_add(i);
        one.offset = (offset > 0).then_some(offset);
        one.limit = Some(1);
        self.step(|_| {
            format!(
                "[{i}]: position {i} of the related rows, as in a Python list ([0] is .first())"
            )
        });
        let found = if beyond_page {
            Val::Nothing
        } else {
            self.method_on_query(one, "first", &[], span)?
        };
        if matches!(found, Val::Nothing) {
            return Err(self.no_position(q, i, span));
        }
        Ok(found)
    }

    fn no_position(&self, q: &Query, i: i64, span: Span) -> Error {
        let class = self.class_of(&q.table);
        Error::not_found(
            span,
            format!("there is no {class} at position {i} here: positions count from 0"),
        )
        .with_hint(format!(
            "[...] on an object's relationship is a position, as in Python; len(...) says how many; a {class} by its key: {}[{i}]",
            q.table
        ))
    }

    /// `session.add_all([Student(...), Student(...)])`: the new rows, as one write.
    pub(crate) fn list_outcome(&mut self, items: Vec<Val>, span: Span) -> Result<Outcome> {
        let mut total: Option<Outcome> = None;
        let mut pending = 0;
        for item in items {
            if matches!(item, Val::Written(Outcome::None)) {
                pending += 1;
                continue;
            }
            let Val::Written(Outcome::Write {
                affected,
                table,
                id,
                cascaded,
            }) = item
            else {
                return Err(Error::type_error(
                    span,
                    "a list on its own is not a result",
                )
                .with_hint("use it as an argument, e.g. students[13].classes.append({...}); new objects: session.add_all([Student(...), ...])"));
            };
            total = Some(match total {
                Some(Outcome::Write {
                    affected: a,
                    table: t,
                    cascaded: mut c,
                    ..
                }) => {
                    for (k, v) in cascaded {
                        *c.entry(k).or_insert(0) += v;
                    }
                    Outcome::Write {
                        affected: a + affected,
                        table: t,
                        id,
                        cascaded: c,
                    }
                }
                _ => Outcome::Write {
                    affected,
                    table,
                    id,
                    cascaded,
                },
            });
        }
        if total.is_none() && pending > 0 {
            return Ok(Outcome::None);
        }
        total.ok_or_else(|| {
            Error::type_error(span, "an empty list on its own is not a result")
                .with_hint("session.add_all([...]) takes new objects, e.g. [Student(name='Ada', email='ada@school.edu', year=1)]")
        })
    }
}

#[cfg(test)]
mod tests;
