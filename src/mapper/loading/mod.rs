//! Loading strategies, one unit each, as SQLAlchemy's `orm/strategies.py` keeps them: how the
//! rows of a relationship are brought in.
//!
//! - [`lazy`]: one query per object, sent when its relationship is read (the default; in a
//!   loop, the N+1 pattern);
//! - [`selectin`]: `include(...)`, SQLAlchemy's `selectinload`: one more query for the related
//!   rows of all the owners at once (`WHERE student_id IN (...)`);
//! - [`joined`]: `join_load(...)`, SQLAlchemy's `joinedload`: the related rows joined into the
//!   owners' own query with `LEFT OUTER JOIN`, and split apart again.
//!
//! Each builds the statement tree and sorts the rows that come back; the translator sends it.

pub mod joined;
pub mod lazy;
pub mod selectin;

pub use super::query::Loading;
