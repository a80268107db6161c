//! ORM: a query over a mapped table as the mapper builds it up, method by method
//! (`where`, `order_by`, `limit`, a relationship followed), and the SQL statements it becomes.

use crate::error::Span;
use crate::mapper::{Link, Registry, Relationship};
use crate::sql::*;

/// One object: a row of a table known by its primary key, loaded or not yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Obj {
    /// Its table.
    pub table: String,
    /// The primary key: column names and values.
    pub key: Vec<(String, Value)>,
}

impl Obj {
    /// The condition that picks this row: `id = 13`.
    pub fn key_filter(&self) -> Expr {
        let parts = self
            .key
            .iter()
            .map(|(c, v)| Expr::eq(Expr::column(&self.table, c), Expr::value(v.clone())))
            .collect();
        Expr::all(parts).unwrap_or(Expr::Value(Value::Integer(1)))
    }

    /// The key value when the key has one column.
    pub fn single_key(&self) -> Option<&Value> {
        match self.key.as_slice() {
            [(_, v)] => Some(v),
            _ => None,
        }
    }

    /// The object a row of `table` is, its key read from the row's `columns`.
    pub fn from_row(table: &crate::schema::Table, columns: &[String], row: &[Value]) -> Obj {
        let key = table
            .primary_key
            .iter()
            .map(|k| {
                let i = columns.iter().position(|c| c == k);
                (
                    k.clone(),
                    i.and_then(|i| row.get(i)).cloned().unwrap_or(Value::Null),
                )
            })
            .collect();
        Obj {
            table: table.name.clone(),
            key,
        }
    }

    /// The key as text for messages: `13` or `student_id=13, club_id=2`.
    pub fn key_text(&self) -> String {
        match self.single_key() {
            Some(v) => v.sql_literal(),
            None => self
                .key
                .iter()
                .map(|(c, v)| format!("{c}={}", v.sql_literal()))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// `SELECT * FROM table WHERE id = key`.
    pub fn load_select(&self) -> Select {
        let mut s = Select::star(&self.table);
        s.filter = Some(self.key_filter());
        s
    }
}

/// Where a collection came from when it is an object's relationship (`students[13].classes`).
#[derive(Debug, Clone, PartialEq)]
pub struct Parent {
    /// The owning object.
    pub obj: Obj,
    /// The relationship followed.
    pub relationship: Relationship,
    /// Where the owner was written, for errors.
    pub span: Span,
}

impl Parent {
    /// Where the owner was written, or `span` when that is not known.
    pub fn span_or(&self, span: Span) -> Span {
        if self.span == Span::default() {
            span
        } else {
            self.span
        }
    }
}

/// A query being built: which rows of which table, in what order, projected how.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The table rows come from.
    pub table: String,
    /// Joined tables (an association table).
    pub joins: Vec<Join>,
    /// Conditions, joined with AND.
    pub filters: Vec<Expr>,
    /// Ordering.
    pub order_by: Vec<Order>,
    /// LIMIT.
    pub limit: Option<i64>,
    /// OFFSET.
    pub offset: Option<i64>,
    /// Selected columns, when not whole rows.
    pub columns: Option<Vec<String>>,
    /// DISTINCT.
    pub distinct: bool,
    /// GROUP BY columns.
    pub group_by: Vec<String>,
    /// Conditions on each group (HAVING), joined with AND.
    pub having: Vec<Expr>,
    /// Selected values computed from each row (`year + 1`), by the name they are selected as.
    pub computed: Vec<(String, Expr)>,
    /// The owner, when this is an object's relationship.
    pub parent: Option<Parent>,
    /// The object a path of relationships started from (`students[13]` in
    /// `students[13].clubs.members`), to say so when it does not exist.
    pub origin: Option<Parent>,
    /// Relationships loaded eagerly with the rows, and how.
    pub eager: Vec<(Relationship, Loading)>,
}

/// How an eagerly loaded relationship is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loading {
    /// One more query for the related rows of all the rows at once (`include`, SQLAlchemy's
    /// `selectinload`).
    SelectIn,
    /// The related rows joined into the same query (`join_load`, SQLAlchemy's `joinedload`).
    Joined,
}

impl Query {
    /// Every row of `table`.
    pub fn all(table: &str) -> Query {
        Query {
            table: table.to_string(),
            joins: Vec::new(),
            filters: Vec::new(),
            order_by: Vec::new(),
            limit: None,
            offset: None,
            columns: None,
            distinct: false,
            group_by: Vec::new(),
            having: Vec::new(),
            computed: Vec::new(),
            parent: None,
            origin: None,
            eager: Vec::new(),
        }
    }

    /// The object this query's rows hang from, directly or through other relationships.
    pub fn owner(&self) -> Option<&Parent> {
        self.parent.as_ref().or(self.origin.as_ref())
    }

    /// The owner, when this query is exactly an object's relationship (`students[13].classes`,
    /// nothing narrowed, ordered or shaped): what SQLAlchemy loads as the attribute itself.
    pub fn as_relationship(&self) -> Option<&Parent> {
        let plain = self.filters.len() == 1
            && self.joins.len() <= 1
            && self.order_by.is_empty()
            && self.limit.is_none()
            && self.offset.is_none()
            && self.is_whole_rows()
            && !self.distinct
            && self.having.is_empty();
        self.parent.as_ref().filter(|_| plain)
    }

    /// Whether it reads whole rows of its table (no projection or grouping).
    pub fn is_whole_rows(&self) -> bool {
        self.columns.is_none() && self.group_by.is_empty()
    }

    /// Whether it pages or shapes rows, so that counting or writing needs a subquery.
    pub fn is_shaped(&self) -> bool {
        self.limit.is_some() || self.offset.is_some() || self.distinct || !self.is_whole_rows()
    }

    fn base_select(&self, items: Vec<SelectItem>) -> Select {
        let mut s = Select::star(&self.table);
        s.items = items;
        s.joins = self.joins.clone();
        s.filter = Expr::all(self.filters.clone());
        s
    }

    fn column(&self, name: &str) -> Expr {
        match self.computed.iter().find(|(label, _)| label == name) {
            Some((_, expr)) => expr.clone(),
            None => Expr::column(&self.table, name),
        }
    }

    /// The SELECT that reads the query's rows.
    pub fn to_select(&self) -> Select {
        let items = match &self.columns {
            Some(cols) => cols
                .iter()
                .map(|c| {
                    let label = self.computed.iter().any(|(l, _)| l == c).then(|| c.clone());
                    SelectItem::Expr(self.column(c), label)
                })
                .collect(),
            None if !self.group_by.is_empty() => self
                .group_by
                .iter()
                .map(|c| SelectItem::Expr(self.column(c), None))
                .collect(),
            None => vec![SelectItem::Star],
        };
        let mut s = self.base_select(items);
        s.distinct = self.distinct;
        s.group_by = self.group_by.iter().map(|c| self.column(c)).collect();
        s.having = Expr::all(self.having.clone()).map(Box::new);
        s.order_by = self.order_by.clone();
        s.limit = self.limit.map(|n| Expr::value(Value::Integer(n)));
        s.offset = self.offset.map(|n| Expr::value(Value::Integer(n)));
        s
    }

    /// `SELECT agg(column) FROM ...`, or per group with the group columns first.
    pub fn aggregate_select(&self, agg: Aggregate, column: Option<&str>) -> Select {
        if self.is_shaped() && self.group_by.is_empty() {
            let inner = self.to_select();
            let arg = column.map(|c| Box::new(Expr::column("sub", c)));
            let mut s = Select::star("sub");
            s.from = Source::Subquery(Box::new(inner), "sub".into());
            s.items = vec![SelectItem::Expr(Expr::Aggregate(agg, arg), None)];
            return s;
        }
        let arg = column.map(|c| Box::new(self.column(c)));
        let call = Expr::Aggregate(agg, arg);
        let mut items: Vec<SelectItem> = self
            .group_by
            .iter()
            .map(|c| SelectItem::Expr(self.column(c), None))
            .collect();
        let alias = (!self.group_by.is_empty()).then(|| agg.name().to_string());
        items.push(SelectItem::Expr(call, alias));
        let mut s = self.base_select(items);
        s.group_by = self.group_by.iter().map(|c| self.column(c)).collect();
        s.having = Expr::all(self.having.clone()).map(Box::new);
        // One aggregate row has no order; groups keep theirs.
        if !self.group_by.is_empty() {
            s.order_by = self.order_by.clone();
        }
        s.limit = self.limit.map(|n| Expr::value(Value::Integer(n)));
        s.offset = self.offset.map(|n| Expr::value(Value::Integer(n)));
        s
    }

    /// `SELECT column FROM ...` with the query's filters and paging, for `IN (...)`.
    pub fn column_select(&self, column: &str) -> Select {
        let mut s = self.to_select();
        s.items = vec![SelectItem::Expr(self.column(column), None)];
        s.distinct = false;
        s
    }

    /// The WHERE condition that picks the query's rows in an UPDATE or DELETE of its table:
    /// its own filters, or `key IN (SELECT ...)` when it joins or pages.
    pub fn write_filter(&self, key: &str) -> Option<Expr> {
        if self.joins.is_empty() && self.limit.is_none() && self.offset.is_none() {
            return Expr::all(self.filters.clone());
        }
        let subject = Box::new(self.column(key));
        Some(Expr::InSelect(
            subject,
            Box::new(self.column_select(key)),
            false,
        ))
    }

    /// The related rows of every row of this query, each once.
    pub fn follow(&self, reg: &Registry, rel: &Relationship) -> Query {
        let target_key = key_of(reg, &rel.target);
        let owner_key = key_of(reg, &rel.owner);
        let mut q = Query::all(&rel.target);
        let filter = match &rel.link {
            Link::OneToMany { column } => Expr::InSelect(
                Box::new(Expr::column(&rel.target, column)),
                Box::new(self.column_select(&owner_key)),
                false,
            ),
            Link::ManyToOne { column } => Expr::InSelect(
                Box::new(Expr::column(&rel.target, &target_key)),
                Box::new(self.column_select(column)),
                false,
            ),
            Link::ManyToMany {
                secondary,
                owner_column,
                target_column,
            } => {
                let mut pairs = Select::star(secondary);
                pairs.items = vec![SelectItem::Expr(
                    Expr::column(secondary, target_column),
                    None,
                )];
                pairs.filter = Some(Expr::InSelect(
                    Box::new(Expr::column(secondary, owner_column)),
                    Box::new(self.column_select(&owner_key)),
                    false,
                ));
                Expr::InSelect(
                    Box::new(Expr::column(&rel.target, &target_key)),
                    Box::new(pairs),
                    false,
                )
            }
        };
        q.filters.push(filter);
        q.origin = self.owner().cloned();
        q
    }
}

/// The single primary-key column of a table (`id` when the table is unknown).
pub fn key_of(reg: &Registry, table: &str) -> String {
    reg.metadata
        .table(table)
        .and_then(|t| t.single_key())
        .map_or_else(|| "id".to_string(), |c| c.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::render;
    use crate::school;

    fn display(s: Select) -> String {
        render(&Statement::Select(s)).display
    }

    fn student(id: i64) -> Obj {
        Obj {
            table: "students".into(),
            key: vec![("id".into(), Value::Integer(id))],
        }
    }

    #[test]
    fn one_to_many_of_an_object_is_the_textbook_where() {
        let reg = school::registry();
        let rel = reg
            .relationship("students", "classes")
            .cloned()
            .expect("rel");
        let q = Query::of_object(&reg, &student(13), &rel, Span::default());
        assert_eq!(
            display(q.to_select()),
            "SELECT * FROM classes WHERE student_id = 13"
        );
    }

    #[test]
    fn many_to_many_of_an_object_joins_the_association_table() {
        let reg = school::registry();
        let rel = reg.relationship("students", "clubs").cloned().expect("rel");
        let q = Query::of_object(&reg, &student(13), &rel, Span::default());
        assert_eq!(
            display(q.to_select()),
            "SELECT clubs.* FROM clubs JOIN memberships ON memberships.club_id = clubs.id WHERE memberships.student_id = 13"
        );
    }

    #[test]
    fn following_from_a_collection_gives_each_related_row_once() {
        let reg = school::registry();
        let mut students = Query::all("students");
        students.filters.push(Expr::eq(
            Expr::column("students", "year"),
            Expr::value(Value::Integer(2)),
        ));
        let classes = reg
            .relationship("students", "classes")
            .cloned()
            .expect("rel");
        assert_eq!(
            display(students.follow(&reg, &classes).to_select()),
            "SELECT * FROM classes WHERE student_id IN (SELECT id FROM students WHERE year = 2)"
        );
        let clubs = reg.relationship("students", "clubs").cloned().expect("rel");
        assert_eq!(
            display(students.follow(&reg, &clubs).to_select()),
            "SELECT * FROM clubs WHERE id IN (SELECT club_id FROM memberships WHERE student_id IN (SELECT id FROM students WHERE year = 2))"
        );
    }

    #[test]
    fn counting_a_paged_query_counts_the_page() {
        let mut q = Query::all("students");
        q.limit = Some(5);
        assert_eq!(
            display(q.aggregate_select(Aggregate::Count, None)),
            "SELECT count(*) FROM (SELECT * FROM students LIMIT 5) AS sub"
        );
    }

    #[test]
    fn group_counts_name_their_column() {
        let mut q = Query::all("students");
        q.group_by = vec!["year".into()];
        assert_eq!(
            display(q.aggregate_select(Aggregate::Count, None)),
            "SELECT year, count(*) AS count FROM students GROUP BY year"
        );
    }

    #[test]
    fn one_count_has_no_order() {
        let mut q = Query::all("students");
        q.order_by = vec![Order {
            expr: Expr::column("students", "name"),
            descending: false,
        }];
        assert_eq!(
            display(q.aggregate_select(Aggregate::Count, None)),
            "SELECT count(*) FROM students"
        );
    }

    #[test]
    fn group_counts_keep_their_page() {
        let mut q = Query::all("students");
        q.group_by = vec!["year".into()];
        q.order_by = vec![Order {
            expr: Expr::column("students", "year"),
            descending: false,
        }];
        q.limit = Some(2);
        q.offset = Some(1);
        assert_eq!(
            display(q.aggregate_select(Aggregate::Count, None)),
            "SELECT year, count(*) AS count FROM students GROUP BY year ORDER BY year LIMIT 2 OFFSET 1"
        );
    }

    #[test]
    fn writes_through_a_join_pick_rows_by_key() {
        let reg = school::registry();
        let rel = reg.relationship("students", "clubs").cloned().expect("rel");
        let q = Query::of_object(&reg, &student(13), &rel, Span::default());
        let filter = q.write_filter("id").expect("a filter");
        assert_eq!(
            crate::render::render_condition(&filter),
            "clubs.id IN (SELECT clubs.id FROM clubs JOIN memberships ON memberships.club_id = clubs.id WHERE memberships.student_id = 13)"
        );
    }
}
