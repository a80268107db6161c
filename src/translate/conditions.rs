//! The mapper's condition compiler: `where(...)` arguments become SQL conditions, with bare
//! names resolved as columns or relationships of the collection's class, paths through
//! many-to-one relationships as EXISTS (`has()`), and `any()` as EXISTS over the related rows.

use super::eval::{Eval, Val};
use crate::error::{Error, Result, Span};
use crate::mapper::methods::{is_test_call, CONDITION_TESTS};
use crate::mapper::query::{key_of, Obj};
use crate::mapper::{Link, Relationship};
use crate::sql::{self, Aggregate, CompareOp as Op, Expr as Sql, Order, Select, SelectItem, Value};
use crate::syntax::ast::{Argument, CompareOp, Expr, ExprKind, Ident, Literal, Member};

/// One side of a comparison.
enum Operand {
    /// A column or a value, as SQL.
    Sql(Sql),
    /// NULL (None, or a value that turned out NULL).
    Null,
    /// A list of values, for `in`.
    List(Vec<Value>),
    /// An object: compares by its key.
    Object(Obj),
    /// A many-to-one relationship of the row (compares by its foreign key).
    Relationship(Relationship),
    /// A collection, for `in`.
    Query(Box<crate::mapper::query::Query>),
}

/// Aggregates that can be taken over each row's related rows in a condition.
const AGGREGATES: &[&str] = &["count", "sum", "avg", "min", "max"];

/// `True`/`False` written as a literal.
fn bool_literal(expr: &Expr) -> Option<bool> {
    match expr.kind {
        ExprKind::Literal(Literal::Bool(b)) => Some(b),
        _ => None,
    }
}

/// String tests that become LIKE.
const LIKE_METHODS: &[&str] = &["like", "startswith", "endswith", "contains"];

impl Eval<'_> {
    /// Compiles a condition on rows of `table`.
    pub fn condition(&mut self, expr: &Expr, table: &str) -> Result<Sql> {
        match &expr.kind {
            ExprKind::And(l, r) => Ok(flatten(
                true,
                self.condition(l, table)?,
                self.condition(r, table)?,
            )),
            ExprKind::Or(l, r) => Ok(flatten(
                false,
                self.condition(l, table)?,
                self.condition(r, table)?,
            )),
            ExprKind::Not(inner) => Ok(Sql::Not(Box::new(self.condition(inner, table)?))),
            ExprKind::Compare(l, op, r) => self.comparison(l, *op, r, table),
            ExprKind::Call(callee, args) => self.condition_call(callee, args, table, expr.span),
            ExprKind::Literal(Literal::Bool(b)) => Ok(always(*b)),
            ExprKind::Name(name) if self.reg.relationship(table, name).is_some() => {
                Err(Error::type_error(
                    expr.span,
                    format!("'{name}' is a relationship; a condition needs a test on it"),
                )
                .with_hint(format!("e.g. {name}.any() or {name} is None")))
            }
            _ => Err(Error::type_error(expr.span, "a condition is expected here")
                .with_hint("compare a column with a value, e.g. year == 2")),
        }
    }

    /// `column = value` for `filter_by(column=value)` (IS NULL for None).
    pub fn equality(&mut self, table: &str, key: &Ident, val: Val) -> Result<Sql> {
        let subject = match self.reg.relationship(table, &key.name) {
            Some(rel) => Operand::Relationship(rel.clone()),
            None => Operand::Sql(Sql::column(table, &self.column_name_of(table, key)?)),
        };
        let value = self.operand_from_val(val, key.span)?;
        self.compare_operands(subject, Op::Eq, value, key.span)
    }

    fn column_name_of(&self, table: &str, key: &Ident) -> Result<String> {
        let t = self.table(table, key.span)?;
        match t.column(&key.name) {
            Some(c) => Ok(c.name.clone()),
            None => Err(self.reg.unknown_attribute(t, &key.name, key.span, &[])),
        }
    }

    /// One ORDER BY term: `name`, `-year`, `year.desc()`, `name.asc()`.
    pub fn order_term(&mut self, expr: &Expr, table: &str) -> Result<Order> {
        if let Some(aggregate) = self.group_aggregate(expr, table)? {
            return Ok(Order {
                expr: aggregate,
                descending: false,
            });
        }
        match &expr.kind {
            ExprKind::Neg(inner) => {
                let mut order = self.order_term(inner, table)?;
                order.descending = !order.descending;
                Ok(order)
            }
            ExprKind::Call(callee, args) if args.is_empty() => match &callee.kind {
                ExprKind::Member(base, Member::Name(m)) if m.name == "desc" || m.name == "asc" => {
                    let mut order = self.order_term(base, table)?;
                    order.descending = m.name == "desc";
                    Ok(order)
                }
                _ => Err(order_error(expr.span)),
            },
            ExprKind::Name(_) | ExprKind::Literal(Literal::Text(_)) => Ok(Order {
                expr: Sql::column(table, &self.column_name(table, expr)?),
                descending: false,
            }),
            ExprKind::Arith(..) => Ok(Order {
                expr: self.row_expr(expr, table)?,
                descending: false,
            }),
            _ => Err(order_error(expr.span)),
        }
    }

    fn comparison(&mut self, left: &Expr, op: CompareOp, right: &Expr, table: &str) -> Result<Sql> {
        if let Some(truth) = bool_literal(right) {
            if is_test_call(left)
                && matches!(
                    op,
                    CompareOp::Eq | CompareOp::Ne | CompareOp::Is | CompareOp::IsNot
                )
            {
                let test = self.condition(left, table)?;
                let keep = truth == matches!(op, CompareOp::Eq | CompareOp::Is);
                return Ok(if keep { test } else { Sql::Not(Box::new(test)) });
            }
        }
        if self.reg.path_start(left, table).is_none() && self.reg.path_start(right, table).is_some()
        {
            if let Some(mirrored) = mirror(op) {
                return self.comparison(right, mirrored, left, table);
            }
        }
        if let Some((rel, rest)) = self.reg.path_start(left, table) {
            let right_operand = self.operand(right, table)?;
            return self.through(&rel, left.span, |ev, target| {
                ev.comparison_with(&rest, op, right_operand, target)
            });
        }
        let right_operand = self.operand(right, table)?;
        self.comparison_with(left, op, right_operand, table)
    }

    fn comparison_with(
        &mut self,
        left: &Expr,
        op: CompareOp,
        right: Operand,
        table: &str,
    ) -> Result<Sql> {
        if let Some((rel, rest)) = self.reg.path_start(left, table) {
            return self.through(&rel, left.span, |ev, target| {
                ev.comparison_with(&rest, op, right, target)
            });
        }
        let left_operand = self.operand(left, table)?;
        let span = left.span;
        match op {
            CompareOp::In | CompareOp::NotIn => {
                self.membership(left_operand, right, op == CompareOp::NotIn, span)
            }
            CompareOp::Is | CompareOp::IsNot => match right {
                Operand::Null => self.compare_operands(
                    left_operand,
                    if op == CompareOp::Is { Op::Eq } else { Op::Ne },
                    Operand::Null,
                    span,
                ),
                Operand::Sql(Sql::Value(v @ Value::Integer(0 | 1))) => {
                    let sql_op = if op == CompareOp::Is { Op::Eq } else { Op::Ne };
                    self.compare_operands(left_operand, sql_op, Operand::Sql(Sql::Value(v)), span)
                }
                _ => Err(
                    Error::type_error(span, "'is' compares with None (or True/False)")
                        .with_hint("use == to compare with a value"),
                ),
            },
            _ => {
                let sql_op = match op {
                    CompareOp::Eq => Op::Eq,
                    CompareOp::Ne => Op::Ne,
                    CompareOp::Lt => Op::Lt,
                    CompareOp::Le => Op::Le,
                    CompareOp::Gt => Op::Gt,
                    _ => Op::Ge,
                };
                self.compare_operands(left_operand, sql_op, right, span)
            }
        }
    }

    fn compare_operands(
        &mut self,
        left: Operand,
        op: Op,
        right: Operand,
        span: Span,
    ) -> Result<Sql> {
        let equality = matches!(op, Op::Eq | Op::Ne);
        if let (Operand::Relationship(rel), right) | (right, Operand::Relationship(rel)) =
            (&left, &right)
        {
            if !matches!(
                right,
                Operand::Object(_) | Operand::Null | Operand::Relationship(_)
            ) {
                let target = self.class_of(&rel.target);
                return Err(Error::type_error(
                    span,
                    format!(
                        "'{}' is a {target} object; compare it with an object or None",
                        rel.name
                    ),
                )
                .with_hint(format!(
                    "e.g. {} == {}[3], or compare the key column itself",
                    rel.name, rel.target
                )));
            }
        }
        // An object's relationship that is not this object includes rows with none at all,
        // as SQLAlchemy renders `advisor != obj` (`advisor_id != 3 OR advisor_id IS NULL`).
        let nullable_relationship = op == Op::Ne
            && matches!(
                (&left, &right),
                (Operand::Relationship(_), Operand::Object(_))
                    | (Operand::Object(_), Operand::Relationship(_))
            );
        self.check_types(&left, &right, span)?;
        let l = self.operand_sql(left, span)?;
        let r = self.operand_sql(right, span)?;
        if nullable_relationship {
            if let (Some(x), Some(y)) = (l.clone(), r.clone()) {
                let column = if matches!(x, Sql::Column(_)) {
                    x.clone()
                } else {
                    y.clone()
                };
                return Ok(Sql::Or(vec![
                    Sql::Compare(Box::new(x), op, Box::new(y)),
                    Sql::IsNull(Box::new(column), false),
                ]));
            }
        }
        match (l, r) {
            (None, None) => Ok(always(op == Op::Eq)),
            (Some(x), None) | (None, Some(x)) if equality => {
                Ok(Sql::IsNull(Box::new(x), op == Op::Ne))
            }
            (Some(x), Some(y)) => Ok(Sql::Compare(Box::new(x), op, Box::new(y))),
            _ => Err(Error::type_error(
                span,
                "None can only be compared with == or != (or is / is not)",
            )),
        }
    }

    /// Refuses a column compared with a value of another type (`year == 'two'`).
    fn check_types(&self, left: &Operand, right: &Operand, span: Span) -> Result<()> {
        if let (Operand::Sql(Sql::Column(c)), Operand::Object(o))
        | (Operand::Object(o), Operand::Sql(Sql::Column(c))) = (left, right)
        {
            let refers = self
                .reg
                .metadata
                .table(&c.table)
                .and_then(|t| t.column(&c.column))
                .is_some_and(|col| {
                    col.foreign_key
                        .as_ref()
                        .is_some_and(|fk| fk.table == o.table)
                        || (c.table == o.table && o.key.iter().any(|(k, _)| *k == c.column))
                });
            if !refers {
                return Err(Error::type_error(
                    span,
                    format!(
                        "{} is not a key of {}, so it cannot be compared with a {} object",
                        c.column,
                        o.table,
                        self.class_of(&o.table)
                    ),
                )
                .with_hint("compare with one of the object's values, e.g. students[1].year"));
            }
        }
        let ((Operand::Sql(Sql::Column(c)), Operand::Sql(Sql::Value(v)))
        | (Operand::Sql(Sql::Value(v)), Operand::Sql(Sql::Column(c)))) = (left, right)
        else {
            return Ok(());
        };
        let Some(column) = self
            .reg
            .metadata
            .table(&c.table)
            .and_then(|t| t.column(&c.column))
        else {
            return Ok(());
        };
        if column.loose {
            return Ok(());
        }
        check_value_type(&c.column, column.ty, v, span)
    }

    /// The SQL of an operand; `None` for NULL.
    fn operand_sql(&self, operand: Operand, span: Span) -> Result<Option<Sql>> {
        match operand {
            Operand::Sql(Sql::Value(Value::Null)) | Operand::Null => Ok(None),
            Operand::Sql(s) => Ok(Some(s)),
            Operand::Object(o) => match o.single_key() {
                Some(v) => Ok(Some(Sql::Value(v.clone()))),
                None => Err(Error::type_error(
                    span,
                    "this object has a key of several columns and cannot be compared",
                )),
            },
            Operand::Relationship(rel) => match &rel.link {
                Link::ManyToOne { column } => Ok(Some(Sql::column(&rel.owner, column))),
                _ => Err(Error::type_error(
                    span,
                    format!(
                        "'{}' is a collection; test it with {}.any(...)",
                        rel.name, rel.name
                    ),
                )),
            },
            Operand::List(_) | Operand::Query(_) => Err(Error::type_error(
                span,
                "a list can only be used with in / not in",
            )
            .with_hint("e.g. id in [1, 2, 3]")),
        }
    }

    fn membership(
        &mut self,
        left: Operand,
        right: Operand,
        negated: bool,
        span: Span,
    ) -> Result<Sql> {
        let subject = self
            .operand_sql(left, span)?
            .ok_or_else(|| Error::type_error(span, "None cannot be looked for in a list"))?;
        if let (Sql::Column(c), Operand::List(values)) = (&subject, &right) {
            if let Some(column) = self
                .reg
                .metadata
                .table(&c.table)
                .and_then(|t| t.column(&c.column))
                .filter(|column| !column.loose)
            {
                for v in values {
                    check_value_type(&c.column, column.ty, v, span)?;
                }
            }
        }
        match right {
            Operand::List(values) => Ok(Sql::InList(
                Box::new(subject),
                values.into_iter().map(Sql::Value).collect(),
                negated,
            )),
            Operand::Query(q) => {
                let column = match &q.columns {
                    Some(cols) if cols.len() == 1 => cols[0].clone(),
                    Some(_) => {
                        return Err(Error::type_error(
                            span,
                            "in (...) needs a collection of one column",
                        )
                        .with_hint("select one column, e.g. .select(id)"))
                    }
                    None => match self
                        .reg
                        .metadata
                        .table(&q.table)
                        .and_then(|t| t.single_key())
                    {
                        Some(key) => key.name.clone(),
                        None => {
                            return Err(Error::type_error(
                                span,
                                format!("rows of {} have no single key to look for", q.table),
                            )
                            .with_hint("select one column, e.g. .select(student_id)"))
                        }
                    },
                };
                Ok(Sql::InSelect(
                    Box::new(subject),
                    Box::new(q.column_select(&column)),
                    negated,
                ))
            }
            _ => Err(
                Error::type_error(span, "in / not in need a list on the right")
                    .with_hint("e.g. id in [1, 13, 40]"),
            ),
        }
    }

    /// A value expression in rows of `table` as SQL (NULL for None).
    pub(super) fn operand_as_sql(&mut self, expr: &Expr, table: &str) -> Result<Sql> {
        let operand = self.operand(expr, table)?;
        Ok(self
            .operand_sql(operand, expr.span)?
            .unwrap_or(Sql::Value(Value::Null)))
    }

    /// One side of a comparison in rows of `table`.
    fn operand(&mut self, expr: &Expr, table: &str) -> Result<Operand> {
        if let Some(aggregate) = self.group_aggregate(expr, table)? {
            return Ok(Operand::Sql(aggregate));
        }
        if matches!(expr.kind, ExprKind::Arith(..) | ExprKind::Neg(_)) {
            return Ok(match self.row_expr(expr, table)? {
                Sql::Value(Value::Null) => Operand::Null,
                sql => Operand::Sql(sql),
            });
        }
        if let ExprKind::Call(callee, args) = &expr.kind {
            if let ExprKind::Member(base, Member::Name(method)) = &callee.kind {
                if let ExprKind::Name(name) = &base.kind {
                    let rel = self.reg.relationship(table, name).cloned();
                    if let Some(rel) = rel
                        .filter(|r| r.is_collection() && AGGREGATES.contains(&method.name.as_str()))
                    {
                        return Ok(Operand::Sql(self.related_aggregate(&rel, method, args)?));
                    }
                }
            }
        }
        match &expr.kind {
            ExprKind::Name(name) => {
                self.check_named_by(expr, name, table)?;
                let t = self.table(table, expr.span)?;
                if let Some(c) = t.column(name) {
                    return Ok(Operand::Sql(Sql::column(table, &c.name)));
                }
                if let Some(rel) = self.reg.relationship(table, name) {
                    return Ok(Operand::Relationship(rel.clone()));
                }
                if self.reg.collection(name).is_none() && !self.is_variable(name) {
                    return Err(self.reg.unknown_attribute(t, name, expr.span, &[]));
                }
                let val = self.eval(expr)?;
                self.operand_from_val(val, expr.span)
            }
            ExprKind::Literal(Literal::None) => Ok(Operand::Null),
            ExprKind::List(items) => {
                let mut values = Vec::new();
                for item in items {
                    match self.operand(item, table)? {
                        Operand::Sql(Sql::Value(v)) => values.push(v),
                        Operand::Null => values.push(Value::Null),
                        Operand::Object(o) => {
                            values.push(o.single_key().cloned().unwrap_or(Value::Null))
                        }
                        _ => {
                            return Err(Error::type_error(
                                item.span,
                                "a list in a condition holds values only",
                            )
                            .with_hint("e.g. id in [1, 2, 3]"))
                        }
                    }
                }
                Ok(Operand::List(values))
            }
            ExprKind::Compare(..) | ExprKind::And(..) | ExprKind::Or(..) | ExprKind::Not(..) => {
                Err(
                    Error::type_error(expr.span, "a comparison cannot be compared again")
                        .with_hint("join conditions with and / or"),
                )
            }
            _ => {
                if let Some(rel) = root_relationship(self, expr, table) {
                    let many = self
                        .reg
                        .relationship(table, &rel)
                        .is_some_and(Relationship::is_collection);
                    let hint = if many {
                        format!("test them with {rel}.any(...), or count them with {rel}.count()")
                    } else {
                        format!("test it with {rel}.has(...), a path such as {rel}.name == ..., or {rel} is None")
                    };
                    let what = if many { "rows" } else { "object" };
                    return Err(Error::type_error(
                        expr.span,
                        format!("'{rel}' here means each row's related {what}, which this form cannot test"),
                    )
                    .with_hint(hint));
                }
                let val = self.eval(expr)?;
                self.operand_from_val(val, expr.span)
            }
        }
    }

    /// A column named by its class (`Genre.Name`, which SQLAlchemy's spelling allows) must be
    /// a column of the collection the condition is on: a column of another class is refused
    /// with the path that reaches it (`genre.Name`), never read as the collection's own
    /// column of the same name.
    fn check_named_by(&self, expr: &Expr, name: &str, table: &str) -> Result<()> {
        let text = self.text_of(expr.span);
        let Some((class, _)) = text.rsplit_once('.') else {
            return Ok(());
        };
        let class = class.trim();
        let class = class.strip_suffix(".c").unwrap_or(class);
        let this = self.class_of(table);
        let Some(named) = self.reg.collection(class) else {
            return Err(
                Error::name(expr.span, format!("'{class}' in {text} is no mapped class"))
                    .with_hint(format!(
                        "inside {this}'s condition write the column alone: {name}"
                    )),
            );
        };
        let other = named.table.name.clone();
        if other == table {
            return Ok(());
        }
        let path = self
            .reg
            .relationships_of(table)
            .into_iter()
            .find(|r| r.target == other)
            .map(|r| (r.name.clone(), r.is_collection()));
        let hint = match path {
            Some((rel, false)) => format!("reach it through the relationship: {rel}.{name} (SQLAlchemy: {this}.{rel}.has({class}.{name} == ...))"),
            Some((rel, true)) => format!("test the related rows: {rel}.any({name} == ...) (SQLAlchemy: {this}.{rel}.any({class}.{name} == ...))"),
            None => format!("no relationship leads from {this} to {class}; join them in :sql, or query {class} itself"),
        };
        Err(Error::name(
            expr.span,
            format!(
                "{text} is a column of {class}, not of {this}: a condition on {this} would compare every {this} with every {class} row (SQLAlchemy warns of a cartesian product there)"
            ),
        )
        .with_hint(hint))
    }

    fn operand_from_val(&mut self, val: Val, span: Span) -> Result<Operand> {
        match val {
            Val::Scalar(Value::Null) | Val::Nothing => Ok(Operand::Null),
            Val::Scalar(v) => Ok(Operand::Sql(Sql::Value(v))),
            Val::Object(o) => {
                self.load(&o, span)?;
                Ok(Operand::Object(o))
            }
            Val::Query(q) => Ok(Operand::Query(q)),
            Val::List(items) => {
                let mut values = Vec::new();
                for item in items {
                    match item {
                        Val::Scalar(v) => values.push(v),
                        Val::Nothing => values.push(Value::Null),
                        Val::Object(o) => {
                            values.push(o.single_key().cloned().unwrap_or(Value::Null))
                        }
                        _ => {
                            return Err(Error::type_error(
                                span,
                                "a list in a condition holds values only",
                            ))
                        }
                    }
                }
                Ok(Operand::List(values))
            }
            _ => Err(Error::type_error(
                span,
                "this cannot be used in a condition",
            )),
        }
    }

    /// `EXISTS (SELECT 1 FROM target WHERE <link> AND <inner>)`: the row's related rows
    /// through `rel` for which `inner` holds.
    fn through(
        &mut self,
        rel: &Relationship,
        span: Span,
        inner: impl FnOnce(&mut Self, &str) -> Result<Sql>,
    ) -> Result<Sql> {
        if rel.is_collection() {
            return Err(Error::type_error(
                span,
                format!(
                    "'{}' holds many rows, so a path through it is ambiguous",
                    rel.name
                ),
            )
            .with_hint(format!("test the related rows with {}.any(...)", rel.name)));
        }
        let cond = inner(self, &rel.target)?;
        Ok(self.exists(rel, Some(cond)))
    }

    /// EXISTS over the rows related through `rel`, optionally meeting `cond`.
    fn exists(&self, rel: &Relationship, cond: Option<Sql>) -> Sql {
        let needs_target = cond.is_some();
        Sql::Exists(Box::new(self.related_rows(
            rel,
            cond,
            vec![SelectItem::One],
            needs_target,
        )))
    }

    /// `SELECT items FROM <related rows of the outer row through rel> WHERE link AND cond`.
    /// Through an association table the related table is joined only when it is needed.
    fn related_rows(
        &self,
        rel: &Relationship,
        cond: Option<Sql>,
        items: Vec<SelectItem>,
        needs_target: bool,
    ) -> Select {
        let owner_key = key_of(self.reg, &rel.owner);
        let target_key = key_of(self.reg, &rel.target);
        let mut select = Select::star(&rel.target);
        select.items = items;
        let link = match &rel.link {
            Link::ManyToOne { column } => Sql::eq(
                Sql::column(&rel.target, &target_key),
                Sql::column(&rel.owner, column),
            ),
            Link::OneToMany { column } => Sql::eq(
                Sql::column(&rel.target, column),
                Sql::column(&rel.owner, &owner_key),
            ),
            Link::ManyToMany {
                secondary,
                owner_column,
                target_column,
            } => {
                let pair = Sql::eq(
                    Sql::column(secondary, owner_column),
                    Sql::column(&rel.owner, &owner_key),
                );
                select.from = sql::Source::Table(secondary.clone());
                if needs_target {
                    select.joins.push(sql::Join {
                        table: rel.target.clone(),
                        on: Sql::eq(
                            Sql::column(&rel.target, &target_key),
                            Sql::column(secondary, target_column),
                        ),
                        outer: false,
                    });
                }
                pair
            }
        };
        let mut parts = vec![link];
        parts.extend(cond);
        select.filter = Sql::all(parts);
        if rel.owner == rel.target && !matches!(rel.link, Link::ManyToMany { .. }) {
            alias_inner_table(&mut select, &rel.target);
        }
        select
    }

    /// `(SELECT count(*) FROM classes WHERE classes.student_id = students.id)`: an aggregate
    /// over each row's related rows, for conditions such as `classes.count() > 3`.
    fn related_aggregate(
        &mut self,
        rel: &Relationship,
        method: &Ident,
        args: &[Argument],
    ) -> Result<Sql> {
        let agg = match method.name.as_str() {
            "count" => Aggregate::Count,
            "sum" => Aggregate::Sum,
            "avg" => Aggregate::Avg,
            "min" => Aggregate::Min,
            _ => Aggregate::Max,
        };
        let column = match (agg, args) {
            (Aggregate::Count, []) => None,
            (Aggregate::Count, _) => {
                return Err(Error::type_error(method.span, "count() takes no arguments"))
            }
            (_, [only]) if only.keyword.is_none() => Some(Box::new(Sql::column(
                &rel.target,
                &self.column_name(&rel.target, &only.value)?,
            ))),
            _ => {
                return Err(Error::type_error(
                    method.span,
                    format!("{}() takes one column", method.name),
                )
                .with_hint(format!("e.g. {}.{}(credits)", rel.name, method.name)))
            }
        };
        let needs_target = column.is_some();
        let items = vec![SelectItem::Expr(Sql::Aggregate(agg, column), None)];
        Ok(Sql::Scalar(Box::new(self.related_rows(
            rel,
            None,
            items,
            needs_target,
        ))))
    }

    fn condition_call(
        &mut self,
        callee: &Expr,
        args: &[Argument],
        table: &str,
        span: Span,
    ) -> Result<Sql> {
        let ExprKind::Member(subject, Member::Name(method)) = &callee.kind else {
            return Err(Error::type_error(span, "a condition is expected here")
                .with_hint("e.g. name.startswith('A') or classes.any()"));
        };
        let m = method.name.as_str();
        if m == "any" || m == "has" {
            return self.any(subject, args, table, method);
        }
        if let Some((rel, rest)) = self.reg.path_start(subject, table) {
            return self.through(&rel, subject.span, |ev, target| {
                ev.column_test(&rest, method, args, target, span)
            });
        }
        self.column_test(subject, method, args, table, span)
    }

    fn any(
        &mut self,
        subject: &Expr,
        args: &[Argument],
        table: &str,
        method: &Ident,
    ) -> Result<Sql> {
        if let Some((rel, rest)) = self.reg.path_start(subject, table) {
            return self.through(&rel, subject.span, |ev, target| {
                ev.any(&rest, args, target, method)
            });
        }
        let ExprKind::Name(name) = &subject.kind else {
            return Err(Error::type_error(
                subject.span,
                format!("{}() is a test on a relationship", method.name),
            )
            .with_hint("e.g. classes.any(credits >= 4)"));
        };
        let Some(rel) = self.reg.relationship(table, name).cloned() else {
            let t = self.table(table, subject.span)?;
            return Err(self.reg.unknown_attribute(t, name, subject.span, &[]));
        };
        let cond = match args {
            [] => None,
            [only] if only.keyword.is_none() => Some(self.condition(&only.value, &rel.target)?),
            keywords if keywords.iter().all(|a| a.keyword.is_some()) => {
                let mut parts = Vec::new();
                for arg in keywords {
                    let key = arg.keyword.clone().unwrap_or_else(|| Ident {
                        name: String::new(),
                        span: arg.value.span,
                    });
                    let val = self.eval(&arg.value)?;
                    parts.push(self.equality(&rel.target, &key, val)?);
                }
                Sql::all(parts)
            }
            _ => {
                return Err(Error::type_error(
                    method.span,
                    format!("{}() takes at most one condition", method.name),
                )
                .with_hint("join conditions with and: classes.any(credits >= 4 and grade == 'A')"))
            }
        };
        Ok(self.exists(&rel, cond))
    }

    fn column_test(
        &mut self,
        subject: &Expr,
        method: &Ident,
        args: &[Argument],
        table: &str,
        span: Span,
    ) -> Result<Sql> {
        let column = self.operand(subject, table)?;
        let column = self
            .operand_sql(column, subject.span)?
            .ok_or_else(|| Error::type_error(subject.span, "None has no tests"))?;
        let m = method.name.as_str();
        let mut values = Vec::new();
        for arg in args {
            if arg.keyword.is_some() {
                return Err(Error::type_error(
                    arg.value.span,
                    format!("{m}() takes plain arguments"),
                ));
            }
            values.push(self.operand(&arg.value, table)?);
        }
        match (m, values.as_slice()) {
            (m, [Operand::Sql(Sql::Value(Value::Text(text)))]) if LIKE_METHODS.contains(&m) => {
                let (pattern, escaped) = like_pattern(m, text);
                Ok(Sql::Like(
                    Box::new(column),
                    Box::new(Sql::Value(Value::Text(pattern))),
                    escaped,
                ))
            }
            (m, _) if LIKE_METHODS.contains(&m) => Err(Error::type_error(
                span,
                format!("{m}() takes one text argument"),
            )
            .with_hint(format!("e.g. name.{m}('An')"))),
            ("between", [_, _]) => {
                let mut it = values.into_iter();
                let (Some(low), Some(high)) = (it.next(), it.next()) else {
                    return Err(Error::type_error(span, "between() takes two values"));
                };
                let low = self
                    .operand_sql(low, span)?
                    .unwrap_or(Sql::Value(Value::Null));
                let high = self
                    .operand_sql(high, span)?
                    .unwrap_or(Sql::Value(Value::Null));
                Ok(Sql::Between(
                    Box::new(column),
                    Box::new(low),
                    Box::new(high),
                ))
            }
            ("between", _) => Err(Error::type_error(span, "between() takes two values")
                .with_hint("e.g. year.between(2, 3)")),
            ("in_" | "not_in", [_]) => {
                let list = values
                    .into_iter()
                    .next()
                    .unwrap_or(Operand::List(Vec::new()));
                self.membership(Operand::Sql(column), list, m == "not_in", span)
            }
            ("is_" | "is_not" | "isnot", [_]) => {
                let value = values.into_iter().next().unwrap_or(Operand::Null);
                let op = if m == "is_" { Op::Eq } else { Op::Ne };
                self.compare_operands(Operand::Sql(column), op, value, span)
            }
            _ => Err(
                Error::name(method.span, format!("no test '{m}' on a column"))
                    .with_hint(crate::error::suggestion(m, CONDITION_TESTS.iter().copied())),
            ),
        }
    }
}

/// The LIKE pattern for a string test; wildcards in the given text are escaped with `/`.
/// A relationship of a table to itself (`members.where(members_by_sponsor.any())`): the
/// related rows are read as `members_1`, so the subquery's columns differ from the outer row's.
/// The link was written with the outer row's columns on the owner side, so only the columns
/// that [`Eval::related_rows`] wrote for the target side are renamed: all but the outer key.
fn alias_inner_table(select: &mut Select, table: &str) {
    let alias = format!("{table}_1");
    let Some(filter) = select.filter.take() else {
        return;
    };
    let mut parts = match filter {
        Sql::And(parts) => parts,
        other => vec![other],
    };
    if let Some(Sql::Compare(inner, _, _)) = parts.first_mut() {
        rename_table(inner, table, &alias);
    }
    for part in parts.iter_mut().skip(1) {
        rename_table(part, table, &alias);
    }
    for item in &mut select.items {
        if let SelectItem::Expr(e, _) = item {
            rename_table(e, table, &alias);
        }
    }
    select.filter = Sql::all(parts);
    select.from = sql::Source::Subquery(Box::new(Select::star(table)), alias);
}

/// Renames column references of `from` to `to`, not inside nested subqueries.
fn rename_table(e: &mut Sql, from: &str, to: &str) {
    match e {
        Sql::Column(c) if c.table == from => c.table = to.to_string(),
        Sql::Column(_) | Sql::Value(_) | Sql::Exists(_) | Sql::Scalar(_) => {}
        Sql::Compare(a, _, b) | Sql::Like(a, b, _) => {
            rename_table(a, from, to);
            rename_table(b, from, to);
        }
        Sql::And(items) | Sql::Or(items) => {
            items.iter_mut().for_each(|i| rename_table(i, from, to))
        }
        Sql::Not(a) | Sql::IsNull(a, _) | Sql::InSelect(a, _, _) => rename_table(a, from, to),
        Sql::InList(a, items, _) => {
            rename_table(a, from, to);
            items.iter_mut().for_each(|i| rename_table(i, from, to));
        }
        Sql::Between(a, b, c) => {
            rename_table(a, from, to);
            rename_table(b, from, to);
            rename_table(c, from, to);
        }
        Sql::Aggregate(_, arg) => {
            if let Some(a) = arg {
                rename_table(a, from, to);
            }
        }
        Sql::Arith(a, _, b) => {
            rename_table(a, from, to);
            rename_table(b, from, to);
        }
        Sql::Neg(a) | Sql::Floor(a) => rename_table(a, from, to),
    }
}

fn like_pattern(method: &str, text: &str) -> (String, bool) {
    if method == "like" {
        return (text.to_string(), false);
    }
    let escaped = text.contains(['%', '_', '/']);
    let body: String = text
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '/' => vec!['/', c],
            c => vec![c],
        })
        .collect();
    let pattern = match method {
        "startswith" => format!("{body}%"),
        "endswith" => format!("%{body}"),
        _ => format!("%{body}%"),
    };
    (pattern, escaped)
}

/// A condition that is always true or always false.
fn always(truth: bool) -> Sql {
    Sql::eq(
        Sql::Value(Value::Integer(1)),
        Sql::Value(Value::Integer(i64::from(truth))),
    )
}

/// `a AND b` (or OR), merged into one list when either side is already one.
fn flatten(and: bool, left: Sql, right: Sql) -> Sql {
    let mut items = match left {
        Sql::And(inner) if and => inner,
        Sql::Or(inner) if !and => inner,
        other => vec![other],
    };
    match right {
        Sql::And(inner) if and => items.extend(inner),
        Sql::Or(inner) if !and => items.extend(inner),
        other => items.push(other),
    }
    if and {
        Sql::And(items)
    } else {
        Sql::Or(items)
    }
}

/// The same comparison with its sides swapped (`3 < year` is `year > 3`).
fn mirror(op: CompareOp) -> Option<CompareOp> {
    Some(match op {
        CompareOp::Eq => CompareOp::Eq,
        CompareOp::Ne => CompareOp::Ne,
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        _ => return None,
    })
}

fn order_error(span: Span) -> Error {
    Error::type_error(span, "order_by() takes column names")
        .with_hint("e.g. order_by(name), order_by(year.desc(), name) or order_by(-year)")
}

/// Whether a value can be compared with (or stored in) a column of this type.
pub(crate) fn check_value_type(
    column: &str,
    ty: crate::schema::ColumnType,
    v: &Value,
    span: Span,
) -> Result<()> {
    use crate::schema::ColumnType;
    let fits = matches!(
        (ty, v),
        (_, Value::Null)
            | (ColumnType::Any, _)
            | (
                ColumnType::Integer | ColumnType::Real,
                Value::Integer(_) | Value::Real(_)
            )
            | (ColumnType::Text, Value::Text(_))
    );
    if fits {
        return Ok(());
    }
    let hint = match v {
        Value::Text(t) if t.trim().parse::<f64>().is_ok() => {
            format!("write {} without quotes", t.trim())
        }
        Value::Integer(_) | Value::Real(_) => format!("put it in quotes: '{}'", v.sql_literal()),
        _ => format!("{column} needs {}", super::eval::type_words(ty)),
    };
    Err(Error::type_error(
        span,
        format!(
            "{column} holds {}, not {} ({})",
            super::eval::type_words(ty),
            v.type_name(),
            v.sql_literal()
        ),
    )
    .with_hint(hint))
}

/// The relationship of `table` at the root of a chain such as `classes.where(...).count()`.
fn root_relationship(ev: &Eval<'_>, expr: &Expr, table: &str) -> Option<String> {
    let mut e = expr;
    loop {
        e = match &e.kind {
            ExprKind::Member(base, _) | ExprKind::Index(base, _) | ExprKind::Call(base, _) => base,
            ExprKind::Name(name) => {
                return (ev.reg.relationship(table, name).is_some() && !ev.is_variable(name))
                    .then(|| name.clone());
            }
            _ => return None,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn string_tests_escape_wildcards_in_the_given_text() {
        assert_eq!(like_pattern("startswith", "Ch"), ("Ch%".to_string(), false));
        assert_eq!(
            like_pattern("contains", "50%"),
            ("%50/%%".to_string(), true)
        );
        assert_eq!(like_pattern("endswith", "a_b"), ("%a/_b".to_string(), true));
        assert_eq!(like_pattern("like", "%an%"), ("%an%".to_string(), false));
    }
}
