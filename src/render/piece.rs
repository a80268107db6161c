//! The writer's output as tagged pieces: what each bit of the SQL is (a keyword, a name, a
//! value...), so a view can colour it and break it into lines without reading the text again.

/// What a piece of SQL is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PieceKind {
    /// A word of SQL: `SELECT`, `FROM`, `PRIMARY KEY`'s words, `NULL` in `IS NULL`.
    Keyword,
    /// A table, column, index or alias name, quoted as the dialect needs.
    Identifier,
    /// A value written inline: `13`, `'Biology 301'`, `NULL`.
    Value,
    /// A number or word that is part of the SQL itself, not a value of the learner's:
    /// `count(*)`'s `*`, `LIMIT -1`, `1` in `SELECT 1`.
    Literal,
    /// An operator: `=`, `!=`, `<=`.
    Operator,
    /// Parentheses, commas, dots, `*`, `;`.
    Punctuation,
    /// A function's name: `count`, `avg`.
    Function,
    /// A space between pieces.
    Space,
    /// The space before a main clause of the outermost statement (`FROM`, `WHERE`,
    /// `ORDER BY`...): where a long statement may be broken into lines.
    ClauseBreak,
    /// A new line and indentation inside a statement (`CREATE TABLE`'s columns).
    Newline,
    /// A comment: `-- ...`.
    Comment,
}

/// One tagged piece of SQL text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece<'a> {
    /// What it is.
    pub kind: PieceKind,
    /// Its text.
    pub text: &'a str,
}

impl<'a> Piece<'a> {
    /// A piece of the given kind.
    pub fn new(kind: PieceKind, text: &'a str) -> Piece<'a> {
        Piece { kind, text }
    }
}

/// Where each piece of a text ends, with its kind: the pieces without a string each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags(Vec<(PieceKind, usize)>);

impl Tags {
    /// No pieces yet, with room for `pieces` of them.
    pub fn with_capacity(pieces: usize) -> Tags {
        Tags(Vec::with_capacity(pieces))
    }

    /// Marks the text up to `end` (from the end of the previous piece) as one piece of `kind`.
    pub fn push(&mut self, kind: PieceKind, end: usize) {
        self.0.push((kind, end));
    }

    /// The pieces of `text`, which these tags were made for.
    pub fn pieces<'a>(&self, text: &'a str) -> Vec<Piece<'a>> {
        let mut start = 0;
        self.0
            .iter()
            .map(|&(kind, end)| {
                let piece = Piece::new(kind, text.get(start..end).unwrap_or_default());
                start = end;
                piece
            })
            .collect()
    }
}

/// The text of pieces, one after another.
pub fn text_of(pieces: &[Piece<'_>]) -> String {
    pieces.iter().map(|p| p.text).collect()
}

/// The pieces with every clause break turned into a new line: one main clause a line.
pub fn broken_at_clauses(pieces: &[Piece<'_>]) -> String {
    pieces
        .iter()
        .map(|p| match p.kind {
            PieceKind::ClauseBreak => "\n",
            _ => p.text,
        })
        .collect()
}
