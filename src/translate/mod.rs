//! The translator: a statement's syntax tree, read through the mapper, becomes SQL statement
//! trees, sent through an [`Executor`] only when a value is really needed (lazy loading).
//!
//! - [`eval`]: names, members, methods and values: the object language as the mapper sees it.
//! - [`conditions`]: `where(...)`, `filter_by(...)`, `order_by(...)` into SQL conditions.
//! - [`loops`]: `for` loops, and the loading strategies they use.
//! - [`writes`]: the INSERT, UPDATE and DELETE statements of `add`, `append`, assignment,
//!   `update`, `remove` and `delete`.
//! - [`spool`]: the rows a loop goes over, put aside while its body runs.
//! - [`executor`]: the one narrow door to the database, which the session implements.

mod arith;
mod conditions;
mod eval;
mod executor;
mod loops;
mod spool;
mod sqlalchemy_in;
mod writes;

pub(crate) use eval::Eval;
pub use eval::{OBJECT_METHODS, QUERY_METHODS};
pub use executor::{Assignment, Executor, Sending};
