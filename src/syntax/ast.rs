//! The typed syntax tree of one statement, every node with the span of text it came from.

use crate::error::Span;

/// One statement as typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// Nothing but blanks or a comment.
    Empty,
    /// An expression whose value is shown (`students[13].classes`, `students.add({...})`).
    Expr(Expr),
    /// `target = value`: binds a name, or sets an attribute or a relationship.
    Assign {
        /// What is assigned to: a bare name or an attribute of an object.
        target: Expr,
        /// The new value.
        value: Expr,
    },
    /// `del students[13]`.
    Delete(Expr),
    /// `begin`, `commit` or `rollback`.
    Transaction(TransactionVerb, Span),
    /// `class Award(Base): __tablename__ = 'awards' ...`: a mapped class declared at run time.
    ClassDef {
        /// The class name.
        name: Ident,
        /// The base it derives from (`Base`).
        base: Ident,
        /// Its `name = value` lines, in order.
        attributes: Vec<(Ident, Expr)>,
        /// The whole declaration.
        span: Span,
    },
    /// `for s in students.where(year == 2): s.name, s.classes.count()`.
    Loop {
        /// The name each object is bound to.
        var: Ident,
        /// The collection looped over.
        iterable: Expr,
        /// What runs for each object.
        body: LoopBody,
    },
}

/// The body of a loop: values to show per object, or one assignment per object.
#[derive(Debug, Clone, PartialEq)]
pub enum LoopBody {
    /// `s.name, s.classes.count()`.
    Values(Vec<Expr>),
    /// `s.year = 3`.
    Assign {
        /// What is assigned to.
        target: Expr,
        /// The new value.
        value: Expr,
    },
}

/// The three explicit transaction statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionVerb {
    /// Start a transaction.
    Begin,
    /// Make its changes permanent.
    Commit,
    /// Undo its changes.
    Rollback,
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it is in the input.
    pub span: Span,
}

/// The shapes an expression can take.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal value.
    Literal(Literal),
    /// A bare name: a collection, class, variable or column.
    Name(String),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `{'key': value}` or `{key: value}`.
    Dict(Vec<(Ident, Expr)>),
    /// `base.name` (or `base.13`, kept as a [`Member::Key`]).
    Member(Box<Expr>, Member),
    /// `base[key]`.
    Index(Box<Expr>, Box<Expr>),
    /// `callee(args)`.
    Call(Box<Expr>, Vec<Argument>),
    /// `left OP right` for comparisons.
    Compare(Box<Expr>, CompareOp, Box<Expr>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `not a`.
    Not(Box<Expr>),
    /// `-a`.
    Neg(Box<Expr>),
    /// `left OP right` for arithmetic: `credits + 1`, `credits / 2`.
    Arith(Box<Expr>, ArithOp, Box<Expr>),
}

/// Arithmetic operators, with Python's (and SQLAlchemy 2's) meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`: true division, even between whole numbers.
    Div,
    /// `//`: floor division.
    FloorDiv,
    /// `%`: remainder.
    Mod,
}

impl ArithOp {
    /// The operator as typed.
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::FloorDiv => "//",
            ArithOp::Mod => "%",
        }
    }

    /// Whether it binds like `*` (tighter than `+` and `-`).
    pub fn is_multiplicative(self) -> bool {
        !matches!(self, ArithOp::Add | ArithOp::Sub)
    }
}

/// What follows a dot.
#[derive(Debug, Clone, PartialEq)]
pub enum Member {
    /// `.name`.
    Name(Ident),
    /// `.13`, the seed's spelling of `[13]`.
    Key(i64, Span),
}

/// A name with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is.
    pub span: Span,
}

/// One argument of a call, positional or `keyword=value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Argument {
    /// The keyword, for `name=value`.
    pub keyword: Option<Ident>,
    /// The value.
    pub value: Expr,
}

/// Literal values.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A whole number.
    Integer(i64),
    /// A decimal number.
    Real(f64),
    /// A string, escapes already applied.
    Text(String),
    /// `True`/`False`.
    Bool(bool),
    /// `None`/`null`.
    None,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`
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
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `is`
    Is,
    /// `is not`
    IsNot,
}

impl CompareOp {
    /// The operator as typed.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::In => "in",
            CompareOp::NotIn => "not in",
            CompareOp::Is => "is",
            CompareOp::IsNot => "is not",
        }
    }
}
