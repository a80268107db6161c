//! Reading: what an expression stands for in Python (a `select()` not run yet, an object, an
//! object's relationship, a value) and the code that gives it.

use super::{python, Bound, Speller, Why};
use crate::mapper::{Link, Relationship};
use crate::syntax::ast::{Argument, Expr, ExprKind, Ident, Member};

/// A `select(...)` being built up, method by method, before it runs.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Select {
    /// The table whose rows it reads.
    pub table: String,
    /// A bound name holding the select it extends (`q`), or none for `select(Student)`.
    pub base: Option<String>,
    /// Whether it reads whole objects of a mapped class (`session.scalars`), not rows.
    pub whole: bool,
    /// Chosen columns (`select(Student.name, Student.email)`).
    pub columns: Vec<String>,
    /// Conditions, each one argument of `.where(...)`.
    pub wheres: Vec<String>,
    /// `.group_by(...)` columns.
    pub group_by: Vec<String>,
    /// `.having(...)` conditions.
    pub having: Vec<String>,
    /// `.order_by(...)` terms.
    pub order_by: Vec<String>,
    /// `.limit(n)`.
    pub limit: Option<String>,
    /// `.offset(n)`.
    pub offset: Option<String>,
    /// `.distinct()`.
    pub distinct: bool,
    /// Loader options (`selectinload(Student.classes)`).
    pub options: Vec<String>,
    /// Whether the result needs `.unique()` (a collection joined in by `joinedload`).
    pub unique: bool,
    /// Whether it is an object's relationship, a Python list in SQLAlchemy (so `[i]` is a
    /// position).
    pub of_object: bool,
}

/// What an expression stands for, with the code that gives it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Shape {
    /// A query not run yet.
    Select(Select),
    /// An object's collection relationship (`student.classes`), or a name bound to it.
    Related(Related),
    /// One object of `table` (or None), and the code that gives it.
    Object(String, String),
    /// A plain value's code.
    Value(String),
    /// Rows already fetched (`session.execute(...).all()`).
    Rows(String),
    /// `{'name': ...}` or `name=...` arguments: keyword and value code.
    Dict(Vec<(String, String)>),
    /// A new object of `table`: its constructor call, and where it goes (`{obj}` stands for it).
    Made(String, String, String),
    /// A write whose lines are already written.
    Written,
}

/// An object's collection relationship as Python holds it: a list.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Related {
    /// The code that gives the owner: `session.get(Student, 13)`.
    pub owner: String,
    /// The relationship.
    pub rel: Relationship,
    /// The name the loaded list is bound to (`cs = session.get(Student, 13).classes`), if any.
    pub list: Option<String>,
}

impl Related {
    /// The code that gives the list: `session.get(Student, 13).classes`, or the name bound to it.
    pub fn code(&self) -> String {
        match &self.list {
            Some(name) => name.clone(),
            None => format!("{}.{}", self.owner, self.rel.name),
        }
    }
}

/// Where a new object goes in the session: `session.add(...)`.
pub(super) const ADD_TO_SESSION: &str = "session.add({obj})";

impl Select {
    /// `select(Class)` over every row of `table`.
    pub fn of(table: &str, whole: bool) -> Select {
        Select {
            table: table.to_string(),
            base: None,
            whole,
            columns: Vec::new(),
            wheres: Vec::new(),
            group_by: Vec::new(),
            having: Vec::new(),
            order_by: Vec::new(),
            limit: None,
            offset: None,
            distinct: false,
            options: Vec::new(),
            unique: false,
            of_object: false,
        }
    }

    /// Whether its rows are those of its conditions alone: no paging, projection, grouping or
    /// bound base, so the conditions can be reused inside `has()`, `update()` or a count.
    pub fn is_plain(&self) -> bool {
        self.base.is_none()
            && self.limit.is_none()
            && self.offset.is_none()
            && !self.distinct
            && self.columns.is_empty()
            && self.group_by.is_empty()
            && self.having.is_empty()
    }
}

/// `and_(a, b)` of several conditions, the condition itself for one, none for none.
pub(super) fn all_of(parts: &[String]) -> Option<String> {
    match parts {
        [] => None,
        [one] => Some(one.clone()),
        many => Some(format!("and_({})", many.join(", "))),
    }
}

impl Speller<'_> {
    /// The name a table's rows go by in Python: the mapped class (`Student`), or the Core
    /// table itself (`memberships`).
    pub(super) fn entity(&self, table: &str) -> String {
        python::python_name(self.reg.class_name(table))
    }

    /// Whether a table has a mapped class.
    pub(super) fn is_mapped(&self, table: &str) -> bool {
        self.reg.mapper_of(table).is_some()
    }

    /// A column as Python names it: `Student.year`, or `memberships.c.student_id`.
    /// A column whose name is no Python identifier is its class's attribute
    /// (`OrderDetail.Unit_Price`), or `table.c["Unit Price"]`.
    pub(super) fn column(&self, table: &str, column: &str) -> String {
        let t = self.reg.metadata.table(table);
        let is_column = t.is_some_and(|t| t.column(column).is_some());
        if self.is_mapped(table) {
            let attribute = match t {
                Some(t) if is_column && !python::is_identifier(column) => {
                    let attributes = crate::mapper::python::column_attributes(self.reg, t);
                    t.columns
                        .iter()
                        .zip(attributes)
                        .find(|(c, _)| c.name == column)
                        .map_or_else(|| column.to_string(), |(_, a)| a)
                }
                _ => column.to_string(),
            };
            format!("{}.{attribute}", self.entity(table))
        } else if python::is_identifier(column) || !is_column {
            format!("{}.c.{column}", self.entity(table))
        } else {
            format!("{}.c[{}]", self.entity(table), python::text_literal(column))
        }
    }

    /// What starts each column of a table in Python: `InvoiceLine.`, `PlaylistTrack.c.`.
    fn column_prefix(&self, table: &str) -> String {
        if self.is_mapped(table) {
            format!("{}.", self.entity(table))
        } else {
            format!("{}.c.", self.entity(table))
        }
    }

    /// The single key column of a table (`id`).
    pub(super) fn key_column(&self, table: &str) -> Result<String, Why> {
        self.reg
            .metadata
            .table(table)
            .and_then(|t| t.single_key())
            .map(|c| c.name.clone())
            .ok_or_else(|| format!("{table} has no single key column"))
    }

    /// The key columns of a table, one or several (`actor_id`, `film_id`).
    pub(super) fn key_columns(&self, table: &str) -> Result<Vec<String>, Why> {
        match self.reg.metadata.table(table) {
            Some(t) if !t.primary_key.is_empty() => Ok(t.primary_key.clone()),
            _ => Err(format!("{table} has no primary key")),
        }
    }

    /// The parts of a key as Python values: `[13]`, or `[1, 1]` for `[1, 1]` / `(1, 1)`.
    pub(super) fn key_parts(&mut self, key: &Expr) -> Result<Vec<String>, Why> {
        match &key.kind {
            ExprKind::List(items) if items.len() > 1 => {
                items.iter().map(|i| self.value(i)).collect()
            }
            _ => Ok(vec![self.value(key)?]),
        }
    }

    /// The select as Python: `select(Student).where(...).order_by(...)`.
    pub(super) fn select_text(&self, s: &Select) -> String {
        let entity = self.entity(&s.table);
        let columns = if s.columns.is_empty() {
            &s.group_by
        } else {
            &s.columns
        };
        let mut out = match (&s.base, columns.is_empty()) {
            (Some(base), true) => base.clone(),
            (Some(base), false) => format!("{base}.with_only_columns({})", columns.join(", ")),
            (None, true) => format!("select({entity})"),
            (None, false) => format!("select({})", columns.join(", ")),
        };
        let clauses = [
            ("where", &s.wheres),
            ("group_by", &s.group_by),
            ("having", &s.having),
            ("order_by", &s.order_by),
        ];
        for (name, parts) in clauses {
            if !parts.is_empty() {
                out.push_str(&format!(".{name}({})", parts.join(", ")));
            }
        }
        if let Some(n) = &s.limit {
            out.push_str(&format!(".limit({n})"));
        }
        if let Some(n) = &s.offset {
            out.push_str(&format!(".offset({n})"));
        }
        if s.distinct {
            out.push_str(".distinct()");
        }
        if !s.options.is_empty() {
            out.push_str(&format!(".options({})", s.options.join(", ")));
        }
        out
    }

    /// The code that runs a select and gives its rows: `session.scalars(...).all()` for whole
    /// objects, `session.execute(...).all()` for rows of columns.
    pub(super) fn fetch(&self, s: &Select) -> String {
        let text = self.select_text(s);
        if s.whole && s.columns.is_empty() && s.group_by.is_empty() {
            let unique = if s.unique { ".unique()" } else { "" };
            format!("session.scalars({text}){unique}.all()")
        } else {
            format!("session.execute({text}).all()")
        }
    }

    /// An object's collection relationship as a select of its rows, by the owner's key:
    /// `select(Class).where(Class.student_id == 13)`, `select(Club).where(Club.members.any(
    /// Student.id == 13))`.
    pub(super) fn related_select(&self, owner: &str, rel: &Relationship) -> Select {
        let mut s = Select::of(&rel.target, self.is_mapped(&rel.target));
        let owner_key = self.key_column(&rel.owner).unwrap_or_else(|_| "id".into());
        let key = self.key_of_object(owner, &rel.owner, &owner_key);
        let back = self
            .reg
            .relationship(&rel.target, &rel.back_populates)
            .map(|b| self.column(&rel.target, &b.name));
        let cond = match (&rel.link, back) {
            (Link::OneToMany { column }, _) => {
                format!("{} == {key}", self.column(&rel.target, column))
            }
            (Link::ManyToMany { .. }, Some(back)) => format!(
                "{back}.any({} == {key})",
                self.column(&rel.owner, &owner_key)
            ),
            (
                Link::ManyToMany {
                    secondary,
                    owner_column,
                    target_column,
                },
                None,
            ) => {
                let target_key = self.key_column(&rel.target).unwrap_or_else(|_| "id".into());
                format!(
                    "{}.in_(select({}).where({} == {key}))",
                    self.column(&rel.target, &target_key),
                    self.column(secondary, target_column),
                    self.column(secondary, owner_column)
                )
            }
            (Link::ManyToOne { column }, _) => format!(
                "{} == {owner}.{column}",
                self.column(&rel.target, &owner_key)
            ),
        };
        s.wheres.push(cond);
        s.of_object = true;
        s
    }

    /// The key of the object `code` gives: `13` for `session.get(Student, 13)`, else
    /// `code.id`.
    fn key_of_object(&self, code: &str, table: &str, key_column: &str) -> String {
        let prefix = format!("session.get({}, ", self.entity(table));
        code.strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(')'))
            .filter(|inner| !inner.contains(['(', ')', ',']))
            .map_or_else(|| format!("{code}.{key_column}"), str::to_string)
    }

    /// The rows related through `rel` to any row of `s`, each once:
    /// `select(Class).where(Class.student.has(Student.year == 2))`.
    pub(super) fn follow(&self, s: &Select, rel: &Relationship) -> Result<Select, Why> {
        let back = self
            .reg
            .relationship(&rel.target, &rel.back_populates)
            .ok_or_else(|| {
                format!(
                    "{} has no relationship back to {}",
                    self.entity(&rel.target),
                    self.entity(&rel.owner)
                )
            })?;
        let test = if back.is_collection() { "any" } else { "has" };
        let criterion = if s.is_plain() {
            all_of(&s.wheres).unwrap_or_default()
        } else {
            let key = self.key_column(&s.table)?;
            let mut keys = s.clone();
            keys.columns = vec![self.column(&s.table, &key)];
            keys.options.clear();
            format!(
                "{}.in_({})",
                self.column(&s.table, &key),
                self.select_text(&keys)
            )
        };
        let mut out = Select::of(&rel.target, self.is_mapped(&rel.target));
        out.wheres.push(format!(
            "{}.{test}({criterion})",
            self.column(&rel.target, &back.name)
        ));
        Ok(out)
    }

    /// A collection shape as a select (an object's relationship becomes one).
    pub(super) fn as_select(&self, shape: Shape) -> Result<Select, Why> {
        match shape {
            Shape::Select(s) => Ok(s),
            Shape::Related(r) => Ok(self.related_select(&r.owner, &r.rel)),
            _ => Err("this is not a collection".into()),
        }
    }

    /// The code of an object, giving it a helper name first when it is more than a name.
    pub(super) fn named(&mut self, table: &str, code: String) -> String {
        if python::is_identifier(&code) {
            return code;
        }
        let name = self.helper_name(table);
        self.lines.push(format!("{name} = {code}"));
        name
    }

    /// Reads an expression outside any condition.
    pub(super) fn read(&mut self, e: &Expr) -> Result<Shape, Why> {
        match &e.kind {
            ExprKind::Literal(lit) => Ok(Shape::Value(python::literal(lit))),
            ExprKind::Name(name) => self.name(name),
            ExprKind::List(items) => {
                let codes = items
                    .iter()
                    .map(|i| self.value(i))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Shape::Value(format!("[{}]", codes.join(", "))))
            }
            ExprKind::Dict(entries) => {
                let mut pairs = Vec::new();
                for (key, value) in entries {
                    pairs.push((key.name.clone(), self.value(value)?));
                }
                Ok(Shape::Dict(pairs))
            }
            ExprKind::Member(base, Member::Name(attr)) => {
                let base = self.read(base)?;
                self.member(base, attr)
            }
            ExprKind::Member(base, Member::Key(key, _)) => {
                let base = self.read(base)?;
                self.index(base, vec![key.to_string()])
            }
            ExprKind::Index(base, key) => {
                let base = self.read(base)?;
                let key = self.key_parts(key)?;
                self.index(base, key)
            }
            ExprKind::Call(callee, args) => self.call(callee, args),
            ExprKind::Neg(inner) => Ok(Shape::Value(python::negated(&self.value(inner)?))),
            ExprKind::Arith(l, op, r) => Ok(Shape::Value(self.arith(l, *op, r, None)?)),
            ExprKind::Compare(..) | ExprKind::And(..) | ExprKind::Or(..) | ExprKind::Not(..) => {
                Err(
                    "a condition on its own has no rows to test: it belongs inside where(...)"
                        .into(),
                )
            }
        }
    }

    /// The code of an expression used as a value (an argument, the right side of `=`).
    pub(super) fn value(&mut self, e: &Expr) -> Result<String, Why> {
        let shape = self.read(e)?;
        self.value_code(shape)
    }

    /// The code of a shape used as a value.
    pub(super) fn value_code(&mut self, shape: Shape) -> Result<String, Why> {
        match shape {
            Shape::Value(code) | Shape::Object(_, code) | Shape::Rows(code) => Ok(code),
            Shape::Related(r) => Ok(r.code()),
            Shape::Select(s) => Ok(self.fetch(&s)),
            Shape::Made(table, ctor, place) => Ok(self.place_new(&table, ctor, &place)),
            Shape::Dict(pairs) => Ok(format!(
                "{{{}}}",
                pairs
                    .iter()
                    .map(|(k, v)| format!("{}: {v}", python::text_literal(k)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Shape::Written => Err("a write gives no value to use here".into()),
        }
    }

    /// Puts a new object where it goes under a helper name, and gives that name.
    pub(super) fn place_new(&mut self, table: &str, ctor: String, place: &str) -> String {
        let name = self.helper_name(table);
        self.lines.push(format!("{name} = {ctor}"));
        self.lines.push(place.replace("{obj}", &name));
        self.wrote = true;
        name
    }

    fn name(&mut self, name: &str) -> Result<Shape, Why> {
        if let Some(table) = self.locals.get(name) {
            return Ok(Shape::Object(table.clone(), name.to_string()));
        }
        if let Some(bound) = self.names.get(name) {
            return Ok(match bound {
                Bound::Object(table) => Shape::Object(table.clone(), name.to_string()),
                Bound::Query {
                    table,
                    whole,
                    of_object,
                } => {
                    let mut s = Select::of(table, *whole && self.is_mapped(table));
                    s.base = Some(name.to_string());
                    s.of_object = *of_object;
                    Shape::Select(s)
                }
                Bound::List {
                    owner_table,
                    owner,
                    relationship,
                } => match self.reg.relationship(owner_table, relationship) {
                    Some(rel) => Shape::Related(Related {
                        owner: owner.clone(),
                        rel: rel.clone(),
                        list: Some(name.to_string()),
                    }),
                    None => Shape::Value(name.to_string()),
                },
                Bound::Value | Bound::Nothing => Shape::Value(name.to_string()),
            });
        }
        if let Some(c) = self.reg.collection(name) {
            let table = c.table.name.clone();
            return Ok(Shape::Select(Select::of(&table, self.is_mapped(&table))));
        }
        if name == "session" {
            return Ok(Shape::Value(name.to_string()));
        }
        Err(format!(
            "'{name}' is no mapped class, table or name bound earlier"
        ))
    }

    fn member(&mut self, base: Shape, attr: &Ident) -> Result<Shape, Why> {
        let name = attr.name.as_str();
        match base {
            Shape::Object(table, code) => Ok(match self.reg.relationship(&table, name).cloned() {
                Some(rel) if rel.is_collection() => Shape::Related(Related {
                    owner: code,
                    rel,
                    list: None,
                }),
                Some(rel) => Shape::Object(rel.target.clone(), format!("{code}.{name}")),
                None => Shape::Value(format!("{code}.{name}")),
            }),
            Shape::Select(_) | Shape::Related(..) => {
                let s = self.as_select(base)?;
                match self.reg.relationship(&s.table, name).cloned() {
                    Some(rel) => Ok(Shape::Select(self.follow(&s, &rel)?)),
                    None => Err(format!(
                        "'{name}' is not a relationship of the collection {}",
                        s.table
                    )),
                }
            }
            Shape::Made(table, ctor, place) => {
                let obj = self.place_new(&table, ctor, &place);
                self.member(Shape::Object(table, obj), attr)
            }
            Shape::Value(code) => Ok(Shape::Value(format!("{code}.{name}"))),
            Shape::Rows(_) | Shape::Dict(_) | Shape::Written => {
                Err(format!("this has no '{name}'"))
            }
        }
    }

    /// `collection[key]`: `session.get(Student, 13)`, or the one row of a narrowed select; on
    /// an object's relationship `[i]` is a position, as in the Python list SQLAlchemy gives.
    pub(super) fn index(&mut self, base: Shape, parts: Vec<String>) -> Result<Shape, Why> {
        let key = key_text(&parts);
        let s = match base {
            Shape::Select(s) if s.of_object => {
                let code = format!("{}[{key}]", self.fetch(&s));
                return Ok(Shape::Object(s.table, code));
            }
            Shape::Select(s) => s,
            Shape::Related(r) => {
                return Ok(Shape::Object(
                    r.rel.target.clone(),
                    format!("{}[{key}]", r.code()),
                ))
            }
            _ => return Err("only a collection can be indexed by key".into()),
        };
        self.by_key(s, &parts, "one")
    }

    /// `get(key, None)`, SQLAlchemy's `session.get`: the object, or None when there is none.
    fn get_or_none(&mut self, base: Shape, parts: Vec<String>) -> Result<Shape, Why> {
        let s = self.as_select(base)?;
        self.by_key(s, &parts, "one_or_none")
    }

    /// The row of `s` with this key: `session.get(Student, 13)`, `session.get(FilmActor,
    /// (1, 1))`, or the select narrowed to it, fetched with `.one()` / `.one_or_none()`.
    fn by_key(&mut self, s: Select, parts: &[String], fetch: &str) -> Result<Shape, Why> {
        let key_columns = self.key_columns(&s.table)?;
        if key_columns.len() != parts.len() {
            return Err(format!(
                "the key of {} is {} value(s) ({}), not {}",
                s.table,
                key_columns.len(),
                key_columns.join(", "),
                parts.len()
            ));
        }
        if s.wheres.is_empty() && s.is_plain() && s.whole {
            let entity = self.entity(&s.table);
            return Ok(Shape::Object(
                s.table,
                format!("session.get({entity}, {})", key_text(parts)),
            ));
        }
        let mut narrowed = s;
        for (column, value) in key_columns.iter().zip(parts) {
            narrowed.wheres.push(format!(
                "{} == {value}",
                self.column(&narrowed.table, column)
            ));
        }
        let run = if narrowed.whole { "scalars" } else { "execute" };
        let code = format!("session.{run}({}).{fetch}()", self.select_text(&narrowed));
        Ok(Shape::Object(narrowed.table, code))
    }

    fn call(&mut self, callee: &Expr, args: &[Argument]) -> Result<Shape, Why> {
        match &callee.kind {
            ExprKind::Member(base, Member::Name(method)) => {
                if matches!(&base.kind, ExprKind::Name(n) if n == "session") {
                    return Ok(Shape::Value(format!(
                        "session.{}({})",
                        method.name,
                        self.arguments(args)?
                    )));
                }
                let base = self.read(base)?;
                self.method(base, method, args)
            }
            ExprKind::Name(name) => self.function(name, args),
            _ => Err("this cannot be called".into()),
        }
    }

    /// Arguments as Python: `a, b, key=c`.
    pub(super) fn arguments(&mut self, args: &[Argument]) -> Result<String, Why> {
        let mut out = Vec::new();
        for arg in args {
            let value = self.value(&arg.value)?;
            out.push(match &arg.keyword {
                Some(k) => format!("{}={value}", k.name),
                None => value,
            });
        }
        Ok(out.join(", "))
    }

    /// `Student(name=...)` (a new object) and `len(...)`.
    fn function(&mut self, name: &str, args: &[Argument]) -> Result<Shape, Why> {
        if name == "len" {
            if let [only] = args {
                let shape = self.read(&only.value)?;
                return Ok(Shape::Value(match shape {
                    Shape::Related(r) => format!("len({})", r.code()),
                    other => {
                        let s = self.as_select(other)?;
                        format!("len({})", self.fetch(&s))
                    }
                }));
            }
        }
        match self.reg.collection(name) {
            Some(c) if c.mapper.is_some_and(|m| m.class_name == name) => {
                let table = c.table.name.clone();
                let ctor = format!("{name}({})", self.arguments(args)?);
                Ok(Shape::Made(table, ctor, ADD_TO_SESSION.into()))
            }
            Some(_) => Err(format!("{name} is a collection, not a class")),
            None => Err(format!(
                "'{name}' is no mapped class or function ormscope knows"
            )),
        }
    }

    fn method(&mut self, base: Shape, method: &Ident, args: &[Argument]) -> Result<Shape, Why> {
        let name = method.name.as_str();
        match base {
            Shape::Select(_) | Shape::Related(..) => self.query_method(base, name, args),
            Shape::Object(table, code) => self.object_method(&table, code, name, args),
            Shape::Made(table, ctor, place) => {
                let obj = self.place_new(&table, ctor, &place);
                self.object_method(&table, obj, name, args)
            }
            Shape::Value(code) => Ok(Shape::Value(format!(
                "{code}.{name}({})",
                self.arguments(args)?
            ))),
            Shape::Rows(_) | Shape::Dict(_) | Shape::Written => {
                Err(format!("{name}() is not a method of this"))
            }
        }
    }

    fn query_method(&mut self, base: Shape, name: &str, args: &[Argument]) -> Result<Shape, Why> {
        match name {
            "all" => Ok(base),
            "count" | "sum" | "avg" | "min" | "max" => {
                let column = args.first().map(|a| &a.value);
                let code = self.aggregate_code(base.clone(), name, column)?;
                let grouped = matches!(&base, Shape::Select(s) if !s.group_by.is_empty());
                Ok(if grouped {
                    Shape::Rows(code)
                } else {
                    Shape::Value(code)
                })
            }
            "add" | "create" | "append" => self.add_to(base, name, args),
            "remove" => self.remove_from(base, args),
            "update" => self.bulk_update(base, args),
            "delete" => self.bulk_delete(base),
            "get" => match args {
                [only] => {
                    let key = self.key_parts(&only.value)?;
                    self.index(base, key)
                }
                [key, default] if is_none(&default.value) => {
                    let key = self.key_parts(&key.value)?;
                    self.get_or_none(base, key)
                }
                [_, _, ..] if args.iter().all(|a| a.keyword.is_none()) => {
                    let parts = args
                        .iter()
                        .map(|a| self.value(&a.value))
                        .collect::<Result<Vec<_>, _>>()?;
                    self.index(base, parts)
                }
                _ => Err("get() takes one key".into()),
            },
            "one" | "one_or_none" => {
                let s = self.as_select(base)?;
                let code = format!("session.scalars({}).{name}()", self.select_text(&s));
                Ok(if s.columns.is_empty() {
                    Shape::Object(s.table, code)
                } else {
                    Shape::Value(code)
                })
            }
            "first" => {
                let s = self.as_select(base)?;
                let code = if s.whole || !s.columns.is_empty() {
                    format!("session.scalars({}).first()", self.select_text(&s))
                } else {
                    format!("session.execute({}).first()", self.select_text(&s))
                };
                Ok(if s.columns.is_empty() {
                    Shape::Object(s.table, code)
                } else {
                    Shape::Value(code)
                })
            }
            _ => {
                let mut s = self.as_select(base)?;
                self.shape_select(&mut s, name, args)?;
                Ok(Shape::Select(s))
            }
        }
    }

    /// The methods that shape a select: `where`, `order_by`, `limit`, `select`, `include`, ….
    fn shape_select(&mut self, s: &mut Select, name: &str, args: &[Argument]) -> Result<(), Why> {
        let table = s.table.clone();
        match name {
            "where" | "filter" => {
                for arg in args {
                    if arg.keyword.is_some() {
                        return Err(format!("{name}() takes conditions, not name=value"));
                    }
                    let parts = self.where_parts(&arg.value, &table)?;
                    s.wheres.extend(parts);
                }
            }
            "filter_by" => {
                for arg in args {
                    let Some(key) = &arg.keyword else {
                        return Err("filter_by() takes name=value arguments".into());
                    };
                    let cond = self.equality(&table, &key.name, &arg.value)?;
                    s.wheres.push(cond);
                }
            }
            "order_by" => {
                for arg in args {
                    let term = self.order_term(&arg.value, &table, false)?;
                    s.order_by.push(term);
                }
            }
            "limit" | "offset" => {
                let [only] = args else {
                    return Err(format!("{name}() takes one number"));
                };
                let n = self.value(&only.value)?;
                if name == "limit" {
                    s.limit = Some(n);
                } else {
                    s.offset = Some(n);
                }
            }
            "distinct" => s.distinct = true,
            "select" => {
                s.columns = self.column_list(&table, args)?;
            }
            "group_by" => {
                s.group_by = self.column_list(&table, args)?;
            }
            "having" => {
                for arg in args {
                    let parts = self.where_parts(&arg.value, &table)?;
                    s.having.extend(parts);
                }
            }
            "include" | "join_load" => self.loader_options(s, name, args)?,
            other => return Err(format!("no method '{other}' on the collection {}", s.table)),
        }
        Ok(())
    }

    /// `selectinload(Student.classes)` / `joinedload(Student.classes)` for `include` /
    /// `join_load`.
    fn loader_options(&mut self, s: &mut Select, name: &str, args: &[Argument]) -> Result<(), Why> {
        let loader = if name == "include" {
            "selectinload"
        } else {
            "joinedload"
        };
        for arg in args {
            let rel_name = match &arg.value.kind {
                ExprKind::Name(n) => n.clone(),
                ExprKind::Member(_, Member::Name(n)) => n.name.clone(),
                _ => return Err("a relationship name is expected".into()),
            };
            let rel = self
                .reg
                .relationship(&s.table, &rel_name)
                .cloned()
                .ok_or_else(|| format!("no relationship '{rel_name}' on {}", s.table))?;
            s.options
                .push(format!("{loader}({})", self.column(&s.table, &rel.name)));
            if loader == "joinedload" && rel.is_collection() {
                s.unique = true;
            }
        }
        Ok(())
    }

    /// Columns named in `select(...)`, `group_by(...)`.
    fn column_list(&mut self, table: &str, args: &[Argument]) -> Result<Vec<String>, Why> {
        args.iter()
            .map(|a| self.column_argument(table, &a.value))
            .collect()
    }

    /// A column named by a bare name, a text or `Student.year`.
    pub(super) fn column_argument(&mut self, table: &str, e: &Expr) -> Result<String, Why> {
        match &e.kind {
            ExprKind::Name(n) => Ok(self.column(table, n)),
            ExprKind::Literal(crate::syntax::ast::Literal::Text(n)) => Ok(self.column(table, n)),
            ExprKind::Arith(l, op, r) => self.arith(l, *op, r, Some(table)),
            ExprKind::Neg(x) => Ok(python::negated(&self.row_value(x, table)?)),
            ExprKind::Member(base, Member::Name(col)) => match &base.kind {
                ExprKind::Name(class) => match self.reg.collection(class) {
                    Some(c) => Ok(self.column(&c.table.name.clone(), &col.name)),
                    None => Err(format!("'{class}' is no mapped class")),
                },
                _ => Err("a column name is expected here".into()),
            },
            _ => Err("a column name is expected here".into()),
        }
    }

    /// The code of an aggregate over a collection: `session.scalar(select(func.count())
    /// .select_from(Student).where(...))`, or per group `session.execute(...).all()`.
    pub(super) fn aggregate_code(
        &mut self,
        base: Shape,
        name: &str,
        column: Option<&Expr>,
    ) -> Result<String, Why> {
        let s = self.as_select(base)?;
        let column = match column {
            Some(e) => Some(self.column_argument(&s.table, e)?),
            None => None,
        };
        let call = match &column {
            Some(c) => format!("func.{name}({c})"),
            None => format!("func.{name}()"),
        };
        if !s.group_by.is_empty() {
            let mut grouped = s.clone();
            grouped.columns = s.group_by.clone();
            grouped.columns.push(call);
            grouped.options.clear();
            return Ok(format!(
                "session.execute({}).all()",
                self.select_text(&grouped)
            ));
        }
        if s.is_plain() {
            let mut agg = s.clone();
            agg.columns = vec![call];
            agg.order_by.clear();
            agg.options.clear();
            let text = self.select_text(&agg);
            let head = format!("select({})", agg.columns.join(", "));
            let text = match (column.is_none(), text.strip_prefix(&head)) {
                (true, Some(rest)) => {
                    format!("{head}.select_from({}){rest}", self.entity(&s.table))
                }
                _ => text,
            };
            return Ok(format!("session.scalar({text})"));
        }
        let mut inner = s.clone();
        inner.options.clear();
        let sub = format!("{}.subquery()", self.select_text(&inner));
        Ok(match column {
            None => format!("session.scalar(select(func.count()).select_from({sub}))"),
            Some(c) => {
                let name_ = self.helper_name("subquery");
                self.lines.push(format!("{name_} = {sub}"));
                let over = on_subquery(&c, &self.column_prefix(&s.table), &format!("{name_}.c."));
                format!("session.scalar(select(func.{name}({over})))")
            }
        })
    }

    fn object_method(
        &mut self,
        table: &str,
        code: String,
        name: &str,
        args: &[Argument],
    ) -> Result<Shape, Why> {
        match name {
            "update" => self.update_object(table, code, args),
            "delete" => {
                self.lines.push(format!("session.delete({code})"));
                self.wrote = true;
                Ok(Shape::Written)
            }
            other => Err(format!(
                "no method '{other}' on a {} object",
                self.entity(table)
            )),
        }
    }
}

/// The code of a value over a table's columns (`InvoiceLine.UnitPrice * InvoiceLine.Quantity`)
/// over the same columns of a subquery (`subquery.c.UnitPrice * subquery.c.Quantity`): each
/// `prefix` that starts a name becomes `to`.
fn on_subquery(code: &str, prefix: &str, to: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let starts_name = !rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
        out.push_str(&rest[..at]);
        out.push_str(if starts_name { to } else { prefix });
        rest = &rest[at + prefix.len()..];
    }
    out.push_str(rest);
    out
}

/// A key as Python writes it: `13`, or the tuple `(1, 1)` for a key of several columns.
fn key_text(parts: &[String]) -> String {
    match parts {
        [only] => only.clone(),
        many => format!("({})", many.join(", ")),
    }
}

/// Whether an expression is the literal None.
fn is_none(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Literal(crate::syntax::ast::Literal::None))
}
