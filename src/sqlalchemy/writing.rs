//! Writes as the ORM spells them: `session.add(Student(...))`, `student.classes.append(...)`,
//! attribute assignment, `session.delete(...)`, and bulk `update(...)` / `delete(...)`.

use super::reading::{Select, Shape, ADD_TO_SESSION};
use super::{python, Speller, Why};
use crate::mapper::Link;
use crate::syntax::ast::{Argument, Expr, ExprKind, Member};

impl Speller<'_> {
    /// `add`, `create`, `append` on a table or an object's relationship.
    pub(super) fn add_to(
        &mut self,
        base: Shape,
        method: &str,
        args: &[Argument],
    ) -> Result<Shape, Why> {
        let item = match args {
            [only] if only.keyword.is_none() && method != "create" => self.read(&only.value)?,
            _ => Shape::Dict(self.keyword_pairs(args)?),
        };
        match base {
            Shape::Related(r) => {
                let list = self.list_code(&r);
                let rel = r.rel;
                let place = format!("{list}.append({{obj}})");
                match item {
                    Shape::Dict(pairs) => {
                        let ctor = self.constructor(&rel.target, &pairs);
                        Ok(Shape::Made(rel.target.clone(), ctor, place))
                    }
                    Shape::Made(table, ctor, _) => Ok(Shape::Made(table, ctor, place)),
                    Shape::Object(_, code) => {
                        self.lines.push(place.replace("{obj}", &code));
                        self.wrote = true;
                        Ok(Shape::Written)
                    }
                    _ => Err(format!(
                        "{} holds objects: append one, or a dict of its columns",
                        rel.name
                    )),
                }
            }
            Shape::Select(s) if s.wheres.is_empty() && s.is_plain() => {
                let Shape::Dict(pairs) = item else {
                    return Err(format!(
                        "{method}() on {} takes a dict of column values",
                        s.table
                    ));
                };
                if self.is_mapped(&s.table) {
                    let ctor = self.constructor(&s.table, &pairs);
                    return Ok(Shape::Made(s.table, ctor, ADD_TO_SESSION.into()));
                }
                let values = keyword_text(&pairs);
                self.lines.push(format!(
                    "session.execute(insert({}).values({values}))",
                    s.table
                ));
                self.wrote = true;
                Ok(Shape::Written)
            }
            _ => Err(format!(
                "{method}() needs a table or an object's relationship"
            )),
        }
    }

    /// `Class(name='Biology 301', abbreviation='BI301')`.
    fn constructor(&self, table: &str, pairs: &[(String, String)]) -> String {
        format!("{}({})", self.entity(table), keyword_text(pairs))
    }

    /// `name=value` arguments (or one dict) as keyword and value code.
    fn keyword_pairs(&mut self, args: &[Argument]) -> Result<Vec<(String, String)>, Why> {
        let mut pairs = Vec::new();
        for arg in args {
            let Some(key) = &arg.keyword else {
                return Err("name=value arguments are expected".into());
            };
            pairs.push((key.name.clone(), self.value(&arg.value)?));
        }
        Ok(pairs)
    }

    /// The code of a list to change: the name it is bound to, or its owner bound to a name
    /// first (`student = session.get(Student, 13)`: the owner must outlive the statement in
    /// CPython), then `student.classes`.
    fn list_code(&mut self, r: &super::reading::Related) -> String {
        match &r.list {
            Some(name) => name.clone(),
            None => {
                let owner = self.named(&r.rel.owner, r.owner.clone());
                format!("{owner}.{}", r.rel.name)
            }
        }
    }

    /// `student.clubs.remove(club)`.
    pub(super) fn remove_from(&mut self, base: Shape, args: &[Argument]) -> Result<Shape, Why> {
        let Shape::Related(r) = base else {
            return Err("remove() works on an object's relationship".into());
        };
        let [only] = args else {
            return Err("remove() takes one object".into());
        };
        let list = self.list_code(&r);
        let item = self.value(&only.value)?;
        self.lines.push(format!("{list}.remove({item})"));
        self.wrote = true;
        Ok(Shape::Written)
    }

    /// The WHERE of a bulk write: the select's own conditions, or its keys when it pages.
    fn write_where(&mut self, s: &Select) -> Result<Vec<String>, Why> {
        if s.is_plain() && s.order_by.is_empty() {
            return Ok(s.wheres.clone());
        }
        let key = self.key_column(&s.table)?;
        let mut keys = s.clone();
        keys.columns = vec![self.column(&s.table, &key)];
        keys.options.clear();
        Ok(vec![format!(
            "{}.in_({})",
            self.column(&s.table, &key),
            self.select_text(&keys)
        )])
    }

    /// `session.execute(update(Student).where(...).values(year=3))`.
    pub(super) fn bulk_update(&mut self, base: Shape, args: &[Argument]) -> Result<Shape, Why> {
        let s = self.as_select(base)?;
        let mut pairs = Vec::new();
        for arg in args {
            let Some(key) = &arg.keyword else {
                return Err("update() takes name=value arguments".into());
            };
            let (column, value) = self.set_value(&s.table, &key.name, &arg.value)?;
            pairs.push((column, value));
        }
        let wheres = self.write_where(&s)?;
        let filter = where_text(&wheres);
        self.lines.push(format!(
            "session.execute(update({}){filter}.values({}))",
            self.entity(&s.table),
            keyword_text(&pairs)
        ));
        self.wrote = true;
        Ok(Shape::Written)
    }

    /// One `column=value` of a bulk update: bare column names are the row's columns, and a
    /// many-to-one relationship sets its foreign key.
    fn set_value(&mut self, table: &str, key: &str, value: &Expr) -> Result<(String, String), Why> {
        let code = self.row_value(value, table)?;
        match self.reg.relationship(table, key).map(|r| r.link.clone()) {
            Some(Link::ManyToOne { column }) => {
                let target = self
                    .reg
                    .relationship(table, key)
                    .map(|r| r.target.clone())
                    .unwrap_or_default();
                let target_key = self.key_column(&target)?;
                let code = if code == "None" {
                    code
                } else {
                    format!("{code}.{target_key}")
                };
                Ok((column, code))
            }
            _ => Ok((key.to_string(), code)),
        }
    }

    /// A value that may name the row's own columns (`credits + 1` in an update).
    pub(super) fn row_value(&mut self, e: &Expr, table: &str) -> Result<String, Why> {
        if let ExprKind::Arith(l, op, r) = &e.kind {
            return self.arith(l, *op, r, Some(table));
        }
        if let ExprKind::Name(name) = &e.kind {
            let is_column = self
                .reg
                .metadata
                .table(table)
                .is_some_and(|t| t.column(name).is_some());
            let shadowed = self.locals.contains_key(name) || self.names.contains_key(name);
            if is_column && !shadowed {
                return Ok(self.column(table, name));
            }
        }
        self.value(e)
    }

    /// `session.execute(delete(Class).where(...))`.
    pub(super) fn bulk_delete(&mut self, base: Shape) -> Result<Shape, Why> {
        let s = self.as_select(base)?;
        let wheres = self.write_where(&s)?;
        self.lines.push(format!(
            "session.execute(delete({}){})",
            self.entity(&s.table),
            where_text(&wheres)
        ));
        self.wrote = true;
        Ok(Shape::Written)
    }

    /// `student.year = 3` for each `name=value` of an object's `update(...)`.
    pub(super) fn update_object(
        &mut self,
        table: &str,
        code: String,
        args: &[Argument],
    ) -> Result<Shape, Why> {
        let pairs = self.keyword_pairs(args)?;
        let obj = if pairs.len() > 1 {
            self.named(table, code)
        } else {
            code
        };
        for (key, value) in pairs {
            self.lines.push(format!("{obj}.{key} = {value}"));
        }
        self.wrote = true;
        Ok(Shape::Written)
    }

    /// `target.attribute = value`.
    pub(super) fn assign(&mut self, target: &Expr, value: &Expr) -> Result<(), Why> {
        let ExprKind::Member(base, Member::Name(attr)) = &target.kind else {
            return Err("only a name or an object's attribute can be assigned".into());
        };
        let owner = match self.read(base)? {
            Shape::Object(_, code) => code,
            Shape::Made(table, ctor, place) => self.place_new(&table, ctor, &place),
            _ => {
                return Err(format!(
                    "this sets '{}' on a whole collection: use update()",
                    attr.name
                ))
            }
        };
        let value = match self.read(value)? {
            Shape::Made(_, ctor, _) => ctor,
            shape => self.value_code(shape)?,
        };
        self.lines.push(format!("{owner}.{} = {value}", attr.name));
        self.wrote = true;
        Ok(())
    }

    /// `del target`: `session.delete(obj)`, or a bulk delete of a collection.
    pub(super) fn delete_statement(&mut self, target: &Expr) -> Result<(), Why> {
        match self.read(target)? {
            Shape::Object(_, code) => {
                self.lines.push(format!("session.delete({code})"));
                self.wrote = true;
                Ok(())
            }
            shape @ (Shape::Select(_) | Shape::Related(..)) => self.bulk_delete(shape).map(|_| ()),
            _ => Err("del takes an object or a collection".into()),
        }
    }
}

/// `.where(a, b)`, or nothing without conditions.
fn where_text(wheres: &[String]) -> String {
    if wheres.is_empty() {
        String::new()
    } else {
        format!(".where({})", wheres.join(", "))
    }
}

/// `name='Ada', year=1`; a key that is no Python name goes through `**{...}`.
fn keyword_text(pairs: &[(String, String)]) -> String {
    let (plain, odd): (Vec<_>, Vec<_>) = pairs.iter().partition(|(k, _)| python::is_identifier(k));
    let mut parts: Vec<String> = plain.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if !odd.is_empty() {
        let entries: Vec<String> = odd
            .iter()
            .map(|(k, v)| format!("{}: {v}", python::text_literal(k)))
            .collect();
        parts.push(format!("**{{{}}}", entries.join(", ")));
    }
    parts.join(", ")
}

impl Speller<'_> {
    /// `a + b`, `Class.credits * 2`: arithmetic as Python writes it (SQLAlchemy 2 gives `/` and
    /// `//` Python's meaning), bracketed where the tree needs it; with `table`, bare names are
    /// the row's columns.
    pub(super) fn arith(
        &mut self,
        l: &Expr,
        op: crate::syntax::ast::ArithOp,
        r: &Expr,
        table: Option<&str>,
    ) -> Result<String, Why> {
        let left = self.arith_side(l, op, false, table)?;
        let right = self.arith_side(r, op, true, table)?;
        Ok(format!("{left} {} {right}", op.symbol()))
    }

    fn arith_side(
        &mut self,
        e: &Expr,
        parent: crate::syntax::ast::ArithOp,
        right: bool,
        table: Option<&str>,
    ) -> Result<String, Why> {
        let code = match table {
            Some(t) => self.row_value(e, t)?,
            None => self.value(e)?,
        };
        let rank = |op: crate::syntax::ast::ArithOp| u8::from(op.is_multiplicative());
        let wrap = match &e.kind {
            ExprKind::Arith(_, inner, _) if right => rank(*inner) <= rank(parent),
            ExprKind::Arith(_, inner, _) => rank(*inner) < rank(parent),
            _ => false,
        };
        Ok(if wrap { format!("({code})") } else { code })
    }
}
