//! Tab completion that knows the schema and what the text before the cursor stands for:
//! after `students[13].` the columns, relationships and methods of a Student; inside
//! `students.where(` the columns of students, and after `advisor.` there those of a Teacher;
//! after `for s in students: s.` a Student's; inside `students.add({'` the column names; at
//! the start, collections, classes and names. It reads the tokens of the one lexer
//! ([`crate::syntax::lexer`]) and the method registry ([`crate::mapper::methods`]).

use crate::mapper::methods::{self, Gives, Takes, METHODS, OBJECT_METHODS, QUERY_METHODS};
use crate::mapper::{Link, Registry};
use crate::syntax::lexer::{tokens, Language, Token, TokenKind};

/// Tests on related rows offered after a relationship inside a condition.
const RELATED_TESTS: &[&str] = &["any", "has"];

/// What a piece of text before the cursor stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Rows of a table.
    Collection(String),
    /// One row of a table.
    Object(String),
    /// Something else (a value, or unknown).
    Other,
}

/// A name bound in the session, and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// The name.
    pub name: String,
    /// What it holds.
    pub shape: Shape,
}

/// The text before the cursor, its tokens, and what completion knows of its names.
struct Before<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    registry: &'a Registry,
    vars: Vec<Variable>,
}

/// The completions for the word ending at `pos`: where the word starts, and the candidates.
pub fn complete(
    line: &str,
    pos: usize,
    registry: &Registry,
    vars: &[Variable],
    meta: &[&str],
) -> (usize, Vec<String>) {
    let pos = floor_boundary(line, pos.min(line.len()));
    let text = &line[..pos];
    let trimmed = text.trim_start();
    if trimmed.starts_with(':') && !trimmed.contains(char::is_whitespace) {
        let start = pos - trimmed.len();
        return (start, matching(meta.iter().map(|m| m.to_string()), trimmed));
    }
    let mut before = Before {
        text,
        tokens: tokens(text, Language::Orm),
        registry,
        vars: vars.to_vec(),
    };
    before.bind_loop_variable();
    if let Some(last) = before.tokens.last().copied() {
        if let TokenKind::Str { closed: false, .. } = last.kind {
            let start = last.span.start + 1;
            let candidates = before.inside_string(before.tokens.len() - 1);
            return (start, matching(candidates, &text[start..]));
        }
    }
    let (start, word_index) = match before.tokens.last() {
        Some(t) if t.kind == TokenKind::Word => (t.span.start, before.tokens.len() - 1),
        _ => (pos, before.tokens.len()),
    };
    let candidates = before.candidates_at(word_index);
    (start, matching(candidates, &text[start..]))
}

/// The candidates that start with `word`, sorted, each once.
fn matching(candidates: impl IntoIterator<Item = String>, word: &str) -> Vec<String> {
    let mut out: Vec<String> = candidates
        .into_iter()
        .filter(|c| c.starts_with(word))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

impl Before<'_> {
    /// The candidates for a word that starts at token `at`.
    fn candidates_at(&self, at: usize) -> Vec<String> {
        let previous = self.previous_solid(at);
        if let Some(dot) = previous.filter(|&i| self.tokens[i].kind == TokenKind::Punct('.')) {
            let scope = self.argument_scope(self.chain_start(dot));
            let shape = self.shape_of_chain(self.chain_start(dot), dot, scope.as_deref());
            return self.members(&shape, scope.is_some());
        }
        match self.argument(at) {
            Some((table, Takes::Relationships)) => relationship_names(&table, self.registry),
            Some((table, _)) => columns_and_relationships(&table, self.registry),
            None => {
                let mut names: Vec<String> = self
                    .registry
                    .collection_names()
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                names.extend(self.vars.iter().map(|v| v.name.clone()));
                names
            }
        }
    }

    /// Candidates inside the open string at token `at`: a row's column names as the keys
    /// of `add({'`, `append({'`, …; table names elsewhere inside `{'`.
    fn inside_string(&self, at: usize) -> Vec<String> {
        let Some(previous) = self.previous_solid(at) else {
            return Vec::new();
        };
        let is_key = matches!(
            self.tokens[previous].kind,
            TokenKind::Open('{') | TokenKind::Punct(',')
        );
        let in_dict = self
            .innermost_open(at)
            .is_some_and(|i| self.tokens[i].kind == TokenKind::Open('{'));
        if !(is_key && in_dict) {
            return Vec::new();
        }
        match self.argument(at) {
            Some((table, _)) => self
                .registry
                .metadata
                .table(&table)
                .map(|t| t.column_names())
                .unwrap_or_default(),
            None => self
                .registry
                .metadata
                .tables()
                .iter()
                .map(|t| t.name.clone())
                .collect(),
        }
    }

    /// The index of the last token before `at` that is not whitespace or a comment.
    fn previous_solid(&self, at: usize) -> Option<usize> {
        (0..at).rev().find(|&i| !self.tokens[i].is_blank())
    }

    /// The innermost bracket still open before token `at`.
    fn innermost_open(&self, at: usize) -> Option<usize> {
        let mut stack = Vec::new();
        for (i, token) in self.tokens[..at].iter().enumerate() {
            match token.kind {
                TokenKind::Open(_) => stack.push(i),
                TokenKind::Close(_) => {
                    stack.pop();
                }
                _ => {}
            }
        }
        stack.pop()
    }

    /// The innermost `(` still open before token `at`, skipping `{` and `[` in between.
    fn innermost_call(&self, at: usize) -> Option<usize> {
        let mut stack = Vec::new();
        for (i, token) in self.tokens[..at].iter().enumerate() {
            match token.kind {
                TokenKind::Open(c) => stack.push((i, c)),
                TokenKind::Close(_) => {
                    stack.pop();
                }
                _ => {}
            }
        }
        stack.iter().rev().find(|(_, c)| *c == '(').map(|(i, _)| *i)
    }

    /// The table whose names the argument position before token `at` takes, and what kind
    /// of names: inside `where(`, `order_by(`, `include(`, `add({`, `any(` ….
    fn argument(&self, at: usize) -> Option<(String, Takes)> {
        let open = self.innermost_call(at)?;
        let method_at = self.previous_solid(open)?;
        let method = self.tokens[method_at];
        if method.kind != TokenKind::Word {
            return None;
        }
        let name = method.text(self.text);
        let dot = self
            .previous_solid(method_at)
            .filter(|&i| self.tokens[i].kind == TokenKind::Punct('.'))?;
        let start = self.chain_start(dot);
        if RELATED_TESTS.contains(&name) {
            let scope = self.argument_scope(start);
            return match self.shape_of_chain(start, dot, scope.as_deref()) {
                Shape::Collection(t) | Shape::Object(t) => Some((t, Takes::Columns)),
                Shape::Other => None,
            };
        }
        let takes = methods::find(name)?.takes;
        if takes == Takes::Values {
            return None;
        }
        let scope = self.argument_scope(start);
        match self.shape_of_chain(start, dot, scope.as_deref()) {
            Shape::Collection(t) | Shape::Object(t) => Some((t, takes)),
            Shape::Other => None,
        }
    }

    /// The table whose columns a chain starting at token `start` may name by themselves
    /// (inside `students.where(`: those of students).
    fn argument_scope(&self, start: usize) -> Option<String> {
        match self.argument(start) {
            Some((table, Takes::Columns | Takes::Relationships)) => Some(table),
            _ => None,
        }
    }

    /// Where the chain of names, dots and bracketed groups that ends just before token `end`
    /// starts.
    fn chain_start(&self, end: usize) -> usize {
        let mut depth = 0usize;
        let mut start = end;
        for i in (0..end).rev() {
            match self.tokens[i].kind {
                TokenKind::Close(_) => depth += 1,
                TokenKind::Open(_) if depth > 0 => depth -= 1,
                _ if depth > 0 => {}
                TokenKind::Word | TokenKind::Number | TokenKind::Punct('.') => {}
                _ => break,
            }
            start = i;
        }
        start
    }

    /// The chain's pieces: names, `[]` for an index, `()` for a call.
    fn segments(&self, start: usize, end: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut depth = 0usize;
        for token in &self.tokens[start..end] {
            match token.kind {
                TokenKind::Open(c) => {
                    if depth == 0 {
                        out.push(if c == '[' { "[]" } else { "()" }.to_string());
                    }
                    depth += 1;
                }
                TokenKind::Close(_) => depth = depth.saturating_sub(1),
                TokenKind::Word | TokenKind::Number if depth == 0 => {
                    out.push(token.text(self.text).to_string())
                }
                _ => {}
            }
        }
        out
    }

    /// What the chain of tokens `start..end` stands for; `scope` is the table whose columns
    /// and relationships a bare name means (inside a condition).
    fn shape_of_chain(&self, start: usize, end: usize, scope: Option<&str>) -> Shape {
        let mut segments = self.segments(start, end).into_iter();
        let Some(first) = segments.next() else {
            return Shape::Other;
        };
        let mut shape = self.first_shape(&first, scope);
        let mut pending_method: Option<String> = None;
        for segment in segments {
            shape = match (segment.as_str(), &shape) {
                ("[]", Shape::Collection(t)) => Shape::Object(t.clone()),
                ("()", _) => {
                    let method = pending_method.take().unwrap_or_default();
                    after_call(&method, shape)
                }
                (name, Shape::Collection(t) | Shape::Object(t))
                    if name.chars().all(|c| c.is_ascii_digit()) =>
                {
                    Shape::Object(t.clone())
                }
                (name, Shape::Collection(t) | Shape::Object(t)) => {
                    match self.registry.relationship(t, name) {
                        Some(rel)
                            if matches!(rel.link, Link::ManyToOne { .. })
                                && matches!(shape, Shape::Object(_)) =>
                        {
                            Shape::Object(rel.target.clone())
                        }
                        Some(rel) => Shape::Collection(rel.target.clone()),
                        None => {
                            pending_method = Some(name.to_string());
                            shape.clone()
                        }
                    }
                }
                _ => Shape::Other,
            };
        }
        shape
    }

    /// What the first name of a chain stands for: a bound name, a collection, or (inside a
    /// condition) a relationship of the scope's table, followed from one row.
    fn first_shape(&self, first: &str, scope: Option<&str>) -> Shape {
        if let Some(var) = self.vars.iter().find(|v| v.name == first) {
            return var.shape.clone();
        }
        if let Some(table) = scope {
            if let Some(rel) = self.registry.relationship(table, first) {
                return match rel.link {
                    Link::ManyToOne { .. } => Shape::Object(rel.target.clone()),
                    _ => Shape::Collection(rel.target.clone()),
                };
            }
        }
        match self.registry.collection(first) {
            Some(c) => Shape::Collection(c.table.name.clone()),
            None => Shape::Other,
        }
    }

    /// What may follow a dot after something of `shape`; inside a condition, names and tests
    /// rather than the methods that run queries.
    fn members(&self, shape: &Shape, in_condition: bool) -> Vec<String> {
        let registry = self.registry;
        match (shape, in_condition) {
            (Shape::Object(table), true) => {
                let mut out = columns_and_relationships(table, registry);
                out.push("has".to_string());
                out
            }
            (Shape::Collection(table), true) => {
                let mut out = columns_and_relationships(table, registry);
                out.push("any".to_string());
                out
            }
            (Shape::Object(table), false) => {
                let mut out = columns_and_relationships(table, registry);
                out.extend(OBJECT_METHODS.iter().map(|m| m.to_string()));
                out
            }
            (Shape::Collection(table), false) => {
                let mut out = relationship_names(table, registry);
                out.extend(QUERY_METHODS.iter().map(|m| m.to_string()));
                out
            }
            (Shape::Other, _) => Vec::new(),
        }
    }

    /// `for NAME in CHAIN: …` before the cursor binds NAME to one object of CHAIN.
    fn bind_loop_variable(&mut self) {
        let solid: Vec<usize> = (0..self.tokens.len())
            .filter(|&i| !self.tokens[i].is_blank())
            .collect();
        let word = |k: usize| solid.get(k).map(|&i| self.tokens[i]);
        let is_word = |k: usize, w: &str| {
            word(k).is_some_and(|t| t.kind == TokenKind::Word && t.text(self.text) == w)
        };
        if !is_word(0, "for") || !is_word(2, "in") {
            return;
        }
        let Some(name) = word(1).filter(|t| t.kind == TokenKind::Word) else {
            return;
        };
        let Some(&chain_from) = solid.get(3) else {
            return;
        };
        let colon = (chain_from..self.tokens.len()).find(|&i| {
            self.tokens[i].kind == TokenKind::Punct(':') && self.innermost_open(i).is_none()
        });
        let Some(colon) = colon else { return };
        let end = self.previous_solid(colon).map_or(colon, |i| i + 1);
        if let Shape::Collection(table) = self.shape_of_chain(chain_from, end, None) {
            let name = name.text(self.text).to_string();
            self.vars.retain(|v| v.name != name);
            self.vars.push(Variable {
                name,
                shape: Shape::Object(table),
            });
        }
    }
}

/// What a call of `method` on something of `shape` gives, from the method registry.
fn after_call(method: &str, shape: Shape) -> Shape {
    let gives = METHODS.iter().find(|m| m.name == method).map(|m| m.gives);
    match (gives, shape) {
        (Some(Gives::Object), Shape::Collection(t)) => Shape::Object(t),
        (Some(Gives::Collection), Shape::Collection(t)) => Shape::Collection(t),
        _ => Shape::Other,
    }
}

fn relationship_names(table: &str, registry: &Registry) -> Vec<String> {
    registry
        .relationships_of(table)
        .iter()
        .map(|r| r.name.clone())
        .collect()
}

fn columns_and_relationships(table: &str, registry: &Registry) -> Vec<String> {
    let mut out: Vec<String> = registry
        .metadata
        .table(table)
        .map(|t| t.column_names())
        .unwrap_or_default();
    out.extend(relationship_names(table, registry));
    out
}

/// What the expression at the end of `text` stands for, worked out from the names alone.
pub fn shape_of(text: &str, registry: &Registry, vars: &[Variable]) -> Shape {
    let before = Before {
        text,
        tokens: tokens(text, Language::Orm),
        registry,
        vars: vars.to_vec(),
    };
    let end = before.tokens.len();
    before.shape_of_chain(before.chain_start(end), end, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::school;

    fn names(line: &str) -> Vec<String> {
        let reg = school::registry();
        let vars = vec![Variable {
            name: "s".into(),
            shape: Shape::Object("students".into()),
        }];
        complete(line, line.len(), &reg, &vars, &[":help", ":tables"]).1
    }

    fn has(line: &str, wanted: &[&str]) {
        let n = names(line);
        for want in wanted {
            assert!(
                n.contains(&want.to_string()),
                "{want} missing after {line}: {n:?}"
            );
        }
    }

    #[test]
    fn collections_at_the_start() {
        assert_eq!(names("stud"), vec!["students"]);
        assert_eq!(names("St"), vec!["Student"]);
    }

    #[test]
    fn an_objects_columns_relationships_and_methods_after_a_dot() {
        has(
            "students[13].",
            &[
                "name", "year", "classes", "advisor", "clubs", "update", "delete",
            ],
        );
        assert!(!names("students[13].").contains(&"where".to_string()));
        assert_eq!(names("students[13].cl"), vec!["classes", "clubs"]);
    }

    #[test]
    fn a_relationship_gives_the_related_class_and_every_query_method() {
        has(
            "students[13].classes.",
            &["where", "teacher", "limit", "select", "group_by"],
        );
        has("students[13].advisor.", &["department"]);
        has("s.", &["email"]);
        has("students.13.", &["email"]);
    }

    #[test]
    fn columns_inside_where_and_any() {
        assert_eq!(names("students.where(ye"), vec!["year"]);
        assert_eq!(
            names("students.where(year == 2 and classes.any(cr"),
            vec!["credits"]
        );
        assert_eq!(names("students.order_by(na"), vec!["name"]);
        assert_eq!(names("students.where(name == ')(' and ye"), vec!["year"]);
    }

    #[test]
    fn a_relationship_inside_a_condition_gives_its_class() {
        has("students.where(advisor.", &["department", "name"]);
        assert_eq!(names("students.where(advisor.dep"), vec!["department"]);
        has("students.order_by(advisor.", &["department"]);
        has("students.where(classes.", &["credits", "any"]);
        assert!(!names("students.where(advisor.").contains(&"delete".to_string()));
    }

    #[test]
    fn relationships_inside_order_by_and_include() {
        assert_eq!(
            names("students.order_by(adv"),
            vec!["advisor", "advisor_id"]
        );
        assert_eq!(
            names("students.include("),
            vec!["advisor", "classes", "clubs"]
        );
    }

    #[test]
    fn a_loop_variable_is_one_object_of_its_collection() {
        has("for st in students: st.", &["name", "classes", "advisor"]);
        has(
            "for t in teachers.limit(3): t.",
            &["department", "advisees"],
        );
        has("for c in students[13].classes: c.", &["credits", "teacher"]);
    }

    #[test]
    fn column_names_inside_a_new_rows_braces() {
        assert_eq!(names("students.add({'na"), vec!["name"]);
        has(
            "students[13].classes.append({'name': 'Bio', '",
            &["abbreviation", "credits"],
        );
        assert_eq!(names("x = '"), Vec::<String>::new());
    }

    proptest::proptest! {
        #[test]
        fn any_text_and_cursor_complete_without_panicking(
            line in "[a-z_\\[\\](){}'\".:=, 0-9é#\\\\-]{0,40}",
            cut in 0usize..48,
        ) {
            let reg = school::registry();
            let (start, found) = complete(&line, cut, &reg, &[], &[":help"]);
            proptest::prop_assert!(start <= cut.min(line.len()), "the word starts before the cursor");
            for name in found {
                proptest::prop_assert!(!name.is_empty());
            }
        }
    }

    #[test]
    fn meta_commands_after_a_colon() {
        assert_eq!(names(":t"), vec![":tables"]);
        assert_eq!(names("  :h"), vec![":help"]);
    }
}
