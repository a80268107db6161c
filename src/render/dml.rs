//! Queries and writes: SELECT, INSERT, UPDATE, DELETE.
//!
//! Names are qualified (`classes.name`) only where a reader needs it: in a SELECT that joins
//! tables, and in a subquery that refers to the query around it.

use super::piece::PieceKind;
use super::writer::Writer;
use crate::schema::ColumnType;
use crate::sql::*;

impl Writer<'_> {
    /// `SELECT ...`, its names qualified where a reader needs it.
    pub(super) fn select(&mut self, s: &Select) {
        let tables: Vec<String> = s.own_tables().iter().map(|t| t.to_string()).collect();
        let qualify = !s.joins.is_empty() || refers_outside(s, &tables);
        self.enter(tables, qualify);
        self.keyword("SELECT");
        self.space();
        if s.distinct {
            self.keyword("DISTINCT");
            self.space();
        }
        for (i, item) in s.items.iter().enumerate() {
            self.comma(i);
            self.select_item(item, s);
        }
        self.clause("FROM");
        self.space();
        match &s.from {
            Source::Table(t) => self.ident(t),
            Source::Subquery(inner, alias) => {
                self.punct("(");
                self.select(inner);
                self.punct(")");
                self.space();
                self.keyword("AS");
                self.space();
                self.ident(alias);
            }
        }
        for join in &s.joins {
            self.clause(if join.outer {
                "LEFT OUTER JOIN"
            } else {
                "JOIN"
            });
            self.space();
            self.ident(&join.table);
            self.space();
            self.keyword("ON");
            self.space();
            self.expr(&join.on);
        }
        self.where_clause(s.filter.as_ref());
        if !s.group_by.is_empty() {
            self.clause("GROUP BY");
            self.space();
            self.list(&s.group_by);
        }
        if let Some(having) = &s.having {
            self.clause("HAVING");
            self.space();
            self.expr(having);
        }
        if !s.order_by.is_empty() {
            self.clause("ORDER BY");
            self.space();
            for (i, o) in s.order_by.iter().enumerate() {
                self.comma(i);
                self.expr(&o.expr);
                if o.descending {
                    self.space();
                    self.keyword("DESC");
                }
            }
        }
        let backend = self.backend;
        backend.write_paging(self, s.limit.as_ref(), s.offset.as_ref());
        self.scopes.pop();
    }

    fn select_item(&mut self, item: &SelectItem, s: &Select) {
        match item {
            SelectItem::Star => {
                if self.qualifying() {
                    if let Source::Table(t) = &s.from {
                        self.ident(t);
                        self.punct(".");
                    }
                }
                self.punct("*");
            }
            SelectItem::One => self.number("1"),
            SelectItem::Expr(e, alias) => {
                self.expr(e);
                if let Some(alias) = alias {
                    self.space();
                    self.keyword("AS");
                    self.space();
                    self.ident(alias);
                }
            }
        }
    }

    fn qualifying(&self) -> bool {
        self.scopes.last().is_some_and(|s| s.qualify)
    }

    fn where_clause(&mut self, filter: Option<&Expr>) {
        if let Some(filter) = filter {
            self.clause("WHERE");
            self.space();
            self.expr(filter);
        }
    }

    pub(super) fn insert(&mut self, i: &Insert) {
        self.enter(vec![i.table.clone()], false);
        self.keywords("INSERT INTO");
        self.space();
        self.ident(&i.table);
        if i.columns.is_empty() {
            let backend = self.backend;
            backend.write_default_values(self);
        } else {
            self.space();
            self.punct("(");
            for (n, column) in i.columns.iter().enumerate() {
                self.comma(n);
                self.ident(column);
            }
            self.punct(")");
            self.clause("VALUES");
            self.space();
            self.punct("(");
            self.list(&i.values);
            self.punct(")");
        }
        if let Some(key) = self.returned_key(&i.table) {
            self.space();
            self.keyword("RETURNING");
            self.space();
            self.ident(&key);
        }
        self.scopes.pop();
    }

    /// The key an insert returns, where the dialect's driver reads it back with `RETURNING`:
    /// a table's single integer key.
    fn returned_key(&self, table: &str) -> Option<String> {
        if !self.backend.returns_new_key() {
            return None;
        }
        let key = self.metadata?.table(table)?.single_key()?;
        (key.ty == ColumnType::Integer).then(|| key.name.clone())
    }

    pub(super) fn update(&mut self, u: &Update) {
        self.enter(vec![u.table.clone()], false);
        self.keyword("UPDATE");
        self.space();
        self.ident(&u.table);
        self.clause("SET");
        self.space();
        for (i, (column, value)) in u.set.iter().enumerate() {
            self.comma(i);
            self.ident(column);
            self.space();
            self.piece(PieceKind::Operator, "=");
            self.space();
            self.expr(value);
        }
        self.where_clause(u.filter.as_ref());
        self.scopes.pop();
    }

    pub(super) fn delete(&mut self, d: &Delete) {
        self.enter(vec![d.table.clone()], false);
        self.keyword("DELETE");
        self.clause("FROM");
        self.space();
        self.ident(&d.table);
        self.where_clause(d.filter.as_ref());
        self.scopes.pop();
    }

    /// Expressions separated by commas.
    pub(super) fn list(&mut self, items: &[Expr]) {
        for (i, e) in items.iter().enumerate() {
            self.comma(i);
            self.expr(e);
        }
    }
}

/// Whether a SELECT's own clauses name columns of tables it does not read (a correlated subquery).
fn refers_outside(s: &Select, own: &[String]) -> bool {
    let mut outside = false;
    let mut check = |e: &Expr| visit_columns(e, &mut |c| outside |= !own.contains(&c.table));
    if let Some(f) = &s.filter {
        check(f);
    }
    for j in &s.joins {
        check(&j.on);
    }
    outside
}

/// Calls `f` on each column of `e`, not descending into subqueries.
fn visit_columns(e: &Expr, f: &mut dyn FnMut(&ColumnRef)) {
    match e {
        Expr::Column(c) => f(c),
        Expr::Value(_) | Expr::Exists(_) | Expr::Scalar(_) => {}
        Expr::Compare(l, _, r) | Expr::Like(l, r, _) => {
            visit_columns(l, f);
            visit_columns(r, f);
        }
        Expr::And(items) | Expr::Or(items) => items.iter().for_each(|i| visit_columns(i, f)),
        Expr::Not(x) | Expr::IsNull(x, _) | Expr::InSelect(x, _, _) => visit_columns(x, f),
        Expr::InList(x, items, _) => {
            visit_columns(x, f);
            items.iter().for_each(|i| visit_columns(i, f));
        }
        Expr::Between(x, l, h) => {
            visit_columns(x, f);
            visit_columns(l, f);
            visit_columns(h, f);
        }
        Expr::Aggregate(_, arg) => {
            if let Some(a) = arg {
                visit_columns(a, f);
            }
        }
        Expr::Arith(l, _, r) => {
            visit_columns(l, f);
            visit_columns(r, f);
        }
        Expr::Neg(x) | Expr::Floor(x) => visit_columns(x, f),
    }
}
