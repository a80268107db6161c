//! Core: the SQL compiler. One function of the statement tree gives both the parameterised text
//! that is executed (`?` and its bound values) and the display text with the values inlined.
//!
//! Names are qualified (`classes.name`) only where a reader needs it: in a SELECT that joins
//! tables, and in a subquery that refers to the query around it.

use crate::sql::*;

/// A statement as text: what runs, what it binds, and what a person reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The SQL with `?` for each value.
    pub text: String,
    /// The values bound to the `?`s, in order.
    pub params: Vec<Value>,
    /// The SQL with the values inlined, quoted as SQL quotes them.
    pub display: String,
}

/// Renders a statement in both forms.
pub fn render(statement: &Statement) -> Rendered {
    let mut bound = Writer::new(true);
    bound.statement(statement);
    let mut inline = Writer::new(false);
    inline.statement(statement);
    Rendered {
        text: bound.out,
        params: bound.params,
        display: inline.out,
    }
}

/// Renders a lone condition (for notes and tests), values inlined.
pub fn render_condition(expr: &Expr) -> String {
    let mut w = Writer::new(false);
    w.expr(expr);
    w.out
}

struct Scope {
    tables: Vec<String>,
    qualify: bool,
}

struct Writer {
    bind: bool,
    out: String,
    params: Vec<Value>,
    scopes: Vec<Scope>,
}

impl Writer {
    fn new(bind: bool) -> Writer {
        Writer {
            bind,
            out: String::new(),
            params: Vec::new(),
            scopes: Vec::new(),
        }
    }

    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn statement(&mut self, statement: &Statement) {
        match statement {
            Statement::Select(s) => self.select(s),
            Statement::Insert(i) => self.insert(i),
            Statement::Update(u) => self.update(u),
            Statement::Delete(d) => self.delete(d),
            Statement::Begin => self.push("BEGIN"),
            Statement::Commit => self.push("COMMIT"),
            Statement::Rollback => self.push("ROLLBACK"),
        }
    }

    fn enter(&mut self, tables: Vec<String>, qualify: bool) {
        self.scopes.push(Scope { tables, qualify });
    }

    fn select(&mut self, s: &Select) {
        let tables: Vec<String> = s.own_tables().iter().map(|t| t.to_string()).collect();
        let qualify = !s.joins.is_empty() || refers_outside(s, &tables);
        self.enter(tables, qualify);
        self.push("SELECT ");
        if s.distinct {
            self.push("DISTINCT ");
        }
        for (i, item) in s.items.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.select_item(item, s);
        }
        self.push(" FROM ");
        match &s.from {
            Source::Table(t) => self.push(t),
            Source::Subquery(inner, alias) => {
                self.push("(");
                self.select(inner);
                self.push(") AS ");
                self.push(alias);
            }
        }
        for join in &s.joins {
            self.push(" JOIN ");
            self.push(&join.table);
            self.push(" ON ");
            self.expr(&join.on);
        }
        self.where_clause(s.filter.as_ref());
        if !s.group_by.is_empty() {
            self.push(" GROUP BY ");
            self.list(&s.group_by);
        }
        if !s.order_by.is_empty() {
            self.push(" ORDER BY ");
            for (i, o) in s.order_by.iter().enumerate() {
                if i > 0 {
                    self.push(", ");
                }
                self.expr(&o.expr);
                if o.descending {
                    self.push(" DESC");
                }
            }
        }
        if let Some(limit) = &s.limit {
            self.push(" LIMIT ");
            self.expr(limit);
        }
        if let Some(offset) = &s.offset {
            if s.limit.is_none() {
                self.push(" LIMIT -1");
            }
            self.push(" OFFSET ");
            self.expr(offset);
        }
        self.scopes.pop();
    }

    fn select_item(&mut self, item: &SelectItem, s: &Select) {
        match item {
            SelectItem::Star => {
                if self.qualifying() {
                    if let Source::Table(t) = &s.from {
                        self.push(t);
                        self.push(".");
                    }
                }
                self.push("*");
            }
            SelectItem::One => self.push("1"),
            SelectItem::Expr(e, alias) => {
                self.expr(e);
                if let Some(alias) = alias {
                    self.push(" AS ");
                    self.push(alias);
                }
            }
        }
    }

    fn qualifying(&self) -> bool {
        self.scopes.last().is_some_and(|s| s.qualify)
    }

    fn where_clause(&mut self, filter: Option<&Expr>) {
        if let Some(filter) = filter {
            self.push(" WHERE ");
            self.expr(filter);
        }
    }

    fn insert(&mut self, i: &Insert) {
        self.enter(vec![i.table.clone()], false);
        self.push("INSERT INTO ");
        self.push(&i.table);
        if i.columns.is_empty() {
            self.push(" DEFAULT VALUES");
        } else {
            self.push(" (");
            self.push(&i.columns.join(", "));
            self.push(") VALUES (");
            self.list(&i.values);
            self.push(")");
        }
        self.scopes.pop();
    }

    fn update(&mut self, u: &Update) {
        self.enter(vec![u.table.clone()], false);
        self.push("UPDATE ");
        self.push(&u.table);
        self.push(" SET ");
        for (i, (column, value)) in u.set.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push(column);
            self.push(" = ");
            self.expr(value);
        }
        self.where_clause(u.filter.as_ref());
        self.scopes.pop();
    }

    fn delete(&mut self, d: &Delete) {
        self.enter(vec![d.table.clone()], false);
        self.push("DELETE FROM ");
        self.push(&d.table);
        self.where_clause(d.filter.as_ref());
        self.scopes.pop();
    }

    fn list(&mut self, items: &[Expr]) {
        for (i, e) in items.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.expr(e);
        }
    }

    fn column(&mut self, c: &ColumnRef) {
        let own = self
            .scopes
            .last()
            .is_some_and(|s| !s.qualify && s.tables.len() == 1 && s.tables[0] == c.table);
        if !own {
            self.push(&c.table);
            self.push(".");
        }
        self.push(&c.column);
    }

    fn value(&mut self, v: &Value) {
        if self.bind {
            self.push("?");
            self.params.push(v.clone());
        } else {
            self.push(&v.sql_literal());
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Column(c) => self.column(c),
            Expr::Value(v) => self.value(v),
            Expr::Compare(l, op, r) => {
                self.operand(l);
                self.push(" ");
                self.push(op.sql());
                self.push(" ");
                self.operand(r);
            }
            Expr::And(items) => self.joined(items, " AND ", |e| matches!(e, Expr::Or(_))),
            Expr::Or(items) => self.joined(items, " OR ", |e| matches!(e, Expr::And(_))),
            Expr::Not(inner) => {
                self.push("NOT ");
                let wrap = !matches!(**inner, Expr::Exists(_) | Expr::Column(_) | Expr::Value(_));
                self.maybe_parens(inner, wrap);
            }
            Expr::IsNull(x, negated) => {
                self.operand(x);
                self.push(if *negated { " IS NOT NULL" } else { " IS NULL" });
            }
            Expr::InList(x, items, negated) => {
                self.operand(x);
                self.push(if *negated { " NOT IN (" } else { " IN (" });
                self.list(items);
                self.push(")");
            }
            Expr::InSelect(x, select, negated) => {
                self.operand(x);
                self.push(if *negated { " NOT IN (" } else { " IN (" });
                self.select(select);
                self.push(")");
            }
            Expr::Between(x, low, high) => {
                self.operand(x);
                self.push(" BETWEEN ");
                self.operand(low);
                self.push(" AND ");
                self.operand(high);
            }
            Expr::Like(x, pattern, escaped) => {
                self.operand(x);
                self.push(" LIKE ");
                self.operand(pattern);
                if *escaped {
                    self.push(" ESCAPE '/'");
                }
            }
            Expr::Exists(select) => {
                self.push("EXISTS (");
                self.select(select);
                self.push(")");
            }
            Expr::Scalar(select) => {
                self.push("(");
                self.select(select);
                self.push(")");
            }
            Expr::Aggregate(agg, arg) => {
                self.push(agg.name());
                self.push("(");
                match arg {
                    Some(a) => self.expr(a),
                    None => self.push("*"),
                }
                self.push(")");
            }
        }
    }

    /// An operand of a comparison: compound conditions get parentheses.
    fn operand(&mut self, e: &Expr) {
        let wrap = matches!(
            e,
            Expr::And(_) | Expr::Or(_) | Expr::Not(_) | Expr::Compare(..) | Expr::Between(..)
        );
        self.maybe_parens(e, wrap);
    }

    fn maybe_parens(&mut self, e: &Expr, wrap: bool) {
        if wrap {
            self.push("(");
        }
        self.expr(e);
        if wrap {
            self.push(")");
        }
    }

    fn joined(&mut self, items: &[Expr], sep: &str, needs_parens: fn(&Expr) -> bool) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.push(sep);
            }
            self.maybe_parens(item, needs_parens(item));
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
    }
}

#[cfg(test)]
mod tests;
