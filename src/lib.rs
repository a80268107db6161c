//! ormscope: object-style statements, the SQL an ORM's mapper generates for them, and their
//! results on a School database.
//!
//! The stages, in the order data flows through them: [`syntax`] → [`mapper`] → [`sql`] →
//! [`render`] → [`db`] → [`view`]. [`schema`] is the Core metadata under the mapper, and
//! [`session`] is the one front door the command line and the front end ([`shell`]: prompt, completion, meta commands) use.

pub mod answer;
pub mod db;
pub mod demo;
pub mod dialect;
pub mod error;
pub mod lessons;
pub mod mapper;
pub mod render;
pub mod result;
pub mod schema;
pub mod school;
pub mod seed;
pub mod session;
pub mod shell;
/// The prompt, completion and `:explain` moved into [`shell`]; their old paths still work.
pub use shell::{complete, explain, repl};
pub mod sql;
pub mod sqlalchemy;
pub mod syntax;
pub mod transcript;
pub mod translate;
pub mod view;

/// The stack size of the thread that runs statements: deep but bounded nesting must parse
/// and resolve without overflowing, in debug builds too.
pub const STACK_SIZE: usize = 256 * 1024 * 1024;
