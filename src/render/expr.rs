//! Expressions: columns, values, conditions, subqueries and aggregates.

use super::piece::PieceKind;
use super::writer::Writer;
use crate::schema::ColumnType;
use crate::sql::*;

impl Writer<'_> {
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
            Expr::Arith(l, op, r) => self.arith(l, *op, r),
            Expr::Neg(x) => {
                self.piece(PieceKind::Operator, "-");
                let wrap = !matches!(**x, Expr::Column(_) | Expr::Aggregate(..) | Expr::Floor(_));
                self.maybe_parens(x, wrap);
            }
            Expr::Floor(x) => {
                self.piece(PieceKind::Function, "FLOOR");
                self.punct("(");
                self.expr(x);
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

    /// Arithmetic as SQLAlchemy 2 writes it for the database: operators by precedence, and
    /// true division with a divisor the database reads as a decimal.
    fn arith(&mut self, l: &Expr, op: ArithOp, r: &Expr) {
        let rank = |o: ArithOp| u8::from(o.is_multiplicative());
        let left_wrap = matches!(l, Expr::Arith(_, inner, _) if rank(*inner) < rank(op));
        let right_wrap = matches!(r, Expr::Arith(_, inner, _)
            if rank(*inner) < rank(op)
                || (rank(*inner) == rank(op)
                    && (*inner != op || !matches!(op, ArithOp::Add | ArithOp::Mul | ArithOp::Concat))));
        self.arith_operand(l, left_wrap);
        self.space();
        let backend = self.backend;
        let operator = match op {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::TrueDiv => "/",
            ArithOp::Div => backend.floor_division_operator(),
            ArithOp::Mod => "%",
            ArithOp::Concat => "||",
        };
        self.piece(PieceKind::Operator, operator);
        self.space();
        if op == ArithOp::TrueDiv {
            backend.write_true_divisor(self, r, right_wrap);
        } else {
            self.arith_operand(r, right_wrap);
        }
    }

    /// An operand of arithmetic: conditions, and looser operators, get parentheses.
    pub(crate) fn arith_operand(&mut self, e: &Expr, wrap: bool) {
        let condition = matches!(
            e,
            Expr::And(_) | Expr::Or(_) | Expr::Not(_) | Expr::Compare(..) | Expr::Between(..)
        );
        self.maybe_parens(e, wrap || condition);
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
