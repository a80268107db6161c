//! The mapper at work on one statement: names resolved against the mapped classes, queries
//! built method by method, and SQL sent only when a value is really needed (lazy loading).

use super::executor::Executor;
use crate::answer::{Binding, NoteKind, Outcome, Trace};
use crate::error::{suggestion, Error, ErrorKind, Result, Span};
use crate::mapper::query::{key_of, Loading, Obj, Query};
use crate::mapper::{Link, Registry, Relationship};
use crate::result::{FirstRows, RowSink, Rows};
use crate::schema::{ColumnType, Table};
use crate::sql::{Aggregate, Select, Value};
use crate::syntax::ast::{Argument, Expr, ExprKind, Ident, Literal, Member};
use std::collections::{BTreeMap, BTreeSet};

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    /// A plain value.
    Scalar(Value),
    /// `[a, b]`.
    List(Vec<Val>),
    /// `{key: value}`.
    Dict(Vec<(Ident, Val)>),
    /// One object, by key.
    Object(Obj),
    /// A collection not yet read.
    Query(Box<Query>),
    /// None: no object.
    Nothing,
    /// Rows already read (a grouped aggregate).
    Rows(Rows),
    /// What a write did.
    Written(Outcome),
    /// A value the database computes from each row's columns (`credits + 1` in an update).
    Computed(crate::sql::Expr),
}

pub use crate::mapper::methods::{OBJECT_METHODS, QUERY_METHODS};

/// The evaluator of one statement.
pub(crate) struct Eval<'a> {
    /// The mapped classes and tables.
    pub reg: &'a Registry,
    /// The database, as the session lets the translator reach it.
    pub exec: &'a mut dyn Executor,
    vars: &'a BTreeMap<String, Binding>,
    pub trace: &'a mut Trace,
    /// The objects read in this statement, by table and key (their rows are in the identity
    /// map): read again, they send nothing and need no note.
    loaded: BTreeSet<(String, String)>,
    /// Related rows loaded eagerly, by owner table, owner key and relationship.
    pub eager: BTreeMap<(String, String, String), Vec<Vec<Value>>>,
    /// Names bound by a loop, for its body.
    pub locals: BTreeMap<String, Obj>,
    /// Relationships read from the eager load instead of by a query, by what was read.
    pub eager_hits: BTreeMap<String, usize>,
    /// The statement's text, for naming what a loop shows.
    pub source: &'a str,
    /// Which relationship each lazy load was for, by its place in the trace's SQL: the owner's
    /// table and the relationship's name (to name it in N+1 advice).
    pub lazy_loads: BTreeMap<usize, (String, String)>,
    /// Which relationship each database count was of (`s.classes.count()`), by its place in
    /// the trace's SQL: counts are not loads, so eager loading does not spare them.
    pub counts: BTreeMap<usize, (String, String)>,
    /// Objects a many-to-one will load lazily, by table and key: the relationship that leads
    /// to them.
    lazy_targets: BTreeMap<(String, String), (String, String)>,
    /// The table whose rows an update changes: its columns may be named in the new values.
    pub row_table: Option<String>,
    /// Whether aggregates of each group may be named (in `having(...)`, a grouped `order_by`).
    pub grouping: bool,
    /// How many rows of the statement's final plain query to keep (a view shows only these;
    /// the rest are counted), or `None` to keep them all.
    pub window: Option<usize>,
    /// Where the rows of the statement's final plain query go as they come (`--json` writes
    /// them out), instead of being kept; it takes precedence over `window`.
    pub sink: Option<&'a mut dyn RowSink>,
    /// Whether the plain-words account of what the mapper did is written (nobody reads it in
    /// `--json` answers).
    pub explain: bool,
    /// The objects of the loop running now, when its rows were put aside.
    pub looping: Option<Box<super::spool::LoopObjects>>,
}

impl<'a> Eval<'a> {
    /// The evaluator of the statement `source`, with the names bound so far.
    pub fn new(
        reg: &'a Registry,
        exec: &'a mut dyn Executor,
        vars: &'a BTreeMap<String, Binding>,
        trace: &'a mut Trace,
        source: &'a str,
    ) -> Eval<'a> {
        Eval {
            reg,
            exec,
            vars,
            trace,
            loaded: BTreeSet::new(),
            eager: BTreeMap::new(),
            locals: BTreeMap::new(),
            eager_hits: BTreeMap::new(),
            source,
            lazy_loads: BTreeMap::new(),
            counts: BTreeMap::new(),
            lazy_targets: BTreeMap::new(),
            row_table: None,
            grouping: false,
            window: None,
            sink: None,
            explain: true,
            looping: None,
        }
    }

    // ------------------------------------------------------------ running SQL

    /// Runs a SELECT, logging it.
    pub fn run_query(&mut self, select: Select, span: Span) -> Result<Rows> {
        self.autoflush(span)?;
        self.exec.query(select, self.trace, span)
    }

    /// Runs a query of `q`'s rows; when `q` is an object's relationship, the statement is
    /// noted as that relationship's lazy load.
    pub fn run_lazy(&mut self, q: &Query, select: Select, span: Span) -> Result<Rows> {
        let rows = self.run_query(select, span)?;
        if let Some(parent) = &q.parent {
            let origin = (parent.obj.table.clone(), parent.relationship.name.clone());
            self.note_lazy_load(origin);
        }
        Ok(rows)
    }

    /// Notes the last statement sent as the lazy load of a relationship (owner table, name).
    fn note_lazy_load(&mut self, origin: (String, String)) {
        if let Some(last) = self.kept_place_of_last() {
            self.lazy_loads.insert(last, origin);
        }
    }

    /// The place of the last statement sent, while statements are still kept whole (past
    /// [`crate::answer::SQL_KEPT`] they are only counted, and so is what they were for).
    fn kept_place_of_last(&self) -> Option<usize> {
        self.trace
            .sent()
            .checked_sub(1)
            .filter(|last| *last < self.trace.sql.len())
    }

    /// Adds a step to the plain-words account of what the mapper did, when it is kept.
    pub fn step(&mut self, text: impl FnOnce(&Self) -> String) {
        if self.explain {
            let step = text(self);
            self.trace.step(step);
        }
    }

    /// The table named `name`, which the mapper made sure exists.
    pub fn table(&self, name: &str, span: Span) -> Result<&'a Table> {
        self.reg
            .metadata
            .table(name)
            .ok_or_else(|| Error::name(span, format!("no table '{name}'")))
    }

    /// The class name of a table's rows, for messages ("Student").
    pub fn class_of(&self, table: &str) -> String {
        self.reg.class_name(table).to_string()
    }

    /// Loads an object's row, or says it does not exist; a row already loaded in this
    /// statement is not read again.
    pub fn load(&mut self, obj: &Obj, span: Span) -> Result<Vec<Value>> {
        let key = (obj.table.clone(), obj.key_text());
        if self.looping.is_some() && self.exec.identity(&key.0, &key.1).is_none() {
            if let Some(row) = self.loop_object_row(obj, span)? {
                self.exec.keep(&key.0, &key.1, row);
                self.loaded.insert(key.clone());
            }
        }
        if let Some(row) = self.exec.identity(&key.0, &key.1) {
            if self.loaded.insert(key) {
                self.trace.note(
                    NoteKind::Loading,
                    format!(
                        "{} {} is already in the session: no query",
                        self.class_of(&obj.table),
                        obj.key_text()
                    ),
                );
            }
            return Ok(row);
        }
        let rows = self.run_query(obj.load_select(), span)?;
        if let Some(origin) = self.lazy_targets.get(&key).cloned() {
            self.note_lazy_load(origin);
        }
        let row = rows
            .rows
            .into_iter()
            .next()
            .ok_or_else(|| self.missing(obj, span))?;
        self.remember(obj, row.clone());
        Ok(row)
    }

    /// Keeps a loaded row in the identity map, for the rest of the statement and for as long
    /// as something holds the object afterwards. An object the map holds already keeps the
    /// map's row, as SQLAlchemy's identity map does until expire or commit.
    pub fn remember(&mut self, obj: &Obj, row: Vec<Value>) {
        let key = (obj.table.clone(), obj.key_text());
        self.exec.keep(&key.0, &key.1, row);
        self.loaded.insert(key);
    }

    /// Whole rows of `table` a query read: in session mode, an object the identity map holds
    /// already is given as the map has it (SQLAlchemy returns the object it has, until expire
    /// or commit), and the learner is told when that differs from what the database sent.
    pub fn identity_rows(&mut self, table: &str, mut rows: Rows, span: Span) -> Result<Rows> {
        let t = self.table(table, span)?;
        if t.primary_key.is_empty() {
            return Ok(rows);
        }
        let mut differ = Vec::new();
        for row in &mut rows.rows {
            let obj = Obj::from_row(t, &rows.columns, row);
            if let Some(kept) = self.exec.identity(table, &obj.key_text()) {
                if kept.len() == row.len() && kept != *row {
                    differ.push(obj.key_text());
                    *row = kept;
                }
            }
        }
        if !differ.is_empty() {
            let it = if differ.len() == 1 { "it" } else { "them" };
            self.trace.note(NoteKind::Loading, format!(
                "already in the session: {} {} — the query gives the session's values for {it}, not the database's (session.expire_all() or commit reads {it} again)",
                self.class_of(table),
                differ.join(", "),
            ));
        }
        Ok(rows)
    }

    /// Forgets that this statement read an object (its row was let go of).
    pub(crate) fn forget_one_loaded(&mut self, table: &str, key: &str) {
        self.loaded.remove(&(table.to_string(), key.to_string()));
    }

    /// The row of one of the running loop's objects, which the session holds until the statement ends.
    fn loop_object_row(&self, obj: &Obj, span: Span) -> Result<Option<Vec<Value>>> {
        let (Some(looping), Some(key)) = (&self.looping, obj.single_key()) else {
            return Ok(None);
        };
        looping.find(&obj.table, key).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                span,
                format!("a row the loop put aside could not be read: {e}"),
            )
        })
    }

    /// Keeps the objects whole rows of `table` are, as a query's results join the identity
    /// map; the objects, in order (none for a view or a table without a key).
    pub fn remember_rows(&mut self, table: &str, rows: &Rows, span: Span) -> Result<Vec<Obj>> {
        let t = self.table(table, span)?;
        if t.primary_key.is_empty() || t.view {
            return Ok(Vec::new());
        }
        let mut objects = Vec::with_capacity(rows.rows.len());
        for row in &rows.rows {
            let obj = Obj::from_row(t, &rows.columns, row);
            self.remember(&obj, row.clone());
            objects.push(obj);
        }
        Ok(objects)
    }

    /// In session mode, sends pending changes before a query reads (autoflush), and says so.
    pub(crate) fn autoflush(&mut self, span: Span) -> Result<()> {
        let sent = self.exec.autoflush(self.trace, span)?;
        if sent > 0 {
            self.loaded.clear();
            self.trace.note(
                NoteKind::Autoflush,
                format!(
                    "autoflush: {sent} pending change(s) were sent first, so the query sees them"
                ),
            );
        }
        Ok(())
    }

    /// Loads an object as the code reaches through it: its row, and whether that sent SQL (it
    /// did not when the session holds the object).
    pub fn load_sends(&mut self, obj: &Obj, span: Span) -> Result<(Vec<Value>, bool)> {
        let before = self.trace.sent();
        let row = self.load(obj, span)?;
        Ok((row, self.trace.sent() > before))
    }

    /// Tells what plain SQL needs instead of what the ORM sent, and the statement that sends
    /// only that (contract section 7: the ORM's cost is taught, not hidden).
    pub fn note_cost(&mut self, loaded: &Obj, needed: &str, only: &str) {
        self.trace.note(
            NoteKind::Cost,
            format!(
                "the ORM loaded {} {} first, because the code goes through it; SQL alone needs only {needed}: {only} sends just that",
                self.class_of(&loaded.table),
                loaded.key_text()
            ),
        );
    }

    /// The short form that reads an object's relationship without loading the object:
    /// `classes.where(student_id == 13)`, `clubs.where(members.any(id == 13))`.
    pub fn relationship_without_owner(&self, owner: &Obj, rel: &Relationship) -> Option<String> {
        let key = owner.single_key()?.sql_literal();
        match &rel.link {
            Link::OneToMany { column } => Some(format!("{}.where({column} == {key})", rel.target)),
            Link::ManyToMany { .. } => {
                let back = self.reg.relationship(&rel.target, &rel.back_populates)?;
                let owner_key = key_of(self.reg, &owner.table);
                Some(format!(
                    "{}.where({}.any({owner_key} == {key}))",
                    rel.target, back.name
                ))
            }
            Link::ManyToOne { .. } => None,
        }
    }

    /// Forgets which objects this statement read (after a write): a later read of one the
    /// session still holds is told again. Rows that a write changed are expired in the
    /// identity map itself (`Executor::changed`, `Sending::Bulk`).
    pub fn forget_loaded(&mut self) {
        self.loaded.clear();
    }

    /// The not-found error for an object.
    pub fn missing(&self, obj: &Obj, span: Span) -> Error {
        let key_name = obj
            .key
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let which = match obj.key.as_slice() {
            [_] => format!("{key_name} {}", obj.key_text()),
            _ => obj.key_text(),
        };
        let class = self.class_of(&obj.table);
        let what = if class == obj.table {
            format!("there is no row of {} with {which}", obj.table)
        } else {
            format!("there is no {class} with {which} in {}", obj.table)
        };
        Error::not_found(span, what)
        .with_hint(format!(
            "{}.select({key_name}) lists the keys there are; [...] on a table's collection is a key, not a position (the first row: {}.first())",
            obj.table, obj.table
        ))
    }

    // ------------------------------------------------------------ expressions

    /// Evaluates an expression outside any condition.
    pub fn eval(&mut self, expr: &Expr) -> Result<Val> {
        match &expr.kind {
            ExprKind::Literal(lit) => Ok(literal(lit)),
            ExprKind::Name(name) => self.name(name, expr.span),
            ExprKind::List(items) => Ok(Val::List(
                items.iter().map(|i| self.eval(i)).collect::<Result<_>>()?,
            )),
            ExprKind::Dict(entries) => {
                let mut out = Vec::new();
                for (key, value) in entries {
                    out.push((key.clone(), self.eval(value)?));
                }
                Ok(Val::Dict(out))
            }
            ExprKind::Member(base, member) => {
                let evaluated = self.eval(base)?;
                let base_val = self.written_object(evaluated);
                match member {
                    Member::Key(key, span) => {
                        self.index(base_val, Val::Scalar(Value::Integer(*key)), *span)
                    }
                    Member::Name(ident) => self.member(base_val, ident, base.span),
                }
            }
            ExprKind::Index(base, key) => {
                let evaluated = self.eval(base)?;
                let base_val = self.written_object(evaluated);
                if let ExprKind::Literal(Literal::Bool(_)) = key.kind {
                    return Err(Error::type_error(
                        key.span,
                        "a key is a number, not True or False",
                    )
                    .with_hint("e.g. students[13]"));
                }
                let key_val = self.eval(key)?;
                self.index(base_val, key_val, key.span)
            }
            ExprKind::Call(callee, args) => self.call(callee, args, expr.span),
            ExprKind::Arith(..) => self.arith_value(expr),
            ExprKind::Neg(_) if self.row_table.is_some() => self.arith_value(expr),
            ExprKind::Neg(inner) => match self.eval(inner)? {
                Val::Scalar(Value::Integer(i)) => Ok(Val::Scalar(Value::Integer(i.wrapping_neg()))),
                Val::Scalar(Value::Real(r)) => Ok(Val::Scalar(Value::Real(-r))),
                _ => Err(
                    Error::type_error(expr.span, "only a number can be negated").with_hint(
                        "'-' before a column name means descending order inside order_by(...)",
                    ),
                ),
            },
            ExprKind::Compare(..) | ExprKind::And(..) | ExprKind::Or(..) | ExprKind::Not(..) => {
                Err(
                    Error::type_error(expr.span, "a condition on its own has no rows to test")
                        .with_hint("put it inside where(...), e.g. students.where(year == 2)"),
                )
            }
        }
    }

    fn name(&mut self, name: &str, span: Span) -> Result<Val> {
        if let Some(obj) = self.locals.get(name) {
            return Ok(Val::Object(obj.clone()));
        }
        if let Some(binding) = self.vars.get(name) {
            self.step(|_| format!("{name}: a name bound earlier"));
            return Ok(match binding {
                Binding::Object(o) => Val::Object(o.clone()),
                Binding::Query(q) | Binding::Collection(q) => Val::Query(q.clone()),
                Binding::Value(v) => Val::Scalar(v.clone()),
                Binding::Nothing => Val::Nothing,
            });
        }
        if let Some(collection) = self.reg.collection(name) {
            self.step(|_| {
                format!(
                    "{name}: the {} objects of table {}",
                    collection.class_name(),
                    collection.table.name
                )
            });
            return Ok(Val::Query(Box::new(Query::all(&collection.table.name))));
        }
        if let Some(column) = self.row_column(name) {
            return Ok(column);
        }
        Err(self.unknown_name(name, span))
    }

    /// The row a write inserted, as an object (`students.create(...).id`); other values as they are.
    fn written_object(&self, val: Val) -> Val {
        match val {
            Val::Written(Outcome::Write {
                id: Some(id),
                table,
                ..
            }) => Val::Object(Obj {
                key: vec![(key_of(self.reg, &table), Value::Integer(id))],
                table,
            }),
            other => other,
        }
    }

    /// Whether `name` is bound by an earlier statement or by the loop around it.
    pub fn is_variable(&self, name: &str) -> bool {
        self.vars.contains_key(name) || self.locals.contains_key(name)
    }

    /// The error for a name that is neither a collection nor a variable.
    pub fn unknown_name(&self, name: &str, span: Span) -> Error {
        if let Some((what, instead)) = crate::syntax::sqlalchemy::nearest_form(name) {
            return Error::name(span, what).with_hint(instead);
        }
        let mut known: Vec<&str> = self.reg.collection_names();
        known.extend(self.vars.keys().map(|k| k.as_str()));
        Error::name(span, format!("no collection or name '{name}'"))
            .with_hint(suggestion(name, known.iter().copied()))
    }

    fn index(&mut self, base: Val, key: Val, span: Span) -> Result<Val> {
        if let Val::Query(q) = &base {
            if q.parent.is_some() {
                return self.position(q, key, span);
            }
        }
        let Val::Query(query) = base else {
            return Err(
                Error::type_error(span, "only a collection can be indexed by key")
                    .with_hint("write the key after a collection, e.g. students[13]"),
            );
        };
        let obj = self.key_object(&query.table, key, span)?;
        self.step(|ev| {
            format!(
                "{} {}: one object by its primary key {}",
                ev.class_of(&obj.table),
                obj.key_text(),
                obj.key
                    .iter()
                    .map(|(c, _)| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        if query.filters.is_empty()
            && query.joins.is_empty()
            && query.limit.is_none()
            && query.offset.is_none()
        {
            return Ok(Val::Object(obj));
        }
        let mut narrowed = Query::all(&query.table);
        narrowed.filters.push(obj.key_filter());
        let member = match obj.key.as_slice() {
            [(only, _)] => only.as_str(),
            _ => "rowid",
        };
        narrowed.filters.push(crate::sql::Expr::InSelect(
            Box::new(crate::sql::Expr::column(&query.table, member)),
            Box::new(query.column_select(member)),
            false,
        ));
        let rows = self.run_query(narrowed.to_select(), span)?;
        if let Some(row) = rows.rows.first() {
            self.remember(&obj, row.clone());
        }
        if rows.rows.is_empty() {
            return Err(Error::not_found(
                span,
                format!(
                    "{} {} is not in this collection",
                    self.class_of(&query.table),
                    obj.key_text()
                ),
            )
            .with_hint(
                "[...] here is a key; a position needs an object's relationship (students[13].classes[0]), or .offset(i).first()",
            ));
        }
        Ok(Val::Object(obj))
    }

    /// The object of `table` with primary key `key` (a list of values for a key of several
    /// columns), checking the key's type.
    pub fn key_object(&self, table: &str, key: Val, span: Span) -> Result<Obj> {
        let t = self.table(table, span)?;
        if t.primary_key.is_empty() {
            let what = if t.view { "a view" } else { "a table" };
            return Err(Error::type_error(
                span,
                format!("{table} is {what} with no primary key, so a row cannot be picked by key"),
            )
            .with_hint(format!("use {table}.where(...) instead")));
        }
        let values = match key {
            Val::Scalar(v) => vec![v],
            Val::Object(o) if o.table == table => o.key.into_iter().map(|(_, v)| v).collect(),
            Val::List(_) if t.primary_key.len() == 1 => {
                return Err(Error::type_error(
                    span,
                    format!("the key of {table} is one value, not a list"),
                )
                .with_hint(format!("e.g. {table}[1]")))
            }
            Val::List(items) => items
                .into_iter()
                .map(|item| match item {
                    Val::Scalar(v) => Ok(v),
                    _ => Err(Error::type_error(
                        span,
                        format!("each part of the key of {table} must be a value"),
                    )),
                })
                .collect::<Result<Vec<_>>>()?,
            _ => {
                return Err(Error::type_error(
                    span,
                    format!("the key of {table} must be a value"),
                ))
            }
        };
        let example: Vec<String> = (1..=t.primary_key.len()).map(|i| i.to_string()).collect();
        if values.len() != t.primary_key.len() {
            return Err(Error::type_error(
                span,
                format!(
                    "{table} has a key of {} column{} ({}): give {} value{}, not {}",
                    t.primary_key.len(),
                    if t.primary_key.len() == 1 { "" } else { "s" },
                    t.primary_key.join(", "),
                    t.primary_key.len(),
                    if t.primary_key.len() == 1 { "" } else { "s" },
                    values.len()
                ),
            )
            .with_hint(format!("e.g. {table}[{}]", example.join(", "))));
        }
        let mut key = Vec::new();
        for (name, value) in t.primary_key.iter().zip(values) {
            let Some(key_col) = t.column(name) else {
                return Err(Error::name(
                    span,
                    format!("no key column {name} on {table}"),
                ));
            };
            let fits = matches!(
                (key_col.ty, &value),
                (ColumnType::Any, _)
                    | (ColumnType::Integer, Value::Integer(_))
                    | (ColumnType::Text, Value::Text(_))
                    | (ColumnType::Real, Value::Integer(_) | Value::Real(_))
            );
            if !fits {
                return Err(Error::type_error(
                    span,
                    format!(
                        "the key of {table} ({}) is {}, not {}",
                        key_col.name,
                        type_words(key_col.ty),
                        value.type_name()
                    ),
                )
                .with_hint(format!("e.g. {table}[{}]", example.join(", "))));
            }
            key.push((key_col.name.clone(), value));
        }
        Ok(Obj {
            table: table.to_string(),
            key,
        })
    }

    fn member(&mut self, base: Val, ident: &Ident, base_span: Span) -> Result<Val> {
        let name = ident.name.as_str();
        match base {
            Val::Object(obj) => {
                let table = self.table(&obj.table, ident.span)?;
                let real = table.column(name).map(|c| c.name.as_str());
                if let Some(i) = table
                    .columns
                    .iter()
                    .position(|c| Some(c.name.as_str()) == real)
                {
                    let row = self.load(&obj, base_span)?;
                    return Ok(Val::Scalar(row.get(i).cloned().unwrap_or(Value::Null)));
                }
                let reg = self.reg;
                if let Some(rel) = reg.relationship(&obj.table, name) {
                    return self.follow_object(&obj, rel, base_span);
                }
                if OBJECT_METHODS.contains(&name) {
                    return Err(method_without_call(name, ident.span));
                }
                Err(self
                    .reg
                    .unknown_attribute(table, name, ident.span, OBJECT_METHODS))
            }
            Val::Query(query) => {
                let reg = self.reg;
                if let Some(rel) = reg.relationship(&query.table, name) {
                    if !query.is_whole_rows() {
                        return Err(Error::type_error(
                            ident.span,
                            "a relationship can only be followed from whole objects, not selected columns",
                        ));
                    }
                    self.step(|_| {
                        format!(
                            "{} → {}: {} through {}, each related row once",
                            query.table,
                            rel.name,
                            rel.kind_name(),
                            through(rel)
                        )
                    });
                    return Ok(Val::Query(Box::new(query.follow(self.reg, rel))));
                }
                if QUERY_METHODS.contains(&name) {
                    return Err(method_without_call(name, ident.span));
                }
                let table = self.table(&query.table, ident.span)?;
                if table.column(name).is_some() {
                    return Err(Error::type_error(
                        ident.span,
                        format!("'{name}' is a column of each {}, not of the whole collection", self.class_of(&query.table)),
                    )
                    .with_hint(format!("{0}.select({name}) lists it for every row (SQLAlchemy: select({1}.{name})); one object's: {0}[1].{name}", query.table, self.class_of(&query.table))));
                }
                let mut err = self
                    .reg
                    .unknown_attribute(table, name, ident.span, QUERY_METHODS);
                err.message = format!(
                    "no relationship or method '{name}' on the collection {}",
                    query.table
                );
                Err(err)
            }
            Val::Nothing => Err(Error::type_error(
                ident.span,
                format!("there is no object here (None), so it has no '{name}'"),
            )),
            Val::Scalar(v) => Err(Error::type_error(
                ident.span,
                format!(
                    "{} is a value ({}), it has no '{name}'",
                    v.sql_literal(),
                    v.type_name()
                ),
            )),
            Val::List(_) | Val::Dict(_) | Val::Rows(_) | Val::Written(_) | Val::Computed(_) => Err(
                Error::type_error(ident.span, format!("this has no '{name}'")),
            ),
        }
    }

    /// Follows a relationship from one object: a many-to-one loads the object and then its
    /// related object; a collection becomes a query on the related table.
    pub fn follow_object(&mut self, obj: &Obj, rel: &Relationship, span: Span) -> Result<Val> {
        let lazy = if rel.is_collection() {
            ""
        } else {
            " (loads the object first, then the related one)"
        };
        self.step(|ev| {
            format!(
                "{} {} → {}: {} through {}{lazy}",
                ev.class_of(&obj.table),
                obj.key_text(),
                rel.name,
                rel.kind_name(),
                through(rel)
            )
        });
        match &rel.link {
            Link::ManyToOne { .. } if self.eager.contains_key(&eager_key(obj, rel)) => {
                let rows = self
                    .eager
                    .get(&eager_key(obj, rel))
                    .cloned()
                    .unwrap_or_default();
                self.say_no_query(obj, rel);
                match rows.into_iter().next() {
                    Some(row) => {
                        let t = self.table(&rel.target, span)?;
                        let target =
                            self.object_from_row(&rel.target, &t.column_names(), &row, span)?;
                        self.remember(&target, row);
                        Ok(Val::Object(target))
                    }
                    None => Ok(Val::Nothing),
                }
            }
            Link::ManyToOne { column } => {
                let table = self.table(&obj.table, span)?;
                let row = self.load(obj, span)?;
                let i = table.columns.iter().position(|c| &c.name == column);
                let fk = i.and_then(|i| row.get(i)).cloned().unwrap_or(Value::Null);
                if fk.is_null() {
                    self.trace.note(
                        NoteKind::Loading,
                        format!(
                            "{} {} has no {} ({} is NULL)",
                            self.class_of(&obj.table),
                            obj.key_text(),
                            rel.name,
                            column
                        ),
                    );
                    return Ok(Val::Nothing);
                }
                let target = Obj {
                    table: rel.target.clone(),
                    key: vec![(key_of(self.reg, &rel.target), fk)],
                };
                self.lazy_targets.insert(
                    (target.table.clone(), target.key_text()),
                    (obj.table.clone(), rel.name.clone()),
                );
                Ok(Val::Object(target))
            }
            _ => Ok(Val::Query(Box::new(Query::of_object(
                self.reg, obj, rel, span,
            )))),
        }
    }

    // ------------------------------------------------------------ calls

    fn call(&mut self, callee: &Expr, args: &[Argument], span: Span) -> Result<Val> {
        match &callee.kind {
            ExprKind::Member(base, Member::Name(method)) => {
                let evaluated = self.eval(base)?;
                let base_val = self.written_object(evaluated);
                self.method(base_val, method, args, base.span, span)
            }
            ExprKind::Name(name) if name == "len" && self.reg.collection(name).is_none() => {
                self.len(args, span)
            }
            ExprKind::Name(name) => self.constructor(name, args, callee.span),
            _ => Err(Error::type_error(callee.span, "this cannot be called")
                .with_hint("methods are called on a collection or object, e.g. students.count()")),
        }
    }

    /// `len(x)`: Python's length of a list. A collection is loaded whole, as objects, and
    /// counted in Python, as SQLAlchemy does with `len(student.classes)`; `.count()` counts in
    /// the database instead, loading nothing.
    fn len(&mut self, args: &[Argument], span: Span) -> Result<Val> {
        let [only] = args else {
            return Err(Error::type_error(span, "len() takes one collection")
                .with_hint("e.g. len(students[13].classes)"));
        };
        match self.eval(&only.value)? {
            Val::Query(q) => {
                self.step(|_| {
                    "len(...): the collection is loaded, every object, and counted in Python (.count() counts in the database and loads none)".into()
                });
                let before = self.trace.sent();
                let rows = self.collection_rows(&q, only.value.span)?;
                if self.trace.sent() > before && self.locals.is_empty() {
                    self.trace.note(
                        NoteKind::Cost,
                        format!(
                            "len() loaded {} row(s) as objects to count them in Python; {}.count() counts in the database and loads none",
                            rows.rows.len(),
                            self.text_of(only.value.span)
                        ),
                    );
                }
                Ok(Val::Scalar(Value::Integer(rows.rows.len() as i64)))
            }
            Val::List(items) => Ok(Val::Scalar(Value::Integer(items.len() as i64))),
            Val::Scalar(Value::Text(text)) => {
                Ok(Val::Scalar(Value::Integer(text.chars().count() as i64)))
            }
            _ => Err(Error::type_error(
                only.value.span,
                "len() counts the objects of a collection",
            )
            .with_hint("e.g. len(students[13].classes)")),
        }
    }

    fn constructor(&mut self, name: &str, args: &[Argument], span: Span) -> Result<Val> {
        match self.reg.collection(name) {
            Some(c) if c.mapper.is_some_and(|m| m.class_name == name) => {
                let table = c.table.name.clone();
                let values = self.keyword_values(args, span, name)?;
                self.new_object_step(&table, &format!("{name}(...)"));
                self.insert(&table, values, Vec::new(), span).map(write_val)
            }
            Some(c) => Err(
                Error::type_error(span, format!("{name} is a collection, not a class")).with_hint(
                    format!(
                        "create a row with {name}.create(...) or {}(...)",
                        c.class_name()
                    ),
                ),
            ),
            None => Err(self.unknown_name(name, span)),
        }
    }

    /// The `key=value` arguments of a call, evaluated.
    pub fn keyword_values(
        &mut self,
        args: &[Argument],
        span: Span,
        method: &str,
    ) -> Result<Vec<(Ident, Val)>> {
        let mut out = Vec::new();
        for arg in args {
            let Some(keyword) = &arg.keyword else {
                return Err(Error::type_error(
                    arg.value.span,
                    format!("{method}(...) takes name=value arguments"),
                )
                .with_hint(format!("e.g. {method}(name=\"Ada\")")));
            };
            out.push((keyword.clone(), self.eval(&arg.value)?));
        }
        if out.is_empty() {
            return Err(Error::type_error(
                span,
                format!("{method}(...) needs at least one name=value"),
            ));
        }
        Ok(out)
    }

    fn method(
        &mut self,
        base: Val,
        method: &Ident,
        args: &[Argument],
        base_span: Span,
        span: Span,
    ) -> Result<Val> {
        match base {
            Val::Query(query) => self.query_method(*query, method, args, span),
            Val::Object(obj) => self.object_method(obj, method, args, base_span, span),
            Val::Nothing => Err(Error::type_error(
                method.span,
                format!(
                    "there is no object here (None), so it has no {}()",
                    method.name
                ),
            )),
            _ => Err(Error::type_error(
                method.span,
                format!("{}() is not a method of a plain value", method.name),
            )
            .with_hint("methods like this belong to collections and objects")),
        }
    }

    fn object_method(
        &mut self,
        obj: Obj,
        method: &Ident,
        args: &[Argument],
        base_span: Span,
        span: Span,
    ) -> Result<Val> {
        let span = Span::new(method.span.start, span.end);
        match method.name.as_str() {
            "update" => {
                self.row_table = Some(obj.table.clone());
                let values = self.keyword_values(args, span, "update");
                self.row_table = None;
                self.update_object(&obj, values?, base_span).map(write_val)
            }
            "delete" => {
                no_arguments(args, "delete")?;
                self.delete_object(&obj, base_span).map(write_val)
            }
            other => {
                let table = self.table(&obj.table, method.span)?;
                if table.column(other).is_some()
                    || self.reg.relationship(&obj.table, other).is_some()
                {
                    return Err(Error::type_error(
                        method.span,
                        format!("{other} is an attribute, not a method"),
                    )
                    .with_hint(format!("write .{other} without ()")));
                }
                let mut err = self
                    .reg
                    .unknown_attribute(table, other, method.span, OBJECT_METHODS);
                err.message = format!(
                    "no method '{other}' on a {} object",
                    self.class_of(&obj.table)
                );
                Err(err)
            }
        }
    }

    /// Calls a collection method by name (for forms that reuse one).
    pub(crate) fn method_on_query(
        &mut self,
        q: Query,
        name: &str,
        args: &[Argument],
        span: Span,
    ) -> Result<Val> {
        let method = Ident {
            name: name.to_string(),
            span,
        };
        self.query_method(q, &method, args, span)
    }

    fn query_method(
        &mut self,
        mut q: Query,
        method: &Ident,
        args: &[Argument],
        span: Span,
    ) -> Result<Val> {
        let span = Span::new(method.span.start, span.end);
        let name = method.name.as_str();
        match name {
            "where" | "filter" => {
                self.no_filter_after_paging(&q, method)?;
                if args.is_empty() {
                    return Err(
                        Error::type_error(span, format!("{name}() needs a condition"))
                            .with_hint("e.g. students.where(year == 2)"),
                    );
                }
                for arg in args {
                    if let Some(k) = &arg.keyword {
                        return Err(Error::parse(
                            k.span,
                            format!("'{}=' is an assignment; {name}() takes conditions", k.name),
                        )
                        .with_hint(format!(
                            "compare with '==': {}({} == ...), or use filter_by({}=...)",
                            name, k.name, k.name
                        )));
                    }
                    let cond = self.condition(&arg.value, &q.table)?;
                    self.step(|_| format!(
                        "{name}(...): the condition becomes the WHERE clause; the database filters the rows"
                    ));
                    q.filters.push(cond);
                }
                Ok(Val::Query(Box::new(q)))
            }
            "filter_by" => {
                self.no_filter_after_paging(&q, method)?;
                let values = self.keyword_values(args, span, "filter_by")?;
                for (i, (key, _)) in values.iter().enumerate() {
                    if values[..i].iter().any(|(k, _)| k.name == key.name) {
                        return Err(Error::type_error(
                            key.span,
                            format!("'{}' is given twice", key.name),
                        )
                        .with_hint("to allow several values use where(name in [..])"));
                    }
                }
                for (key, val) in values {
                    let cond = self.equality(&q.table, &key, val)?;
                    q.filters.push(cond);
                }
                Ok(Val::Query(Box::new(q)))
            }
            "order_by" => {
                if args.is_empty() {
                    return Err(Error::type_error(
                        span,
                        "order_by() needs at least one column",
                    ));
                }
                self.grouping = !q.group_by.is_empty();
                for arg in args {
                    let order = self.order_term(&arg.value, &q.table);
                    q.order_by
                        .push(order.inspect_err(|_| self.grouping = false)?);
                }
                self.grouping = false;
                Ok(Val::Query(Box::new(q)))
            }
            "limit" | "offset" => {
                let n = self.count_argument(args, name, span)?;
                if name == "limit" {
                    q.limit = Some(n);
                } else {
                    q.offset = Some(n);
                }
                Ok(Val::Query(Box::new(q)))
            }
            "first" => {
                no_arguments(args, "first")?;
                q.limit = Some(q.limit.map_or(1, |n| n.min(1)));
                self.first(q, span)
            }
            "all" => {
                no_arguments(args, "all")?;
                Ok(Val::Query(Box::new(q)))
            }
            "get"
                if args.len() > 1
                    && args.iter().all(|a| a.keyword.is_none())
                    // `get((1, 1), None)` is SQLAlchemy's `session.get(FilmActor, (1, 1))`.
                    && !matches!(args[args.len() - 1].value.kind, ExprKind::Literal(Literal::None))
                    && self
                        .reg
                        .metadata
                        .table(&q.table)
                        .is_some_and(|t| t.primary_key.len() == args.len()) =>
            {
                let mut parts = Vec::new();
                for arg in args {
                    parts.push(self.eval(&arg.value)?);
                }
                let at = args[0].value.span.to(args[args.len() - 1].value.span);
                self.index(Val::Query(Box::new(q)), Val::List(parts), at)
            }
            "get" if args.len() == 2 => self.get_or_default(q, args, span),
            "one" | "one_or_none" => {
                no_arguments(args, name)?;
                self.one(q, name == "one", span)
            }
            "having" => self.having(q, args, span),
            "get" => {
                let key = self.single_argument(args, "get", span)?;
                let key_val = self.eval(key)?;
                self.index(Val::Query(Box::new(q)), key_val, key.span)
            }
            "count" | "sum" | "avg" | "min" | "max" => self.aggregate(q, name, args, span),
            "include" | "join_load" => {
                let loading = if name == "include" {
                    Loading::SelectIn
                } else {
                    Loading::Joined
                };
                self.no_eager_load_of_columns(&q, method)?;
                self.eager_loading(&mut q, loading, args, span)?;
                Ok(Val::Query(Box::new(q)))
            }
            "select" => {
                self.no_eager_load_of_columns(&q, method)?;
                let columns = self.select_arguments(&mut q, args, span)?;
                q.columns = Some(columns);
                Ok(Val::Query(Box::new(q)))
            }
            "distinct" => {
                no_arguments(args, "distinct")?;
                q.distinct = true;
                Ok(Val::Query(Box::new(q)))
            }
            "group_by" => {
                self.no_eager_load_of_columns(&q, method)?;
                q.group_by = self.column_arguments(&q.table, args, "group_by", span)?;
                Ok(Val::Query(Box::new(q)))
            }
            "add" | "create" | "append" => self.add_to(q, name, args, span).map(write_val),
            "remove" => {
                let item = self.single_argument(args, "remove", span)?;
                let members = self.load_collection(&q, span)?;
                let item_val = self.eval(item)?;
                self.remove_from(q, &members, item_val, item.span, span)
                    .map(write_val)
            }
            "update" => {
                self.row_table = Some(q.table.clone());
                let values = self.keyword_values(args, span, "update");
                self.row_table = None;
                self.update_query(&q, values?, span).map(write_val)
            }
            "delete" => {
                no_arguments(args, "delete")?;
                self.delete_query(&q, span).map(write_val)
            }
            other => {
                if let Some((what, instead)) =
                    crate::syntax::sqlalchemy::nearest_form(&format!(".{other}"))
                {
                    return Err(Error::name(method.span, what).with_hint(instead));
                }
                let table = self.table(&q.table, method.span)?;
                let mut known: Vec<&str> = QUERY_METHODS.to_vec();
                known.extend(
                    self.reg
                        .relationships_of(&table.name)
                        .iter()
                        .map(|r| r.name.as_str()),
                );
                Err(Error::name(
                    method.span,
                    format!("no method '{other}' on the collection {}", q.table),
                )
                .with_hint(suggestion(other, known.iter().copied())))
            }
        }
    }

    /// `include`/`join_load` load related objects into the rows' objects: a query of columns
    /// or groups has no objects to load them into (SQLAlchemy refuses it too).
    fn no_eager_load_of_columns(&self, q: &Query, method: &Ident) -> Result<()> {
        let eager = q.eager.first().map(|(rel, loading)| {
            let how = match loading {
                Loading::SelectIn => "include",
                Loading::Joined => "join_load",
            };
            format!("{how}({})", rel.name)
        });
        let shaped = if !q.group_by.is_empty() {
            Some("group_by(...)")
        } else {
            q.columns.as_ref().map(|_| "select(...)")
        };
        let (loader, columns) = match (method.name.as_str(), eager, shaped) {
            ("include" | "join_load", _, Some(columns)) => {
                (format!("{}(...)", method.name), columns)
            }
            ("select", Some(loader), _) => (loader, "select(...)"),
            ("group_by", Some(loader), _) => (loader, "group_by(...)"),
            _ => return Ok(()),
        };
        Err(Error::type_error(
            method.span,
            format!(
                "{loader} loads related objects into whole {} objects, and {columns} gives columns, not objects: there is nothing to load them into",
                self.class_of(&q.table)
            ),
        )
        .with_hint(format!(
            "drop {loader}, or drop {columns} to get whole objects with their related ones"
        )))
    }

    fn no_filter_after_paging(&self, q: &Query, method: &Ident) -> Result<()> {
        if q.limit.is_some() || q.offset.is_some() {
            return Err(Error::type_error(
                method.span,
                format!(
                    "{}() after limit() or offset() would filter only one page",
                    method.name
                ),
            )
            .with_hint("filter first, then page: students.where(...).limit(5)"));
        }
        Ok(())
    }

    fn first(&mut self, q: Query, span: Span) -> Result<Val> {
        let mut rows = self.run_lazy(&q, q.to_select(), span)?;
        if q.is_whole_rows() {
            rows = self.identity_rows(&q.table, rows, span)?;
        }
        let Some(row) = rows.rows.into_iter().next() else {
            self.check_parent(&q, span)?;
            return Ok(Val::Nothing);
        };
        if !q.is_whole_rows() {
            return Ok(match row.into_iter().next() {
                Some(v) => Val::Scalar(v),
                None => Val::Nothing,
            });
        }
        let obj = self.object_from_row(&q.table, &rows.columns, &row, span)?;
        self.remember(&obj, row);
        Ok(Val::Object(obj))
    }

    /// The object a whole row of `table` stands for.
    pub fn object_from_row(
        &self,
        table: &str,
        columns: &[String],
        row: &[Value],
        span: Span,
    ) -> Result<Obj> {
        Ok(Obj::from_row(self.table(table, span)?, columns, row))
    }

    /// When an object's relationship (or a relationship reached from it) came back empty,
    /// makes sure the object exists.
    pub fn check_parent(&mut self, q: &Query, span: Span) -> Result<()> {
        if let Some(parent) = q.owner() {
            let obj = parent.obj.clone();
            let at = parent.span_or(span);
            self.load(&obj, at)?;
        }
        Ok(())
    }

    fn aggregate(&mut self, q: Query, name: &str, args: &[Argument], span: Span) -> Result<Val> {
        let agg = match name {
            "count" => Aggregate::Count,
            "sum" => Aggregate::Sum,
            "avg" => Aggregate::Avg,
            "min" => Aggregate::Min,
            _ => Aggregate::Max,
        };
        let column = if agg == Aggregate::Count {
            no_arguments(args, "count")?;
            None
        } else {
            let arg = self.single_argument(args, name, span)?;
            if matches!(arg.kind, ExprKind::Arith(..) | ExprKind::Neg(_)) {
                return self.aggregate_of_expression(q, agg, arg, span);
            }
            let column = self.column_name(&q.table, arg)?;
            let is_text = self
                .reg
                .metadata
                .table(&q.table)
                .and_then(|t| t.column(&column))
                .is_some_and(|c| c.ty == ColumnType::Text);
            if is_text && matches!(agg, Aggregate::Sum | Aggregate::Avg) {
                return Err(Error::type_error(
                    arg.span,
                    format!("{name}() adds up numbers, and {column} holds text"),
                )
                .with_hint(format!(
                    "min({column}) and max({column}) work on text; count() counts rows"
                )));
            }
            Some(column)
        };
        let select = q.aggregate_select(agg, column.as_deref());
        self.run_aggregate(q, select, agg, span)
    }

    /// Runs the SELECT of an aggregate over `q`: one value, or a row per group.
    pub(crate) fn run_aggregate(
        &mut self,
        q: Query,
        select: Select,
        agg: Aggregate,
        span: Span,
    ) -> Result<Val> {
        let name = agg.name();
        self.step(|_| format!("{name}(): computed by the database, no objects are loaded"));
        let rows = match q.as_relationship() {
            Some(parent) => {
                let origin = (parent.obj.table.clone(), parent.relationship.name.clone());
                let rows = self.run_query(select, span)?;
                if let Some(last) = self.kept_place_of_last() {
                    self.counts.insert(last, origin);
                }
                rows
            }
            None => self.run_lazy(&q, select, span)?,
        };
        if !q.group_by.is_empty() {
            if rows.rows.is_empty() {
                self.check_parent(&q, span)?;
            }
            return Ok(Val::Rows(rows));
        }
        let value = rows
            .rows
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next())
            .unwrap_or(Value::Null);
        if matches!(value, Value::Integer(0) | Value::Null) {
            self.check_parent(&q, span)?;
        }
        Ok(Val::Scalar(value))
    }

    fn count_argument(&mut self, args: &[Argument], name: &str, span: Span) -> Result<i64> {
        let arg = self.single_argument(args, name, span)?;
        match self.eval(arg)? {
            Val::Scalar(Value::Integer(n)) if n >= 0 => Ok(n),
            Val::Scalar(Value::Integer(n)) => Err(Error::type_error(
                arg.span,
                format!("{name}({n}): the number must be 0 or more"),
            )),
            Val::Scalar(v) => Err(Error::type_error(
                arg.span,
                format!("{name}() takes a whole number, not {}", v.type_name()),
            )
            .with_hint(format!("e.g. {name}(5)"))),
            _ => Err(Error::type_error(
                arg.span,
                format!("{name}() takes a whole number"),
            )),
        }
    }

    /// The one positional argument of a call.
    pub fn single_argument<'e>(
        &self,
        args: &'e [Argument],
        name: &str,
        span: Span,
    ) -> Result<&'e Expr> {
        match args {
            [only] if only.keyword.is_none() => Ok(&only.value),
            [only] => Err(Error::type_error(
                only.value.span,
                format!("{name}() takes a plain argument, not name=value"),
            )),
            _ => Err(Error::type_error(
                span,
                format!("{name}() takes exactly one argument, {} given", args.len()),
            )),
        }
    }

    /// The columns of `group_by(...)` or `select(...)`, each named bare (or as a string).
    pub(crate) fn column_arguments(
        &self,
        table: &str,
        args: &[Argument],
        method: &str,
        span: Span,
    ) -> Result<Vec<String>> {
        if args.is_empty() {
            return Err(
                Error::type_error(span, format!("{method}() needs at least one column"))
                    .with_hint(format!("e.g. {method}(name)")),
            );
        }
        args.iter()
            .map(|a| self.column_name(table, &a.value))
            .collect()
    }

    /// A column named by a bare name (or a string) in a call's arguments.
    pub fn column_name(&self, table: &str, expr: &Expr) -> Result<String> {
        let name = match &expr.kind {
            ExprKind::Name(n) => n.as_str(),
            ExprKind::Literal(Literal::Text(s)) => s.as_str(),
            _ => {
                return Err(
                    Error::type_error(expr.span, "a column name is expected here")
                        .with_hint("e.g. name or year"),
                )
            }
        };
        let t = self.table(table, expr.span)?;
        if let Some(c) = t.column(name) {
            return Ok(c.name.clone());
        }
        if let Some(rel) = self.reg.relationship(table, name) {
            return Err(Error::type_error(
                expr.span,
                format!(
                    "'{name}' is a relationship ({}), not a column",
                    rel.kind_name()
                ),
            )
            .with_hint(format!(
                "name a column of {table}: {}",
                t.column_names().join(", ")
            )));
        }
        Err(self.reg.unknown_attribute(t, name, expr.span, &[]))
    }

    // ------------------------------------------------------------ results

    /// The outcome a value gives as a statement's result.
    pub fn outcome(&mut self, val: Val, span: Span) -> Result<Outcome> {
        match val {
            Val::Scalar(v) => Ok(Outcome::Value(v)),
            Val::Nothing => Ok(Outcome::None),
            Val::Object(obj) => {
                let row = self.load(&obj, span)?;
                let table = self.table(&obj.table, span)?;
                Ok(Outcome::Object {
                    table: obj.table.clone(),
                    columns: table.column_names(),
                    row,
                })
            }
            Val::Query(q) if q.as_relationship().is_some() && self.locals.is_empty() => {
                let parent = q.as_relationship().cloned();
                let before = self.trace.sent();
                let rows = self.collection_rows(&q, span)?;
                if let Some(parent) = parent.filter(|_| self.trace.sent() >= before + 2) {
                    let only = self.relationship_without_owner(&parent.obj, &parent.relationship);
                    if let Some(only) = only {
                        self.note_cost(&parent.obj, "the second SELECT", &only);
                    }
                }
                Ok(Outcome::Rows {
                    table: Some(q.table.clone()),
                    columns: rows.columns,
                    rows: rows.rows,
                    more: 0,
                })
            }
            Val::Query(q) => {
                let table = q.is_whole_rows().then(|| q.table.clone());
                let (rows, more) = match self.shown_rows(&q, table.as_deref(), span) {
                    Some(done) => done?,
                    None => (self.collection_rows(&q, span)?, 0),
                };
                Ok(Outcome::Rows {
                    table,
                    columns: rows.columns,
                    rows: rows.rows,
                    more,
                })
            }
            Val::Rows(rows) => Ok(Outcome::Rows {
                table: None,
                columns: rows.columns,
                rows: rows.rows,
                more: 0,
            }),
            Val::Written(outcome) => Ok(outcome),
            Val::List(items) => self.list_outcome(items, span),
            Val::Dict(_) | Val::Computed(_) => Err(Error::type_error(
                span,
                "a list or dict on its own is not a result",
            )
            .with_hint("use it as an argument, e.g. students[13].classes.append({...})")),
        }
    }

    /// A final query sent as it is (no parent to check, nothing loaded with it, no session's
    /// identity map to consult) when its rows go to a sink or only a window of them is shown:
    /// its rows kept and the number passed on; `None` when every row is to be kept as usual.
    fn shown_rows(
        &mut self,
        q: &Query,
        table: Option<&str>,
        span: Span,
    ) -> Option<Result<(Rows, u64)>> {
        if self.sink.is_none() && self.window.is_none() {
            return None;
        }
        let plain = q.parent.is_none()
            && q.owner().is_none()
            && q.eager.is_empty()
            && !self.exec.session_mode()
            && self.cached_collection(q).is_none();
        if !plain {
            return None;
        }
        let mut window = FirstRows::new(self.window.unwrap_or(usize::MAX));
        let sink: &mut dyn RowSink = match self.sink.as_deref_mut() {
            Some(sink) => sink,
            None => &mut window,
        };
        Some(
            self.exec
                .query_each(q.to_select(), table, sink, self.trace, span),
        )
    }

    /// The binding for `name = value`.
    pub fn bind(&mut self, name: &str, span: Span, value: &Expr) -> Result<Binding> {
        if name.starts_with(|c: char| c.is_ascii_uppercase()) && self.reg.collection(name).is_none()
        {
            return Err(Error::name(
                span,
                format!("'{name}' starts with a capital letter, which is how classes are written"),
            )
            .with_hint("inside a call Student.year means the column year; pick a lower-case name, e.g. s = students[13]"));
        }
        if name == "session" {
            return Err(Error::name(
                span,
                "'session' is the SQLAlchemy session, and keeps that meaning",
            )
            .with_hint("pick another name, e.g. s = session.get(Student, 13)"));
        }
        if let Some(collection) = self.reg.collection(name) {
            // In Python a variable may shadow anything: in SQLAlchemy's spelling
            // (`customer = session.get(Customer, 1)`) the name then means the value.
            if !self.sqlalchemy_spelled_after(span) {
                return Err(Error::name(
                    span,
                    format!("'{name}' is a collection and cannot be given another meaning"),
                )
                .with_hint("pick another name, e.g. s = students[13]"));
            }
            let class = collection.class_name().to_string();
            self.trace.note(NoteKind::Binding, format!(
                "{name} now names this value, as a Python variable would, not the collection {name}; the class {class} still reads it"
            ));
        }
        let binding = match self.eval(value)? {
            Val::Object(obj) => {
                self.load(&obj, value.span)?;
                self.trace.note(NoteKind::Binding, format!(
                    "{name} is {} {}: while the name refers to it, the session holds it, so later uses send no SQL for it (until a commit expires it)",
                    self.class_of(&obj.table),
                    obj.key_text()
                ));
                Binding::Object(obj)
            }
            Val::Query(q) if q.as_relationship().is_some() => {
                self.collection_rows(&q, value.span)?;
                self.trace.note(NoteKind::Binding, format!(
                    "{name} is the loaded list of {}: while the name refers to it, the session holds it and its objects, so using it sends no SQL (until a commit expires it)",
                    self.text_of(value.span)
                ));
                Binding::Collection(q)
            }
            Val::Query(q) => Binding::Query(q),
            Val::Scalar(v) => Binding::Value(v),
            Val::Nothing => Binding::Nothing,
            Val::Written(Outcome::Write {
                id: Some(id),
                table,
                ..
            }) => Binding::Object(Obj {
                key: vec![(key_of(self.reg, &table), Value::Integer(id))],
                table,
            }),
            Val::List(_) | Val::Dict(_) | Val::Rows(_) | Val::Written(_) | Val::Computed(_) => {
                return Err(Error::type_error(
                    value.span,
                    "a name can hold an object, a collection or a value, not this",
                ))
            }
        };
        Ok(binding)
    }
}

impl Eval<'_> {
    /// Whether the value assigned after the name at `target` is written in SQLAlchemy's
    /// spelling (`session.get(...)`, `select(...)`), where Python's rules for names hold.
    fn sqlalchemy_spelled_after(&self, target: Span) -> bool {
        let rest = self.source.get(target.end..).unwrap_or("").trim_start();
        let value = rest.strip_prefix('=').unwrap_or(rest).trim_start();
        ["session.", "db.session.", "select(", "sa.", "sqlalchemy."]
            .iter()
            .any(|p| value.starts_with(p))
    }
}

pub(crate) fn literal(lit: &Literal) -> Val {
    Val::Scalar(match lit {
        Literal::Integer(i) => Value::Integer(*i),
        Literal::Real(r) => Value::Real(*r),
        Literal::Text(s) => Value::Text(s.clone()),
        Literal::Bool(b) => Value::Integer(i64::from(*b)),
        Literal::None => return Val::Nothing,
    })
}

pub(crate) fn write_val(outcome: Outcome) -> Val {
    Val::Written(outcome)
}

fn no_arguments(args: &[Argument], name: &str) -> Result<()> {
    match args.first() {
        None => Ok(()),
        Some(a) => Err(Error::type_error(
            a.value.span,
            format!("{name}() takes no arguments"),
        )),
    }
}

fn method_without_call(name: &str, span: Span) -> Error {
    Error::type_error(
        span,
        format!("{name} is a method: call it with parentheses"),
    )
    .with_hint(format!("write .{name}()"))
}

/// A column type in words, for type errors.
pub(crate) fn type_words(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Integer => "a whole number",
        ColumnType::Text => "text",
        ColumnType::Real => "a number",
        ColumnType::Any => "any value",
    }
}

/// How a relationship links rows, in words: `classes.student_id`, `memberships`.
pub(crate) fn through(rel: &Relationship) -> String {
    match &rel.link {
        Link::ManyToOne { column } => format!("{}.{column}", rel.owner),
        Link::OneToMany { column } => format!("{}.{column}", rel.target),
        Link::ManyToMany { secondary, .. } => format!("the association table {secondary}"),
    }
}

/// The key under which an object's eagerly loaded relationship is kept.
pub(crate) fn eager_key(obj: &Obj, rel: &Relationship) -> (String, String, String) {
    (obj.table.clone(), obj.key_text(), rel.name.clone())
}
