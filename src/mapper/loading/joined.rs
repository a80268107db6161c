//! The joined loader (`join_load(...)`, SQLAlchemy's `joinedload`): the related rows come in the
//! owners' own query through `LEFT OUTER JOIN`s, and are split apart again. When the owners are
//! paged, they are paged in a subquery first, so `limit(5)` means five owners.

use crate::mapper::query::{key_of, Query};
use crate::mapper::{Link, Registry, Relationship};
use crate::result::Rows;
use crate::sql::{Expr as Sql, Join, Select, SelectItem, Source, Value};
use std::collections::{BTreeMap, HashSet};

/// Related rows found by a joined load, by owner key and the relationship's place.
pub type Related = BTreeMap<(String, usize), Vec<Vec<Value>>>;

/// The joined load of some relationships of a query's rows.
#[derive(Debug, Clone)]
pub struct JoinedLoad {
    /// The one query: the owners' columns, then each relationship's.
    pub select: Select,
    /// The owners' columns.
    owner_columns: Vec<String>,
    /// How many columns each relationship brings.
    widths: Vec<usize>,
}

impl JoinedLoad {
    /// The query for `q`'s rows with `joined` joined in.
    pub fn new(reg: &Registry, q: &Query, joined: &[Relationship]) -> JoinedLoad {
        let columns_of = |table: &str| {
            reg.metadata
                .table(table)
                .map(|t| t.column_names())
                .unwrap_or_default()
        };
        let owner_columns = columns_of(&q.table);
        let mut select = q.to_select();
        if q.limit.is_some() || q.offset.is_some() {
            let mut inner = q.to_select();
            inner.order_by = q.order_by.clone();
            select = Select::star(&q.table);
            select.from = Source::Subquery(Box::new(inner), q.table.clone());
            select.order_by = q.order_by.clone();
        }
        select.items = owner_columns
            .iter()
            .map(|c| SelectItem::Expr(Sql::column(&q.table, c), None))
            .collect();
        let mut widths = Vec::new();
        for rel in joined {
            let target_cols = columns_of(&rel.target);
            widths.push(target_cols.len());
            select.items.extend(
                target_cols
                    .iter()
                    .map(|c| SelectItem::Expr(Sql::column(&rel.target, c), None)),
            );
            select.joins.extend(outer_joins(reg, rel));
        }
        JoinedLoad {
            select,
            owner_columns,
            widths,
        }
    }

    /// Splits the joined rows apart: each owner once, in the order met, and the related rows of
    /// each (owner key, relationship place). `key` names an owner row.
    pub fn split(&self, all: &Rows, mut key: impl FnMut(&[Value]) -> String) -> (Rows, Related) {
        let n = self.owner_columns.len();
        let mut owners: Vec<Vec<Value>> = Vec::new();
        let mut seen_owners: HashSet<String> = HashSet::new();
        let mut related = Related::new();
        let mut seen_related: HashSet<(String, usize, String)> = HashSet::new();
        for row in &all.rows {
            let owner = row[..n.min(row.len())].to_vec();
            let owner_key = key(&owner);
            if seen_owners.insert(owner_key.clone()) {
                owners.push(owner);
            }
            let mut at = n;
            for (k, width) in self.widths.iter().enumerate() {
                let part = row
                    .get(at..at + width)
                    .map(<[Value]>::to_vec)
                    .unwrap_or_default();
                at += width;
                let part_key = part
                    .iter()
                    .map(Value::sql_literal)
                    .collect::<Vec<_>>()
                    .join("\u{1f}");
                if part.iter().any(|v| !v.is_null())
                    && seen_related.insert((owner_key.clone(), k, part_key))
                {
                    related
                        .entry((owner_key.clone(), k))
                        .or_default()
                        .push(part);
                }
            }
        }
        let rows = Rows {
            columns: self.owner_columns.clone(),
            rows: owners,
        };
        (rows, related)
    }
}

/// `LEFT OUTER JOIN`s that bring a relationship's rows next to their owner.
pub fn outer_joins(reg: &Registry, rel: &Relationship) -> Vec<Join> {
    let owner_key = key_of(reg, &rel.owner);
    let target_key = key_of(reg, &rel.target);
    let join = |table: &str, on: Sql| Join::left(table, on);
    match &rel.link {
        Link::OneToMany { column } => vec![join(
            &rel.target,
            Sql::eq(
                Sql::column(&rel.target, column),
                Sql::column(&rel.owner, &owner_key),
            ),
        )],
        Link::ManyToOne { column } => vec![join(
            &rel.target,
            Sql::eq(
                Sql::column(&rel.target, &target_key),
                Sql::column(&rel.owner, column),
            ),
        )],
        Link::ManyToMany {
            secondary,
            owner_column,
            target_column,
        } => vec![
            join(
                secondary,
                Sql::eq(
                    Sql::column(secondary, owner_column),
                    Sql::column(&rel.owner, &owner_key),
                ),
            ),
            join(
                &rel.target,
                Sql::eq(
                    Sql::column(&rel.target, &target_key),
                    Sql::column(secondary, target_column),
                ),
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::school;

    #[test]
    fn split_gives_each_owner_once_and_skips_the_empty_side_of_an_outer_join() {
        let reg = school::registry();
        let rel = reg.relationship("teachers", "classes").unwrap().clone();
        let q = Query::all("teachers");
        let load = JoinedLoad::new(&reg, &q, std::slice::from_ref(&rel));
        assert_eq!(load.select.joins.len(), 1);
        let owner = |id: i64| {
            vec![
                Value::Integer(id),
                Value::Text("T".into()),
                Value::Text("D".into()),
            ]
        };
        let class = |id: i64| {
            let mut row = vec![Value::Integer(id)];
            row.extend(std::iter::repeat_n(Value::Integer(1), 6));
            row
        };
        let empty: Vec<Value> = std::iter::repeat_n(Value::Null, 7).collect();
        let all = Rows {
            columns: vec![],
            rows: vec![
                [owner(1), class(10)].concat(),
                [owner(1), class(11)].concat(),
                [owner(2), empty].concat(),
            ],
        };
        let (owners, related) = load.split(&all, |row| row[0].sql_literal());
        assert_eq!(owners.rows.len(), 2);
        assert_eq!(related.get(&("1".to_string(), 0)).map(Vec::len), Some(2));
        assert!(!related.contains_key(&("2".to_string(), 0)));
    }
}
