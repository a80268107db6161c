//! SQL dialects: the databases the SQL can be written for, and the small things that differ
//! between them — how identifiers are quoted, how values and placeholders are spelled.
//!
//! SQLite is the only database that runs; PostgreSQL and MySQL are renderings of the same
//! statement tree for teaching ("what would this look like on PostgreSQL?"). The renderer
//! ([`crate::render`]) takes a [`Dialect`] as a parameter; what differs in whole clauses
//! (LIMIT/OFFSET, `RETURNING`, an empty `IN`, `ILIKE`) is decided there, and what differs
//! in single words is decided here.
//!
//! Identifiers are quoted only where needed, as SQLAlchemy's identifier preparers do: a
//! reserved word of that database, a name with upper-case letters, or a name with characters
//! other than letters, digits, `_` and `$` (or starting with a digit or `$`). None of the
//! School's names needs it, so the School's SQL reads the same in every dialect.

use crate::sql::{format_real, Value};
use std::borrow::Cow;

/// A database the SQL is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// SQLite: the database that runs every statement.
    Sqlite,
    /// PostgreSQL: rendered for reading, never run here.
    Postgresql,
    /// MySQL (8.0): rendered for reading, never run here.
    Mysql,
}

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

/// The largest number MySQL accepts as a row count: its manual's way to say "no limit" when
/// only an offset is given (`LIMIT 10, 18446744073709551615`), as SQLAlchemy renders it.
pub const MYSQL_NO_LIMIT: &str = "18446744073709551615";

impl Dialect {
    /// Every dialect, in the order they are shown.
    pub const ALL: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgresql, Dialect::Mysql];

    /// The dialect's name as typed (`postgresql`).
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgresql => "postgresql",
            Dialect::Mysql => "mysql",
        }
    }

    /// The database's name as it is written (`PostgreSQL`).
    pub fn title(self) -> &'static str {
        match self {
            Dialect::Sqlite => "SQLite",
            Dialect::Postgresql => "PostgreSQL",
            Dialect::Mysql => "MySQL",
        }
    }

    /// Reads a dialect's name, ignoring case; `postgres`, `pg` and `mariadb` are accepted too.
    pub fn parse(name: &str) -> Option<Dialect> {
        match name.to_ascii_lowercase().as_str() {
            "sqlite" | "sqlite3" => Some(Dialect::Sqlite),
            "postgresql" | "postgres" | "pg" => Some(Dialect::Postgresql),
            "mysql" | "mariadb" => Some(Dialect::Mysql),
            _ => None,
        }
    }

    /// The character that quotes an identifier.
    pub fn quote_char(self) -> char {
        match self {
            Dialect::Sqlite | Dialect::Postgresql => '"',
            Dialect::Mysql => '`',
        }
    }

    /// Whether `word` is reserved in this dialect (so it must be quoted to be a name).
    pub fn is_reserved(self, word: &str) -> bool {
        let lower = word.to_ascii_lowercase();
        let list = match self {
            Dialect::Sqlite => SQLITE_RESERVED,
            Dialect::Postgresql => POSTGRESQL_RESERVED,
            Dialect::Mysql => MYSQL_RESERVED,
        };
        list.binary_search(&lower.as_str()).is_ok()
    }

    /// Whether a name must be quoted: reserved, upper-case letters, or unusual characters.
    pub fn needs_quotes(self, name: &str) -> bool {
        let legal = name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
        let bad_start = name
            .chars()
            .next()
            .is_none_or(|c| c.is_ascii_digit() || c == '$');
        !legal || bad_start || self.is_reserved(name)
    }

    /// A table, column or alias name as this dialect writes it: quoted only where needed.
    pub fn identifier(self, name: &str) -> Cow<'_, str> {
        if !self.needs_quotes(name) {
            return Cow::Owned(name.to_string());
        }
        let q = self.quote_char();
        let doubled = name.replace(q, &format!("{q}{q}"));
        Cow::Owned(format!("{q}{doubled}{q}"))
    }

    /// The placeholder for the `n`th bound value (1-based): `?` for SQLite and MySQL (as
    /// their prepared statements write it), `$n` for PostgreSQL.
    pub fn placeholder(self, n: usize) -> String {
        match self {
            Dialect::Postgresql => format!("${n}"),
            Dialect::Sqlite | Dialect::Mysql => "?".to_string(),
        }
    }

    /// A value as SQL source text in this dialect. Text doubles its quotes everywhere; MySQL
    /// also treats a backslash as an escape inside quotes, so there it is doubled too. Bytes
    /// are `X'..'`, or `'\x..'::bytea` in PostgreSQL.
    pub fn literal(self, value: &Value) -> String {
        match (self, value) {
            (Dialect::Mysql, Value::Text(s)) => {
                format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
            }
            (Dialect::Postgresql, Value::Blob(b)) => {
                let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
                format!("'\\x{hex}'::bytea")
            }
            (_, Value::Real(r)) => format_real(*r),
            (_, other) => other.sql_literal(),
        }
    }
}

/// SQLite's reserved words, as SQLAlchemy's SQLite dialect lists them (sorted).
const SQLITE_RESERVED: &[&str] = &[
    "add",
    "after",
    "all",
    "alter",
    "analyze",
    "and",
    "as",
    "asc",
    "attach",
    "autoincrement",
    "before",
    "begin",
    "between",
    "by",
    "cascade",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "commit",
    "conflict",
    "constraint",
    "create",
    "cross",
    "current_date",
    "current_time",
    "current_timestamp",
    "database",
    "default",
    "deferrable",
    "deferred",
    "delete",
    "desc",
    "detach",
    "distinct",
    "drop",
    "each",
    "else",
    "end",
    "escape",
    "except",
    "exclusive",
    "exists",
    "explain",
    "fail",
    "false",
    "for",
    "foreign",
    "from",
    "full",
    "glob",
    "group",
    "having",
    "if",
    "ignore",
    "immediate",
    "in",
    "index",
    "indexed",
    "initially",
    "inner",
    "insert",
    "instead",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "key",
    "left",
    "like",
    "limit",
    "match",
    "natural",
    "not",
    "notnull",
    "null",
    "of",
    "offset",
    "on",
    "or",
    "order",
    "outer",
    "plan",
    "pragma",
    "primary",
    "query",
    "raise",
    "references",
    "reindex",
    "rename",
    "replace",
    "restrict",
    "right",
    "rollback",
    "row",
    "select",
    "set",
    "table",
    "temp",
    "temporary",
    "then",
    "to",
    "transaction",
    "trigger",
    "true",
    "union",
    "unique",
    "update",
    "using",
    "vacuum",
    "values",
    "view",
    "virtual",
    "when",
    "where",
];

/// PostgreSQL's reserved words (and those reserved as names of tables and columns), as
/// SQLAlchemy's PostgreSQL dialect lists them (sorted).
const POSTGRESQL_RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "new",
    "not",
    "notnull",
    "null",
    "of",
    "off",
    "offset",
    "old",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "over",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// MySQL 8.0's reserved words, as SQLAlchemy's MySQL dialect lists them (sorted).
const MYSQL_RESERVED: &[&str] = &[
    "accessible",
    "add",
    "admin",
    "all",
    "alter",
    "analyze",
    "and",
    "array",
    "as",
    "asc",
    "asensitive",
    "before",
    "between",
    "bigint",
    "binary",
    "blob",
    "both",
    "by",
    "call",
    "cascade",
    "case",
    "change",
    "char",
    "character",
    "check",
    "collate",
    "column",
    "condition",
    "constraint",
    "continue",
    "convert",
    "create",
    "cross",
    "cube",
    "cume_dist",
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "cursor",
    "database",
    "databases",
    "day_hour",
    "day_microsecond",
    "day_minute",
    "day_second",
    "dec",
    "decimal",
    "declare",
    "default",
    "delayed",
    "delete",
    "dense_rank",
    "desc",
    "describe",
    "deterministic",
    "distinct",
    "distinctrow",
    "div",
    "double",
    "drop",
    "dual",
    "each",
    "else",
    "elseif",
    "empty",
    "enclosed",
    "escaped",
    "except",
    "exists",
    "exit",
    "explain",
    "false",
    "fetch",
    "first_value",
    "float",
    "float4",
    "float8",
    "for",
    "force",
    "foreign",
    "from",
    "fulltext",
    "function",
    "general",
    "generated",
    "get",
    "get_master_public_key",
    "grant",
    "group",
    "grouping",
    "groups",
    "having",
    "high_priority",
    "hour_microsecond",
    "hour_minute",
    "hour_second",
    "if",
    "ignore",
    "ignore_server_ids",
    "in",
    "index",
    "infile",
    "inner",
    "inout",
    "insensitive",
    "insert",
    "int",
    "int1",
    "int2",
    "int3",
    "int4",
    "int8",
    "integer",
    "interval",
    "into",
    "io_after_gtids",
    "io_before_gtids",
    "is",
    "iterate",
    "join",
    "json_table",
    "key",
    "keys",
    "kill",
    "lag",
    "last_value",
    "lateral",
    "lead",
    "leading",
    "leave",
    "left",
    "like",
    "limit",
    "linear",
    "lines",
    "load",
    "localtime",
    "localtimestamp",
    "lock",
    "long",
    "longblob",
    "longtext",
    "loop",
    "low_priority",
    "master_bind",
    "master_heartbeat_period",
    "master_ssl_verify_server_cert",
    "match",
    "maxvalue",
    "mediumblob",
    "mediumint",
    "mediumtext",
    "member",
    "middleint",
    "minute_microsecond",
    "minute_second",
    "mod",
    "modifies",
    "natural",
    "no_write_to_binlog",
    "not",
    "nth_value",
    "ntile",
    "null",
    "numeric",
    "of",
    "on",
    "optimize",
    "optimizer_costs",
    "option",
    "optionally",
    "or",
    "order",
    "out",
    "outer",
    "outfile",
    "over",
    "parse_gcol_expr",
    "partition",
    "percent_rank",
    "persist",
    "persist_only",
    "precision",
    "primary",
    "procedure",
    "purge",
    "range",
    "rank",
    "read",
    "read_write",
    "reads",
    "real",
    "recursive",
    "references",
    "regexp",
    "release",
    "rename",
    "repeat",
    "replace",
    "require",
    "resignal",
    "restrict",
    "return",
    "revoke",
    "right",
    "rlike",
    "role",
    "row",
    "row_number",
    "rows",
    "schema",
    "schemas",
    "second_microsecond",
    "select",
    "sensitive",
    "separator",
    "set",
    "show",
    "signal",
    "slow",
    "smallint",
    "spatial",
    "specific",
    "sql",
    "sql_after_gtids",
    "sql_before_gtids",
    "sql_big_result",
    "sql_calc_found_rows",
    "sql_small_result",
    "sqlexception",
    "sqlstate",
    "sqlwarning",
    "ssl",
    "starting",
    "stored",
    "straight_join",
    "system",
    "table",
    "terminated",
    "then",
    "tinyblob",
    "tinyint",
    "tinytext",
    "to",
    "trailing",
    "trigger",
    "true",
    "undo",
    "union",
    "unique",
    "unlock",
    "unsigned",
    "update",
    "usage",
    "use",
    "using",
    "utc_date",
    "utc_time",
    "utc_timestamp",
    "values",
    "varbinary",
    "varchar",
    "varcharacter",
    "varying",
    "virtual",
    "when",
    "where",
    "while",
    "window",
    "with",
    "write",
    "xor",
    "year_month",
    "zerofill",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_word_lists_are_sorted_so_binary_search_works() {
        for list in [SQLITE_RESERVED, POSTGRESQL_RESERVED, MYSQL_RESERVED] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{:?}", list.first());
        }
    }

    #[test]
    fn the_school_names_need_no_quotes_anywhere() {
        let names = [
            "students",
            "teachers",
            "classes",
            "clubs",
            "memberships",
            "id",
            "name",
            "email",
            "year",
            "advisor_id",
            "department",
            "student_id",
            "teacher_id",
            "abbreviation",
            "credits",
            "grade",
            "club_id",
            "count",
            "sum",
            "avg",
            "min",
            "max",
            "sub",
        ];
        for dialect in Dialect::ALL {
            for name in names {
                assert_eq!(dialect.identifier(name), name, "{dialect:?}");
            }
        }
    }

    #[test]
    fn reserved_and_unusual_names_are_quoted_per_dialect() {
        assert_eq!(Dialect::Postgresql.identifier("user"), "\"user\"");
        assert_eq!(Dialect::Sqlite.identifier("user"), "user");
        assert_eq!(Dialect::Mysql.identifier("order"), "`order`");
        assert_eq!(Dialect::Mysql.identifier("Name"), "`Name`");
        assert_eq!(Dialect::Sqlite.identifier("two words"), "\"two words\"");
        assert_eq!(Dialect::Postgresql.identifier("1st"), "\"1st\"");
        assert_eq!(Dialect::Mysql.identifier("a`b"), "`a``b`");
    }

    #[test]
    fn placeholders_and_literals() {
        assert_eq!(Dialect::Sqlite.placeholder(2), "?");
        assert_eq!(Dialect::Postgresql.placeholder(2), "$2");
        assert_eq!(Dialect::Mysql.placeholder(2), "?");
        let text = Value::Text("It's a\\b".into());
        assert_eq!(Dialect::Sqlite.literal(&text), "'It''s a\\b'");
        assert_eq!(Dialect::Postgresql.literal(&text), "'It''s a\\b'");
        assert_eq!(Dialect::Mysql.literal(&text), "'It''s a\\\\b'");
        let bytes = Value::Blob(vec![0xAB, 1]);
        assert_eq!(Dialect::Sqlite.literal(&bytes), "X'AB01'");
        assert_eq!(Dialect::Postgresql.literal(&bytes), "'\\xab01'::bytea");
        assert_eq!(Dialect::Mysql.literal(&Value::Real(2.0)), "2.0");
    }

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
