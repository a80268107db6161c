//! The one narrow door from the translator to the database. The session implements it: it
//! renders each statement tree, records it in the trace, sends it (or, in session mode, keeps a
//! write pending in the unit of work), and puts a failure in the learner's words.

use crate::answer::Trace;
use crate::error::{Result, Span};
use crate::mapper::query::Obj;
use crate::result::{Changes, RowSink, Rows};
use crate::sql::{Select, Statement, Value};

/// A value a write gave a column, with where it was typed (to explain a failure).
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The column.
    pub column: String,
    /// Its new value.
    pub value: Value,
    /// Where the value was given.
    pub span: Span,
    /// A value the database computes from the row (`credits + 1`), instead of `value`.
    pub computed: Option<crate::sql::Expr>,
}

/// How a write is sent: the table it writes, and whether it is a change of objects (which
/// the unit of work keeps in session mode) or a bulk statement (sent at once).
#[derive(Debug, Clone, Copy)]
pub enum Sending<'t> {
    /// `students[13].name = ...`, `append`, `delete()` of an object: the unit of work's.
    Objects(&'t str),
    /// `students.where(...).update(...)`, `.delete()`: sent at once.
    Bulk(&'t str),
}

impl<'t> Sending<'t> {
    /// The table written.
    pub fn table(self) -> &'t str {
        match self {
            Sending::Objects(table) | Sending::Bulk(table) => table,
        }
    }
}

/// What the translator needs from a database and a session.
pub trait Executor {
    /// Sends pending changes before a read (session mode's autoflush); how many were sent.
    fn autoflush(&mut self, trace: &mut Trace, span: Span) -> Result<usize>;

    /// Runs a query and records it.
    fn query(&mut self, select: Select, trace: &mut Trace, span: Span) -> Result<Rows>;

    /// Runs a statement's final query, handing each row to `sink` as it comes: the rows the
    /// sink gives back are kept, the others counted (the second value). By default the query
    /// runs whole and its rows then pass through the sink.
    fn query_each(
        &mut self,
        select: Select,
        table: Option<&str>,
        sink: &mut dyn RowSink,
        trace: &mut Trace,
        span: Span,
    ) -> Result<(Rows, u64)> {
        let rows = self.query(select, trace, span)?;
        sink.begin(table, &rows.columns);
        let (mut kept, mut passed) = (Vec::new(), 0);
        for row in rows.rows {
            match sink.row(row) {
                Some(row) => kept.push(row),
                None => passed += 1,
            }
        }
        let rows = Rows {
            columns: rows.columns,
            rows: kept,
        };
        Ok((rows, passed))
    }

    /// Sends a write of `table` and records it. A write of objects (`Sending::Objects`) waits
    /// in the unit of work in session mode (`Changes::pending`); a bulk write
    /// (`Sending::Bulk`) is sent at once in either mode, as SQLAlchemy's
    /// `session.execute(update(...))` is (after the caller's autoflush), and the objects of
    /// `table` the session holds are expired. `written` explains a constraint failure.
    fn write(
        &mut self,
        statement: Statement,
        sending: Sending,
        written: &[Assignment],
        trace: &mut Trace,
        span: Span,
    ) -> Result<Changes>;

    /// A write that sent nothing (its values were the object's already): outside session mode
    /// its code still ends in `session.commit()`, which expires what the session holds.
    fn commits(&mut self);

    /// The members' rows of a collection loaded on an object (`s.classes` read before), when
    /// the session still holds it: read again, it sends no SQL.
    fn collection(&self, owner: &Obj, relationship: &str) -> Option<Vec<Vec<Value>>>;

    /// Keeps a collection just loaded on an object, by its members (whose rows are kept).
    fn keep_collection(&mut self, owner: &Obj, relationship: &str, members: &[Obj]);

    /// Forgets a loaded collection that an `append` or `remove` made stale.
    fn expire_collection(&mut self, owner: &Obj, relationship: &str);

    /// The row the identity map holds for an object, if any.
    fn identity(&self, table: &str, key: &str) -> Option<Vec<Value>>;

    /// Keeps a loaded row in the identity map (for as long as something holds the object).
    fn keep(&mut self, table: &str, key: &str, row: Vec<Value>);

    /// Lets go of a loaded object's row, as a loop does once its body is done with the
    /// object, and says whether the row was let go: only a row the map holds as it was
    /// loaded (no change pending, no loaded collection that could list it) is.
    fn release(&mut self, table: &str, key: &str) -> bool;

    /// An object this statement changed: in session mode its new row (`None`: expired) is
    /// held by the unit of work until the flush; otherwise the write was sent, and the
    /// object is expired.
    fn changed(&mut self, table: &str, key: &str, row: Option<Vec<Value>>);

    /// Whether writes wait in a unit of work (session mode).
    fn session_mode(&self) -> bool;

    /// An error when the statement must stop now (Ctrl-C, or its time is up): a loop asks
    /// between rounds.
    fn stopped(&self, span: Span) -> Result<()>;
}
