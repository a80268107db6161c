//! The SQLAlchemy 2.x spelling of a statement: its "face" in Python.
//!
//! Reads the syntax tree of one statement and the mapping (the [`Registry`]'s classes, tables
//! and relationships) and writes the code a learner would type at a Python prompt for the same
//! work, as SQLAlchemy's own 2.0 tutorial teaches it: `select()`, `session.scalars(...)`,
//! `session.get(...)`, loader options, bulk `update()`/`delete()`, `session.add(...)`, and
//! `session.commit()` after writes made outside a transaction. The code runs with `session`, the
//! mapped classes, the plain tables (`memberships`) and `select`, `func`, `and_`, `or_`, `not_`,
//! `insert`, `update`, `delete`, `text`, `literal`, `selectinload`, `joinedload` in scope; its
//! last line's expression is the statement's value.
//!
//! Nothing here runs SQL or changes anything: it only reads the tree and the mapping.

mod conditions;
mod meta;
mod python;
mod reading;
mod statements;
mod writing;

#[cfg(test)]
mod tests;

pub use meta::{command_face, meta_face, unwritten_face};
pub use python::text_literal;

use crate::mapper::Registry;
use crate::syntax::{self, ast};
use std::collections::{BTreeMap, BTreeSet};

/// What a name bound by an earlier statement holds, as far as its spelling needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    /// One object of this table (`s = students[13]`: `s = session.get(Student, 13)`).
    Object(String),
    /// A query on this table, not run yet (`q = select(Student).where(...)`); `whole` when it
    /// reads whole objects rather than chosen columns.
    Query {
        /// The table its rows come from.
        table: String,
        /// Whether it reads whole objects.
        whole: bool,
        /// Whether it is an object's relationship (a Python list: `[i]` is a position).
        of_object: bool,
    },
    /// An object's collection read whole (`cs = students[13].classes`: the loaded list,
    /// `cs = session.get(Student, 13).classes`).
    List {
        /// The owner's table.
        owner_table: String,
        /// The code that gives the owner: `session.get(Student, 13)`.
        owner: String,
        /// The relationship's name.
        relationship: String,
    },
    /// A plain value (a number, a text).
    Value,
    /// None.
    Nothing,
}

/// The code that gets an object by its key: `session.get(Student, 13)`, or
/// `session.get(Membership, (13, 2))` for a key of several columns.
pub fn get_code(registry: &Registry, obj: &crate::mapper::query::Obj) -> String {
    let key = match obj.key.as_slice() {
        [(_, only)] => python::value(only),
        parts => format!(
            "({})",
            parts
                .iter()
                .map(|(_, v)| python::value(v))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!(
        "session.get({}, {key})",
        python::python_name(registry.class_name(&obj.table))
    )
}

/// What the spelling of one statement depends on besides its text.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The mapped classes, tables and relationships.
    pub registry: &'a Registry,
    /// The names bound by earlier statements.
    pub names: &'a BTreeMap<String, Bound>,
    /// Whether each write is saved on its own (no explicit transaction, no session mode):
    /// then a write's code ends with `session.commit()`.
    pub autocommit: bool,
}

/// The first words of the face of a statement that has no SQLAlchemy spelling; the rest of
/// that line says why.
pub const NO_SPELLING: &str = "# no SQLAlchemy spelling:";

/// The SQLAlchemy 2.x code for one statement or meta command, as typed.
///
/// Always some text: where there is no spelling (the statement does not parse, or names
/// something unknown), a Python comment that starts with [`NO_SPELLING`] and says why.
pub fn face(input: &str, context: &Context<'_>) -> String {
    if input.trim_start().starts_with(':') {
        return meta_face(input.trim(), context);
    }
    parsed_face(&syntax::parse(input), context)
}

/// The SQLAlchemy 2.x code for a statement as the parser gave it back.
pub fn parsed_face(parsed: &crate::error::Result<ast::Statement>, context: &Context<'_>) -> String {
    match parsed {
        Ok(statement) => statement_face(statement, context),
        Err(e) => format!("{NO_SPELLING} the statement does not parse ({})", e.message),
    }
}

/// The SQLAlchemy 2.x code for one parsed statement.
pub fn statement_face(statement: &ast::Statement, context: &Context<'_>) -> String {
    match Speller::new(context).statement(statement) {
        Ok(code) => code,
        Err(why) => format!("{NO_SPELLING} {why}"),
    }
}

/// Why a statement could not be spelled, in the learner's words.
type Why = String;

/// The state of spelling one statement: the lines written so far and the names in use.
struct Speller<'a> {
    reg: &'a Registry,
    names: &'a BTreeMap<String, Bound>,
    autocommit: bool,
    /// Names bound by a loop, for its body: the name and its object's table.
    locals: BTreeMap<String, String>,
    /// Lines that run before the statement's value (helper names, writes).
    lines: Vec<String>,
    /// Whether the statement writes (then it ends with `session.commit()` in autocommit).
    wrote: bool,
    /// Helper names this statement introduced.
    helpers: BTreeSet<String>,
}

impl<'a> Speller<'a> {
    fn new(context: &Context<'a>) -> Speller<'a> {
        Speller {
            reg: context.registry,
            names: context.names,
            autocommit: context.autocommit,
            locals: BTreeMap::new(),
            lines: Vec::new(),
            wrote: false,
            helpers: BTreeSet::new(),
        }
    }

    /// A fresh helper name for an object of `table` (`student`, `class_`), never one the
    /// learner bound.
    fn helper_name(&mut self, table: &str) -> String {
        let base = python::snake_name(self.reg.class_name(table));
        let mut name = base.clone();
        let mut n = 2;
        while self.names.contains_key(&name)
            || self.locals.contains_key(&name)
            || self.helpers.contains(&name)
            || self.reg.collection(&name).is_some()
        {
            name = format!("{base}{n}");
            n += 1;
        }
        self.helpers.insert(name.clone());
        name
    }

    /// The lines written, `session.commit()` after writes in autocommit, then `tail`.
    fn finish(mut self, tail: Option<String>) -> String {
        if self.wrote && self.autocommit {
            self.lines.push("session.commit()".into());
        }
        self.lines.extend(tail);
        self.lines.join("\n")
    }
}
