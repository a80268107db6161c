//! Keeping declared names in the database file: the class and relationship names a learner
//! declared (`class Award(Base): ...`) are written to a small table of ormscope's own in the
//! file, so that reopening the file maps them again with the same names.

use super::{Session, Trace};
use crate::db::reflect::{save_names, NAMES_TABLE};
use crate::error::{Error, ErrorKind, Result, Span};
use crate::school;

impl Session {
    /// Keeps the names of `table`'s class and relationships in the file (nothing in memory).
    pub(crate) fn keep_names(&mut self, table: &str, trace: &mut Trace) -> Result<()> {
        if self.file().is_none() {
            return Ok(());
        }
        let names = school::declared_names(&self.registry, table);
        save_names(self.db.connection(), &names)
            .map_err(|e| Error::new(ErrorKind::Sql, Span::default(), e.message))?;
        trace.notes.push(format!(
            "the names are kept in the file (table {NAMES_TABLE}), so they are mapped again when it is reopened"
        ));
        Ok(())
    }
}
