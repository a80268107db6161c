//! Syntax-tree nodes print themselves in ormscope's short form, with only the parentheses
//! the grammar needs, so that parsing the printed text gives the same tree back (spans aside).

use super::ast::*;
use std::fmt::{self, Display, Formatter};

/// How tightly an expression binds, loosest first (the grammar's levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Or,
    And,
    Not,
    Comparison,
    Sum,
    Product,
    Unary,
    Postfix,
}

fn level(e: &Expr) -> Level {
    match &e.kind {
        ExprKind::Or(..) => Level::Or,
        ExprKind::And(..) => Level::And,
        ExprKind::Not(_) => Level::Not,
        ExprKind::Compare(..) => Level::Comparison,
        ExprKind::Arith(_, op, _) if op.is_multiplicative() => Level::Product,
        ExprKind::Arith(..) => Level::Sum,
        ExprKind::Neg(_) => Level::Unary,
        _ => Level::Postfix,
    }
}

/// Writes `e`, in parentheses when it binds more loosely than `at_least`.
fn operand(f: &mut Formatter<'_>, e: &Expr, at_least: Level) -> fmt::Result {
    if level(e) < at_least {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

/// Writes the base of `.name`, `[key]` or `(args)`: a number gets parentheses so that
/// `(3).13` is not read as the number 3.13.
fn postfix_base(f: &mut Formatter<'_>, e: &Expr) -> fmt::Result {
    match &e.kind {
        ExprKind::Literal(Literal::Integer(_) | Literal::Real(_)) => write!(f, "({e})"),
        _ => operand(f, e, Level::Postfix),
    }
}

fn list<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// A string in single quotes, with the escapes the grammar reads back.
fn quoted(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("'")?;
    for c in s.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\'' => f.write_str("\\'")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            '\0' => f.write_str("\\0")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("'")
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Integer(i) => write!(f, "{i}"),
            Literal::Real(r) => write!(f, "{r:?}"),
            Literal::Text(s) => quoted(f, s),
            Literal::Bool(true) => f.write_str("True"),
            Literal::Bool(false) => f.write_str("False"),
            Literal::None => f.write_str("None"),
        }
    }
}

impl Display for Argument {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(k) = &self.keyword {
            write!(f, "{}=", k.name)?;
        }
        write!(f, "{}", self.value)
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(lit) => write!(f, "{lit}"),
            ExprKind::Name(n) => f.write_str(n),
            ExprKind::List(items) => {
                f.write_str("[")?;
                list(f, items)?;
                f.write_str("]")
            }
            ExprKind::Dict(entries) => {
                f.write_str("{")?;
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    quoted(f, &key.name)?;
                    write!(f, ": {value}")?;
                }
                f.write_str("}")
            }
            ExprKind::Member(base, member) => {
                postfix_base(f, base)?;
                match member {
                    Member::Name(ident) => write!(f, ".{}", ident.name),
                    Member::Key(key, _) => write!(f, ".{key}"),
                }
            }
            ExprKind::Index(base, key) => {
                postfix_base(f, base)?;
                write!(f, "[{key}]")
            }
            ExprKind::Call(callee, args) => {
                postfix_base(f, callee)?;
                f.write_str("(")?;
                list(f, args)?;
                f.write_str(")")
            }
            ExprKind::Compare(l, op, r) => {
                operand(f, l, Level::Sum)?;
                write!(f, " {} ", op.symbol())?;
                operand(f, r, Level::Sum)
            }
            ExprKind::And(l, r) => {
                operand(f, l, Level::And)?;
                f.write_str(" and ")?;
                operand(f, r, Level::Not)
            }
            ExprKind::Or(l, r) => {
                operand(f, l, Level::Or)?;
                f.write_str(" or ")?;
                operand(f, r, Level::And)
            }
            ExprKind::Not(x) => {
                f.write_str("not ")?;
                operand(f, x, Level::Not)
            }
            ExprKind::Neg(x) => {
                f.write_str("-")?;
                operand(f, x, Level::Unary)
            }
            ExprKind::Arith(l, op, r) => {
                let own = level(self);
                operand(f, l, own)?;
                write!(f, " {} ", op.symbol())?;
                let right_needs = if own == Level::Sum {
                    Level::Product
                } else {
                    Level::Unary
                };
                operand(f, r, right_needs)
            }
        }
    }
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Statement::Empty => Ok(()),
            Statement::Expr(e) => write!(f, "{e}"),
            Statement::Assign { target, value } => write!(f, "{target} = {value}"),
            Statement::Delete(target) => write!(f, "del {target}"),
            Statement::Transaction(verb, _) => f.write_str(match verb {
                TransactionVerb::Begin => "begin",
                TransactionVerb::Commit => "commit",
                TransactionVerb::Rollback => "rollback",
            }),
            Statement::ClassDef {
                name,
                base,
                attributes,
                ..
            } => {
                write!(f, "class {}({}):", name.name, base.name)?;
                for (key, value) in attributes {
                    write!(f, "\n    {} = {value}", key.name)?;
                }
                Ok(())
            }
            Statement::Loop {
                var,
                iterable,
                body,
            } => {
                write!(f, "for {} in {iterable}: ", var.name)?;
                match body {
                    LoopBody::Values(values) => list(f, values),
                    LoopBody::Assign { target, value } => write!(f, "{target} = {value}"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
