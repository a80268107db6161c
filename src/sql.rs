//! Core: SQL statements as a tree, built by the mapper and turned into text by [`crate::render`].
//!
//! Like SQLAlchemy's expression language, nothing here is text: identifiers come from the schema
//! and values stay values until the renderer binds or inlines them.

use crate::schema::{Index, Table};

/// A value travelling to or from SQLite.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A whole number (booleans are 1 and 0, as SQLite stores them).
    Integer(i64),
    /// A decimal number.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes (only from raw SQL).
    Blob(Vec<u8>),
}

impl Value {
    /// Whether it is NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as SQL source text, quoted where needed: `'It''s'`, `3`, `NULL`.
    pub fn sql_literal(&self) -> String {
        match self {
            Value::Null => "NULL".to_string(),
            Value::Integer(i) => i.to_string(),
            Value::Real(r) => format_real(*r),
            Value::Text(s) => format!("'{}'", s.replace('\'', "''")),
            Value::Blob(b) => {
                let hex: String = b.iter().map(|byte| format!("{byte:02X}")).collect();
                format!("X'{hex}'")
            }
        }
    }

    /// A name for the value's type, in words.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "None",
            Value::Integer(_) => "a whole number",
            Value::Real(_) => "a decimal number",
            Value::Text(_) => "text",
            Value::Blob(_) => "bytes",
        }
    }
}

/// A value as a learner reads it in a table cell: text as it is (line breaks as spaces, other
/// control characters made visible), anything else as its literal (`3`, `2.5`, `NULL`).
impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Text(s) => s.chars().try_for_each(|c| match c {
                '\n' | '\t' | '\r' => f.write_str(" "),
                c if c.is_control() => write!(f, "{}", c.escape_default()),
                c => write!(f, "{c}"),
            }),
            other => f.write_str(&other.sql_literal()),
        }
    }
}

/// A decimal number as SQL and JSON spell it: always with a point or exponent.
pub fn format_real(r: f64) -> String {
    if r.is_finite() && r.fract() == 0.0 && r.abs() < 1e15 {
        format!("{r:.1}")
    } else {
        format!("{r}")
    }
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnRef {
    /// The table.
    pub table: String,
    /// The column.
    pub column: String,
}

impl ColumnRef {
    /// `table.column`.
    pub fn new(table: &str, column: &str) -> ColumnRef {
        ColumnRef {
            table: table.to_string(),
            column: column.to_string(),
        }
    }
}

/// Comparison operators of SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The SQL spelling.
    pub fn sql(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// Aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// `count(*)` or `count(x)`.
    Count,
    /// `sum(x)`.
    Sum,
    /// `avg(x)`.
    Avg,
    /// `min(x)`.
    Min,
    /// `max(x)`.
    Max,
}

impl Aggregate {
    /// The SQL function name (and the method name in the language).
    pub fn name(self) -> &'static str {
        match self {
            Aggregate::Count => "count",
            Aggregate::Sum => "sum",
            Aggregate::Avg => "avg",
            Aggregate::Min => "min",
            Aggregate::Max => "max",
        }
    }
}

/// A SQL expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A column.
    Column(ColumnRef),
    /// A value: a bound parameter when executed.
    Value(Value),
    /// `left OP right`.
    Compare(Box<Expr>, CompareOp, Box<Expr>),
    /// Conditions joined with AND.
    And(Vec<Expr>),
    /// Conditions joined with OR.
    Or(Vec<Expr>),
    /// `NOT x`.
    Not(Box<Expr>),
    /// `x IS NULL` / `x IS NOT NULL`.
    IsNull(Box<Expr>, bool),
    /// `x IN (a, b)` / `x NOT IN (...)`.
    InList(Box<Expr>, Vec<Expr>, bool),
    /// `x IN (SELECT ...)` / `NOT IN`.
    InSelect(Box<Expr>, Box<Select>, bool),
    /// `x BETWEEN low AND high`.
    Between(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `x LIKE pattern`, with `ESCAPE '/'` when the pattern escapes wildcards.
    Like(Box<Expr>, Box<Expr>, bool),
    /// `EXISTS (SELECT ...)`.
    Exists(Box<Select>),
    /// An aggregate over a column, or `count(*)` when none.
    Aggregate(Aggregate, Option<Box<Expr>>),
    /// A subquery giving one value: `(SELECT count(*) FROM ...)`.
    Scalar(Box<Select>),
    /// `left OP right`: arithmetic, or `||` joining text.
    Arith(Box<Expr>, ArithOp, Box<Expr>),
    /// `-x`.
    Neg(Box<Expr>),
    /// `FLOOR(x)`: Python's `//` when an operand is not a whole number.
    Floor(Box<Expr>),
}

/// Arithmetic operators of SQL, as SQLAlchemy 2 writes Python's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// Python's `/`: true division even between whole numbers (SQLite: `a / (b + 0.0)`).
    TrueDiv,
    /// SQL's own `/` (whole numbers give a whole number): Python's `//` between whole numbers.
    Div,
    /// `%`
    Mod,
    /// `||`: Python's `+` between texts.
    Concat,
}

impl ArithOp {
    /// Whether it binds like `*` (tighter than `+`, `-` and `||`).
    pub fn is_multiplicative(self) -> bool {
        matches!(
            self,
            ArithOp::Mul | ArithOp::TrueDiv | ArithOp::Div | ArithOp::Mod
        )
    }
}

impl Expr {
    /// A column expression.
    pub fn column(table: &str, column: &str) -> Expr {
        Expr::Column(ColumnRef::new(table, column))
    }

    /// A value expression.
    pub fn value(value: Value) -> Expr {
        Expr::Value(value)
    }

    /// `left = right`.
    pub fn eq(left: Expr, right: Expr) -> Expr {
        Expr::Compare(Box::new(left), CompareOp::Eq, Box::new(right))
    }

    /// The conditions joined with AND (the only one when there is one).
    pub fn all(mut conditions: Vec<Expr>) -> Option<Expr> {
        match conditions.len() {
            0 => None,
            1 => conditions.pop(),
            _ => Some(Expr::And(conditions)),
        }
    }
}

/// One item of a SELECT list.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// `*` (or `table.*` when names are qualified).
    Star,
    /// `1`, for EXISTS subqueries.
    One,
    /// An expression with an optional `AS` name.
    Expr(Expr, Option<String>),
}

/// Where a SELECT reads from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A table.
    Table(String),
    /// A subquery with an alias.
    Subquery(Box<Select>, String),
}

/// `JOIN table ON condition`.
#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    /// The joined table.
    pub table: String,
    /// The join condition.
    pub on: Expr,
    /// `LEFT OUTER JOIN`: rows without a match are kept.
    pub outer: bool,
}

impl Join {
    /// `JOIN table ON on`.
    pub fn inner(table: &str, on: Expr) -> Join {
        Join {
            table: table.to_string(),
            on,
            outer: false,
        }
    }

    /// `LEFT OUTER JOIN table ON on`.
    pub fn left(table: &str, on: Expr) -> Join {
        Join {
            table: table.to_string(),
            on,
            outer: true,
        }
    }
}

/// One ORDER BY term.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// The column.
    pub expr: Expr,
    /// Descending when true.
    pub descending: bool,
}

/// A SELECT statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    /// `SELECT DISTINCT`.
    pub distinct: bool,
    /// What is selected.
    pub items: Vec<SelectItem>,
    /// The main source.
    pub from: Source,
    /// Joined tables.
    pub joins: Vec<Join>,
    /// The WHERE condition.
    pub filter: Option<Expr>,
    /// GROUP BY terms.
    pub group_by: Vec<Expr>,
    /// The HAVING condition on groups.
    pub having: Option<Box<Expr>>,
    /// ORDER BY terms.
    pub order_by: Vec<Order>,
    /// LIMIT.
    pub limit: Option<Expr>,
    /// OFFSET.
    pub offset: Option<Expr>,
}

impl Select {
    /// `SELECT * FROM table`.
    pub fn star(table: &str) -> Select {
        Select {
            distinct: false,
            items: vec![SelectItem::Star],
            from: Source::Table(table.to_string()),
            joins: Vec::new(),
            filter: None,
            group_by: Vec::new(),
            having: None,
            order_by: Vec::new(),
            limit: None,
            offset: None,
        }
    }

    /// `SELECT count(*) FROM table`.
    pub fn count(table: &str) -> Select {
        Select {
            items: vec![SelectItem::Expr(
                Expr::Aggregate(Aggregate::Count, None),
                None,
            )],
            ..Select::star(table)
        }
    }

    /// `SELECT columns FROM table`.
    pub fn columns(table: &str, columns: &[&str]) -> Select {
        Select {
            items: columns
                .iter()
                .map(|c| SelectItem::Expr(Expr::column(table, c), None))
                .collect(),
            ..Select::star(table)
        }
    }

    /// The tables this SELECT reads at its own level (FROM and JOINs).
    pub fn own_tables(&self) -> Vec<&str> {
        let mut tables: Vec<&str> = match &self.from {
            Source::Table(t) => vec![t.as_str()],
            Source::Subquery(_, alias) => vec![alias.as_str()],
        };
        tables.extend(self.joins.iter().map(|j| j.table.as_str()));
        tables
    }
}

/// `INSERT INTO table (columns) VALUES (values)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Insert {
    /// The table.
    pub table: String,
    /// The columns given.
    pub columns: Vec<String>,
    /// Their values, in the same order.
    pub values: Vec<Expr>,
}

/// `UPDATE table SET ... WHERE ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// The table.
    pub table: String,
    /// Column assignments.
    pub set: Vec<(String, Expr)>,
    /// Which rows.
    pub filter: Option<Expr>,
}

/// `DELETE FROM table WHERE ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct Delete {
    /// The table.
    pub table: String,
    /// Which rows.
    pub filter: Option<Expr>,
}

/// `PRAGMA name` (reads a setting) or `PRAGMA name = ON/OFF/N` (sets one): SQLite's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pragma {
    /// The setting, e.g. `foreign_keys`.
    pub name: String,
    /// The value it is set to, or none to read it.
    pub set: Option<PragmaValue>,
}

/// A value a PRAGMA sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PragmaValue {
    /// `ON` or `OFF`.
    Switch(bool),
    /// A number, e.g. `cache_size`'s.
    Number(i64),
}

/// Any statement the program sends: the mapper's reads and writes, transaction control,
/// and the schema's and the database's own (DDL, settings, savepoints, query plans).
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// A query.
    Select(Select),
    /// A new row.
    Insert(Insert),
    /// Changed rows.
    Update(Update),
    /// Removed rows.
    Delete(Delete),
    /// `BEGIN`.
    Begin,
    /// `COMMIT`.
    Commit,
    /// `ROLLBACK`.
    Rollback,
    /// `SAVEPOINT name`.
    Savepoint(String),
    /// `RELEASE name`: keeps what was done since the savepoint.
    Release(String),
    /// `ROLLBACK TO name`: undoes what was done since the savepoint.
    RollbackTo(String),
    /// `CREATE TABLE`, from the schema's metadata.
    CreateTable(Table),
    /// `CREATE INDEX`, from the schema's metadata.
    CreateIndex(Index),
    /// `DROP TABLE [IF EXISTS] name`.
    DropTable {
        /// The table.
        table: String,
        /// Whether a missing table is no error.
        if_exists: bool,
    },
    /// `DROP INDEX name`.
    DropIndex(String),
    /// A setting of SQLite's.
    Pragma(Pragma),
    /// `ATTACH DATABASE ? AS schema`: another database file, its tables read as
    /// `schema.table` (the seed builds a large table in one on a second core).
    Attach {
        /// The file, bound as a value.
        file: Value,
        /// The name its tables are read under.
        schema: String,
    },
    /// `DETACH DATABASE schema`.
    Detach(String),
    /// `INSERT INTO table SELECT * FROM schema.table`: every row of a table of the same shape in
    /// an attached database (SQLite copies them, and their index entries, without reading
    /// each value when the table is empty, its indexes match and foreign keys are not being
    /// enforced).
    CopyRows {
        /// The table, in the main database and in the other.
        table: String,
        /// The attached database the rows come from.
        from: String,
    },
    /// `EXPLAIN QUERY PLAN statement`: how SQLite would run it.
    ExplainQueryPlan(Box<Statement>),
}

/// What kind of work a statement does, as the view reports it ("3 rows", "1 row changed",
/// "done") and as the writer words it ("inserted into", "deleted from").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementKind {
    /// Returns rows: SELECT, and also PRAGMA, EXPLAIN, WITH and VALUES typed with `:sql`.
    Query,
    /// Adds rows.
    Insert,
    /// Changes rows.
    Update,
    /// Removes rows.
    Delete,
    /// Defines or controls: DDL, transactions, savepoints, settings.
    Definition,
    /// Something else typed with `:sql` (counted as changing rows).
    Other,
}

impl StatementKind {
    /// Whether statements of this kind return rows.
    pub fn returns_rows(self) -> bool {
        self == StatementKind::Query
    }

    /// The kind of SQL typed as text with `:sql`, read from its first word (there is no tree).
    pub fn of_text(sql: &str) -> StatementKind {
        let first = sql.split_whitespace().next().unwrap_or("");
        let is = |words: &[&str]| words.iter().any(|w| first.eq_ignore_ascii_case(w));
        if is(&["SELECT", "WITH", "PRAGMA", "EXPLAIN", "VALUES"]) {
            StatementKind::Query
        } else if is(&["CREATE", "DROP", "ALTER", "BEGIN", "COMMIT", "ROLLBACK"]) {
            StatementKind::Definition
        } else if is(&["INSERT"]) {
            StatementKind::Insert
        } else if is(&["UPDATE"]) {
            StatementKind::Update
        } else if is(&["DELETE"]) {
            StatementKind::Delete
        } else {
            StatementKind::Other
        }
    }
}

impl Statement {
    /// Whether running it returns rows.
    pub fn returns_rows(&self) -> bool {
        self.kind().returns_rows()
    }

    /// What kind of work it does.
    pub fn kind(&self) -> StatementKind {
        match self {
            Statement::Select(_) | Statement::ExplainQueryPlan(_) => StatementKind::Query,
            Statement::Pragma(p) if p.set.is_none() => StatementKind::Query,
            Statement::Insert(_) | Statement::CopyRows { .. } => StatementKind::Insert,
            Statement::Update(_) => StatementKind::Update,
            Statement::Delete(_) => StatementKind::Delete,
            _ => StatementKind::Definition,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_quoted_the_sql_way() {
        assert_eq!(Value::Text("It's".into()).sql_literal(), "'It''s'");
        assert_eq!(Value::Integer(-3).sql_literal(), "-3");
        assert_eq!(Value::Real(2.0).sql_literal(), "2.0");
        assert_eq!(Value::Real(2.5).sql_literal(), "2.5");
        assert_eq!(Value::Null.sql_literal(), "NULL");
    }

    #[test]
    fn all_of_one_condition_is_that_condition() {
        let c = Expr::eq(
            Expr::column("students", "id"),
            Expr::value(Value::Integer(1)),
        );
        assert_eq!(Expr::all(vec![c.clone()]), Some(c));
        assert_eq!(Expr::all(vec![]), None);
    }
}
