//! Stage 1, syntax: the pest grammar (`grammar/ormscope.pest`) turns text into a typed
//! [`ast::Statement`] whose every node carries its span.

pub mod ahead;
pub mod ast;
pub mod brackets;
mod display;
pub mod lexer;
pub mod lines;
mod operators;
pub mod sqlalchemy;

use crate::error::{Error, Result, Span};
use ast::*;
use lexer::TokenKind;
use pest::iterators::Pair;
use pest::Parser;

/// The longest statement accepted, in bytes.
pub const MAX_INPUT: usize = 4 * 1024 * 1024;
/// The most prefix operators (`not`, `-`) accepted in a row.
const MAX_PREFIXES: usize = 64;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/ormscope.pest"]
struct Grammar;

/// Parses one statement of the language; `None` for a meta command (`:rows 5`, any input
/// starting with `:`), which the shell reads itself.
pub fn parse_statement(text: &str) -> Option<Result<Statement>> {
    (!text.trim_start().starts_with(':')).then(|| parse(text))
}

/// Parses one statement.
pub fn parse(text: &str) -> Result<Statement> {
    if text.len() > MAX_INPUT {
        return Err(Error::parse(
            Span::new(0, 1),
            format!(
                "the statement is {} bytes long; the limit is {} MB",
                text.len(),
                MAX_INPUT / 1024 / 1024
            ),
        ));
    }
    // Most statements hold no string, no comment and few `-`/`not`: they need no lexer.
    let lexed = !(brackets::plain(text) && few_prefixes(text));
    let tokens = if lexed {
        lexer::tokens(text, lexer::Language::Orm)
    } else {
        Vec::new()
    };
    let balance = if lexed {
        brackets::scan_tokens(&tokens)
    } else {
        brackets::scan(text)
    };
    if let Some(err) = brackets::balance_error(text, &balance) {
        return Err(err);
    }
    check_prefix_runs(text, &tokens)?;
    let text = &*without_comments(text, &tokens);
    let mut pairs = Grammar::parse(Rule::statement, text).map_err(|e| plain_error(text, e))?;
    let statement = pairs.next().map(|p| p.into_inner());
    let first = statement.and_then(|mut inner| inner.find(|p| p.as_rule() != Rule::EOI));
    match first {
        None => Ok(Statement::Empty),
        Some(pair) => sqlalchemy::desugar(build_statement(pair)?),
    }
}

/// The text with each comment's bytes turned into spaces, so the grammar need not know comments
/// and every span still points at the same place.
fn without_comments<'a>(text: &'a str, tokens: &[lexer::Token]) -> std::borrow::Cow<'a, str> {
    let comments = tokens.iter().filter(|t| t.kind == TokenKind::Comment);
    if comments.clone().next().is_none() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for comment in comments {
        bytes[comment.span.start..comment.span.end].fill(b' ');
    }
    // Whole characters were replaced by spaces, so the bytes are still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
}

/// Whether `text` holds too few `-`, `~` and `not` for any run of them to pass the limit.
fn few_prefixes(text: &str) -> bool {
    let signs = text.bytes().filter(|b| matches!(b, b'-' | b'~')).count();
    signs + text.matches("not").count() <= MAX_PREFIXES
}

/// Refuses long runs of `not`/`-` that would nest the parser too deep.
fn check_prefix_runs(text: &str, tokens: &[lexer::Token]) -> Result<()> {
    let mut run = 0;
    for token in tokens {
        run = match token.kind {
            TokenKind::Word if token.text(text) == "not" => run + 1,
            TokenKind::Punct('-' | '~') => run + 1,
            TokenKind::Space | TokenKind::Comment => run,
            _ => 0,
        };
        if run > MAX_PREFIXES {
            return Err(Error::parse(
                token.span,
                format!("more than {MAX_PREFIXES} 'not' or '-' in a row"),
            )
            .with_hint("one or two are enough: 'not not x' is just x"));
        }
    }
    Ok(())
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

fn build_statement(pair: Pair<'_, Rule>) -> Result<Statement> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::transaction => {
            let verb = match pair.into_inner().next().map(|p| p.as_rule()) {
                Some(Rule::kw_begin) => TransactionVerb::Begin,
                Some(Rule::kw_commit) => TransactionVerb::Commit,
                _ => TransactionVerb::Rollback,
            };
            Ok(Statement::Transaction(verb, span))
        }
        Rule::loop_stmt => build_loop(pair, span),
        Rule::class_def => build_class(pair, span),
        Rule::delete_stmt => {
            let target = pair.into_inner().find(|p| p.as_rule() == Rule::expr);
            Ok(Statement::Delete(build_expr(expect(target, span)?)?))
        }
        _ => {
            let mut inner = pair.into_inner();
            let first = build_expr(expect(inner.next(), span)?)?;
            match inner.nth(1) {
                Some(value) => Ok(Statement::Assign {
                    target: first,
                    value: build_expr(value)?,
                }),
                None => Ok(Statement::Expr(first)),
            }
        }
    }
}

fn ident(pair: &Pair<'_, Rule>) -> Ident {
    Ident {
        name: pair.as_str().to_string(),
        span: span_of(pair),
    }
}

fn build_class(pair: Pair<'_, Rule>, span: Span) -> Result<Statement> {
    let mut inner = pair.into_inner().filter(|p| p.as_rule() != Rule::kw_class);
    let name = ident(&expect(inner.next(), span)?);
    let base = ident(&expect(inner.next(), span)?);
    let mut attributes = Vec::new();
    for attr in inner {
        let mut parts = attr.into_inner().filter(|p| p.as_rule() != Rule::assign_op);
        let key = ident(&expect(parts.next(), span)?);
        let value = build_expr(expect(parts.next(), span)?)?;
        attributes.push((key, value));
    }
    Ok(Statement::ClassDef {
        name,
        base,
        attributes,
        span,
    })
}

fn build_loop(pair: Pair<'_, Rule>, span: Span) -> Result<Statement> {
    let mut inner = pair
        .into_inner()
        .filter(|p| !matches!(p.as_rule(), Rule::kw_for | Rule::kw_in));
    let var = ident(&expect(inner.next(), span)?);
    let iterable = build_expr(expect(inner.next(), span)?)?;
    let body: Vec<Pair<'_, Rule>> = expect(inner.next(), span)?.into_inner().collect();
    let body = match body.as_slice() {
        [target, op, value] if op.as_rule() == Rule::assign_op => LoopBody::Assign {
            target: build_expr(target.clone())?,
            value: build_expr(value.clone())?,
        },
        values => LoopBody::Values(
            values
                .iter()
                .map(|p| build_expr(p.clone()))
                .collect::<Result<_>>()?,
        ),
    };
    Ok(Statement::Loop {
        var,
        iterable,
        body,
    })
}

/// A pair the grammar guarantees; a missing one is reported, never unwrapped.
fn expect<'a>(pair: Option<Pair<'a, Rule>>, span: Span) -> Result<Pair<'a, Rule>> {
    pair.ok_or_else(|| Error::parse(span, "this statement is incomplete"))
}

fn build_expr(pair: Pair<'_, Rule>) -> Result<Expr> {
    operators::build(pair, build_operand)
}

fn node(kind: ExprKind, span: Span) -> Expr {
    Expr { kind, span }
}

/// One operand: a primary value and the calls, keys and attributes after it.
fn build_operand(pair: Pair<'_, Rule>) -> Result<Expr> {
    let span = span_of(&pair);
    let mut inner = pair.into_inner();
    let mut expr = build_primary(expect(inner.next(), span)?)?;
    for suffix in inner {
        let whole = expr.span.to(span_of(&suffix));
        let kind = match suffix.as_rule() {
            Rule::call => ExprKind::Call(Box::new(expr), build_arguments(suffix)?),
            Rule::index => {
                let mut keys = suffix
                    .into_inner()
                    .map(build_expr)
                    .collect::<Result<Vec<_>>>()?;
                let key = match keys.len() {
                    0 | 1 => keys
                        .pop()
                        .ok_or_else(|| Error::parse(whole, "a key is missing"))?,
                    _ => {
                        let at = keys[0].span.to(keys[keys.len() - 1].span);
                        node(ExprKind::List(keys), at)
                    }
                };
                ExprKind::Index(Box::new(expr), Box::new(key))
            }
            _ => {
                let name = expect(suffix.into_inner().next(), whole)?;
                let name_span = span_of(&name);
                let member = if name.as_rule() == Rule::member_key {
                    Member::Key(parse_integer(name.as_str(), name_span)?, name_span)
                } else {
                    Member::Name(ident(&name))
                };
                ExprKind::Member(Box::new(expr), member)
            }
        };
        expr = node(kind, whole);
    }
    Ok(expr)
}

fn build_arguments(pair: Pair<'_, Rule>) -> Result<Vec<Argument>> {
    pair.into_inner().map(build_argument).collect()
}

/// `value`, or `keyword=value` where the keyword must be a plain name.
fn build_argument(pair: Pair<'_, Rule>) -> Result<Argument> {
    let span = span_of(&pair);
    let mut inner = pair.into_inner();
    let first = build_expr(expect(inner.next(), span)?)?;
    let Some(assign) = inner.next() else {
        return Ok(Argument {
            keyword: None,
            value: first,
        });
    };
    let value = build_expr(expect(inner.next(), span)?)?;
    match first.kind {
        ExprKind::Name(name) => Ok(Argument {
            keyword: Some(Ident {
                name,
                span: first.span,
            }),
            value,
        }),
        _ => Err(Error::parse(
            span_of(&assign),
            "unexpected '=': only a plain name can be given a value here (name=value)",
        )
        .with_hint("to compare two values use '=='")),
    }
}

/// The words that are keywords of the language, never names.
const KEYWORDS: &[&str] = &["and", "or", "not", "in", "is", "del", "for", "class"];

fn build_primary(pair: Pair<'_, Rule>) -> Result<Expr> {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::number => number_literal(pair.as_str(), span)?,
        Rule::string => ExprKind::Literal(Literal::Text(string_value(pair)?)),
        Rule::word => match pair.as_str() {
            "True" | "true" => ExprKind::Literal(Literal::Bool(true)),
            "False" | "false" => ExprKind::Literal(Literal::Bool(false)),
            "None" | "null" => ExprKind::Literal(Literal::None),
            keyword if KEYWORDS.contains(&keyword) => {
                return Err(Error::parse(
                    span,
                    format!("unexpected '{keyword}': expected a value or a name"),
                )
                .with_hint(format!(
                    "'{keyword}' is a keyword of the language; it joins or starts a statement, it is not a value"
                )))
            }
            name => ExprKind::Name(name.to_string()),
        },
        Rule::list => ExprKind::List(pair.into_inner().map(build_expr).collect::<Result<_>>()?),
        Rule::dict => ExprKind::Dict(build_entries(pair)?),
        Rule::parens if pair.clone().into_inner().any(|p| p.as_rule() == Rule::tuple_comma) => {
            ExprKind::List(
                pair.into_inner()
                    .filter(|p| p.as_rule() != Rule::tuple_comma)
                    .map(build_expr)
                    .collect::<Result<_>>()?,
            )
        }
        _ => return build_expr(expect(pair.into_inner().next(), span)?),
    };
    Ok(node(kind, span))
}

fn build_entries(pair: Pair<'_, Rule>) -> Result<Vec<(Ident, Expr)>> {
    let mut entries = Vec::new();
    for entry in pair.into_inner() {
        let span = span_of(&entry);
        let mut inner = entry.into_inner();
        let key = expect(inner.next(), span)?;
        let key_span = span_of(&key);
        let name = if key.as_rule() == Rule::string {
            string_value(key)?
        } else {
            key.as_str().to_string()
        };
        let value = build_expr(expect(inner.next(), span)?)?;
        entries.push((
            Ident {
                name,
                span: key_span,
            },
            value,
        ));
    }
    Ok(entries)
}

fn number_literal(text: &str, span: Span) -> Result<ExprKind> {
    if text.contains(['.', 'e', 'E']) {
        let value: f64 = text
            .parse()
            .map_err(|_| Error::parse(span, format!("'{text}' is not a number")))?;
        if !value.is_finite() {
            return Err(Error::type_error(
                span,
                format!("{text} is too large for a number"),
            ));
        }
        return Ok(ExprKind::Literal(Literal::Real(value)));
    }
    Ok(ExprKind::Literal(Literal::Integer(parse_integer(
        text, span,
    )?)))
}

fn parse_integer(text: &str, span: Span) -> Result<i64> {
    text.parse().map_err(|_| {
        Error::type_error(
            span,
            format!("{text} is too large: whole numbers go up to {}", i64::MAX),
        )
    })
}

fn string_value(pair: Pair<'_, Rule>) -> Result<String> {
    let raw = pair.into_inner().next().map(|p| p.as_str()).unwrap_or("");
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some(other @ ('\\' | '\'' | '"')) => out.push(other),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(c) if hex.len() == 4 => {
                        out.push(c);
                        chars.nth(3);
                    }
                    _ => out.push_str("\\u"),
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Ok(out)
}

/// Turns pest's error into plain words: what was expected, where.
fn plain_error(text: &str, err: pest::error::Error<Rule>) -> Error {
    let at = match err.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let expected = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => describe_expected(positives),
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    let rest = &text[at.min(text.len())..];
    let found = rest.chars().next();
    let word: &str = match found {
        Some(c) if c.is_alphanumeric() || c == '_' => {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        }
        Some(c) => &rest[..c.len_utf8()],
        None => "",
    };
    let span = Span::new(at, at + word.len());
    match found {
        None => Error::parse(
            span,
            format!("the statement ends too early: expected {expected}"),
        ),
        Some(c) => Error::parse(span, format!("unexpected '{word}': expected {expected}"))
            .with_hint(hint_for(text, at, c, word)),
    }
}

fn describe_expected(rules: &[Rule]) -> String {
    const OPERATOR: &str = "an operator such as ==, + or and";
    // After a value, an operator could follow too; the grammar only tries one when the next
    // character could start it, so pest does not list them.
    let after_operand = rules.contains(&Rule::call);
    let mut words: Vec<&str> = Vec::new();
    for rule in rules {
        let word = match rule {
            Rule::EOI => "the end of the statement",
            Rule::word | Rule::name => "a name",
            Rule::call => "'(' to call a method",
            Rule::index => "'[' with a key",
            Rule::member => "'.' and a name",
            Rule::entry => "a key: value pair",
            Rule::argument => "an argument",
            Rule::member_key => "a name or a key after the dot",
            Rule::assign_op | Rule::kw_assign if !after_operand => "'=' and a value",
            Rule::kw_in if !after_operand => "'in'",
            _ if after_operand => OPERATOR,
            _ => "a value or a name",
        };
        if !words.contains(&word) {
            words.push(word);
        }
    }
    if after_operand && !words.contains(&OPERATOR) {
        words.push(OPERATOR);
    }
    match words.len() {
        0 => "something else".to_string(),
        1 => words[0].to_string(),
        n => format!("{} or {}", words[..n - 1].join(", "), words[n - 1]),
    }
}

fn hint_for(text: &str, at: usize, found: char, word: &str) -> String {
    let before = text[..at].trim_end();
    let lower = word.to_lowercase();
    if word != lower
        && ["and", "or", "not", "in", "is", "none", "true", "false"].contains(&lower.as_str())
    {
        return format!(
            "write '{}' as Python does (lower case; None, True, False capitalised)",
            match lower.as_str() {
                "none" => "None",
                "true" => "True",
                "false" => "False",
                other => other,
            }
        );
    }
    match found {
        '=' if before.ends_with('=') || text[at..].starts_with("==") => {
            "compare with '==', assign with a single '='".to_string()
        }
        '=' => "to compare two values use '=='".to_string(),
        '&' | '|' => "write 'and' / 'or' instead of '&&' / '||'".to_string(),
        '!' => "write 'not' instead of '!'".to_string(),
        _ if before.ends_with('.') => {
            "a name must follow the dot, e.g. students.count()".to_string()
        }
        _ => "see :help for the forms of the language".to_string(),
    }
}

#[cfg(test)]
mod tests;

/// Splits a script into statements: one per line, a line continuing while brackets or quotes
/// are open; blank and comment-only lines are skipped.
pub fn split_statements(script: &str) -> Vec<String> {
    split_statements_at(script)
        .into_iter()
        .map(|(_, statement)| statement)
        .collect()
}

/// [`split_statements`], each statement with the 1-based line of the script it starts on.
pub fn split_statements_at(script: &str) -> Vec<(usize, String)> {
    let mut splitter = lines::Splitter::new();
    let mut statements: Vec<(usize, String)> = script
        .lines()
        .flat_map(|line| splitter.push_line(line))
        .collect();
    statements.extend(splitter.finish());
    statements
}
