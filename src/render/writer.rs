//! The compiler: walks a statement tree once, writing tagged pieces of SQL for one dialect,
//! values bound (`?`) or inlined. What differs between dialects is asked of the dialect's
//! backend by name ([`Backend`]).
//!
//! Names are qualified (`classes.name`) only where a reader needs it: in a SELECT that joins
//! tables, and in a subquery that refers to the query around it.

use super::dialect::{Backend, Dialect};
use super::piece::{Piece, PieceKind};
use crate::schema::{ColumnType, MetaData};
use crate::sql::*;

struct Scope {
    tables: Vec<String>,
    qualify: bool,
}

/// The writer of one statement in one dialect.
pub(crate) struct Writer<'m> {
    bind: bool,
    dialect: Dialect,
    backend: &'static dyn Backend,
    metadata: Option<&'m MetaData>,
    pub(crate) pieces: Vec<Piece>,
    pub(crate) params: Vec<Value>,
    scopes: Vec<Scope>,
    derived_tables: usize,
}

impl<'m> Writer<'m> {
    /// A writer for `dialect`; `bind` writes placeholders for values (else values inline).
    pub(crate) fn new(bind: bool, dialect: Dialect, metadata: Option<&'m MetaData>) -> Writer<'m> {
        Writer {
            bind,
            dialect,
            backend: dialect.backend(),
            metadata,
            pieces: Vec::new(),
            params: Vec::new(),
            scopes: Vec::new(),
            derived_tables: 0,
        }
    }

    /// The writer's dialect.
    pub(crate) fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The backend of the writer's dialect.
    pub(crate) fn backend(&self) -> &'static dyn Backend {
        self.backend
    }

    /// Adds a piece.
    pub(crate) fn piece(&mut self, kind: PieceKind, text: &str) {
        self.pieces.push(Piece::new(kind, text));
    }

    /// A word of SQL.
    pub(crate) fn keyword(&mut self, word: &str) {
        self.piece(PieceKind::Keyword, word);
    }

    /// Words of SQL separated by spaces: `ORDER BY`.
    pub(crate) fn keywords(&mut self, words: &str) {
        for (i, word) in words.split(' ').enumerate() {
            if i > 0 {
                self.space();
            }
            self.keyword(word);
        }
    }

    /// One space.
    pub(crate) fn space(&mut self) {
        self.piece(PieceKind::Space, " ");
    }

    /// A main clause's words, after a space where a long outermost statement may break.
    pub(crate) fn clause(&mut self, words: &str) {
        if self.scopes.len() <= 1 {
            self.piece(PieceKind::ClauseBreak, " ");
        } else {
            self.space();
        }
        self.keywords(words);
    }

    /// Parentheses, commas, dots.
    pub(crate) fn punct(&mut self, text: &str) {
        self.piece(PieceKind::Punctuation, text);
    }

    /// A number that is part of the SQL itself.
    pub(crate) fn number(&mut self, text: &str) {
        self.piece(PieceKind::Literal, text);
    }

    /// A table, column or alias name, quoted where the dialect needs it.
    pub(crate) fn ident(&mut self, name: &str) {
        let quoted = self.dialect.identifier(name).into_owned();
        self.piece(PieceKind::Identifier, &quoted);
    }

    /// `, ` between items of a list.
    fn comma(&mut self, i: usize) {
        if i > 0 {
            self.punct(",");
            self.space();
        }
    }

    /// Writes any statement.
    pub(crate) fn statement(&mut self, statement: &Statement) {
        match statement {
            Statement::Select(s) => self.select(s),
            Statement::Insert(i) => self.insert(i),
            Statement::Update(u) => self.update(u),
            Statement::Delete(d) => self.delete(d),
            Statement::Begin => self.keyword("BEGIN"),
            Statement::Commit => self.keyword("COMMIT"),
            Statement::Rollback => self.keyword("ROLLBACK"),
            Statement::Savepoint(name) => self.named("SAVEPOINT", name),
            Statement::Release(name) => self.named("RELEASE", name),
            Statement::RollbackTo(name) => self.named("ROLLBACK TO", name),
            Statement::CreateTable(table) => self.create_table(table),
            Statement::CreateIndex(index) => self.create_index(index),
            Statement::DropTable { table, if_exists } => self.drop_table(table, *if_exists),
            Statement::DropIndex(name) => self.named("DROP INDEX", name),
            Statement::Pragma(pragma) => self.pragma(pragma),
            Statement::ExplainQueryPlan(inner) => {
                self.keywords("EXPLAIN QUERY PLAN");
                self.space();
                self.statement(inner);
            }
        }
    }

    /// `WORDS name`.
    pub(crate) fn named(&mut self, words: &str, name: &str) {
        self.keywords(words);
        self.space();
        self.ident(name);
    }

    fn enter(&mut self, tables: Vec<String>, qualify: bool) {
        self.scopes.push(Scope { tables, qualify });
    }

    fn select(&mut self, s: &Select) {
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

    fn insert(&mut self, i: &Insert) {
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

    fn update(&mut self, u: &Update) {
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

    fn delete(&mut self, d: &Delete) {
        self.enter(vec![d.table.clone()], false);
        self.keyword("DELETE");
        self.clause("FROM");
        self.space();
        self.ident(&d.table);
        self.where_clause(d.filter.as_ref());
        self.scopes.pop();
    }

    fn list(&mut self, items: &[Expr]) {
        for (i, e) in items.iter().enumerate() {
            self.comma(i);
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
            self.punct(".");
        }
        self.ident(&c.column);
    }

    fn value(&mut self, v: &Value) {
        if self.bind {
            self.params.push(v.clone());
            let placeholder = self.dialect.placeholder(self.params.len());
            self.piece(PieceKind::Placeholder, &placeholder);
        } else {
            let literal = self.dialect.literal(v);
            self.piece(PieceKind::Value, &literal);
        }
    }

    /// Writes an expression.
    pub(crate) fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Column(c) => self.column(c),
            Expr::Value(v) => self.value(v),
            Expr::Compare(l, op, r) => {
                self.operand(l);
                self.space();
                self.piece(PieceKind::Operator, op.sql());
                self.space();
                self.operand(r);
            }
            Expr::And(items) => self.joined(items, "AND", |e| matches!(e, Expr::Or(_))),
            Expr::Or(items) => self.joined(items, "OR", |e| matches!(e, Expr::And(_))),
            Expr::Not(inner) => {
                self.keyword("NOT");
                self.space();
                let wrap = !matches!(**inner, Expr::Exists(_) | Expr::Column(_) | Expr::Value(_));
                self.maybe_parens(inner, wrap);
            }
            Expr::IsNull(x, negated) => {
                self.operand(x);
                self.space();
                self.keywords(if *negated { "IS NOT NULL" } else { "IS NULL" });
            }
            Expr::InList(x, items, negated) => self.in_list(x, items, *negated),
            Expr::InSelect(x, select, negated) => {
                self.operand(x);
                self.space();
                self.keywords(if *negated { "NOT IN" } else { "IN" });
                self.space();
                self.punct("(");
                if self.backend.limited_in_needs_derived_table()
                    && (select.limit.is_some() || select.offset.is_some())
                {
                    self.derived_table(select);
                } else {
                    self.select(select);
                }
                self.punct(")");
            }
            Expr::Between(x, low, high) => {
                self.operand(x);
                self.space();
                self.keyword("BETWEEN");
                self.space();
                self.operand(low);
                self.space();
                self.keyword("AND");
                self.space();
                self.operand(high);
            }
            Expr::Like(x, pattern, escaped) => self.like(x, pattern, *escaped),
            Expr::Exists(select) => {
                self.keyword("EXISTS");
                self.space();
                self.punct("(");
                self.select(select);
                self.punct(")");
            }
            Expr::Scalar(select) => {
                self.punct("(");
                self.select(select);
                self.punct(")");
            }
            Expr::Aggregate(agg, arg) => {
                self.piece(PieceKind::Function, agg.name());
                self.punct("(");
                match arg {
                    Some(a) => self.expr(a),
                    None => self.punct("*"),
                }
                self.punct(")");
            }
        }
    }

    /// The language's LIKE tests ignore ASCII case: `LIKE` where the database's does too,
    /// else `ILIKE`. An escaped pattern says `ESCAPE '/'`; a pattern with a backslash says
    /// `ESCAPE ''` where the database would read the backslash as an escape.
    fn like(&mut self, x: &Expr, pattern: &Expr, escaped: bool) {
        if self.backend.like_ignores_case() {
            self.operand(x);
            self.space();
            self.keyword("LIKE");
        } else {
            self.text_operand(x);
            self.space();
            self.keyword("ILIKE");
        }
        self.space();
        self.operand(pattern);
        if escaped {
            self.escape("'/'");
        } else if self.backend.like_backslash_escapes() && has_backslash(pattern) {
            self.escape("''");
        }
    }

    fn escape(&mut self, character: &str) {
        self.space();
        self.keyword("ESCAPE");
        self.space();
        self.number(character);
    }

    /// `x IN (a, b)`. Where an empty list is not valid it is written as SQLAlchemy writes
    /// it: a condition that is false (or, for NOT IN, true) for every row.
    fn in_list(&mut self, x: &Expr, items: &[Expr], negated: bool) {
        match (items.is_empty() && !self.backend.allows_empty_in(), negated) {
            (false, _) => {
                self.operand(x);
                self.space();
                self.keywords(if negated { "NOT IN" } else { "IN" });
                self.space();
                self.punct("(");
                self.list(items);
                self.punct(")");
            }
            (true, false) => {
                self.operand(x);
                self.space();
                self.keyword("IN");
                self.space();
                self.null_in_parens();
                self.space();
                self.keyword("AND");
                self.space();
                self.always("1 != 1");
            }
            (true, true) => {
                self.punct("(");
                self.operand(x);
                self.space();
                self.keywords("NOT IN");
                self.space();
                self.null_in_parens();
                self.space();
                self.keyword("OR");
                self.space();
                self.always("1 = 1");
                self.punct(")");
            }
        }
    }

    fn null_in_parens(&mut self) {
        self.punct("(");
        self.keyword("NULL");
        self.punct(")");
    }

    /// A condition of constants in parentheses, `(1 = 1)`, true or false in every dialect.
    fn always(&mut self, condition: &str) {
        self.punct("(");
        for (i, part) in condition.split(' ').enumerate() {
            if i > 0 {
                self.space();
            }
            let kind = if i == 1 {
                PieceKind::Operator
            } else {
                PieceKind::Literal
            };
            self.piece(kind, part);
        }
        self.punct(")");
    }

    /// A way round a database's rules on subqueries: `SELECT col FROM (subquery) AS anon_N`.
    fn derived_table(&mut self, select: &Select) {
        self.derived_tables += 1;
        let alias = format!("anon_{}", self.derived_tables);
        let column = match select.items.first() {
            Some(SelectItem::Expr(_, Some(alias))) => Some(alias.clone()),
            Some(SelectItem::Expr(Expr::Column(c), None)) => Some(c.column.clone()),
            _ => None,
        };
        self.keyword("SELECT");
        self.space();
        match column {
            Some(column) => self.ident(&column),
            None => self.punct("*"),
        }
        self.space();
        self.keyword("FROM");
        self.space();
        self.punct("(");
        self.select(select);
        self.punct(")");
        self.space();
        self.keyword("AS");
        self.space();
        self.ident(&alias);
    }

    /// The subject of ILIKE: a column that is not text is cast to text first.
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
            self.keyword("CAST");
            self.punct("(");
            self.expr(x);
            self.space();
            self.keyword("AS");
            self.space();
            self.keyword("TEXT");
            self.punct(")");
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
            self.punct("(");
        }
        self.expr(e);
        if wrap {
            self.punct(")");
        }
    }

    fn joined(&mut self, items: &[Expr], word: &str, needs_parens: fn(&Expr) -> bool) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.space();
                self.keyword(word);
                self.space();
            }
            self.maybe_parens(item, needs_parens(item));
        }
    }
}

/// Whether a LIKE pattern holds a backslash.
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
    }
}
