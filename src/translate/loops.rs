//! Loops over a collection and how related rows get loaded for them: lazily, one query per
//! object (the N+1 pattern, detected and explained), or eagerly with `include` (one more query
//! for all of them, SQLAlchemy's `selectinload`) or `join_load` (joined into the first query).

use super::eval::{eager_key, Eval, Val};
use super::spool::{LoopObjects, RowSpool};
use crate::answer::{Note, NoteKind, Outcome, Trace};
use crate::error::{suggestion, Error, Result, Span};
use crate::mapper::loading::joined::JoinedLoad;
use crate::mapper::loading::selectin::SelectIn;
use crate::mapper::query::{Loading, Obj, Query};
use crate::mapper::Relationship;
use crate::result::{FirstRows, RowSink, Rows};
use crate::sql::Value;
use crate::syntax::ast::{Argument, Expr, ExprKind, Ident, LoopBody};

/// A statement repeated this many times in one loop is reported as N+1.
const N_PLUS_ONE_AT: usize = 3;

impl Eval<'_> {
    /// `include(classes)` / `join_load(classes)`: marks relationships to load with the rows.
    pub fn eager_loading(
        &mut self,
        q: &mut Query,
        loading: Loading,
        args: &[Argument],
        span: Span,
    ) -> Result<()> {
        if args.is_empty() {
            return Err(Error::type_error(
                span,
                "name the relationships to load, e.g. include(classes)",
            ));
        }
        for arg in args {
            let ExprKind::Name(name) = &arg.value.kind else {
                return Err(Error::type_error(
                    arg.value.span,
                    "a relationship name is expected here",
                )
                .with_hint("e.g. students.include(classes)"));
            };
            let Some(rel) = self.reg.relationship(&q.table, name).cloned() else {
                let known: Vec<&str> = self
                    .reg
                    .relationships_of(&q.table)
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect();
                return Err(Error::name(
                    arg.value.span,
                    format!("no relationship '{name}' on {}", q.table),
                )
                .with_hint(suggestion(name, known.iter().copied())));
            };
            let how = match loading {
                Loading::SelectIn => {
                    "one more query loads them for all the rows at once (selectin)"
                }
                Loading::Joined => "they are joined into the same query (LEFT OUTER JOIN)",
            };
            self.step(|_| format!("{name} loaded eagerly: {how}"));
            q.eager.push((rel, loading));
        }
        Ok(())
    }

    /// The rows of an object's relationship loaded eagerly earlier, when this query is exactly that.
    pub fn cached_collection(&self, q: &Query) -> Option<Vec<Vec<Value>>> {
        let parent = q.as_relationship()?;
        self.eager
            .get(&eager_key(&parent.obj, &parent.relationship))
            .cloned()
    }

    /// Counts a relationship read from what was loaded eagerly (said once, by the loop).
    pub fn say_no_query(&mut self, obj: &Obj, rel: &Relationship) {
        let what = format!("{}.{}", self.class_of(&obj.table), rel.name);
        *self.eager_hits.entry(what).or_default() += 1;
    }

    /// A collection's rows: from the eager cache, or by running its query (and its eager loads).
    /// An object's relationship itself is SQLAlchemy's lazy attribute: the owner is loaded first
    /// (unless the session holds it), then its related rows. Whole rows read become objects the
    /// session holds for the rest of the statement.
    pub fn collection_rows(&mut self, q: &Query, span: Span) -> Result<Rows> {
        if let Some(rows) = self.cached_collection(q) {
            if let Some(parent) = &q.parent {
                let (obj, rel) = (parent.obj.clone(), parent.relationship.clone());
                self.say_no_query(&obj, &rel);
            }
            let columns = self.table(&q.table, span)?.column_names();
            return Ok(Rows { columns, rows });
        }
        if let Some(parent) = q.as_relationship() {
            let (owner, rel) = (parent.obj.clone(), parent.relationship.name.clone());
            if let Some(rows) = self.exec.collection(&owner, &rel) {
                self.trace.note(
                    NoteKind::Loading,
                    format!(
                        "{} {}.{rel} was loaded already and the session still holds it: no query",
                        self.class_of(&owner.table),
                        owner.key_text()
                    ),
                );
                let columns = self.table(&q.table, span)?.column_names();
                return Ok(Rows { columns, rows });
            }
            self.load(&owner, parent.span_or(span))?;
        }
        let rows = if q.eager.iter().any(|(_, l)| *l == Loading::Joined) {
            self.joined_load(q, span)?
        } else {
            self.run_lazy(q, q.to_select(), span)?
        };
        if rows.rows.is_empty() {
            self.check_parent(q, span)?;
        }
        let rows = if q.is_whole_rows() {
            let rows = self.identity_rows(&q.table, rows, span)?;
            let objects = self.remember_rows(&q.table, &rows, span)?;
            if let Some(parent) = q.as_relationship() {
                let rel = parent.relationship.name.clone();
                self.exec.keep_collection(&parent.obj, &rel, &objects);
            }
            rows
        } else {
            rows
        };
        for (rel, loading) in &q.eager {
            if *loading == Loading::SelectIn {
                self.select_in(&q.table, &rows, rel, span)?;
            }
        }
        Ok(rows)
    }

    fn owners(&self, table: &str, rows: &Rows, span: Span) -> Result<Vec<(Obj, Vec<Value>)>> {
        rows.rows
            .iter()
            .map(|row| {
                Ok((
                    self.object_from_row(table, &rows.columns, row, span)?,
                    row.clone(),
                ))
            })
            .collect()
    }

    /// One query for the related rows of every owner: `WHERE student_id IN (...)`.
    fn select_in(
        &mut self,
        table: &str,
        rows: &Rows,
        rel: &Relationship,
        span: Span,
    ) -> Result<()> {
        let load = SelectIn::new(self.reg, table, rows, rel);
        let related = self.run_query(load.select.clone(), span)?;
        let grouped = load.group(related, &rows.rows);
        for ((obj, _), found) in self.owners(table, rows, span)?.into_iter().zip(grouped) {
            self.eager.insert(eager_key(&obj, rel), found);
        }
        Ok(())
    }

    /// The owners' rows with their related rows joined in one query, split back apart.
    fn joined_load(&mut self, q: &Query, span: Span) -> Result<Rows> {
        let joined: Vec<Relationship> = q
            .eager
            .iter()
            .filter(|(_, l)| *l == Loading::Joined)
            .map(|(r, _)| r.clone())
            .collect();
        let load = JoinedLoad::new(self.reg, q, &joined);
        let all = self.run_query(load.select.clone(), span)?;
        let table = self.table(&q.table, span)?;
        let columns = table.column_names();
        let (rows, related) = load.split(&all, |owner| {
            Obj::from_row(table, &columns, owner).key_text()
        });
        for (obj, _) in self.owners(&q.table, &rows, span)? {
            for (k, rel) in joined.iter().enumerate() {
                let found = related
                    .get(&(obj.key_text(), k))
                    .cloned()
                    .unwrap_or_default();
                self.eager.insert(eager_key(&obj, rel), found);
            }
        }
        Ok(rows)
    }

    /// `for s in COLLECTION: BODY`: a row per object of what the body gave.
    pub fn run_loop(&mut self, var: &Ident, iterable: &Expr, body: &LoopBody) -> Result<Outcome> {
        let q = match self.eval(iterable)? {
            Val::Query(q) if q.is_whole_rows() => q,
            _ => {
                return Err(Error::type_error(
                    iterable.span,
                    "a loop goes over a collection of objects",
                )
                .with_hint("e.g. for s in students.where(year == 2): s.name"))
            }
        };
        if self.reg.collection(&var.name).is_some() {
            return Err(Error::name(
                var.span,
                format!(
                    "'{}' is a collection; name the loop's object differently",
                    var.name
                ),
            )
            .with_hint("e.g. for s in students: s.name"));
        }
        let mut objects = self.loop_objects(&q, iterable.span)?;
        let before = self.trace.sent();
        let class = self.class_of(&q.table);
        let count = objects.len();
        let mut columns = vec![var.name.clone()];
        match body {
            LoopBody::Values(exprs) => columns.extend(exprs.iter().map(|e| self.text_of(e.span))),
            LoopBody::Assign { .. } => columns.push("rows changed".into()),
        }
        let mut out = LoopRows::new(self.window);
        if let Some(sink) = self.sink.as_deref_mut() {
            sink.begin(None, &columns);
        }
        while let Some((row, spooled)) = self.next_loop_row(&mut objects, iterable.span)? {
            let obj = self.object_from_row(&q.table, objects.columns(), &row, iterable.span)?;
            self.exec.stopped(iterable.span)?;
            let row = match spooled {
                true => self
                    .exec
                    .identity(&obj.table, &obj.key_text())
                    .unwrap_or(row),
                false => row,
            };
            self.remember(&obj, row);
            self.locals.insert(var.name.clone(), obj.clone());
            let mut cells = vec![obj
                .single_key()
                .cloned()
                .unwrap_or_else(|| Value::Text(obj.key_text()))];
            match body {
                LoopBody::Values(exprs) => {
                    for e in exprs {
                        let val = self.eval(e)?;
                        cells.push(self.cell(val, e.span)?);
                    }
                }
                LoopBody::Assign { target, value } => {
                    let outcome = self.assign(target, value)?;
                    let changed = if let Outcome::Write { affected, .. } = outcome {
                        affected as i64
                    } else {
                        0
                    };
                    cells.push(Value::Integer(changed));
                }
            }
            out.push(cells, self.sink.as_deref_mut());
            if spooled {
                self.let_go(&obj);
            }
        }
        self.looping = None;
        self.locals.remove(&var.name);
        self.step(|_| format!(
            "for: one query for the {class} objects, then the body runs once for each of the {count}"
        ));
        self.note_queries(&q, iterable, before, count);
        Ok(Outcome::Rows {
            table: None,
            columns,
            rows: out.kept,
            more: out.passed,
        })
    }

    pub(crate) fn text_of(&self, span: Span) -> String {
        self.source
            .get(span.start..span.end)
            .unwrap_or("")
            .trim()
            .to_string()
    }

    /// What a loop body's value shows in its cell.
    fn cell(&mut self, val: Val, span: Span) -> Result<Value> {
        Ok(match val {
            Val::Scalar(v) => v,
            Val::Nothing => Value::Null,
            Val::Object(obj) => {
                let row = self.load(&obj, span)?;
                let columns = self.table(&obj.table, span)?.column_names();
                Value::Text(label(&columns, &row, &obj))
            }
            Val::Query(q) => {
                let rows = self.collection_rows(&q, span)?;
                let names: Vec<String> = rows
                    .rows
                    .iter()
                    .map(|r| {
                        label(
                            &rows.columns,
                            r,
                            &Obj {
                                table: q.table.clone(),
                                key: Vec::new(),
                            },
                        )
                    })
                    .collect();
                Value::Text(format!("[{}]", names.join(", ")))
            }
            Val::Rows(rows) => Value::Text(format!("{} rows", rows.rows.len())),
            Val::Written(Outcome::Write { affected, .. }) => Value::Integer(affected as i64),
            Val::Written(_) => Value::Integer(0),
            _ => {
                return Err(Error::type_error(
                    span,
                    "this cannot be shown in a loop's table",
                ))
            }
        })
    }

    /// The query count of a loop, and an N+1 note for each statement that ran once per object.
    fn note_queries(&mut self, q: &Query, iterable: &Expr, before: usize, objects: usize) {
        let total = self.trace.sent();
        let mut notes = vec![Note::new(
            NoteKind::QueryCount,
            format!(
                "this statement sent {total} SQL statement{}",
                if total == 1 { "" } else { "s" }
            ),
        )];
        for (what, hits) in std::mem::take(&mut self.eager_hits) {
            notes.push(Note::new(
                NoteKind::Loading,
                format!("{what} of {hits} objects came from the eager load: no query for them"),
            ));
        }
        for (text, places, n) in repeated_shapes(self.trace, before) {
            let origin = places.iter().find_map(|i| self.lazy_loads.get(i)).cloned();
            let counted = places.iter().find_map(|i| self.counts.get(i)).cloned();
            let advice = match counted {
                Some(counted) => self.count_advice(q, iterable, counted),
                None => self.n_plus_one_advice(q, iterable, origin),
            };
            let class = self.class_of(&q.table);
            let each = if n == objects {
                format!("once for each of the {objects} {class} objects")
            } else {
                format!(
                    "for the {objects} {class} objects (an object already read is not read again)"
                )
            };
            notes.push(Note::new(
                NoteKind::NPlusOne,
                format!(
                    "N+1 queries: \"{text}\" ran {n} times, {each} — 1 query for the loop plus {n} more.{advice}"
                ),
            ));
        }
        self.trace.notes.extend(notes);
    }

    /// How to spare a count that repeated once per object: `.count()` always asks the
    /// database, so eager loading does not help it; `len(...)` of an eagerly loaded
    /// relationship, or one grouped count, does.
    fn count_advice(&self, q: &Query, iterable: &Expr, counted: (String, String)) -> String {
        let (owner, rel) = counted;
        if owner != q.table {
            return String::new();
        }
        let iter_text = self.text_of(iterable.span);
        let key = self
            .reg
            .relationship(&q.table, &rel)
            .and_then(|r| match &r.link {
                crate::mapper::Link::OneToMany { column } => Some(column.clone()),
                _ => None,
            });
        let grouped = match key.filter(|_| q.eager.is_empty()) {
            Some(column) => format!(
                ", or {iter_text}.{rel}.group_by({column}).count() counts them all in 1 query"
            ),
            None => String::new(),
        };
        let eager = if q.eager.iter().any(|(r, _)| r.name == rel) {
            iter_text.clone()
        } else {
            format!("{iter_text}.include({rel})")
        };
        format!(
            " .count() always asks the database, even when {rel} is loaded; len() of {rel} in a loop over {eager} counts in Python after 2 queries{grouped}."
        )
    }

    /// How to load the relationship that repeated with the loop's own query, when it is a
    /// relationship of the loop's objects; never one loaded eagerly already.
    fn n_plus_one_advice(
        &self,
        q: &Query,
        iterable: &Expr,
        origin: Option<(String, String)>,
    ) -> String {
        let Some((_, rel)) = origin.filter(|(owner, _)| *owner == q.table) else {
            return String::new();
        };
        if q.eager.iter().any(|(r, _)| r.name == rel) {
            return format!(
                " {rel} is loaded eagerly already, but what the body asks of it (a filter, an order, a page, a count) is a query of its own each time."
            );
        }
        let iter_text = self.text_of(iterable.span);
        format!(
            " {iter_text}.include({rel}) would load them in 2 queries; {iter_text}.join_load({rel}) in 1."
        )
    }
}

/// The rows a loop goes over: gathered (and held by the identity map) as any query's, or put
/// aside in a spool the evaluator holds while the loop runs ([`Eval::looping`]).
enum LoopSource {
    /// Gathered: their columns, and the rows not gone over yet.
    Gathered(Vec<String>, std::vec::IntoIter<Vec<Value>>),
    /// Put aside: their columns and how many there are.
    Spooled(Vec<String>, u64),
}

impl LoopSource {
    fn columns(&self) -> &[String] {
        match self {
            LoopSource::Gathered(columns, _) | LoopSource::Spooled(columns, _) => columns,
        }
    }

    fn len(&self) -> usize {
        match self {
            LoopSource::Gathered(_, rows) => rows.len(),
            LoopSource::Spooled(_, count) => *count as usize,
        }
    }
}

impl Eval<'_> {
    /// The rows a loop goes over. A plain query of a table with a key of one column (no
    /// owner to check, nothing loaded eagerly, not in session mode) is put aside as the
    /// database sends it, so its objects are held by their place instead of in memory;
    /// anything else is gathered as [`Eval::collection_rows`] gathers it.
    fn loop_objects(&mut self, q: &Query, span: Span) -> Result<LoopSource> {
        let key = self
            .reg
            .metadata
            .table(&q.table)
            .filter(|t| !t.view)
            .and_then(|t| match t.primary_key.as_slice() {
                [only] => Some(only.clone()),
                _ => None,
            });
        let plain = q.parent.is_none()
            && q.owner().is_none()
            && q.eager.is_empty()
            && !self.exec.session_mode()
            && self.cached_collection(q).is_none();
        let Some(key) = key.filter(|_| plain) else {
            let rows = self.collection_rows(q, span)?;
            return Ok(LoopSource::Gathered(rows.columns, rows.rows.into_iter()));
        };
        let mut spool = RowSpool::keyed(&key);
        self.exec
            .query_each(q.to_select(), Some(&q.table), &mut spool, self.trace, span)?;
        spool.finish().map_err(|e| spool_failure(span, &e))?;
        let columns = spool.columns.clone();
        let count = spool.len();
        let mut objects = LoopObjects::new(&q.table, spool);
        if !objects.rows.all_keyed() {
            let mut rows = Vec::new();
            while let Some(row) = objects.next_row().map_err(|e| spool_failure(span, &e))? {
                rows.push(row);
            }
            let rows = Rows { columns, rows };
            let rows = self.identity_rows(&q.table, rows, span)?;
            self.remember_rows(&q.table, &rows, span)?;
            return Ok(LoopSource::Gathered(rows.columns, rows.rows.into_iter()));
        }
        self.looping = Some(Box::new(objects));
        Ok(LoopSource::Spooled(columns, count))
    }

    /// The next row of the loop, and whether it was put aside.
    fn next_loop_row(
        &mut self,
        source: &mut LoopSource,
        span: Span,
    ) -> Result<Option<(Vec<Value>, bool)>> {
        match source {
            LoopSource::Gathered(_, rows) => Ok(rows.next().map(|row| (row, false))),
            LoopSource::Spooled(..) => match self.looping.as_mut() {
                Some(looping) => Ok(looping
                    .next_row()
                    .map_err(|e| spool_failure(span, &e))?
                    .map(|row| (row, true))),
                None => Ok(None),
            },
        }
    }

    /// The loop's body is done with `obj`: the identity map lets go of its row when nothing
    /// else may need it there. The loop still holds the object (a later round that reaches
    /// it reads it back from the loop's rows, sending no SQL), as the session holds it until
    /// the statement ends.
    fn let_go(&mut self, obj: &Obj) {
        let key = obj.key_text();
        if self.exec.release(&obj.table, &key) {
            self.forget_one_loaded(&obj.table, &key);
        }
    }
}

/// A failure to put a loop's rows aside or read them back, in the learner's words.
fn spool_failure(span: Span, e: &std::io::Error) -> Error {
    Error::new(
        crate::error::ErrorKind::Io,
        span,
        format!("the loop's rows could not be put aside in a temporary file: {e}"),
    )
    .with_hint("check that the temporary folder ($TMPDIR or /tmp) has room")
}

/// A loop's result rows as they are made: handed to the statement's sink when there is one
/// (`--json` writes them out at once), else the first `window` kept and the rest counted, so
/// a loop over a million objects keeps no million rows.
struct LoopRows {
    kept: Vec<Vec<Value>>,
    passed: u64,
    window: FirstRows,
}

impl LoopRows {
    fn new(window: Option<usize>) -> LoopRows {
        LoopRows {
            kept: Vec::new(),
            passed: 0,
            window: FirstRows::new(window.unwrap_or(usize::MAX)),
        }
    }

    fn push<'s>(&mut self, cells: Vec<Value>, sink: Option<&mut (dyn RowSink + 's)>) {
        let kept = match sink {
            Some(sink) => sink.row(cells),
            None => self.window.row(cells),
        };
        match kept {
            Some(row) => self.kept.push(row),
            None => self.passed += 1,
        }
    }
}

/// The statements of a loop that ran at least [`N_PLUS_ONE_AT`] times, by their text with `?`
/// placeholders, in the order each first ran: the places of those kept whole in the trace
/// (counted from `first`, the loop's first statement), and how many times each ran in all,
/// the folded ones included.
fn repeated_shapes(trace: &Trace, first: usize) -> Vec<(String, Vec<usize>, usize)> {
    let mut shapes: Vec<(String, Vec<usize>, usize)> = Vec::new();
    let kept = trace.sql.get(first..).unwrap_or_default();
    for (i, s) in kept.iter().enumerate() {
        match shapes.iter_mut().find(|(text, _, _)| *text == s.text) {
            Some((_, places, n)) => {
                places.push(first + i);
                *n += 1;
            }
            None => shapes.push((s.text.clone(), vec![first + i], 1)),
        }
    }
    for folded in &trace.sql_folded {
        let times = folded.times as usize;
        match shapes.iter_mut().find(|(text, _, _)| *text == folded.text) {
            Some((_, _, n)) => *n += times,
            None => shapes.push((folded.text.clone(), Vec::new(), times)),
        }
    }
    shapes.retain(|(_, _, n)| *n >= N_PLUS_ONE_AT);
    shapes
}

/// A short label for a row: its name (or title) when it has one, else its key.
fn label(columns: &[String], row: &[Value], obj: &Obj) -> String {
    for wanted in ["name", "title"] {
        if let Some(i) = columns.iter().position(|c| c == wanted) {
            if let Some(v) = row.get(i) {
                return v.to_string();
            }
        }
    }
    match obj.single_key() {
        Some(k) => k.to_string(),
        None => row.first().map(|v| v.to_string()).unwrap_or_default(),
    }
}
