//! The session's side of the SQLAlchemy face: what each bound name holds, and whether writes
//! are saved one by one, for [`crate::sqlalchemy`] to spell a statement before it runs.

use super::{Binding, Session};
use crate::error::Result;
use crate::syntax::{self, ast};

impl Session {
    /// The statement's SQLAlchemy 2.x spelling, in the session as it is before it runs.
    pub fn sqlalchemy_face(&self, input: &str) -> String {
        self.face_of(input, syntax::parse_statement(input).as_ref())
    }

    /// The spelling of `input`, parsed already unless it is a meta command.
    pub(super) fn face_of(&self, input: &str, parsed: Option<&Result<ast::Statement>>) -> String {
        let names = self
            .vars
            .iter()
            .map(|(name, binding)| (name.clone(), bound(binding)))
            .collect();
        let context = crate::sqlalchemy::Context {
            registry: &self.registry,
            names: &names,
            autocommit: self.unit.is_none() && !self.db.in_transaction(),
        };
        match parsed {
            None => crate::sqlalchemy::meta_face(input.trim(), &context),
            Some(parsed) => crate::sqlalchemy::parsed_face(parsed, &context),
        }
    }
}

/// What a bound name holds, as its SQLAlchemy spelling needs to know.
fn bound(binding: &Binding) -> crate::sqlalchemy::Bound {
    use crate::sqlalchemy::Bound;
    match binding {
        Binding::Object(obj) => Bound::Object(obj.table.clone()),
        Binding::Query(q) => Bound::Query {
            table: q.table.clone(),
            whole: q.is_whole_rows(),
            of_object: q.parent.is_some(),
        },
        Binding::Value(_) => Bound::Value,
        Binding::Nothing => Bound::Nothing,
    }
}
