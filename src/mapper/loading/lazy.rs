//! The lazy loader: an object's relationship is read with its own query, when it is first
//! needed, and only then. `students[13].classes` is `SELECT * FROM classes WHERE student_id =
//! 13`; read for each of N students in a loop, it is N queries more (the N+1 pattern).
//! A many-to-one relationship is read by loading the object first, then the related one.

use crate::error::Span;
use crate::mapper::query::{key_of, Obj, Parent, Query};
use crate::mapper::{Link, Registry, Relationship};
use crate::sql::{Expr, Join, Value};

impl Query {
    /// The lazy load of one object's collection relationship: its related rows.
    pub fn of_object(reg: &Registry, obj: &Obj, rel: &Relationship, span: Span) -> Query {
        let mut q = Query::all(&rel.target);
        let key = obj.single_key().cloned().unwrap_or(Value::Null);
        match &rel.link {
            Link::OneToMany { column } => {
                q.filters.push(Expr::eq(
                    Expr::column(&rel.target, column),
                    Expr::value(key),
                ));
            }
            Link::ManyToMany {
                secondary,
                owner_column,
                target_column,
            } => {
                let target_key = key_of(reg, &rel.target);
                q.joins.push(Join {
                    table: secondary.clone(),
                    on: Expr::eq(
                        Expr::column(secondary, target_column),
                        Expr::column(&rel.target, &target_key),
                    ),
                    outer: false,
                });
                q.filters.push(Expr::eq(
                    Expr::column(secondary, owner_column),
                    Expr::value(key),
                ));
            }
            Link::ManyToOne { .. } => {}
        }
        q.parent = Some(Parent {
            obj: obj.clone(),
            relationship: rel.clone(),
            span,
        });
        q
    }
}
