//! The unit of work for one statement: the INSERT, UPDATE and DELETE statements the mapper
//! writes for `add`, `append`, attribute assignment, `update`, `remove` and `delete`.

use super::eval::{type_words, Eval, Val};
use super::executor::{Assignment, Sending};
use crate::answer::{NoteKind, Outcome};
use crate::error::{suggestion, Error, ErrorKind, Result, Span};
use crate::mapper::query::{key_of, Obj, Query};
use crate::mapper::{Link, Relationship};
use crate::result::Changes;
use crate::schema::{ColumnType, OnDelete};
use crate::sql::{Delete, Expr as Sql, Insert, Statement, Update, Value};
use crate::syntax::ast::{Argument, Expr, ExprKind, Ident, Member};
use std::collections::BTreeMap;

impl Eval<'_> {
    /// Sends a write of objects, or keeps it pending in session mode; loaded rows are forgotten.
    fn run_write(
        &mut self,
        statement: Statement,
        table: &str,
        written: &[Assignment],
        span: Span,
    ) -> Result<Changes> {
        self.send_write(statement, Sending::Objects(table), written, span)
    }

    /// Sends a write; a bulk one is sent at once, in session mode too (after an autoflush), as
    /// SQLAlchemy's `session.execute(update(...))` is. Loaded rows are forgotten.
    fn send_write(
        &mut self,
        statement: Statement,
        sending: Sending,
        written: &[Assignment],
        span: Span,
    ) -> Result<Changes> {
        let table = sending.table();
        if self.reg.metadata.table(table).is_some_and(|t| t.view) {
            return Err(Error::type_error(
                span,
                format!("{table} is a view: its rows can be read, not written"),
            )
            .with_hint("write to the tables the view reads from"));
        }
        if let Sending::Bulk(_) = sending {
            self.autoflush(span)?;
        }
        self.forget_loaded();
        if let Some(looping) = self.looping.as_mut() {
            looping.forget_places();
        }
        self.exec
            .write(statement, sending, written, self.trace, span)
    }

    /// The assignments that change the loaded row: SQLAlchemy's unit of work writes only
    /// the attributes whose value differs from the one loaded (a value the database computes
    /// always counts as a change).
    fn changed_columns(&self, table: &str, row: &[Value], set: Vec<Assignment>) -> Vec<Assignment> {
        let Some(t) = self.reg.metadata.table(table) else {
            return set;
        };
        set.into_iter()
            .filter(|a| {
                let current = t
                    .columns
                    .iter()
                    .position(|c| c.name == a.column)
                    .and_then(|i| row.get(i));
                a.computed.is_some() || current.is_none_or(|v| !same_value(v, &a.value))
            })
            .collect()
    }

    /// An object's row with the new values set, as the session holds it while the change is
    /// pending; `None` when a value is computed by the database (the object is expired).
    fn row_after(
        &self,
        table: &str,
        mut row: Vec<Value>,
        set: &[Assignment],
    ) -> Option<Vec<Value>> {
        let t = self.reg.metadata.table(table)?;
        for a in set {
            if a.computed.is_some() {
                return None;
            }
            let i = t.columns.iter().position(|c| c.name == a.column)?;
            *row.get_mut(i)? = a.value.clone();
        }
        Some(row)
    }

    /// Turns `name=value` pairs into column assignments of `table`, checking names and types.
    fn assignments(&mut self, table: &str, values: Vec<(Ident, Val)>) -> Result<Vec<Assignment>> {
        let t = self.table(table, Span::default())?;
        let mut out: Vec<Assignment> = Vec::new();
        for (key, val) in values {
            if let (Val::Computed(sql), Some(col)) = (&val, t.column(&key.name)) {
                out.push(Assignment {
                    column: col.name.clone(),
                    value: Value::Null,
                    span: key.span,
                    computed: Some(sql.clone()),
                });
                continue;
            }
            let (column, value) =
                match (t.column(&key.name), self.reg.relationship(table, &key.name)) {
                    (Some(col), _) => (
                        col.name.clone(),
                        self.column_value(table, &col.name, col.ty, val, key.span)?,
                    ),
                    (None, Some(rel)) => {
                        let rel = rel.clone();
                        self.relationship_value(&rel, val, key.span)?
                    }
                    (None, None) => {
                        let known = t.columns.iter().map(|c| c.name.as_str());
                        return Err(Error::name(
                            key.span,
                            format!("no column '{}' on {}", key.name, table),
                        )
                        .with_hint(suggestion(&key.name, known)));
                    }
                };
            if out.iter().any(|a| a.column == column) {
                return Err(Error::type_error(
                    key.span,
                    format!("'{column}' is given twice"),
                ));
            }
            out.push(Assignment {
                column,
                value,
                span: key.span,
                computed: None,
            });
        }
        Ok(out)
    }

    fn column_value(
        &mut self,
        table: &str,
        column: &str,
        ty: ColumnType,
        val: Val,
        span: Span,
    ) -> Result<Value> {
        let value = match val {
            Val::Scalar(v) => v,
            Val::Nothing => Value::Null,
            Val::Object(o) => {
                self.load(&o, span)?;
                o.single_key().cloned().unwrap_or(Value::Null)
            }
            _ => {
                return Err(Error::type_error(
                    span,
                    format!("{table}.{column} takes a single value"),
                )
                .with_hint(format!("e.g. {column}={}", example(ty))))
            }
        };
        let fits = matches!(
            (&value, ty),
            (
                Value::Null | Value::Integer(_) | Value::Real(_) | Value::Text(_),
                ColumnType::Any
            ) | (Value::Null, _)
                | (Value::Integer(_), ColumnType::Integer | ColumnType::Real)
                | (Value::Real(_), ColumnType::Real)
                | (Value::Text(_), ColumnType::Text)
        );
        if fits {
            return Ok(value);
        }
        Err(Error::type_error(
            span,
            format!(
                "{table}.{column} holds {}, not {} ({})",
                type_words(ty),
                value.type_name(),
                value.sql_literal()
            ),
        )
        .with_hint(format!("e.g. {column}={}", example(ty))))
    }

    /// `advisor=teachers[3]` as `advisor_id = 3`.
    fn relationship_value(
        &mut self,
        rel: &Relationship,
        val: Val,
        span: Span,
    ) -> Result<(String, Value)> {
        let Link::ManyToOne { column } = &rel.link else {
            return Err(Error::type_error(
                span,
                format!(
                    "'{}' is a collection; add to it with .{}.append(...)",
                    rel.name, rel.name
                ),
            ));
        };
        let value = match val {
            Val::Nothing | Val::Scalar(Value::Null) => Value::Null,
            Val::Object(o) if o.table == rel.target => {
                self.load(&o, span)?;
                o.single_key().cloned().unwrap_or(Value::Null)
            }
            Val::Object(o) => {
                return Err(Error::type_error(
                    span,
                    format!(
                        "{} must be a {}, not a {}",
                        rel.name,
                        self.class_of(&rel.target),
                        self.class_of(&o.table)
                    ),
                )
                .with_hint(format!("e.g. {} = {}[1]", rel.name, rel.target)))
            }
            _ => {
                return Err(Error::type_error(
                    span,
                    format!(
                        "{} must be a {} object or None",
                        rel.name,
                        self.class_of(&rel.target)
                    ),
                )
                .with_hint(format!(
                    "e.g. {} = {}[1], or set {column} to a key",
                    rel.name, rel.target
                )))
            }
        };
        Ok((column.clone(), value))
    }

    /// `INSERT INTO table (...) VALUES (...)`; `fixed` come first (a relationship's key).
    pub fn insert(
        &mut self,
        table: &str,
        values: Vec<(Ident, Val)>,
        fixed: Vec<(String, Value)>,
        span: Span,
    ) -> Result<Outcome> {
        let mut all: Vec<Assignment> = fixed
            .into_iter()
            .map(|(column, value)| Assignment {
                column,
                value,
                span,
                computed: None,
            })
            .collect();
        for a in self.assignments(table, values)? {
            if all.iter().any(|f| f.column == a.column) {
                return Err(Error::type_error(
                    a.span,
                    format!("'{}' is set by the relationship already", a.column),
                )
                .with_hint(format!("leave '{}' out", a.column)));
            }
            all.push(a);
        }
        let statement = Statement::Insert(Insert {
            table: table.to_string(),
            columns: all.iter().map(|a| a.column.clone()).collect(),
            values: all.iter().map(|a| Sql::Value(a.value.clone())).collect(),
        });
        let changes = self.run_write(statement, table, &all, span)?;
        let has_id = self.table(table, span)?.has_integer_key();
        let has_id = has_id && !changes.pending;
        let id = has_id.then_some(changes.last_insert_id);
        if let Some(id) = id {
            let note = format!("new {} with id {id}", self.class_of(table));
            self.trace.note(NoteKind::Created, note);
        }
        Ok(write_outcome(table, &changes, id))
    }

    /// `UPDATE table SET ... WHERE key = ...` for one object.
    pub fn update_object(
        &mut self,
        obj: &Obj,
        values: Vec<(Ident, Val)>,
        span: Span,
    ) -> Result<Outcome> {
        let (row, loaded) = self.load_sends(obj, span)?;
        let given = self.assignments(&obj.table, values)?;
        let set = self.changed_columns(&obj.table, &row, given);
        if set.is_empty() {
            self.trace.note(
                NoteKind::Loading,
                format!(
                    "{} {} has these values already: nothing changed, so no UPDATE is sent (SQLAlchemy writes only the attributes whose value changed)",
                    self.class_of(&obj.table),
                    obj.key_text()
                ),
            );
            self.exec.commits();
            return Ok(write_outcome(&obj.table, &Changes::default(), None));
        }
        self.step(|ev| {
            format!(
                "{} {} changed: loaded first (unless the session holds it), then one UPDATE of just the columns given, by primary key",
                ev.class_of(&obj.table),
                obj.key_text()
            )
        });
        let statement = update_statement(&obj.table, &set, Some(obj.key_filter()));
        let changes = self.run_write(statement, &obj.table, &set, span)?;
        if changes.affected == 0 && !changes.pending {
            return Err(self.missing(obj, span));
        }
        let held = self.row_after(&obj.table, row, &set);
        self.exec.changed(&obj.table, &obj.key_text(), held);
        if loaded {
            let values = set
                .iter()
                .filter(|a| a.computed.is_none())
                .map(|a| format!("{}={}", a.column, a.value.sql_literal()))
                .collect::<Vec<_>>();
            if values.len() == set.len() {
                let only = format!(
                    "{}.where({}).update({})",
                    obj.table,
                    key_condition(obj),
                    values.join(", ")
                );
                self.note_cost(obj, "the UPDATE", &only);
            }
        }
        Ok(write_outcome(&obj.table, &changes, None))
    }

    /// `DELETE FROM table WHERE key = ...` for one object.
    pub fn delete_object(&mut self, obj: &Obj, span: Span) -> Result<Outcome> {
        let (row, loaded) = self.load_sends(obj, span)?;
        self.delete_loaded_children(obj, span)?;
        self.step(|ev| format!(
            "{} {} loaded (session.delete takes an object), then deleted by primary key; the database's ON DELETE rules handle rows that refer to it",
            ev.class_of(&obj.table),
            obj.key_text()
        ));
        let statement = Statement::Delete(Delete {
            table: obj.table.clone(),
            filter: Some(obj.key_filter()),
        });
        let changes = self.run_write(statement, &obj.table, &[], span)?;
        if changes.affected == 0 && !changes.pending {
            return Err(self.missing(obj, span));
        }
        self.exec.changed(&obj.table, &obj.key_text(), Some(row));
        if loaded {
            let only = format!("{}.where({}).delete()", obj.table, key_condition(obj));
            self.note_cost(obj, "the DELETE", &only);
        }
        self.note_cascades(&obj.table, &changes);
        Ok(write_outcome(&obj.table, &changes, None))
    }

    /// What SQLAlchemy's unit of work does itself before it deletes an object, for each of the
    /// object's collections that is loaded (under the mapping `:mapping` shows): the rows of an
    /// association table that link its members are deleted; members the database would delete
    /// with it (`cascade="all"`) are deleted one by one, members it would set to NULL are set
    /// to NULL. A collection not loaded is left to the database's own ON DELETE rule
    /// (`passive_deletes`), as are members under a rule that refuses (`passive_deletes="all"`).
    fn delete_loaded_children(&mut self, obj: &Obj, span: Span) -> Result<()> {
        let reg = self.reg;
        let mut loaded: Vec<(&Relationship, Vec<Obj>)> = Vec::new();
        for rel in reg.relationships_of(&obj.table) {
            if let Some(rows) = self.exec.collection(obj, &rel.name) {
                let t = self.table(&rel.target, span)?;
                let columns = t.column_names();
                let members = rows.iter().map(|r| Obj::from_row(t, &columns, r)).collect();
                loaded.push((rel, members));
            }
        }
        // The association tables' rows go first, as SQLAlchemy sends them.
        loaded.sort_by_key(|(rel, _)| !matches!(rel.link, Link::ManyToMany { .. }));
        let owner_key = obj.single_key().cloned().unwrap_or(Value::Null);
        for (rel, members) in loaded {
            let rule = reg.on_delete_of(rel);
            for member in &members {
                let member_key = member.single_key().cloned().unwrap_or(Value::Null);
                let (table, statement, written) = match (&rel.link, rule) {
                    (
                        Link::ManyToMany {
                            secondary,
                            owner_column,
                            target_column,
                        },
                        _,
                    ) => (
                        secondary.clone(),
                        Statement::Delete(Delete {
                            table: secondary.clone(),
                            filter: Sql::all(vec![
                                Sql::eq(
                                    Sql::column(secondary, owner_column),
                                    Sql::Value(owner_key.clone()),
                                ),
                                Sql::eq(
                                    Sql::column(secondary, target_column),
                                    Sql::Value(member_key),
                                ),
                            ]),
                        }),
                        Vec::new(),
                    ),
                    (Link::OneToMany { .. }, Some(OnDelete::Cascade)) => (
                        rel.target.clone(),
                        Statement::Delete(Delete {
                            table: rel.target.clone(),
                            filter: Some(member.key_filter()),
                        }),
                        Vec::new(),
                    ),
                    (Link::OneToMany { column }, Some(OnDelete::SetNull)) => {
                        let set = vec![Assignment {
                            column: column.clone(),
                            value: Value::Null,
                            span,
                            computed: None,
                        }];
                        let statement =
                            update_statement(&rel.target, &set, Some(member.key_filter()));
                        (rel.target.clone(), statement, set)
                    }
                    _ => continue,
                };
                self.run_write(statement, &table, &written, span)?;
                if table == member.table {
                    self.exec.changed(&member.table, &member.key_text(), None);
                }
            }
            if !members.is_empty() {
                self.step(|ev| {
                    format!(
                        "{} {}.{} is loaded, so the ORM itself {} its {} members first; the database handles what is not loaded",
                        ev.class_of(&obj.table),
                        obj.key_text(),
                        rel.name,
                        match (&rel.link, rule) {
                            (Link::ManyToMany { .. }, _) => "unlinks",
                            (_, Some(OnDelete::SetNull)) => "empties the key of",
                            _ => "deletes",
                        },
                        members.len()
                    )
                });
            }
        }
        Ok(())
    }

    /// One UPDATE for every row of a query.
    pub fn update_query(
        &mut self,
        q: &Query,
        values: Vec<(Ident, Val)>,
        span: Span,
    ) -> Result<Outcome> {
        self.whole_rows_only(q, "update", span)?;
        let set = self.assignments(&q.table, values)?;
        self.step(|_| {
            format!(
                "update(): one UPDATE for every matching row of {}, none loaded",
                q.table
            )
        });
        let filter = q.write_filter(&self.write_key(&q.table));
        let changes = self.send_write(
            update_statement(&q.table, &set, filter),
            Sending::Bulk(&q.table),
            &set,
            span,
        )?;
        if changes.affected == 0 && !changes.pending {
            self.check_parent(q, span)?;
        }
        Ok(write_outcome(&q.table, &changes, None))
    }

    /// One DELETE for every row of a query.
    pub fn delete_query(&mut self, q: &Query, span: Span) -> Result<Outcome> {
        self.whole_rows_only(q, "delete", span)?;
        self.step(|_| {
            format!(
                "delete(): one DELETE for every matching row of {}, none loaded",
                q.table
            )
        });
        let filter = q.write_filter(&self.write_key(&q.table));
        let statement = Statement::Delete(Delete {
            table: q.table.clone(),
            filter,
        });
        let changes = self.send_write(statement, Sending::Bulk(&q.table), &[], span)?;
        if changes.affected == 0 && !changes.pending {
            self.check_parent(q, span)?;
        }
        self.note_cascades(&q.table, &changes);
        Ok(write_outcome(&q.table, &changes, None))
    }

    /// The column that picks rows of `table` in a write: its key, or SQLite's rowid when the key
    /// has several columns.
    fn write_key(&self, table: &str) -> String {
        match self.reg.metadata.table(table).and_then(|t| t.single_key()) {
            Some(c) => c.name.clone(),
            None => "rowid".to_string(),
        }
    }

    fn whole_rows_only(&self, q: &Query, method: &str, span: Span) -> Result<()> {
        if q.is_whole_rows() && !q.distinct {
            return Ok(());
        }
        Err(Error::type_error(
            span,
            format!("{method}() works on whole rows, not selected columns"),
        )
        .with_hint(format!("call {method}() before select(...)")))
    }

    fn note_cascades(&mut self, table: &str, changes: &Changes) {
        for (other, n) in cascaded(table, changes) {
            let rule = self.reg.metadata.table(&other).and_then(|t| {
                t.foreign_keys()
                    .find(|(_, fk)| fk.table == table)
                    .map(|(c, fk)| (c.name.clone(), fk.on_delete))
            });
            let note = match rule {
                Some((column, OnDelete::SetNull)) => {
                    format!("ON DELETE SET NULL: {other}.{column} set to NULL in {n} row(s) that referred to it")
                }
                _ => format!("ON DELETE CASCADE: {n} row(s) of {other} deleted with it"),
            };
            self.trace.note(NoteKind::Cascade, note);
        }
    }

    // ------------------------------------------------------------ relationships

    /// `add`, `create` or `append` on a collection.
    pub fn add_to(
        &mut self,
        q: Query,
        method: &str,
        args: &[Argument],
        span: Span,
    ) -> Result<Outcome> {
        let before = self.trace.sent();
        if q.parent.is_some() {
            self.load_collection(&q, span)?;
        }
        let loads = self.trace.sent() - before;
        let item = match (method, args) {
            ("create", _) => Val::Dict(self.keyword_values(args, span, method)?),
            (_, [only]) if only.keyword.is_none() => {
                match self.new_object_of(&only.value, &q.table) {
                    Some((class, fields)) => Val::Dict(self.keyword_values(fields, span, class)?),
                    None => self.eval(&only.value)?,
                }
            }
            (_, [_, ..]) if args.iter().all(|a| a.keyword.is_some()) => {
                Val::Dict(self.keyword_values(args, span, method)?)
            }
            _ => {
                return Err(
                    Error::type_error(span, format!("{method}() takes one object or dict"))
                        .with_hint(format!(
                            "e.g. {method}({{'name': 'Biology 301', 'abbreviation': 'BI301'}})"
                        )),
                )
            }
        };
        let item_span = args.first().map_or(span, |a| a.value.span);
        match q.parent.clone() {
            Some(parent) => {
                let appended = self.append(
                    &parent.obj,
                    &parent.relationship,
                    item,
                    item_span,
                    parent.span,
                );
                self.exec
                    .expire_collection(&parent.obj, &parent.relationship.name);
                if loads > 0 && appended.is_ok() {
                    self.note_append_cost(&parent.obj, &parent.relationship, loads);
                }
                appended
            }
            None if q.filters.is_empty() && q.joins.is_empty() => match item {
                Val::Dict(values) => {
                    self.new_object_step(&q.table, &format!("{method}(...)"));
                    self.insert(&q.table, values, Vec::new(), span)
                }
                _ => Err(Error::type_error(
                    item_span,
                    format!("{method}() on {} takes a dict of column values", q.table),
                )
                .with_hint(format!("e.g. {}.{method}({{'name': ...}})", q.table))),
            },
            None => Err(Error::type_error(
                span,
                format!("{method}() needs a table or an object's relationship"),
            )
            .with_hint(format!(
                "add to {} itself, or to an object's relationship such as students[13].classes",
                q.table
            ))),
        }
    }

    /// A new object of `table` written as its class called (`Class(name='Art', ...)`), added to
    /// a collection: its class name and fields, so that it is written once, with a
    /// relationship's foreign key filled in, as SQLAlchemy's `append(Class(...))` does.
    fn new_object_of<'e>(&self, item: &'e Expr, table: &str) -> Option<(&'e str, &'e [Argument])> {
        let ExprKind::Call(callee, fields) = &item.kind else {
            return None;
        };
        let ExprKind::Name(class) = &callee.kind else {
            return None;
        };
        self.reg
            .collection(class)
            .filter(|c| c.table.name == table)
            .and_then(|c| c.mapper)
            .is_some_and(|m| m.class_name == *class)
            .then_some((class.as_str(), fields.as_slice()))
    }

    /// The step that says a new object is made and how it is written.
    pub fn new_object_step(&mut self, table: &str, how: &str) {
        self.step(|ev| {
            format!(
                "{how}: a new {} object, which the mapper writes as one INSERT INTO {table}",
                ev.class_of(table)
            )
        });
    }

    fn append(
        &mut self,
        owner: &Obj,
        rel: &Relationship,
        item: Val,
        item_span: Span,
        owner_span: Span,
    ) -> Result<Outcome> {
        let owner_key = owner.single_key().cloned().unwrap_or(Value::Null);
        let how = match &rel.link {
            Link::ManyToMany { secondary, .. } => {
                format!("a new row of {secondary} links the two objects")
            }
            Link::OneToMany { column } => format!(
                "the mapper fills in {}.{column} = {} for you",
                rel.target,
                owner_key.sql_literal()
            ),
            Link::ManyToOne { .. } => String::new(),
        };
        self.step(|ev| {
            format!(
                "{} {}.{}.append: {how}",
                ev.class_of(&owner.table),
                owner.key_text(),
                rel.name
            )
        });
        let result = self.append_item(owner, &owner_key, rel, item, item_span, owner_span);
        self.owner_must_exist(owner, owner_span, result)
    }

    /// The write of one `append`: an INSERT of a new related row, an UPDATE of an existing
    /// one's foreign key, or a row of the association table.
    fn append_item(
        &mut self,
        owner: &Obj,
        owner_key: &Value,
        rel: &Relationship,
        item: Val,
        item_span: Span,
        owner_span: Span,
    ) -> Result<Outcome> {
        match (&rel.link, item) {
            (Link::OneToMany { column }, Val::Dict(values)) => self.insert(
                &rel.target,
                values,
                vec![(column.clone(), owner_key.clone())],
                item_span,
            ),
            (Link::OneToMany { column }, Val::Object(obj)) if obj.table == rel.target => {
                self.load(&obj, item_span)?;
                let set = vec![Assignment {
                    column: column.clone(),
                    value: owner_key.clone(),
                    span: item_span,
                    computed: None,
                }];
                let statement = update_statement(&rel.target, &set, Some(obj.key_filter()));
                let changes = self.run_write(statement, &rel.target, &set, item_span)?;
                if changes.affected == 0 && !changes.pending {
                    return Err(self.missing(&obj, item_span));
                }
                self.exec.changed(&rel.target, &obj.key_text(), None);
                Ok(write_outcome(&rel.target, &changes, None))
            }
            (
                Link::ManyToMany {
                    secondary,
                    owner_column,
                    target_column,
                },
                item,
            ) => {
                let target = match item {
                    Val::Object(obj) if obj.table == rel.target => {
                        self.load(&obj, item_span)?;
                        obj
                    }
                    Val::Dict(values) => {
                        let made = self.insert(&rel.target, values, Vec::new(), item_span)?;
                        let Outcome::Write { id: Some(id), .. } = made else {
                            return Err(Error::type_error(
                                item_span,
                                "the new row has no id to link yet: in session mode it is only pending",
                            )
                            .with_hint("session.flush() first, then append the row by its id"));
                        };
                        Obj {
                            table: rel.target.clone(),
                            key: vec![(key_of(self.reg, &rel.target), Value::Integer(id))],
                        }
                    }
                    other => return Err(self.wrong_item(rel, &other, item_span)),
                };
                let pair = vec![
                    Assignment {
                        column: owner_column.clone(),
                        value: owner_key.clone(),
                        span: owner_span,
                        computed: None,
                    },
                    Assignment {
                        column: target_column.clone(),
                        value: target.single_key().cloned().unwrap_or(Value::Null),
                        span: item_span,
                        computed: None,
                    },
                ];
                let statement = Statement::Insert(Insert {
                    table: secondary.clone(),
                    columns: pair.iter().map(|a| a.column.clone()).collect(),
                    values: pair.iter().map(|a| Sql::Value(a.value.clone())).collect(),
                });
                let changes = self.run_write(statement, secondary, &pair, item_span)?;
                self.trace.note(
                    NoteKind::Link,
                    format!(
                        "{} {} and {} {} are linked by a row of the association table {secondary}",
                        self.class_of(&owner.table),
                        owner.key_text(),
                        self.class_of(&target.table),
                        target.key_text()
                    ),
                );
                Ok(write_outcome(secondary, &changes, None))
            }
            (_, other) => Err(self.wrong_item(rel, &other, item_span)),
        }
    }

    /// A write through a missing owner fails on its foreign key; say the owner is missing instead.
    fn owner_must_exist(
        &mut self,
        owner: &Obj,
        span: Span,
        result: Result<Outcome>,
    ) -> Result<Outcome> {
        match result {
            Err(e) if e.kind == ErrorKind::Constraint && e.message.contains("FOREIGN KEY") => {
                self.load(owner, span)?;
                Err(e)
            }
            other => other,
        }
    }

    fn wrong_item(&self, rel: &Relationship, item: &Val, span: Span) -> Error {
        let what = match item {
            Val::Object(o) => format!("a {}", self.class_of(&o.table)),
            Val::Scalar(v) => v.type_name().to_string(),
            _ => "this".to_string(),
        };
        Error::type_error(
            span,
            format!(
                "{} holds {} objects, not {what}",
                rel.name,
                self.class_of(&rel.target)
            ),
        )
        .with_hint(format!(
            "e.g. .{}.append({}[1]) or a dict of its columns",
            rel.name, rel.target
        ))
    }

    /// `remove(item)` on an object's relationship.
    pub fn remove_from(
        &mut self,
        q: Query,
        members: &[Obj],
        item: Val,
        item_span: Span,
        span: Span,
    ) -> Result<Outcome> {
        let Some(parent) = q.parent.clone() else {
            return Err(
                Error::type_error(span, "remove() works on an object's relationship").with_hint(
                    "e.g. students[13].clubs.remove(clubs[2]); to delete rows use .delete()",
                ),
            );
        };
        let rel = &parent.relationship;
        let Val::Object(target) = item else {
            return Err(self.wrong_item(rel, &item, item_span));
        };
        if target.table != rel.target {
            return Err(self.wrong_item(rel, &Val::Object(target), item_span));
        }
        self.load(&target, item_span)?;
        if !members.contains(&target) {
            return Err(self.not_a_member(&parent.obj, rel, &target, item_span));
        }
        let owner_key = parent.obj.single_key().cloned().unwrap_or(Value::Null);
        let target_key = target.single_key().cloned().unwrap_or(Value::Null);
        let how = match &rel.link {
            Link::ManyToMany { secondary, .. } => {
                format!("the row of {secondary} that links them is deleted; both objects stay")
            }
            Link::OneToMany { column } => format!(
                "the mapper sets {}.{column} to NULL; the {} stays",
                rel.target,
                self.class_of(&rel.target)
            ),
            Link::ManyToOne { .. } => String::new(),
        };
        self.step(|ev| {
            format!(
                "{} {}.{}.remove({} {}): {how}",
                ev.class_of(&parent.obj.table),
                parent.obj.key_text(),
                rel.name,
                ev.class_of(&target.table),
                target.key_text()
            )
        });
        let (table, statement, written) = match &rel.link {
            Link::ManyToMany {
                secondary,
                owner_column,
                target_column,
            } => {
                let filter = Sql::all(vec![
                    Sql::eq(Sql::column(secondary, owner_column), Sql::Value(owner_key)),
                    Sql::eq(
                        Sql::column(secondary, target_column),
                        Sql::Value(target_key),
                    ),
                ]);
                (
                    secondary.clone(),
                    Statement::Delete(Delete {
                        table: secondary.clone(),
                        filter,
                    }),
                    Vec::new(),
                )
            }
            Link::OneToMany { column } => {
                let set = vec![Assignment {
                    column: column.clone(),
                    value: Value::Null,
                    span: item_span,
                    computed: None,
                }];
                let filter = Sql::all(vec![
                    target.key_filter(),
                    Sql::eq(Sql::column(&rel.target, column), Sql::Value(owner_key)),
                ]);
                (
                    rel.target.clone(),
                    update_statement(&rel.target, &set, filter),
                    set,
                )
            }
            Link::ManyToOne { .. } => {
                return Err(Error::type_error(span, "remove() works on collections"))
            }
        };
        let changes = self.run_write(statement, &table, &written, item_span)?;
        if changes.affected == 0 && !changes.pending {
            return Err(self.not_a_member(&parent.obj, rel, &target, item_span));
        }
        if matches!(rel.link, Link::OneToMany { .. }) {
            self.exec.changed(&rel.target, &target.key_text(), None);
        }
        self.exec.expire_collection(&parent.obj, &rel.name);
        Ok(write_outcome(&table, &changes, None))
    }

    /// Tells what an `append` loaded before its write, and how to send only the write: the
    /// INSERT with the foreign key given (`classes.add({..., 'student_id': 13})`), or the
    /// association table's row (`memberships.add({'student_id': 13, 'club_id': 2})`).
    fn note_append_cost(&mut self, owner: &Obj, rel: &Relationship, loads: usize) {
        let Some(key) = owner.single_key().map(Value::sql_literal) else {
            return;
        };
        let only = match &rel.link {
            Link::OneToMany { column } => {
                format!("{}.add({{..., '{column}': {key}}})", rel.target)
            }
            Link::ManyToMany {
                secondary,
                owner_column,
                target_column,
            } => format!("{secondary}.add({{'{owner_column}': {key}, '{target_column}': ...}})"),
            Link::ManyToOne { .. } => return,
        };
        let what = if loads == 1 { "a load" } else { "loads" };
        self.trace.note(
            NoteKind::Cost,
            format!(
                "append() works on the loaded list, so the ORM sent {what} first ({} {} and its {}); SQL alone needs only the write: {only} sends just that",
                self.class_of(&owner.table),
                owner.key_text(),
                rel.name
            ),
        );
    }

    /// The error for removing an object that is not in the collection (SQLAlchemy's
    /// `ValueError: list.remove(x): x not in list`).
    fn not_a_member(&self, owner: &Obj, rel: &Relationship, target: &Obj, span: Span) -> Error {
        Error::not_found(
            span,
            format!(
                "{} {} is not among {} {}'s {}",
                self.class_of(&target.table),
                target.key_text(),
                self.class_of(&owner.table),
                owner.key_text(),
                rel.name
            ),
        )
        .with_hint(format!(
            "{}[{}].{} lists them",
            owner.table,
            owner.key_text(),
            rel.name
        ))
    }

    /// Reads an object's relationship as SQLAlchemy's `append`/`remove` do before they change
    /// it: the owner, then the collection (unless either is held already); the objects in it.
    pub fn load_collection(&mut self, q: &Query, span: Span) -> Result<Vec<Obj>> {
        let Some(parent) = q.parent.clone() else {
            return Ok(Vec::new());
        };
        let mut whole = Query::of_object(self.reg, &parent.obj, &parent.relationship, parent.span);
        whole.eager.clear();
        let rows = self.collection_rows(&whole, span)?;
        let t = self.table(&whole.table, span)?;
        Ok(rows
            .rows
            .iter()
            .map(|row| Obj::from_row(t, &rows.columns, row))
            .collect())
    }

    // ------------------------------------------------------------ statements

    /// `object.attribute = value`.
    pub fn assign(&mut self, target: &Expr, value: &Expr) -> Result<Outcome> {
        let ExprKind::Member(base, Member::Name(attr)) = &target.kind else {
            return Err(Error::type_error(
                target.span,
                "only a name or an object's attribute can be assigned",
            )
            .with_hint("e.g. s = students[13] or students[13].name = \"Ann\""));
        };
        // Python evaluates the right side of `a = b` first; an object there is got (loaded)
        // at once, as `session.get` does.
        let new_value = self.eval(value)?;
        if let Val::Object(obj) = &new_value {
            self.load(obj, value.span)?;
        }
        let owner = match self.eval(base)? {
            Val::Object(obj) => obj,
            Val::Query(q) => {
                return Err(Error::type_error(
                    target.span,
                    format!("this sets '{}' on a whole collection", attr.name),
                )
                .with_hint(format!(
                    "use {}.update({}=...) to change every row",
                    q.table, attr.name
                )))
            }
            _ => {
                return Err(Error::type_error(
                    base.span,
                    "only an object's attributes can be assigned",
                ))
            }
        };
        if let Some(rel) = self.reg.relationship(&owner.table, &attr.name) {
            if rel.is_collection() {
                return Err(Error::type_error(
                    attr.span,
                    format!(
                        "'{}' is a collection and cannot be replaced by assignment",
                        attr.name
                    ),
                )
                .with_hint(format!(
                    "add with .{}.append(...), take away with .{}.remove(...)",
                    attr.name, attr.name
                )));
            }
        }
        self.update_object(&owner, vec![(attr.clone(), new_value)], base.span)
    }

    /// `del target`.
    pub fn delete_statement(&mut self, target: &Expr) -> Result<Outcome> {
        match self.eval(target)? {
            Val::Object(obj) => self.delete_object(&obj, target.span),
            Val::Query(q) => {
                let text = self.text_of(target.span);
                Err(Error::type_error(
                    target.span,
                    format!(
                        "del takes one object: del {text} would delete every row of it (in Python, del of a name only unbinds the name)"
                    ),
                )
                .with_hint(format!(
                    "to delete the rows, say so: {text}.delete(); one object: del {}[key]",
                    q.table
                )))
            }
            _ => Err(
                Error::type_error(target.span, "del takes an object or a collection")
                    .with_hint("e.g. del students[13]"),
            ),
        }
    }
}

/// The condition that picks an object by its key, in the short form: `id == 13`.
fn key_condition(obj: &Obj) -> String {
    obj.key
        .iter()
        .map(|(c, v)| format!("{c} == {}", v.sql_literal()))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Whether two values are equal as Python compares them (`3 == 3.0`).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Integer(i), Value::Real(r)) | (Value::Real(r), Value::Integer(i)) => {
            *i as f64 == *r
        }
        _ => a == b,
    }
}

/// `UPDATE table SET ... WHERE filter`.
fn update_statement(table: &str, set: &[Assignment], filter: Option<Sql>) -> Statement {
    Statement::Update(Update {
        table: table.to_string(),
        set: set
            .iter()
            .map(|a| {
                let value = a.computed.clone().unwrap_or(Sql::Value(a.value.clone()));
                (a.column.clone(), value)
            })
            .collect(),
        filter,
    })
}

/// Rows an ON DELETE rule changed: those of other tables, and those of the written table
/// beyond the ones written (a table that refers to itself: `ReportsTo` set to NULL).
fn cascaded(table: &str, changes: &Changes) -> BTreeMap<String, u64> {
    changes
        .per_table
        .iter()
        .map(|(t, n)| {
            let own = if t == table { changes.affected } else { 0 };
            (t.clone(), n.saturating_sub(own))
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn write_outcome(table: &str, changes: &Changes, id: Option<i64>) -> Outcome {
    if changes.pending {
        return Outcome::None;
    }
    Outcome::Write {
        affected: changes.affected,
        table: table.to_string(),
        id,
        cascaded: cascaded(table, changes),
    }
}

fn example(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Integer => "3",
        ColumnType::Real => "2.5",
        ColumnType::Any => "'text'",
        ColumnType::Text => "'text'",
    }
}
