//! Arithmetic (`+ - * / // %`, unary `-`) with SQLAlchemy 2's meaning: computed in Python's way
//! when every operand is a value (as Python computes before SQLAlchemy sees it), and written
//! as SQL when a column takes part (`credits + 1`), with `/` true division even between whole
//! numbers and `//` flooring.

use super::eval::{Eval, Val};
use crate::error::{Error, Result, Span};
use crate::mapper::query::Query;
use crate::schema::ColumnType;
use crate::sql::{Aggregate, ArithOp as SqlOp, Expr as Sql, SelectItem, Value};
use crate::syntax::ast::{Argument, ArithOp, Expr, ExprKind, Literal};

/// Aggregates a grouped query's `having(...)` may use.
const GROUP_AGGREGATES: &[&str] = &["count", "sum", "avg", "min", "max"];

impl Eval<'_> {
    /// `a OP b` where a value is expected: a value, or (in an update's values, where the
    /// columns of the rows being changed are in scope) a SQL expression over them.
    pub(crate) fn arith_value(&mut self, expr: &Expr) -> Result<Val> {
        let table = self.row_table.clone();
        if let Some(table) = table {
            return Ok(match self.row_expr(expr, &table)? {
                Sql::Value(Value::Null) => Val::Nothing,
                Sql::Value(v) => Val::Scalar(v),
                other => Val::Computed(other),
            });
        }
        let ExprKind::Arith(l, op, r) = &expr.kind else {
            return self.eval(expr);
        };
        let left = self.arith_operand_value(l)?;
        let right = self.arith_operand_value(r)?;
        python_arith(&left, *op, &right, expr.span).map(Val::Scalar)
    }

    fn arith_operand_value(&mut self, e: &Expr) -> Result<Value> {
        match self.eval(e)? {
            Val::Scalar(v) => Ok(v),
            Val::Nothing => Ok(Value::Null),
            _ => Err(
                Error::type_error(e.span, "arithmetic needs numbers (or texts to join)")
                    .with_hint("e.g. students[13].year + 1"),
            ),
        }
    }

    /// A column of the rows an update changes, named bare in its values (`credits + 1`).
    pub(crate) fn row_column(&self, name: &str) -> Option<Val> {
        let table = self.row_table.as_deref()?;
        let t = self.reg.metadata.table(table)?;
        t.column(name)?;
        Some(Val::Computed(Sql::column(table, name)))
    }

    /// A value expression over the columns of `table` as SQL; parts made only of values
    /// are computed first, as Python computes them.
    pub(crate) fn row_expr(&mut self, expr: &Expr, table: &str) -> Result<Sql> {
        match &expr.kind {
            ExprKind::Arith(l, op, r) => {
                let left = self.row_expr(l, table)?;
                let right = self.row_expr(r, table)?;
                if let (Sql::Value(a), Sql::Value(b)) = (&left, &right) {
                    return python_arith(a, *op, b, expr.span).map(Sql::Value);
                }
                self.sql_arith(left, *op, right, expr.span)
            }
            ExprKind::Neg(x) => match self.row_expr(x, table)? {
                Sql::Value(v) => python_neg(&v, expr.span).map(Sql::Value),
                other => {
                    self.numeric(&other, x.span)?;
                    Ok(Sql::Neg(Box::new(other)))
                }
            },
            ExprKind::Literal(Literal::None) => Ok(Sql::Value(Value::Null)),
            ExprKind::Literal(Literal::Bool(b)) => Ok(Sql::Value(Value::Integer(i64::from(*b)))),
            ExprKind::Literal(Literal::Integer(i)) => Ok(Sql::Value(Value::Integer(*i))),
            ExprKind::Literal(Literal::Real(r)) => Ok(Sql::Value(Value::Real(*r))),
            ExprKind::Literal(Literal::Text(s)) => Ok(Sql::Value(Value::Text(s.clone()))),
            _ => self.operand_as_sql(expr, table),
        }
    }

    /// The arguments of `select(...)`: columns named bare, and values computed from each row
    /// (`year + 1`), selected under the name they were written as.
    pub(crate) fn select_arguments(
        &mut self,
        q: &mut Query,
        args: &[Argument],
        span: Span,
    ) -> Result<Vec<String>> {
        let plain = |a: &Argument| !matches!(a.value.kind, ExprKind::Arith(..) | ExprKind::Neg(_));
        if args.iter().all(plain) {
            return self.column_arguments(&q.table, args, "select", span);
        }
        let mut names = Vec::new();
        for arg in args {
            if plain(arg) {
                names.push(self.column_name(&q.table, &arg.value)?);
                continue;
            }
            let table = q.table.clone();
            let sql = self.row_expr(&arg.value, &table)?;
            let label = arg.value.to_string();
            q.computed.push((label.clone(), sql));
            names.push(label);
        }
        Ok(names)
    }

    /// `sum(UnitPrice * Quantity)`, `avg(-credits)`: an aggregate of a value computed from
    /// each row of `q`, as SQLAlchemy's `func.sum(InvoiceLine.UnitPrice * InvoiceLine.Quantity)`.
    pub(crate) fn aggregate_of_expression(
        &mut self,
        mut q: Query,
        agg: Aggregate,
        arg: &Expr,
        span: Span,
    ) -> Result<Val> {
        let table = q.table.clone();
        let sql = self.row_expr(arg, &table)?;
        if matches!(agg, Aggregate::Sum | Aggregate::Avg)
            && self.sql_type(&sql) == Some(ColumnType::Text)
        {
            return Err(Error::type_error(
                arg.span,
                format!("{}() adds up numbers, and {arg} is text", agg.name()),
            )
            .with_hint("min(...) and max(...) work on text; count() counts rows"));
        }
        let select = if q.is_shaped() && q.group_by.is_empty() {
            // Over the rows of a subquery (paged, distinct or chosen columns): its columns.
            let mut select = q.aggregate_select(agg, None);
            let over = Sql::Aggregate(agg, Some(Box::new(on_table(sql, "sub"))));
            select.items = vec![SelectItem::Expr(over, None)];
            select
        } else {
            let label = arg.to_string();
            q.computed.push((label.clone(), sql));
            q.aggregate_select(agg, Some(&label))
        };
        self.run_aggregate(q, select, agg, span)
    }

    /// `count()`, `sum(credits)`, … of each group, in `having(...)`.
    pub(crate) fn group_aggregate(&mut self, expr: &Expr, table: &str) -> Result<Option<Sql>> {
        let ExprKind::Call(callee, args) = &expr.kind else {
            return Ok(None);
        };
        let ExprKind::Name(name) = &callee.kind else {
            return Ok(None);
        };
        if !GROUP_AGGREGATES.contains(&name.as_str()) || self.reg.collection(name).is_some() {
            return Ok(None);
        }
        if !self.grouping {
            return Err(Error::type_error(
                expr.span,
                format!("{name}() of each group belongs after group_by(...), in having(...) or order_by(...)"),
            )
            .with_hint("e.g. students.group_by(year).having(count() > 9); a row's related rows: classes.count() > 3"));
        }
        let agg = match name.as_str() {
            "count" => Aggregate::Count,
            "sum" => Aggregate::Sum,
            "avg" => Aggregate::Avg,
            "min" => Aggregate::Min,
            _ => Aggregate::Max,
        };
        let column = match args.as_slice() {
            [] if agg == Aggregate::Count => None,
            [only]
                if only.keyword.is_none()
                    && agg != Aggregate::Count
                    && matches!(only.value.kind, ExprKind::Arith(..) | ExprKind::Neg(_)) =>
            {
                Some(Box::new(self.row_expr(&only.value, table)?))
            }
            [only] if only.keyword.is_none() => Some(Box::new(Sql::column(
                table,
                &self.column_name(table, &only.value)?,
            ))),
            _ => {
                return Err(
                    Error::type_error(expr.span, format!("{name}() takes one column here"))
                        .with_hint("e.g. having(sum(credits) > 6) or having(count() > 9)"),
                )
            }
        };
        Ok(Some(Sql::Aggregate(agg, column)))
    }

    /// `left OP right` as SQLAlchemy 2 writes it, by the operands' types.
    fn sql_arith(&self, left: Sql, op: ArithOp, right: Sql, span: Span) -> Result<Sql> {
        let (lt, rt) = (self.sql_type(&left), self.sql_type(&right));
        let text = lt == Some(ColumnType::Text) || rt == Some(ColumnType::Text);
        if text {
            if op == ArithOp::Add && lt == rt {
                return Ok(Sql::Arith(Box::new(left), SqlOp::Concat, Box::new(right)));
            }
            return Err(Error::type_error(
                span,
                format!("'{}' does not work on text", op.symbol()),
            )
            .with_hint("text can only be joined to text with +, e.g. name + ' (new)'"));
        }
        let by_literal_zero = matches!(
            &right,
            Sql::Value(Value::Integer(0)) | Sql::Value(Value::Real(0.0))
        );
        if by_literal_zero && matches!(op, ArithOp::Div | ArithOp::FloorDiv | ArithOp::Mod) {
            // SQLite would give NULL and PostgreSQL an error: refused alike on both.
            return Err(by_zero(span).with_hint(
                "dividing by 0 has no answer: SQLite gives NULL for it and PostgreSQL refuses it, so ormscope refuses it on both",
            ));
        }
        let integers = lt == Some(ColumnType::Integer) && rt == Some(ColumnType::Integer);
        let node = |o| Sql::Arith(Box::new(left.clone()), o, Box::new(right.clone()));
        Ok(match op {
            ArithOp::Add => node(SqlOp::Add),
            ArithOp::Sub => node(SqlOp::Sub),
            ArithOp::Mul => node(SqlOp::Mul),
            ArithOp::Div => node(SqlOp::TrueDiv),
            ArithOp::FloorDiv if integers => node(SqlOp::Div),
            ArithOp::FloorDiv => Sql::Floor(Box::new(node(SqlOp::Div))),
            ArithOp::Mod => node(SqlOp::Mod),
        })
    }

    fn numeric(&self, e: &Sql, span: Span) -> Result<()> {
        if self.sql_type(e) == Some(ColumnType::Text) {
            return Err(Error::type_error(span, "text cannot be negated"));
        }
        Ok(())
    }

    /// The type of a SQL expression, where it can be told.
    fn sql_type(&self, e: &Sql) -> Option<ColumnType> {
        match e {
            Sql::Column(c) => self
                .reg
                .metadata
                .table(&c.table)
                .and_then(|t| t.column(&c.column))
                .map(|c| c.ty),
            Sql::Value(Value::Integer(_)) => Some(ColumnType::Integer),
            Sql::Value(Value::Real(_)) => Some(ColumnType::Real),
            Sql::Value(Value::Text(_)) => Some(ColumnType::Text),
            Sql::Neg(x) => self.sql_type(x),
            Sql::Floor(_) => Some(ColumnType::Integer),
            Sql::Arith(_, SqlOp::TrueDiv, _) => Some(ColumnType::Real),
            Sql::Arith(_, SqlOp::Concat, _) => Some(ColumnType::Text),
            Sql::Arith(l, _, r) => match (self.sql_type(l), self.sql_type(r)) {
                (Some(ColumnType::Integer), Some(ColumnType::Integer)) => Some(ColumnType::Integer),
                (Some(ColumnType::Text), _) | (_, Some(ColumnType::Text)) => Some(ColumnType::Text),
                (None, _) | (_, None) => None,
                _ => Some(ColumnType::Real),
            },
            Sql::Aggregate(Aggregate::Count, _) => Some(ColumnType::Integer),
            Sql::Aggregate(Aggregate::Avg, _) => Some(ColumnType::Real),
            Sql::Aggregate(_, Some(arg)) => self.sql_type(arg),
            _ => None,
        }
    }
}

/// A value computed from each row, over the same columns of another source (`sub`).
fn on_table(e: Sql, table: &str) -> Sql {
    let inner = |x: Box<Sql>| Box::new(on_table(*x, table));
    match e {
        Sql::Column(c) => Sql::column(table, &c.column),
        Sql::Arith(l, op, r) => Sql::Arith(inner(l), op, inner(r)),
        Sql::Neg(x) => Sql::Neg(inner(x)),
        Sql::Floor(x) => Sql::Floor(inner(x)),
        other => other,
    }
}

/// Python's `-x`.
fn python_neg(v: &Value, span: Span) -> Result<Value> {
    match v {
        Value::Integer(i) => i
            .checked_neg()
            .map(Value::Integer)
            .ok_or_else(|| too_large(span)),
        Value::Real(r) => Ok(Value::Real(-r)),
        Value::Null => Ok(Value::Null),
        _ => Err(Error::type_error(span, "only a number can be negated")),
    }
}

fn too_large(span: Span) -> Error {
    Error::type_error(
        span,
        format!(
            "the result is too large: whole numbers go up to {}",
            i64::MAX
        ),
    )
}

fn by_zero(span: Span) -> Error {
    Error::type_error(span, "division by zero")
        .with_hint("Python refuses it too (ZeroDivisionError)")
}

/// `a OP b` on two values, as Python computes it (`/` true division, `//` and `%` floor).
pub(crate) fn python_arith(a: &Value, op: ArithOp, b: &Value, span: Span) -> Result<Value> {
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => integer_arith(*x, op, *y, span),
        (Value::Integer(_) | Value::Real(_), Value::Integer(_) | Value::Real(_)) => {
            real_arith(as_real(a), op, as_real(b), span)
        }
        (Value::Text(x), Value::Text(y)) if op == ArithOp::Add => {
            Ok(Value::Text(format!("{x}{y}")))
        }
        (Value::Null, _) | (_, Value::Null) => Err(Error::type_error(
            span,
            format!("None cannot take part in '{}'", op.symbol()),
        )
        .with_hint("Python refuses it too; test for None first, e.g. grade is not None")),
        _ => Err(Error::type_error(
            span,
            format!(
                "'{}' does not work on {} and {}",
                op.symbol(),
                a.type_name(),
                b.type_name()
            ),
        )
        .with_hint("numbers work with + - * / // %; texts join with +")),
    }
}

fn as_real(v: &Value) -> f64 {
    match v {
        Value::Integer(i) => *i as f64,
        Value::Real(r) => *r,
        _ => 0.0,
    }
}

fn integer_arith(x: i64, op: ArithOp, y: i64, span: Span) -> Result<Value> {
    let checked = match op {
        ArithOp::Add => x.checked_add(y),
        ArithOp::Sub => x.checked_sub(y),
        ArithOp::Mul => x.checked_mul(y),
        ArithOp::Div => return real_arith(x as f64, op, y as f64, span),
        ArithOp::FloorDiv | ArithOp::Mod if y == 0 => return Err(by_zero(span)),
        ArithOp::FloorDiv => x.checked_div(y).map(|q| {
            if x % y != 0 && ((x < 0) != (y < 0)) {
                q - 1
            } else {
                q
            }
        }),
        ArithOp::Mod => x.checked_rem(y).map(|r| {
            if r != 0 && ((r < 0) != (y < 0)) {
                r + y
            } else {
                r
            }
        }),
    };
    checked.map(Value::Integer).ok_or_else(|| too_large(span))
}

fn real_arith(x: f64, op: ArithOp, y: f64, span: Span) -> Result<Value> {
    if y == 0.0 && matches!(op, ArithOp::Div | ArithOp::FloorDiv | ArithOp::Mod) {
        return Err(by_zero(span));
    }
    let r = match op {
        ArithOp::Add => x + y,
        ArithOp::Sub => x - y,
        ArithOp::Mul => x * y,
        ArithOp::Div => x / y,
        ArithOp::FloorDiv => (x / y).floor(),
        ArithOp::Mod => x - y * (x / y).floor(),
    };
    if !r.is_finite() {
        return Err(Error::type_error(
            span,
            format!(
                "the result is too large for a decimal number: they go up to about {:e} (Python gives inf, which SQL has no way to store)",
                f64::MAX
            ),
        ));
    }
    Ok(Value::Real(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calc(a: Value, op: ArithOp, b: Value) -> Value {
        python_arith(&a, op, &b, Span::default()).unwrap_or(Value::Blob(Vec::new()))
    }

    #[test]
    fn division_is_true_division_and_floor_division_floors_as_in_python() {
        use Value::{Integer as I, Real as R};
        assert_eq!(calc(I(7), ArithOp::Div, I(2)), R(3.5));
        assert_eq!(calc(I(7), ArithOp::FloorDiv, I(2)), I(3));
        assert_eq!(calc(I(-7), ArithOp::FloorDiv, I(2)), I(-4));
        assert_eq!(calc(I(-7), ArithOp::Mod, I(2)), I(1));
        assert_eq!(calc(I(7), ArithOp::Mod, I(-2)), I(-1));
        assert_eq!(calc(R(7.5), ArithOp::FloorDiv, I(2)), R(3.0));
        assert_eq!(calc(R(-7.5), ArithOp::Mod, I(2)), R(0.5));
    }

    #[test]
    fn mistakes_are_errors_not_crashes() {
        let err = |a, op, b| python_arith(&a, op, &b, Span::default()).is_err();
        assert!(err(Value::Integer(1), ArithOp::Div, Value::Integer(0)));
        assert!(err(Value::Integer(1), ArithOp::Mod, Value::Integer(0)));
        assert!(err(
            Value::Integer(i64::MAX),
            ArithOp::Add,
            Value::Integer(1)
        ));
        assert!(err(
            Value::Integer(i64::MIN),
            ArithOp::FloorDiv,
            Value::Integer(-1)
        ));
        assert!(err(Value::Null, ArithOp::Add, Value::Integer(1)));
        assert!(err(
            Value::Text("a".into()),
            ArithOp::Mul,
            Value::Integer(2)
        ));
        assert_eq!(
            calc(
                Value::Text("a".into()),
                ArithOp::Add,
                Value::Text("b".into())
            ),
            Value::Text("ab".into())
        );
    }
}
