//! Syntax highlighting: the ORM expression and the SQL as runs of text, each with the kind of
//! token it is, so the same runs can be wrapped to a width and then painted (or not).

use crate::mapper::Registry;
use crate::render::piece::{Piece, PieceKind};
use crate::syntax::lexer::{tokens, Language, TokenKind};

/// What a run of text is, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Nothing special.
    Plain,
    /// A SQL keyword or a keyword of the language (`and`, `None`).
    Keyword,
    /// A collection or class name.
    Collection,
    /// A method name (before `(`).
    Method,
    /// A string literal.
    Text,
    /// A number.
    Number,
    /// A `?` placeholder.
    Param,
    /// Secondary information (row counts, times, notes).
    Dim,
    /// A heading.
    Heading,
    /// An error.
    Error,
    /// A hint.
    Hint,
}

/// A run of text of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The kind.
    pub kind: Kind,
    /// The text.
    pub text: String,
}

impl Run {
    /// A run of `kind`.
    pub fn new(kind: Kind, text: impl Into<String>) -> Run {
        Run {
            kind,
            text: text.into(),
        }
    }
}

const SQL_KEYWORDS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "IN",
    "IS",
    "NULL",
    "INSERT",
    "INTO",
    "VALUES",
    "UPDATE",
    "SET",
    "DELETE",
    "JOIN",
    "ON",
    "ORDER",
    "BY",
    "GROUP",
    "LIMIT",
    "OFFSET",
    "DESC",
    "ASC",
    "DISTINCT",
    "AS",
    "EXISTS",
    "BETWEEN",
    "LIKE",
    "ESCAPE",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "DEFAULT",
    "LEFT",
    "OUTER",
    "INNER",
    "HAVING",
    "RETURNING",
    "ILIKE",
    "CAST",
    "CREATE",
    "TABLE",
    "INDEX",
    "PRIMARY",
    "KEY",
    "REFERENCES",
    "CASCADE",
    "CHECK",
    "UNIQUE",
    "INTEGER",
    "TEXT",
    "REAL",
];

const ORM_KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "is", "del", "None", "True", "False", "true", "false", "null",
    "begin", "commit", "rollback",
];

/// Splits SQL text into highlighted runs.
pub fn sql(text: &str) -> Vec<Run> {
    classify(text, Language::Sql, |word, _, _| {
        if SQL_KEYWORDS.contains(&word.to_ascii_uppercase().as_str())
            && word.chars().all(|c| !c.is_lowercase())
        {
            Kind::Keyword
        } else {
            Kind::Plain
        }
    })
}

/// A rendered statement's tagged pieces as runs, without reading its text again: keywords,
/// values (strings, numbers, NULL), placeholders and comments keep the writer's tags; each
/// clause break becomes a new line when `broken`, else stays a space.
pub fn sql_pieces(pieces: &[Piece<'_>], broken: bool) -> Vec<Run> {
    let mut runs = Vec::new();
    for piece in pieces {
        let text = match piece.kind {
            PieceKind::ClauseBreak if broken => "\n",
            _ => piece.text,
        };
        push(&mut runs, piece_kind(piece), text);
    }
    runs
}

/// The colour of a tagged piece of SQL.
fn piece_kind(piece: &Piece<'_>) -> Kind {
    let text = piece.text;
    let numeric = text
        .trim_start_matches('-')
        .starts_with(|c: char| c.is_ascii_digit());
    match piece.kind {
        PieceKind::Keyword => Kind::Keyword,
        PieceKind::Comment => Kind::Dim,
        PieceKind::Value if text.starts_with('\'') => Kind::Text,
        PieceKind::Value if text.eq_ignore_ascii_case("NULL") => Kind::Keyword,
        PieceKind::Value | PieceKind::Literal if numeric => Kind::Number,
        _ => Kind::Plain,
    }
}

/// Splits a statement of the language into highlighted runs, knowing the collection names.
pub fn orm(text: &str, registry: &Registry) -> Vec<Run> {
    classify(text, Language::Orm, |word, before, after| {
        if ORM_KEYWORDS.contains(&word) {
            Kind::Keyword
        } else if before != Some('.') && registry.collection(word).is_some() {
            Kind::Collection
        } else if after == Some('(') {
            Kind::Method
        } else {
            Kind::Plain
        }
    })
}

/// The lexer's tokens as runs: strings, numbers, words (classified by `word_kind` with the
/// characters just before and after), `?`, comments dim, and everything else as plain text.
fn classify(
    text: &str,
    language: Language,
    word_kind: impl Fn(&str, Option<char>, Option<char>) -> Kind,
) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for token in tokens(text, language) {
        let piece = token.text(text);
        let kind = match token.kind {
            TokenKind::Str { .. } => Kind::Text,
            TokenKind::Number => Kind::Number,
            TokenKind::Word => {
                let before = text[..token.span.start].chars().next_back();
                let after = text[token.span.end..].chars().find(|c| !c.is_whitespace());
                word_kind(piece, before, after)
            }
            TokenKind::Punct('?') => Kind::Param,
            TokenKind::Comment => Kind::Dim,
            _ => Kind::Plain,
        };
        push(&mut runs, kind, piece);
    }
    runs
}

/// Appends text, merging with the last run when it has the same kind.
pub fn push(runs: &mut Vec<Run>, kind: Kind, text: &str) {
    match runs.last_mut() {
        Some(last) if last.kind == kind => last.text.push_str(text),
        _ => runs.push(Run::new(kind, text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::school;

    fn kinds(runs: &[Run]) -> Vec<(Kind, &str)> {
        runs.iter()
            .filter(|r| !r.text.trim().is_empty())
            .map(|r| (r.kind, r.text.trim()))
            .collect()
    }

    #[test]
    fn sql_keywords_literals_and_params() {
        let runs = sql("SELECT * FROM classes WHERE name = 'It''s' AND id = ?");
        let k = kinds(&runs);
        assert!(k.contains(&(Kind::Keyword, "SELECT")));
        assert!(
            k.contains(&(Kind::Text, "'It''s'"))
                || k.iter()
                    .any(|(kind, t)| *kind == Kind::Text && t.contains("It"))
        );
        assert!(k.contains(&(Kind::Param, "?")));
        assert!(k.contains(&(Kind::Plain, "classes")));
    }

    #[test]
    fn pieces_keep_the_writers_tags_and_break_at_clauses() {
        use crate::render::piece::Piece;
        let pieces = [
            Piece::new(PieceKind::Keyword, "SELECT"),
            Piece::new(PieceKind::Space, " "),
            Piece::new(PieceKind::Punctuation, "*"),
            Piece::new(PieceKind::ClauseBreak, " "),
            Piece::new(PieceKind::Keyword, "FROM"),
            Piece::new(PieceKind::Space, " "),
            Piece::new(PieceKind::Identifier, "t"),
            Piece::new(PieceKind::ClauseBreak, " "),
            Piece::new(PieceKind::Keyword, "WHERE"),
            Piece::new(PieceKind::Space, " "),
            Piece::new(PieceKind::Identifier, "a"),
            Piece::new(PieceKind::Operator, " = "),
            Piece::new(PieceKind::Value, "'x'"),
            Piece::new(PieceKind::Operator, " + "),
            Piece::new(PieceKind::Value, "2"),
        ];
        let runs = sql_pieces(&pieces, true);
        let text: String = runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(text, "SELECT *\nFROM t\nWHERE a = 'x' + 2");
        let k = kinds(&runs);
        assert!(k.contains(&(Kind::Keyword, "WHERE")));
        assert!(k.contains(&(Kind::Text, "'x'")));
        assert!(k.contains(&(Kind::Number, "2")));
        let joined: String = sql_pieces(&pieces, false)
            .into_iter()
            .map(|r| r.text)
            .collect();
        assert_eq!(joined, "SELECT * FROM t WHERE a = 'x' + 2");
    }

    #[test]
    fn orm_names_methods_and_keywords() {
        let reg = school::registry();
        let runs = orm("students.where(year == 2 and name.startswith('A'))", &reg);
        let k = kinds(&runs);
        assert_eq!(k[0], (Kind::Collection, "students"));
        assert!(k.contains(&(Kind::Method, "where")));
        assert!(k.contains(&(Kind::Keyword, "and")));
        assert!(k.contains(&(Kind::Number, "2")));
        assert!(k.contains(&(Kind::Text, "'A'")));
    }

    #[test]
    fn the_runs_spell_the_input_exactly() {
        let reg = school::registry();
        let text = "students[13].classes.append({'name': \"Bio 'x\", n: 3.5}) # é";
        let joined: String = orm(text, &reg).into_iter().map(|r| r.text).collect();
        assert_eq!(joined, text);
        let unterminated = "x = 'abc";
        let joined: String = orm(unterminated, &reg)
            .into_iter()
            .map(|r| r.text)
            .collect();
        assert_eq!(joined, unterminated);
    }
}
