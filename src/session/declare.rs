//! Carrying out a declaration (`class Award(Base): ...`, `Table(...)`, `mapper(...)`): the
//! mapper reads it ([`crate::mapper::declare`]); the session creates its table, showing the
//! SQL, and then maps it.

use super::{NoteKind, Outcome, Session, Trace};
use crate::error::{Error, ErrorKind, Result, Span};
use crate::mapper::declare::Declaration;
use crate::render::Rendered;
use crate::schema::Table;

impl Session {
    /// Creates a declaration's table when it is new, then maps its class and relationships.
    pub(crate) fn declare(
        &mut self,
        declaration: Declaration,
        trace: &mut Trace,
    ) -> Result<Outcome> {
        if declaration.create {
            self.create(&declaration.table, trace)?;
        }
        let (table, note, mapped) = (
            declaration.table.name.clone(),
            declaration.note.clone(),
            declaration.class.is_some(),
        );
        self.registry.apply(declaration);
        self.faces.forget();
        if mapped {
            self.keep_names(&table, trace)?;
        }
        trace.note(NoteKind::Declaration, note);
        Ok(Outcome::None)
    }

    /// Declarations change the schema, which a rollback would undo under the class's feet.
    pub(crate) fn outside_transaction(&self, span: Span) -> Result<()> {
        if self.db.in_transaction() || self.unit.is_some() {
            return Err(Error::new(
                ErrorKind::Sql,
                span,
                "classes are declared outside a transaction: a rollback would remove the table but not the class",
            )
            .with_hint("commit or rollback first (or :session off), then declare"));
        }
        Ok(())
    }

    /// Creates the table (and its foreign-key indexes) in the database, showing the SQL.
    fn create(&mut self, table: &Table, trace: &mut Trace) -> Result<()> {
        for sql in self.db.create_table(table, &self.registry.metadata) {
            let record = Rendered::raw(&sql.display);
            trace.start();
            if let Err(e) = self.db.control(&sql.text) {
                trace.record_failure(record);
                return Err(Error::new(ErrorKind::Sql, Span::default(), e.message));
            }
            trace.record(record, 0);
        }
        Ok(())
    }
}
