//! Which dialects the SQL is shown in: one, or all three. The dialects themselves and their
//! differences live with the writer, in [`crate::render::dialect`]; they are named here too
//! so that `crate::dialect::Dialect` keeps working.

pub use crate::render::dialect::{Dialect, MYSQL_NO_LIMIT};

/// Which dialects the SQL panel shows: one, or all three.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// One dialect.
    One(Dialect),
    /// SQLite, PostgreSQL and MySQL together.
    All,
}

impl Default for Choice {
    fn default() -> Choice {
        Choice::One(Dialect::Sqlite)
    }
}

impl Choice {
    /// Reads `sqlite`, `postgresql`, `mysql` or `all` (and the usual short names).
    pub fn parse(name: &str) -> Option<Choice> {
        if name.eq_ignore_ascii_case("all") {
            return Some(Choice::All);
        }
        Dialect::parse(name).map(Choice::One)
    }

    /// The dialects chosen, in the order they are shown.
    pub fn dialects(self) -> Vec<Dialect> {
        match self {
            Choice::One(d) => vec![d],
            Choice::All => Dialect::ALL.to_vec(),
        }
    }

    /// The name the choice is given by (`postgresql`, `all`).
    pub fn name(self) -> &'static str {
        match self {
            Choice::One(d) => d.name(),
            Choice::All => "all",
        }
    }
}

/// The words a dialect or choice can be named by, for messages and hints.
pub const CHOICES: &str = "sqlite, postgresql, mysql or all";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_by_name() {
        assert_eq!(Choice::parse("ALL"), Some(Choice::All));
        assert_eq!(
            Choice::parse("postgres"),
            Some(Choice::One(Dialect::Postgresql))
        );
        assert_eq!(Choice::parse("oracle"), None);
        assert_eq!(Choice::All.dialects().len(), 3);
    }
}
