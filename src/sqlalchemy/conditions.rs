//! Conditions as SQLAlchemy writes them: `Student.year == 2`, `and_`, `or_`, `not_`,
//! `.in_([...])`, `.is_(None)`, `Student.advisor.has(...)`, `Student.classes.any(...)`, and
//! ordering terms such as `Student.year.desc()`.

use super::reading::{all_of, Shape};
use super::{python, Speller, Why};
use crate::mapper::methods::is_test_call;
use crate::mapper::{Link, Relationship};
use crate::syntax::ast::{Argument, CompareOp, Expr, ExprKind, Literal, Member};

/// One side of a comparison.
enum Operand {
    /// A column or an SQL expression of the row (`Student.year`).
    Column(String),
    /// A many-to-one relationship of the row (`Student.advisor`).
    Relationship(String),
    /// A Python value.
    Value(String),
    /// None.
    Null,
    /// An object of this table: compared by its key where a column stands.
    Object(String, String),
    /// A select, for `in`.
    Select(super::reading::Select),
}

/// Aggregates over each row's related rows (`classes.count() > 3`).
const AGGREGATES: &[&str] = &["count", "sum", "avg", "min", "max"];

/// String tests, which SQLAlchemy spells as ormscope does.
const STRING_TESTS: &[&str] = &["like", "ilike", "startswith", "endswith", "contains"];

impl Speller<'_> {
    /// A condition as the arguments of `.where(...)`: a top-level `and` gives several.
    pub(super) fn where_parts(&mut self, e: &Expr, table: &str) -> Result<Vec<String>, Why> {
        match &e.kind {
            ExprKind::And(l, r) => {
                let mut parts = self.where_parts(l, table)?;
                parts.extend(self.where_parts(r, table)?);
                Ok(parts)
            }
            _ => Ok(vec![self.condition(e, table)?]),
        }
    }

    /// A condition on rows of `table`.
    pub(super) fn condition(&mut self, e: &Expr, table: &str) -> Result<String, Why> {
        match &e.kind {
            ExprKind::And(..) => {
                let parts = self.where_parts(e, table)?;
                Ok(all_of(&parts).unwrap_or_default())
            }
            ExprKind::Or(..) => {
                let mut parts = Vec::new();
                self.or_parts(e, table, &mut parts)?;
                Ok(format!("or_({})", parts.join(", ")))
            }
            ExprKind::Not(inner) => Ok(format!("not_({})", self.condition(inner, table)?)),
            ExprKind::Compare(l, op, r) => self.comparison(l, *op, r, table),
            ExprKind::Call(callee, args) => self.test_call(callee, args, table),
            ExprKind::Literal(Literal::Bool(b)) => {
                Ok(format!("literal({})", python::literal(&Literal::Bool(*b))))
            }
            _ => Err("a condition is expected here".into()),
        }
    }

    fn or_parts(&mut self, e: &Expr, table: &str, out: &mut Vec<String>) -> Result<(), Why> {
        match &e.kind {
            ExprKind::Or(l, r) => {
                self.or_parts(l, table, out)?;
                self.or_parts(r, table, out)
            }
            _ => {
                out.push(self.condition(e, table)?);
                Ok(())
            }
        }
    }

    /// `column=value` of `filter_by(...)`: `Student.year == 2`, `Class.grade.is_(None)`.
    pub(super) fn equality(&mut self, table: &str, key: &str, value: &Expr) -> Result<String, Why> {
        let right = self.operand(value, table)?;
        let left = match self.reg.relationship(table, key) {
            Some(_) => Operand::Relationship(self.column(table, key)),
            None => Operand::Column(self.column(table, key)),
        };
        self.compare(left, CompareOp::Eq, right)
    }

    /// One ordering term: `Student.name`, `Student.year.desc()`.
    pub(super) fn order_term(&mut self, e: &Expr, table: &str, desc: bool) -> Result<String, Why> {
        match &e.kind {
            ExprKind::Neg(inner) => self.order_term(inner, table, !desc),
            ExprKind::Call(callee, args) if args.is_empty() => match &callee.kind {
                ExprKind::Member(base, Member::Name(m)) if m.name == "desc" || m.name == "asc" => {
                    self.order_term(base, table, (m.name == "desc") != desc)
                }
                _ => Err("an ordering term is a column, -column or column.desc()".into()),
            },
            _ => {
                let column = self.column_argument(table, e)?;
                Ok(if desc {
                    format!("{column}.desc()")
                } else {
                    column
                })
            }
        }
    }

    /// `Student.advisor.has(<inner on Teacher>)`, or `.any(...)` through a collection.
    fn through(&mut self, rel: &Relationship, inner: String) -> String {
        let test = if rel.is_collection() { "any" } else { "has" };
        format!("{}.{test}({inner})", self.column(&rel.owner, &rel.name))
    }

    fn comparison(
        &mut self,
        l: &Expr,
        op: CompareOp,
        r: &Expr,
        table: &str,
    ) -> Result<String, Why> {
        if let ExprKind::Literal(Literal::Bool(truth)) = r.kind {
            if is_test_call(l)
                && matches!(
                    op,
                    CompareOp::Eq | CompareOp::Ne | CompareOp::Is | CompareOp::IsNot
                )
            {
                let test = self.condition(l, table)?;
                let keep = truth == matches!(op, CompareOp::Eq | CompareOp::Is);
                return Ok(if keep { test } else { format!("not_({test})") });
            }
        }
        let right = self.operand(r, table)?;
        self.comparison_with(l, op, right, table)
    }

    fn comparison_with(
        &mut self,
        l: &Expr,
        op: CompareOp,
        right: Operand,
        table: &str,
    ) -> Result<String, Why> {
        if let Some((rel, rest)) = self.reg.path_start(l, table) {
            let inner = self.comparison_with(&rest, op, right, &rel.target)?;
            return Ok(self.through(&rel, inner));
        }
        let left = self.operand(l, table)?;
        self.compare(left, op, right)
    }

    fn compare(&mut self, left: Operand, op: CompareOp, right: Operand) -> Result<String, Why> {
        let l = self.operand_code(&left, &right)?;
        let is_relationship = matches!(left, Operand::Relationship(_));
        match (op, right) {
            (CompareOp::In | CompareOp::NotIn, right) => {
                let method = if op == CompareOp::In { "in_" } else { "not_in" };
                let list = match right {
                    Operand::Select(s) => self.key_select(s)?,
                    Operand::Value(v) | Operand::Column(v) => v,
                    _ => return Err("in / not in need a list on the right".into()),
                };
                Ok(format!("{l}.{method}({list})"))
            }
            (CompareOp::Eq | CompareOp::Is, Operand::Null) if is_relationship => {
                Ok(format!("{l} == None"))
            }
            (CompareOp::Ne | CompareOp::IsNot, Operand::Null) if is_relationship => {
                Ok(format!("{l} != None"))
            }
            (CompareOp::Eq | CompareOp::Is, Operand::Null) => Ok(format!("{l}.is_(None)")),
            (CompareOp::Ne | CompareOp::IsNot, Operand::Null) => Ok(format!("{l}.is_not(None)")),
            (CompareOp::Is | CompareOp::IsNot, right) => {
                let method = if op == CompareOp::Is { "is_" } else { "is_not" };
                let r = self.operand_code(&right, &left)?;
                Ok(format!("{l}.{method}({r})"))
            }
            (op, right) => {
                let r = self.operand_code(&right, &left)?;
                Ok(format!("{l} {} {r}", op.symbol()))
            }
        }
    }

    /// A select of one column for `in_(...)`: whole objects give their key.
    fn key_select(&mut self, mut s: super::reading::Select) -> Result<String, Why> {
        if s.columns.is_empty() {
            let key = self.key_column(&s.table)?;
            s.columns = vec![self.column(&s.table, &key)];
        }
        s.options.clear();
        s.distinct = false;
        Ok(self.select_text(&s))
    }

    /// The code of one side; an object beside a column stands for its key.
    fn operand_code(&mut self, side: &Operand, other: &Operand) -> Result<String, Why> {
        Ok(match side {
            Operand::Column(c) | Operand::Relationship(c) | Operand::Value(c) => c.clone(),
            Operand::Null => "None".into(),
            Operand::Object(table, code) => {
                if matches!(other, Operand::Relationship(_)) {
                    code.clone()
                } else {
                    format!("{code}.{}", self.key_column(table)?)
                }
            }
            Operand::Select(s) => self.key_select(s.clone())?,
        })
    }

    /// One side of a comparison in rows of `table`.
    fn operand(&mut self, e: &Expr, table: &str) -> Result<Operand, Why> {
        if let Some(code) = self.related_aggregate(e, table)? {
            return Ok(Operand::Column(code));
        }
        match &e.kind {
            ExprKind::Name(name) => {
                let t = self.reg.metadata.table(table);
                if t.is_some_and(|t| t.column(name).is_some()) {
                    return Ok(Operand::Column(self.column(table, name)));
                }
                if let Some(rel) = self.reg.relationship(table, name) {
                    if rel.is_collection() {
                        return Err(format!(
                            "'{name}' is a collection: test it with {name}.any(...)"
                        ));
                    }
                    return Ok(Operand::Relationship(self.column(table, name)));
                }
                let known = self.locals.contains_key(name)
                    || self.names.contains_key(name)
                    || self.reg.collection(name).is_some();
                if !known {
                    return Ok(Operand::Column(self.column(table, name)));
                }
                self.operand_of(e)
            }
            ExprKind::Literal(Literal::None) => Ok(Operand::Null),
            ExprKind::Arith(l, op, r) => Ok(Operand::Column(self.arith(l, *op, r, Some(table))?)),
            ExprKind::Literal(lit) => Ok(Operand::Value(python::literal(lit))),
            ExprKind::Member(base, Member::Name(col)) => {
                if let ExprKind::Name(class) = &base.kind {
                    let shadowed =
                        self.locals.contains_key(class) || self.names.contains_key(class);
                    if let Some(c) = self.reg.collection(class).filter(|_| !shadowed) {
                        let t = c.table.name.clone();
                        return Ok(match self.reg.relationship(&t, &col.name) {
                            Some(rel) if !rel.is_collection() => {
                                Operand::Relationship(self.column(&t, &col.name))
                            }
                            _ => Operand::Column(self.column(&t, &col.name)),
                        });
                    }
                }
                self.operand_of(e)
            }
            ExprKind::Neg(inner) => match self.operand(inner, table)? {
                Operand::Column(c) => Ok(Operand::Column(python::negated(&c))),
                Operand::Value(v) => Ok(Operand::Value(python::negated(&v))),
                _ => Err("only a number can be negated".into()),
            },
            ExprKind::List(items) => {
                let mut codes = Vec::new();
                for item in items {
                    let operand = self.operand(item, table)?;
                    codes.push(self.operand_code(&operand, &Operand::Null)?);
                }
                Ok(Operand::Value(format!("[{}]", codes.join(", "))))
            }
            _ => self.operand_of(e),
        }
    }

    /// A value operand read as an expression outside the row.
    fn operand_of(&mut self, e: &Expr) -> Result<Operand, Why> {
        Ok(match self.read(e)? {
            Shape::Object(table, code) => Operand::Object(table, code),
            Shape::Select(s) => Operand::Select(s),
            Shape::Related(r) => Operand::Select(self.related_select(&r.owner, &r.rel)),
            shape => Operand::Value(self.value_code(shape)?),
        })
    }

    /// `classes.count()`, `classes.sum(credits)` in a condition: a correlated scalar subquery;
    /// `count()`, `sum(credits)` alone (in `having`): `func.count()`.
    fn related_aggregate(&mut self, e: &Expr, table: &str) -> Result<Option<String>, Why> {
        let ExprKind::Call(callee, args) = &e.kind else {
            return Ok(None);
        };
        match &callee.kind {
            ExprKind::Name(agg) if AGGREGATES.contains(&agg.as_str()) => {
                let column = match args.first() {
                    Some(a) => self.column_argument(table, &a.value)?,
                    None => String::new(),
                };
                Ok(Some(format!("func.{agg}({column})")))
            }
            ExprKind::Member(base, Member::Name(method))
                if AGGREGATES.contains(&method.name.as_str()) =>
            {
                let ExprKind::Name(name) = &base.kind else {
                    return Ok(None);
                };
                let Some(rel) = self
                    .reg
                    .relationship(table, name)
                    .cloned()
                    .filter(|r| r.is_collection())
                else {
                    return Ok(None);
                };
                let column = match args.first() {
                    Some(a) => Some(self.column_argument(&rel.target, &a.value)?),
                    None => None,
                };
                Ok(Some(self.correlated(&rel, &method.name, column)))
            }
            _ => Ok(None),
        }
    }

    /// `select(func.count()).select_from(Class).where(Class.student_id == Student.id)
    /// .scalar_subquery()`: an aggregate of each row's related rows.
    fn correlated(&self, rel: &Relationship, agg: &str, column: Option<String>) -> String {
        let owner_key = self.key_column(&rel.owner).unwrap_or_else(|_| "id".into());
        let target_key = self.key_column(&rel.target).unwrap_or_else(|_| "id".into());
        let call = format!("func.{agg}({})", column.clone().unwrap_or_default());
        let owner = self.column(&rel.owner, &owner_key);
        let body = match &rel.link {
            Link::OneToMany { column: fk } => format!(
                "select({call}).select_from({}).where({} == {owner})",
                self.entity(&rel.target),
                self.column(&rel.target, fk)
            ),
            Link::ManyToMany {
                secondary,
                owner_column,
                target_column,
            } => {
                let join = if column.is_some() {
                    format!(
                        ".join({}, {} == {})",
                        self.entity(&rel.target),
                        self.column(&rel.target, &target_key),
                        self.column(secondary, target_column)
                    )
                } else {
                    String::new()
                };
                format!(
                    "select({call}).select_from({}){join}.where({} == {owner})",
                    self.entity(secondary),
                    self.column(secondary, owner_column)
                )
            }
            Link::ManyToOne { column: fk } => format!(
                "select({call}).select_from({}).where({} == {})",
                self.entity(&rel.target),
                self.column(&rel.target, &target_key),
                self.column(&rel.owner, fk)
            ),
        };
        format!("{body}.scalar_subquery()")
    }

    /// `x.any(...)`, `x.has(...)`, `name.startswith('A')`, `year.between(2, 3)`, `id.in_([...])`.
    fn test_call(&mut self, callee: &Expr, args: &[Argument], table: &str) -> Result<String, Why> {
        let ExprKind::Member(subject, Member::Name(method)) = &callee.kind else {
            return Err("a condition is expected here".into());
        };
        let m = method.name.as_str();
        if m == "any" || m == "has" {
            return self.any(subject, args, table);
        }
        if let Some((rel, rest)) = self.reg.path_start(subject, table) {
            if !self.is_qualified(subject) {
                let inner = self.test_call_on(&rest, m, args, &rel.target)?;
                return Ok(self.through(&rel, inner));
            }
        }
        self.test_call_on(subject, m, args, table)
    }

    /// Whether `e` is `Class.column` with `Class` a mapped class (not a relationship path).
    fn is_qualified(&self, e: &Expr) -> bool {
        matches!(&e.kind, ExprKind::Member(base, _) if matches!(&base.kind, ExprKind::Name(n) if self.reg.collection(n).is_some()))
    }

    fn test_call_on(
        &mut self,
        subject: &Expr,
        m: &str,
        args: &[Argument],
        table: &str,
    ) -> Result<String, Why> {
        let column = match self.operand(subject, table)? {
            Operand::Column(c) | Operand::Relationship(c) => c,
            other => self.operand_code(&other, &Operand::Null)?,
        };
        let mut values = Vec::new();
        for arg in args {
            let operand = self.operand(&arg.value, table)?;
            values.push(match operand {
                Operand::Select(s) => self.key_select(s)?,
                other => self.operand_code(&other, &Operand::Column(String::new()))?,
            });
        }
        if STRING_TESTS.contains(&m) {
            let escape = m != "like" && m != "ilike" && args.iter().any(|a| {
                matches!(&a.value.kind, ExprKind::Literal(Literal::Text(t)) if t.contains(['%', '_']))
            });
            let extra = if escape { ", autoescape=True" } else { "" };
            return Ok(format!("{column}.{m}({}{extra})", values.join(", ")));
        }
        match m {
            "between" | "in_" | "not_in" | "is_" | "is_not" | "isnot" | "notin_" => {
                let m = match m {
                    "isnot" => "is_not",
                    "notin_" => "not_in",
                    other => other,
                };
                Ok(format!("{column}.{m}({})", values.join(", ")))
            }
            other => Err(format!("no test '{other}' on a column")),
        }
    }

    /// `Student.classes.any(Class.credits >= 4)`, `Class.teacher.has()`.
    fn any(&mut self, subject: &Expr, args: &[Argument], table: &str) -> Result<String, Why> {
        if let Some((rel, rest)) = self.reg.path_start(subject, table) {
            if !self.is_qualified(subject) {
                let inner = self.any(&rest, args, &rel.target)?;
                return Ok(self.through(&rel, inner));
            }
        }
        let (owner, name) = match &subject.kind {
            ExprKind::Name(name) => (table.to_string(), name.clone()),
            ExprKind::Member(base, Member::Name(attr)) => match &base.kind {
                ExprKind::Name(class) => match self.reg.collection(class) {
                    Some(c) => (c.table.name.clone(), attr.name.clone()),
                    None => return Err(format!("'{class}' is no mapped class")),
                },
                _ => return Err("any() and has() test a relationship".into()),
            },
            _ => return Err("any() and has() test a relationship".into()),
        };
        let rel = self
            .reg
            .relationship(&owner, &name)
            .cloned()
            .ok_or_else(|| format!("no relationship '{name}' on {owner}"))?;
        let mut parts = Vec::new();
        for arg in args {
            match &arg.keyword {
                Some(key) => parts.push(self.equality(&rel.target, &key.name, &arg.value)?),
                None => parts.extend(self.where_parts(&arg.value, &rel.target)?),
            }
        }
        Ok(self.through(&rel, all_of(&parts).unwrap_or_default()))
    }
}
