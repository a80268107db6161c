//! The one lexer of the front end: splits text into strings, brackets, words, numbers,
//! comments and single characters, each with its byte span. Bracket balance (continuation),
//! the parser's guard against long prefix runs, tab completion and highlighting all read
//! these tokens instead of walking quotes and brackets by hand.

use crate::error::Span;

/// Which language's rules the text follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// ormscope's statements: `\` escapes inside strings, `#` starts a comment.
    Orm,
    /// SQL: a quote is doubled inside a string (`'It''s'`), no comments are looked for.
    Sql,
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A name or keyword: a letter or `_`, then letters, digits or `_`.
    Word,
    /// A number: digits, and a fraction after `.` when a digit follows it.
    Number,
    /// A string literal with its quote; `closed` is false when the text ends inside it.
    Str {
        /// The quote character.
        quote: char,
        /// Whether the closing quote was found.
        closed: bool,
    },
    /// `(`, `[` or `{`.
    Open(char),
    /// `)`, `]` or `}`.
    Close(char),
    /// A `#` comment up to the end of its line.
    Comment,
    /// Whitespace.
    Space,
    /// Any other single character (`.`, `=`, `-`, `?`, `:` …).
    Punct(char),
}

/// One token and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Its bytes in the text.
    pub span: Span,
}

impl Token {
    /// The token's text in `source`.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.span.start..self.span.end).unwrap_or("")
    }

    /// Whether the token is whitespace or a comment.
    pub fn is_blank(&self) -> bool {
        matches!(self.kind, TokenKind::Space | TokenKind::Comment)
    }
}

/// The tokens of `text`, in order, covering every byte of it.
pub fn tokens(text: &str, language: Language) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map_or(text.len(), |(b, _)| *b);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let (kind, next) = match c {
            '\'' | '"' => string_token(&chars, i, c, language),
            '#' if language == Language::Orm => {
                let end = (i..chars.len())
                    .find(|&j| chars[j].1 == '\n')
                    .unwrap_or(chars.len());
                (TokenKind::Comment, end)
            }
            '(' | '[' | '{' => (TokenKind::Open(c), i + 1),
            ')' | ']' | '}' => (TokenKind::Close(c), i + 1),
            c if c.is_whitespace() => (TokenKind::Space, run_end(&chars, i, |c| c.is_whitespace())),
            c if c.is_ascii_digit() => (TokenKind::Number, number_end(&chars, i)),
            c if c.is_alphabetic() || c == '_' => (TokenKind::Word, run_end(&chars, i, is_word)),
            c => (TokenKind::Punct(c), i + 1),
        };
        out.push(Token {
            kind,
            span: Span::new(at(i), at(next)),
        });
        i = next;
    }
    out
}

/// Whether `c` continues a word.
pub fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn run_end(chars: &[(usize, char)], from: usize, keep: impl Fn(char) -> bool) -> usize {
    (from..chars.len())
        .find(|&j| !keep(chars[j].1))
        .unwrap_or(chars.len())
}

/// Digits (and letters glued to them, as in `1e5`), then a fraction when `.` is followed by a
/// digit: `3.5` is one number, while `students.13.name` keeps its dots.
fn number_end(chars: &[(usize, char)], from: usize) -> usize {
    let whole = run_end(chars, from, is_word);
    let fraction = chars.get(whole).map(|c| c.1) == Some('.')
        && chars.get(whole + 1).is_some_and(|c| c.1.is_ascii_digit());
    if fraction {
        run_end(chars, whole + 1, is_word)
    } else {
        whole
    }
}

fn string_token(
    chars: &[(usize, char)],
    open: usize,
    quote: char,
    language: Language,
) -> (TokenKind, usize) {
    let mut j = open + 1;
    while j < chars.len() {
        let c = chars[j].1;
        if c == '\\' && language == Language::Orm {
            j += 2;
        } else if c == quote {
            return (
                TokenKind::Str {
                    quote,
                    closed: true,
                },
                j + 1,
            );
        } else {
            j += 1;
        }
    }
    (
        TokenKind::Str {
            quote,
            closed: false,
        },
        chars.len(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        tokens(text, Language::Orm)
            .into_iter()
            .filter(|t| t.kind != TokenKind::Space)
            .map(|t| (t.kind, t.text(text)))
            .collect()
    }

    #[test]
    fn words_numbers_strings_and_brackets_with_their_text() {
        let closed = TokenKind::Str {
            quote: '\'',
            closed: true,
        };
        assert_eq!(
            kinds("students.where(year == 2.5 and name == 'A(')"),
            vec![
                (TokenKind::Word, "students"),
                (TokenKind::Punct('.'), "."),
                (TokenKind::Word, "where"),
                (TokenKind::Open('('), "("),
                (TokenKind::Word, "year"),
                (TokenKind::Punct('='), "="),
                (TokenKind::Punct('='), "="),
                (TokenKind::Number, "2.5"),
                (TokenKind::Word, "and"),
                (TokenKind::Word, "name"),
                (TokenKind::Punct('='), "="),
                (TokenKind::Punct('='), "="),
                (closed, "'A('"),
                (TokenKind::Close(')'), ")"),
            ]
        );
    }

    #[test]
    fn a_key_after_a_dot_is_not_a_fraction() {
        let k = kinds("students.13.name");
        assert_eq!(k[2], (TokenKind::Number, "13"));
        assert_eq!(k[3], (TokenKind::Punct('.'), "."));
    }

    #[test]
    fn escapes_comments_and_open_strings() {
        assert_eq!(kinds(r"'it\'s'").len(), 1);
        assert_eq!(
            kinds("x # a (comment\ny"),
            vec![
                (TokenKind::Word, "x"),
                (TokenKind::Comment, "# a (comment"),
                (TokenKind::Word, "y"),
            ]
        );
        assert_eq!(
            kinds("x = \"ab")[2].0,
            TokenKind::Str {
                quote: '"',
                closed: false
            }
        );
    }

    #[test]
    fn sql_doubles_quotes_and_has_no_hash_comments() {
        let text = "'It''s' # x";
        let t = tokens(text, Language::Sql);
        assert_eq!(t[0].text(text), "'It'");
        assert_eq!(t[1].text(text), "'s'");
        assert!(t.iter().all(|t| t.kind != TokenKind::Comment));
    }

    #[test]
    fn the_tokens_cover_every_byte() {
        let text = "é = 'ü' # ñ\n[1.5, x_2]{";
        let joined: String = tokens(text, Language::Orm)
            .iter()
            .map(|t| t.text(text))
            .collect();
        assert_eq!(joined, text);
    }
}
