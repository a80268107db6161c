//! The select-in loader (`include(...)`, SQLAlchemy's `selectinload`): after the owners are
//! read, one more query reads the related rows of all of them at once, and the rows are sorted
//! back to their owners.

use crate::mapper::query::key_of;
use crate::mapper::{Link, Registry, Relationship};
use crate::result::{compare_rows, Rows};
use crate::sql::{Expr as Sql, Join, Select, SelectItem, Value};
use std::collections::BTreeMap;

/// The select-in load of one relationship for some owner rows.
#[derive(Debug, Clone)]
pub struct SelectIn {
    /// The one query for the related rows of every owner.
    pub select: Select,
    /// The column of a related row that names its owner.
    match_column: usize,
    /// The column of an owner row that related rows name.
    owner_index: usize,
    /// Whether the related rows carry the link table's owner column at the end (many-to-many).
    carries_owner: bool,
}

impl SelectIn {
    /// The query for `rel`'s rows of the owners in `rows` (rows of `table`).
    pub fn new(reg: &Registry, table: &str, rows: &Rows, rel: &Relationship) -> SelectIn {
        let column_of = |name: &str| rows.columns.iter().position(|c| c == name).unwrap_or(0);
        let owner_values =
            |i: usize| -> Vec<Sql> { rows.rows.iter().map(|r| Sql::Value(r[i].clone())).collect() };
        let target_cols = reg
            .metadata
            .table(&rel.target)
            .map(|t| t.column_names())
            .unwrap_or_default();
        let position = |name: &str| target_cols.iter().position(|c| c == name).unwrap_or(0);
        let owner_key = key_of(reg, table);
        let target_key = key_of(reg, &rel.target);
        let mut select = Select::star(&rel.target);
        let in_list = |column: Sql, values: Vec<Sql>| Sql::InList(Box::new(column), values, false);
        let (match_column, owner_index) = match &rel.link {
            Link::OneToMany { column } => {
                let i = column_of(&owner_key);
                select.filter = Some(in_list(Sql::column(&rel.target, column), owner_values(i)));
                (position(column), i)
            }
            Link::ManyToOne { column } => {
                let i = column_of(column);
                select.filter = Some(in_list(
                    Sql::column(&rel.target, &target_key),
                    distinct_keys(rows, i),
                ));
                (position(&target_key), i)
            }
            Link::ManyToMany {
                secondary,
                owner_column,
                target_column,
            } => {
                let i = column_of(&owner_key);
                select.items = target_cols
                    .iter()
                    .map(|c| SelectItem::Expr(Sql::column(&rel.target, c), None))
                    .chain([SelectItem::Expr(Sql::column(secondary, owner_column), None)])
                    .collect();
                select.joins.push(Join {
                    table: secondary.clone(),
                    on: Sql::eq(
                        Sql::column(secondary, target_column),
                        Sql::column(&rel.target, &target_key),
                    ),
                    outer: false,
                });
                select.filter = Some(in_list(
                    Sql::column(secondary, owner_column),
                    owner_values(i),
                ));
                (target_cols.len(), i)
            }
        };
        SelectIn {
            select,
            match_column,
            owner_index,
            carries_owner: matches!(rel.link, Link::ManyToMany { .. }),
        }
    }

    /// The related rows of each owner row, in the owners' order.
    pub fn group(&self, related: Rows, owners: &[Vec<Value>]) -> Vec<Vec<Vec<Value>>> {
        let mut by_owner: BTreeMap<String, Vec<Vec<Value>>> = BTreeMap::new();
        for mut row in related.rows {
            let owner = cell_key(&row, self.match_column);
            if self.carries_owner {
                row.truncate(self.match_column);
            }
            by_owner.entry(owner).or_default().push(row);
        }
        owners
            .iter()
            .map(|row| {
                by_owner
                    .get(&cell_key(row, self.owner_index))
                    .cloned()
                    .unwrap_or_default()
            })
            .collect()
    }
}

/// The distinct, non-NULL values of column `i`, sorted: the keys a many-to-one load asks for.
fn distinct_keys(rows: &Rows, i: usize) -> Vec<Sql> {
    let mut values: Vec<Value> = rows
        .rows
        .iter()
        .map(|r| r[i].clone())
        .filter(|v| !v.is_null())
        .collect();
    values.sort_by(|a, b| compare_rows(std::slice::from_ref(a), std::slice::from_ref(b)));
    values.dedup();
    values.into_iter().map(Sql::Value).collect()
}

fn cell_key(row: &[Value], i: usize) -> String {
    row.get(i).cloned().unwrap_or(Value::Null).sql_literal()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::render;
    use crate::school;
    use crate::sql::Statement;

    fn students(ids: &[i64]) -> Rows {
        Rows {
            columns: vec!["id".into(), "name".into()],
            rows: ids
                .iter()
                .map(|i| vec![Value::Integer(*i), Value::Text(format!("S{i}"))])
                .collect(),
        }
    }

    #[test]
    fn one_query_asks_for_every_owner_and_rows_go_back_to_theirs() {
        let reg = school::registry();
        let rel = reg.relationship("students", "classes").unwrap().clone();
        let load = SelectIn::new(&reg, "students", &students(&[3, 7]), &rel);
        let sql = render(&Statement::Select(load.select.clone())).display;
        assert_eq!(sql, "SELECT * FROM classes WHERE student_id IN (3, 7)");
        let class = |id: i64, owner: i64| {
            let mut row = vec![Value::Integer(id), Value::Integer(owner)];
            row.extend(std::iter::repeat_n(Value::Null, 5));
            row
        };
        let related = Rows {
            columns: vec![],
            rows: vec![class(1, 7), class(2, 3), class(3, 7)],
        };
        let grouped = load.group(related, &students(&[3, 7]).rows);
        let ids = |rows: &Vec<Vec<Value>>| rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>();
        assert_eq!(ids(&grouped[0]), vec![Value::Integer(2)]);
        assert_eq!(ids(&grouped[1]), vec![Value::Integer(1), Value::Integer(3)]);
    }

    #[test]
    fn many_to_one_asks_for_each_key_once_and_never_for_null() {
        let reg = school::registry();
        let rel = reg.relationship("students", "advisor").unwrap().clone();
        let rows = Rows {
            columns: vec!["id".into(), "advisor_id".into()],
            rows: vec![
                vec![Value::Integer(1), Value::Integer(2)],
                vec![Value::Integer(2), Value::Null],
                vec![Value::Integer(3), Value::Integer(2)],
            ],
        };
        let load = SelectIn::new(&reg, "students", &rows, &rel);
        let sql = render(&Statement::Select(load.select)).display;
        assert_eq!(sql, "SELECT * FROM teachers WHERE id IN (2)");
    }
}
