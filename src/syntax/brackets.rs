//! Bracket and quote balance of a piece of text: tells whether a statement is complete,
//! still open (more lines may follow), or broken, before the grammar sees it.

use super::lexer::{tokens, Language, Token, TokenKind};
use crate::error::{Error, Span};

/// The deepest bracket nesting accepted in one statement.
pub const MAX_DEPTH: usize = 64;

/// What a scan of the text found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Balance {
    /// Every bracket and quote is closed.
    Complete,
    /// A string is still open at the end; it started at this byte with this quote.
    OpenString(usize, char),
    /// Brackets are still open at the end: the innermost one, at this byte.
    OpenBracket(usize, char),
    /// A closing bracket that does not match: its byte, and the opener it met (if any).
    Mismatch(usize, char, Option<(usize, char)>),
    /// Brackets nest deeper than [`MAX_DEPTH`]; the byte where the limit was passed.
    TooDeep(usize),
}

/// Scans `text` for open or mismatched brackets and quotes, skipping `#` comments.
pub fn scan(text: &str) -> Balance {
    if plain(text) {
        let marks = text.char_indices().filter_map(|(at, c)| match c {
            '(' | '[' | '{' => Some((at, Mark::Open(c))),
            ')' | ']' | '}' => Some((at, Mark::Close(c))),
            _ => None,
        });
        return balance(marks);
    }
    scan_tokens(&tokens(text, Language::Orm))
}

/// Whether `text` holds no string and no comment, so that every bracket in it is one and
/// no lexer is needed to find them.
pub fn plain(text: &str) -> bool {
    !text.bytes().any(|b| matches!(b, b'\'' | b'"' | b'#'))
}

/// [`scan`] over a text's tokens, for a caller that has them already.
pub fn scan_tokens(tokens: &[Token]) -> Balance {
    balance(tokens.iter().filter_map(|token| {
        let at = token.span.start;
        match token.kind {
            TokenKind::Str {
                quote,
                closed: false,
            } => Some((at, Mark::OpenString(quote))),
            TokenKind::Open(c) => Some((at, Mark::Open(c))),
            TokenKind::Close(c) => Some((at, Mark::Close(c))),
            _ => None,
        }
    }))
}

/// What the balance is made of: brackets, and a string the text ends inside.
enum Mark {
    Open(char),
    Close(char),
    OpenString(char),
}

fn balance(marks: impl Iterator<Item = (usize, Mark)>) -> Balance {
    let mut stack: Vec<(usize, char)> = Vec::new();
    for (at, mark) in marks {
        match mark {
            Mark::OpenString(quote) => return Balance::OpenString(at, quote),
            Mark::Open(c) => {
                stack.push((at, c));
                if stack.len() > MAX_DEPTH {
                    return Balance::TooDeep(at);
                }
            }
            Mark::Close(c) => match stack.pop() {
                Some((_, open)) if closer(open) == c => {}
                other => return Balance::Mismatch(at, c, other),
            },
        }
    }
    match stack.last() {
        Some(&(at, c)) => Balance::OpenBracket(at, c),
        None => Balance::Complete,
    }
}

/// The bracket that closes `open`.
pub fn closer(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// The parse error a broken or unfinished balance means, or nothing when it is complete.
pub fn balance_error(text: &str, balance: &Balance) -> Option<Error> {
    let col = |at: usize| Span::new(at, at + 1).line_column(text).1;
    let err = match *balance {
        Balance::Complete => return None,
        Balance::OpenString(at, q) => Error::parse(
            Span::new(at, at + 1),
            format!(
                "the string that starts at column {} is never closed",
                col(at)
            ),
        )
        .with_hint(format!("add the closing {q}")),
        Balance::OpenBracket(at, open) => Error::parse(
            Span::new(at, at + 1),
            format!("the '{open}' at column {} is never closed", col(at)),
        )
        .with_hint(format!("add '{}' where it should end", closer(open))),
        Balance::Mismatch(at, close, Some((open_at, open))) => Error::parse(
            Span::new(at, at + 1),
            format!(
                "'{close}' does not match the '{open}' opened at column {}",
                col(open_at)
            ),
        )
        .with_hint(format!("close it with '{}'", closer(open))),
        Balance::Mismatch(at, close, None) => Error::parse(
            Span::new(at, at + 1),
            format!("'{close}' closes nothing: no bracket is open here"),
        )
        .with_hint("remove it, or add the opening bracket"),
        Balance::TooDeep(at) => Error::parse(
            Span::new(at, at + 1),
            format!("brackets nest more than {MAX_DEPTH} deep"),
        )
        .with_hint("split the statement into smaller ones, using names (s = ...)"),
    };
    Some(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_text_is_complete() {
        assert_eq!(scan("students.where(name == ')(')"), Balance::Complete);
        assert_eq!(
            scan("students # a comment (with a bracket"),
            Balance::Complete
        );
    }

    #[test]
    fn open_and_broken_are_told_apart() {
        assert_eq!(
            scan("students.where(year == 2"),
            Balance::OpenBracket(14, '(')
        );
        assert_eq!(scan("x = 'abc"), Balance::OpenString(4, '\''));
        assert_eq!(scan("a[1)"), Balance::Mismatch(3, ')', Some((1, '['))));
        assert_eq!(scan("a)"), Balance::Mismatch(1, ')', None));
    }

    #[test]
    fn escaped_quote_does_not_close_a_string() {
        assert_eq!(scan(r"x = 'it\'s'"), Balance::Complete);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "(".repeat(MAX_DEPTH + 1);
        assert!(matches!(scan(&text), Balance::TooDeep(_)));
    }

    #[test]
    fn unclosed_bracket_error_names_the_bracket_and_the_fix() {
        let text = "students[13].classes.append({'name': 'Biology 301'";
        let err = balance_error(text, &scan(text)).expect("an error");
        assert!(err.message.contains("'{' at column 29"), "{}", err.message);
        assert_eq!(err.hint.as_deref(), Some("add '}' where it should end"));
    }

    proptest::proptest! {
        #[test]
        fn text_without_strings_or_comments_balances_as_its_tokens_do(
            text in "[a-z0-9_.()\\[\\]{} ,=<>-]{0,40}"
        ) {
            proptest::prop_assert!(plain(&text));
            proptest::prop_assert_eq!(scan(&text), scan_tokens(&tokens(&text, Language::Orm)));
        }
    }
}
