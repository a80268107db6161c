//! The session's side of the SQLAlchemy face: what each bound name holds, and whether writes
//! are saved one by one, for [`crate::sqlalchemy`] to spell a statement before it runs.

use super::{Binding, Session};
use crate::error::Result;
use crate::syntax::{self, ast};
use std::collections::HashMap;

/// Faces spelled already, by the statement's text, while nothing else a face depends on
/// changes: no name is bound, the mapping is the same, and so is the autocommit state. A
/// statement typed again, or sent again by a program, is spelled once.
#[derive(Debug, Default)]
pub(super) struct FaceMemo {
    /// The autocommit state the faces were spelled in.
    autocommit: bool,
    faces: HashMap<String, String>,
}

impl FaceMemo {
    /// The most faces kept; past it the memo starts again.
    const MOST: usize = 1024;

    /// Forgets every face: the mapping changed.
    pub(super) fn forget(&mut self) {
        self.faces.clear();
    }

    fn get(&self, input: &str, autocommit: bool) -> Option<&String> {
        (self.autocommit == autocommit)
            .then(|| self.faces.get(input))
            .flatten()
    }

    fn keep(&mut self, input: &str, autocommit: bool, face: &str) {
        if self.autocommit != autocommit || self.faces.len() >= Self::MOST {
            self.faces.clear();
            self.autocommit = autocommit;
        }
        self.faces.insert(input.to_string(), face.to_string());
    }
}

impl Session {
    /// The statement's SQLAlchemy 2.x spelling, in the session as it is before it runs.
    pub fn sqlalchemy_face(&self, input: &str) -> String {
        self.face_of(input, syntax::parse_statement(input).as_ref())
    }

    /// [`Session::face_of`], remembered for the statement's text while no name is bound
    /// ([`FaceMemo`]).
    pub(super) fn remembered_face_of(
        &mut self,
        input: &str,
        parsed: Option<&Result<ast::Statement>>,
    ) -> String {
        if !self.vars.is_empty() {
            return self.face_of(input, parsed);
        }
        let autocommit = self.autocommit();
        if let Some(face) = self.faces.get(input, autocommit) {
            return face.clone();
        }
        let face = self.face_of(input, parsed);
        self.faces.keep(input, autocommit, &face);
        face
    }

    /// Whether each write is saved on its own (no explicit transaction, no session mode).
    fn autocommit(&self) -> bool {
        self.unit.is_none() && !self.db.in_transaction()
    }

    /// The spelling of `input`, parsed already unless it is a meta command.
    pub(super) fn face_of(&self, input: &str, parsed: Option<&Result<ast::Statement>>) -> String {
        let names = self
            .vars
            .iter()
            .map(|(name, binding)| (name.clone(), bound(&self.registry, binding)))
            .collect();
        let context = crate::sqlalchemy::Context {
            registry: &self.registry,
            names: &names,
            autocommit: self.autocommit(),
        };
        match parsed {
            None => crate::sqlalchemy::meta_face(input.trim(), &context),
            Some(parsed) => crate::sqlalchemy::parsed_face(parsed, &context),
        }
    }
}

/// What a bound name holds, as its SQLAlchemy spelling needs to know.
fn bound(registry: &crate::mapper::Registry, binding: &Binding) -> crate::sqlalchemy::Bound {
    use crate::sqlalchemy::Bound;
    match binding {
        Binding::Object(obj) => Bound::Object(obj.table.clone()),
        Binding::Query(q) => Bound::Query {
            table: q.table.clone(),
            whole: q.is_whole_rows(),
            of_object: q.parent.is_some(),
        },
        Binding::Collection(q) => match &q.parent {
            Some(parent) => Bound::List {
                owner_table: parent.obj.table.clone(),
                owner: crate::sqlalchemy::get_code(registry, &parent.obj),
                relationship: parent.relationship.name.clone(),
            },
            None => Bound::Value,
        },
        Binding::Value(_) => Bound::Value,
        Binding::Nothing => Bound::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Options, Session};

    fn face(session: &mut Session, input: &str) -> String {
        session.run(input).sqlalchemy
    }

    fn school() -> Session {
        Session::open(Options::default()).expect("the School opens in memory")
    }

    #[test]
    fn a_remembered_face_follows_a_declared_class() {
        let mut session = school();
        assert!(face(&mut session, "awards").starts_with(crate::sqlalchemy::NO_SPELLING));
        let declared = session.run(
            "class Award(Base):\n    __tablename__ = 'awards'\n    id = Column(Integer, primary_key=True)",
        );
        assert!(declared.ok(), "{:?}", declared.outcome);
        assert_eq!(
            face(&mut session, "awards"),
            "session.scalars(select(Award)).all()"
        );
    }

    #[test]
    fn a_remembered_face_follows_the_names_bound() {
        let mut session = school();
        assert!(face(&mut session, "s").starts_with(crate::sqlalchemy::NO_SPELLING));
        face(&mut session, "s = students[1]");
        assert_eq!(face(&mut session, "s"), "s");
    }

    #[test]
    fn a_remembered_face_follows_the_transaction() {
        let mut session = school();
        let append = "students[1].classes.append({'name': 'Art 1', 'abbreviation': 'AR1'})";
        assert!(face(&mut session, append).ends_with("session.commit()"));
        face(&mut session, "begin");
        let inside = face(&mut session, append);
        assert!(!inside.ends_with("session.commit()"), "{inside}");
        face(&mut session, "rollback");
        assert!(face(&mut session, append).ends_with("session.commit()"));
    }
}
