//! Core: the SQL compiler. One function of the statement tree gives both the parameterised text
//! that is executed (`?` and its bound values) and the display text with the values inlined.
//!
//! Names are qualified (`classes.name`) only where a reader needs it: in a SELECT that joins
//! tables, and in a subquery that refers to the query around it.
//!
//! The dialect is a parameter of the one writer ([`render_in`]); SQLite's is what runs. Where
//! PostgreSQL and MySQL differ, they are written as SQLAlchemy's dialects write them:
//! - paging: `LIMIT n OFFSET m` everywhere but MySQL, which says `LIMIT m, n`; an offset
//!   without a limit is `LIMIT -1 OFFSET m` in SQLite, `OFFSET m` in PostgreSQL and
//!   `LIMIT m, 18446744073709551615` in MySQL;
//! - an empty `IN ()` (valid only in SQLite) is `x IN (NULL) AND (1 != 1)`, and an empty
//!   `NOT IN ()` is `(x NOT IN (NULL) OR (1 = 1))`;
//! - PostgreSQL reports the new key of an insert with `RETURNING id` (SQLite and MySQL tell
//!   the driver the last inserted id instead);
//! - the language's LIKE tests ignore ASCII case, as SQLite's `LIKE` does; PostgreSQL's `LIKE`
//!   does not, so there they are `ILIKE`, with a number column cast to text first; and where
//!   a pattern holds a backslash, which PostgreSQL and MySQL read as an escape character and
//!   SQLite as itself, they say `ESCAPE ''`;
//! - MySQL refuses `LIMIT` inside an `IN (SELECT ...)`, and a subquery reading the table an
//!   UPDATE or DELETE writes, so such a subquery is read through a derived table
//!   (`IN (SELECT id FROM (SELECT id ... LIMIT 3) AS anon_1)`), which MySQL materializes;
//! - MySQL has no `DEFAULT VALUES`: an insert of no columns is `() VALUES ()`.
//!
//! Booleans are 1 and 0 (the language's `True`/`False` become `1 = 1`/`1 = 0` conditions,
//! valid in all three), and the language has no string concatenation (`contains('an')`
//! binds one pattern, `'%an%'`), so neither needs a dialect's spelling.

use crate::dialect::{Dialect, MYSQL_NO_LIMIT};
use crate::schema::{ColumnType, MetaData};
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
    /// The tree it was rendered from, so it can be rendered again for another dialect
    /// (none for raw SQL typed with `:sql`).
    pub statement: Option<Statement>,
}

impl Rendered {
    /// Raw SQL as it was typed: no tree, no bound values.
    pub fn raw(sql: &str) -> Rendered {
        Rendered {
            text: sql.to_string(),
            params: Vec::new(),
            display: sql.to_string(),
            statement: None,
        }
    }
}

/// Renders a statement in both forms for SQLite, the database that runs it.
pub fn render(statement: &Statement) -> Rendered {
    render_with(statement, Dialect::Sqlite, None)
}

/// Renders a statement in both forms for `dialect`. The schema says which tables have an
/// integer key to return (`RETURNING id`) and which columns are not text.
pub fn render_in(statement: &Statement, dialect: Dialect, metadata: &MetaData) -> Rendered {
    render_with(statement, dialect, Some(metadata))
}

fn render_with(statement: &Statement, dialect: Dialect, metadata: Option<&MetaData>) -> Rendered {
    let mut bound = Writer::new(true, dialect, metadata);
    bound.statement(statement);
    let mut inline = Writer::new(false, dialect, metadata);
    inline.statement(statement);
    Rendered {
        text: bound.out,
        params: bound.params,
        display: inline.out,
        statement: Some(statement.clone()),
    }
}

/// Renders a lone condition (for notes and tests), values inlined, for SQLite.
pub fn render_condition(expr: &Expr) -> String {
    let mut w = Writer::new(false, Dialect::Sqlite, None);
    w.expr(expr);
    w.out
}

struct Scope {
    tables: Vec<String>,
    qualify: bool,
}

/// The compiler: walks the tree once, writing SQL for one dialect, values bound or inlined.
struct Writer<'m> {
    bind: bool,
    dialect: Dialect,
    metadata: Option<&'m MetaData>,
    out: String,
    params: Vec<Value>,
    scopes: Vec<Scope>,
    derived_tables: usize,
}

impl<'m> Writer<'m> {
    fn new(bind: bool, dialect: Dialect, metadata: Option<&'m MetaData>) -> Writer<'m> {
        Writer {
            bind,
            dialect,
            metadata,
            out: String::new(),
            params: Vec::new(),
            scopes: Vec::new(),
            derived_tables: 0,
        }
    }

    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// A table, column or alias name, quoted where the dialect needs it.
    fn ident(&mut self, name: &str) {
        let quoted = self.dialect.identifier(name);
        self.out.push_str(&quoted);
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
            Source::Table(t) => self.ident(t),
            Source::Subquery(inner, alias) => {
                self.push("(");
                self.select(inner);
                self.push(") AS ");
                self.ident(alias);
            }
        }
        for join in &s.joins {
            self.push(if join.outer {
                " LEFT OUTER JOIN "
            } else {
                " JOIN "
            });
            self.ident(&join.table);
            self.push(" ON ");
            self.expr(&join.on);
        }
        self.where_clause(s.filter.as_ref());
        if !s.group_by.is_empty() {
            self.push(" GROUP BY ");
            self.list(&s.group_by);
        }
        if let Some(having) = &s.having {
            self.push(" HAVING ");
            self.expr(having);
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
        self.paging(s.limit.as_ref(), s.offset.as_ref());
        self.scopes.pop();
    }

    /// LIMIT and OFFSET as the dialect spells them.
    fn paging(&mut self, limit: Option<&Expr>, offset: Option<&Expr>) {
        match (self.dialect, limit, offset) {
            (_, None, None) => {}
            (Dialect::Mysql, limit, Some(offset)) => {
                self.push(" LIMIT ");
                self.expr(offset);
                self.push(", ");
                match limit {
                    Some(limit) => self.expr(limit),
                    None => self.push(MYSQL_NO_LIMIT),
                }
            }
            (_, Some(limit), offset) => {
                self.push(" LIMIT ");
                self.expr(limit);
                if let Some(offset) = offset {
                    self.push(" OFFSET ");
                    self.expr(offset);
                }
            }
            (Dialect::Sqlite, None, Some(offset)) => {
                self.push(" LIMIT -1 OFFSET ");
                self.expr(offset);
            }
            (Dialect::Postgresql, None, Some(offset)) => {
                self.push(" OFFSET ");
                self.expr(offset);
            }
        }
    }

    fn select_item(&mut self, item: &SelectItem, s: &Select) {
        match item {
            SelectItem::Star => {
                if self.qualifying() {
                    if let Source::Table(t) = &s.from {
                        self.ident(t);
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
            self.push(" WHERE ");
            self.expr(filter);
        }
    }

    fn insert(&mut self, i: &Insert) {
        self.enter(vec![i.table.clone()], false);
        self.push("INSERT INTO ");
        self.ident(&i.table);
        if i.columns.is_empty() {
            self.push(if self.dialect == Dialect::Mysql {
                " () VALUES ()"
            } else {
                " DEFAULT VALUES"
            });
        } else {
            self.push(" (");
            for (n, column) in i.columns.iter().enumerate() {
                if n > 0 {
                    self.push(", ");
                }
                self.ident(column);
            }
            self.push(") VALUES (");
            self.list(&i.values);
            self.push(")");
        }
        if let Some(key) = self.returned_key(&i.table) {
            self.push(" RETURNING ");
            self.ident(&key);
        }
        self.scopes.pop();
    }

    /// The key an insert returns: PostgreSQL's driver reads a new integer key back with
    /// `RETURNING`, as SQLAlchemy's ORM asks for it; the others report the last id.
    fn returned_key(&self, table: &str) -> Option<String> {
        if self.dialect != Dialect::Postgresql {
            return None;
        }
        let key = self.metadata?.table(table)?.single_key()?;
        (key.ty == ColumnType::Integer).then(|| key.name.clone())
    }

    fn update(&mut self, u: &Update) {
        self.enter(vec![u.table.clone()], false);
        self.push("UPDATE ");
        self.ident(&u.table);
        self.push(" SET ");
        for (i, (column, value)) in u.set.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.ident(column);
            self.push(" = ");
            self.expr(value);
        }
        self.where_clause(u.filter.as_ref());
        self.scopes.pop();
    }

    fn delete(&mut self, d: &Delete) {
        self.enter(vec![d.table.clone()], false);
        self.push("DELETE FROM ");
        self.ident(&d.table);
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
            self.ident(&c.table);
            self.push(".");
        }
        self.ident(&c.column);
    }

    fn value(&mut self, v: &Value) {
        if self.bind {
            self.params.push(v.clone());
            let placeholder = self.dialect.placeholder(self.params.len());
            self.push(&placeholder);
        } else {
            let literal = self.dialect.literal(v);
            self.push(&literal);
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
            Expr::InList(x, items, negated) => self.in_list(x, items, *negated),
            Expr::InSelect(x, select, negated) => {
                self.operand(x);
                self.push(if *negated { " NOT IN (" } else { " IN (" });
                if self.dialect == Dialect::Mysql
                    && (select.limit.is_some() || select.offset.is_some())
                {
                    self.derived_table(select);
                } else {
                    self.select(select);
                }
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
                if self.dialect == Dialect::Postgresql {
                    self.text_operand(x);
                    self.push(" ILIKE ");
                } else {
                    self.operand(x);
                    self.push(" LIKE ");
                }
                self.operand(pattern);
                if *escaped {
                    self.push(" ESCAPE '/'");
                } else if self.dialect != Dialect::Sqlite && has_backslash(pattern) {
                    self.push(" ESCAPE ''");
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
            Expr::Arith(l, op, r) => self.arith(l, *op, r),
            Expr::Neg(x) => {
                self.push("-");
                let wrap = !matches!(**x, Expr::Column(_) | Expr::Aggregate(..) | Expr::Floor(_));
                self.maybe_parens(x, wrap);
            }
            Expr::Floor(x) => {
                self.push("FLOOR(");
                self.expr(x);
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

    /// Arithmetic as SQLAlchemy 2 writes it for the dialect: true division makes the divisor
    /// a decimal (`a / (b + 0.0)` in SQLite, `CAST(b AS NUMERIC)` in PostgreSQL).
    fn arith(&mut self, l: &Expr, op: ArithOp, r: &Expr) {
        let rank = |o: ArithOp| u8::from(o.is_multiplicative());
        let left_wrap = matches!(l, Expr::Arith(_, inner, _) if rank(*inner) < rank(op));
        let right_wrap = matches!(r, Expr::Arith(_, inner, _)
            if rank(*inner) < rank(op)
                || (rank(*inner) == rank(op)
                    && (*inner != op || !matches!(op, ArithOp::Add | ArithOp::Mul | ArithOp::Concat))));
        self.arith_operand(l, left_wrap);
        self.push(match op {
            ArithOp::Add => " + ",
            ArithOp::Sub => " - ",
            ArithOp::Mul => " * ",
            ArithOp::TrueDiv | ArithOp::Div
                if self.dialect == Dialect::Mysql && op == ArithOp::Div =>
            {
                " DIV "
            }
            ArithOp::TrueDiv | ArithOp::Div => " / ",
            ArithOp::Mod => " % ",
            ArithOp::Concat => " || ",
        });
        match (op, self.dialect) {
            (ArithOp::TrueDiv, Dialect::Sqlite) => {
                self.push("(");
                self.arith_operand(r, right_wrap);
                self.push(" + 0.0)");
            }
            (ArithOp::TrueDiv, Dialect::Postgresql) => {
                self.push("CAST(");
                self.expr(r);
                self.push(" AS NUMERIC)");
            }
            _ => self.arith_operand(r, right_wrap),
        }
    }

    fn arith_operand(&mut self, e: &Expr, wrap: bool) {
        let condition = matches!(
            e,
            Expr::And(_) | Expr::Or(_) | Expr::Not(_) | Expr::Compare(..) | Expr::Between(..)
        );
        self.maybe_parens(e, wrap || condition);
    }

    /// `x IN (a, b)`. An empty list is valid only in SQLite; elsewhere it is written as
    /// SQLAlchemy writes it: a condition that is false (or, for NOT IN, true) for every row.
    fn in_list(&mut self, x: &Expr, items: &[Expr], negated: bool) {
        match (items.is_empty() && self.dialect != Dialect::Sqlite, negated) {
            (false, _) => {
                self.operand(x);
                self.push(if negated { " NOT IN (" } else { " IN (" });
                self.list(items);
                self.push(")");
            }
            (true, false) => {
                self.operand(x);
                self.push(" IN (NULL) AND (1 != 1)");
            }
            (true, true) => {
                self.push("(");
                self.operand(x);
                self.push(" NOT IN (NULL) OR (1 = 1))");
            }
        }
    }

    /// MySQL's way round its rules on subqueries: `SELECT col FROM (subquery) AS anon_N`.
    fn derived_table(&mut self, select: &Select) {
        self.derived_tables += 1;
        let alias = format!("anon_{}", self.derived_tables);
        let column = match select.items.first() {
            Some(SelectItem::Expr(_, Some(alias))) => alias.clone(),
            Some(SelectItem::Expr(Expr::Column(c), None)) => c.column.clone(),
            _ => "*".to_string(),
        };
        self.push("SELECT ");
        if column == "*" {
            self.push("*");
        } else {
            self.ident(&column);
        }
        self.push(" FROM (");
        self.select(select);
        self.push(") AS ");
        self.ident(&alias);
    }

    /// The subject of PostgreSQL's ILIKE: a column that is not text is cast to text first
    /// (SQLite and MySQL compare numbers with LIKE as text by themselves).
    fn text_operand(&mut self, x: &Expr) {
        let not_text = match x {
            Expr::Column(c) => self
                .metadata
                .and_then(|m| m.table(&c.table))
                .and_then(|t| t.column(&c.column))
                .is_some_and(|col| col.ty != ColumnType::Text),
            _ => false,
        };
        if not_text {
            self.push("CAST(");
            self.expr(x);
            self.push(" AS TEXT)");
        } else {
            self.operand(x);
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

/// Whether a LIKE pattern holds a backslash: PostgreSQL's and MySQL's LIKE take it as an
/// escape character unless told otherwise (`ESCAPE ''`), SQLite's as a plain character.
fn has_backslash(pattern: &Expr) -> bool {
    matches!(pattern, Expr::Value(Value::Text(t)) if t.contains('\\'))
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

#[cfg(test)]
mod tests;
