//! Operator precedence: the grammar reads an expression as one flat run of operands and
//! operators; this orders it into a tree, Python's way (pest's Pratt parser).
//!
//! From loosest to tightest: `or` / `|`, `and` / `&`, `not` / `~`, comparisons (which do not
//! chain: `a < b < c` is refused), `+ -`, `* / // %`, unary `-`; calls, keys and attributes bind
//! tightest of all (they belong to the operand).

use super::ast::{ArithOp, CompareOp, Expr, ExprKind};
use super::{span_of, Rule};
use crate::error::{Error, Result, Span};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::sync::LazyLock;

/// The most conditions joined by `and`/`or` (or terms by one arithmetic level) in one chain
/// (SQLite's own limit on expression depth is near it).
pub const MAX_CONDITIONS: usize = 500;

/// The precedence table, built once.
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    use Assoc::Left;
    PrattParser::new()
        .op(Op::infix(Rule::kw_or, Left) | Op::infix(Rule::pipe, Left))
        .op(Op::infix(Rule::kw_and, Left) | Op::infix(Rule::amp, Left))
        .op(Op::prefix(Rule::kw_not) | Op::prefix(Rule::tilde))
        .op(Op::infix(Rule::eq, Left)
            | Op::infix(Rule::ne, Left)
            | Op::infix(Rule::lt, Left)
            | Op::infix(Rule::le, Left)
            | Op::infix(Rule::gt, Left)
            | Op::infix(Rule::ge, Left)
            | Op::infix(Rule::kw_in, Left)
            | Op::infix(Rule::not_in, Left)
            | Op::infix(Rule::kw_is, Left)
            | Op::infix(Rule::is_not, Left))
        .op(Op::infix(Rule::plus, Left) | Op::infix(Rule::minus, Left))
        .op(Op::infix(Rule::times, Left)
            | Op::infix(Rule::divide, Left)
            | Op::infix(Rule::floor_div, Left)
            | Op::infix(Rule::modulo, Left))
        .op(Op::prefix(Rule::neg))
});

/// An expression being built, with what its last step was (to refuse `a < b < c` and to
/// count long chains) until brackets or a tighter operator close it.
struct Built {
    expr: Expr,
    /// The operator that made it, when it is a chain still open to the same operator.
    last: Last,
}

#[derive(Clone, Copy, PartialEq)]
enum Last {
    Closed,
    Comparison,
    /// An and, or, sum or product chain (named by its level's rule), with its operators so far.
    Chain(Rule, usize),
}

/// Builds the tree of an `expr` pair; `operand` builds each operand.
pub fn build(pair: Pair<'_, Rule>, operand: fn(Pair<'_, Rule>) -> Result<Expr>) -> Result<Expr> {
    fold(pair.into_inner(), operand).map(|built| built.expr)
}

fn fold(pairs: Pairs<'_, Rule>, operand: fn(Pair<'_, Rule>) -> Result<Expr>) -> Result<Built> {
    PRATT
        .map_primary(|p| {
            operand(p).map(|expr| Built {
                expr,
                last: Last::Closed,
            })
        })
        .map_prefix(|op, rhs| {
            let rhs = rhs?;
            let span = span_of(&op).to(rhs.expr.span);
            let kind = match op.as_rule() {
                Rule::neg => ExprKind::Neg(Box::new(rhs.expr)),
                _ => ExprKind::Not(Box::new(rhs.expr)),
            };
            Ok(closed(kind, span))
        })
        .map_infix(|lhs, op, rhs| infix(lhs?, op, rhs?))
        .parse(pairs)
}

fn closed(kind: ExprKind, span: Span) -> Built {
    Built {
        expr: Expr { kind, span },
        last: Last::Closed,
    }
}

fn infix(lhs: Built, op: Pair<'_, Rule>, rhs: Built) -> Result<Built> {
    let rule = op.as_rule();
    let span = lhs.expr.span.to(rhs.expr.span);
    if let Some(compare) = comparison(rule) {
        if lhs.last == Last::Comparison {
            return Err(Error::parse(
                span_of(&op),
                format!(
                    "comparisons do not chain: '{}' follows another comparison",
                    op.as_str()
                ),
            )
            .with_hint("join two comparisons with 'and', e.g. year >= 2 and year <= 3"));
        }
        let kind = ExprKind::Compare(Box::new(lhs.expr), compare, Box::new(rhs.expr));
        return Ok(Built {
            expr: Expr { kind, span },
            last: Last::Comparison,
        });
    }
    let level = chain_level(rule);
    let count = match lhs.last {
        Last::Chain(l, n) if l == level => n + 1,
        _ => 1,
    };
    if count > MAX_CONDITIONS {
        return Err(too_long(level, span_of(&op)));
    }
    let (left, right) = (Box::new(lhs.expr), Box::new(rhs.expr));
    let kind = match rule {
        Rule::kw_or | Rule::pipe => ExprKind::Or(left, right),
        Rule::kw_and | Rule::amp => ExprKind::And(left, right),
        _ => ExprKind::Arith(left, arith(rule), right),
    };
    Ok(Built {
        expr: Expr { kind, span },
        last: Last::Chain(level, count),
    })
}

/// The comparison an operator rule stands for, if it is one.
fn comparison(rule: Rule) -> Option<CompareOp> {
    Some(match rule {
        Rule::eq => CompareOp::Eq,
        Rule::ne => CompareOp::Ne,
        Rule::lt => CompareOp::Lt,
        Rule::le => CompareOp::Le,
        Rule::gt => CompareOp::Gt,
        Rule::ge => CompareOp::Ge,
        Rule::kw_in => CompareOp::In,
        Rule::not_in => CompareOp::NotIn,
        Rule::kw_is => CompareOp::Is,
        Rule::is_not => CompareOp::IsNot,
        _ => return None,
    })
}

/// The arithmetic an operator rule stands for.
fn arith(rule: Rule) -> ArithOp {
    match rule {
        Rule::plus => ArithOp::Add,
        Rule::minus => ArithOp::Sub,
        Rule::times => ArithOp::Mul,
        Rule::divide => ArithOp::Div,
        Rule::floor_div => ArithOp::FloorDiv,
        _ => ArithOp::Mod,
    }
}

/// One rule standing for each precedence level, so a chain counts across `and` and `&`.
fn chain_level(rule: Rule) -> Rule {
    match rule {
        Rule::pipe => Rule::kw_or,
        Rule::amp => Rule::kw_and,
        Rule::minus => Rule::plus,
        Rule::divide | Rule::floor_div | Rule::modulo => Rule::times,
        other => other,
    }
}

fn too_long(level: Rule, at: Span) -> Error {
    if matches!(level, Rule::kw_or | Rule::kw_and) {
        Error::parse(
            at,
            format!("more than {MAX_CONDITIONS} conditions joined with and/or in one place"),
        )
        .with_hint("use in [...] for many values, e.g. id in [1, 2, 3]")
    } else {
        Error::parse(
            at,
            format!("more than {MAX_CONDITIONS} terms in one sum or product"),
        )
    }
}
