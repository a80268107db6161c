//! Tab completion that knows the schema and what the text before the cursor stands for:
//! after `students[13].` the columns, relationships and methods of a Student; inside
//! `students.where(` the columns of students; at the start, collections, classes and names.

use crate::mapper::{Link, Registry};
use crate::session::{OBJECT_METHODS, QUERY_METHODS};

/// Methods whose arguments are columns of the collection they are called on.
const COLUMN_METHODS: &[&str] = &[
    "where",
    "filter",
    "filter_by",
    "order_by",
    "select",
    "group_by",
    "sum",
    "avg",
    "min",
    "max",
];

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

/// The completions for the word ending at `pos`: where the word starts, and the candidates.
pub fn complete(
    line: &str,
    pos: usize,
    registry: &Registry,
    vars: &[Variable],
    meta: &[&str],
) -> (usize, Vec<String>) {
    let pos = floor_boundary(line, pos.min(line.len()));
    let before = &line[..pos];
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == ':')
        .last()
        .map_or(pos, |(i, _)| i);
    let word = &before[start..];
    let candidates: Vec<String> = if word.starts_with(':') && before.trim_start() == word {
        meta.iter().map(|m| m.to_string()).collect()
    } else if before[..start].ends_with('.') {
        let shape = shape_of(&before[..start - 1], registry, vars);
        members(&shape, registry)
    } else {
        match argument_context(&before[..start], registry, vars) {
            Some(table) => columns_and_relationships(&table, registry),
            None => {
                let mut names: Vec<String> = registry
                    .collection_names()
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                names.extend(vars.iter().map(|v| v.name.clone()));
                names
            }
        }
    };
    let mut matching: Vec<String> = candidates
        .into_iter()
        .filter(|c| c.starts_with(word))
        .collect();
    matching.sort();
    matching.dedup();
    (start, matching)
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn members(shape: &Shape, registry: &Registry) -> Vec<String> {
    match shape {
        Shape::Object(table) => {
            let mut out = columns_and_relationships(table, registry);
            out.extend(OBJECT_METHODS.iter().map(|m| m.to_string()));
            out
        }
        Shape::Collection(table) => {
            let mut out: Vec<String> = registry
                .relationships_of(table)
                .iter()
                .map(|r| r.name.clone())
                .collect();
            out.extend(QUERY_METHODS.iter().map(|m| m.to_string()));
            out
        }
        Shape::Other => Vec::new(),
    }
}

fn columns_and_relationships(table: &str, registry: &Registry) -> Vec<String> {
    let mut out: Vec<String> = registry
        .metadata
        .table(table)
        .map(|t| t.column_names())
        .unwrap_or_default();
    out.extend(
        registry
            .relationships_of(table)
            .iter()
            .map(|r| r.name.clone()),
    );
    out
}

/// The table whose columns the cursor's argument position takes (inside `where(`, `any(`, …).
fn argument_context(before: &str, registry: &Registry, vars: &[Variable]) -> Option<String> {
    let open = innermost_open_paren(before)?;
    let callee = &before[..open];
    let (chain, method) = callee.rsplit_once('.')?;
    let method = method.trim();
    if COLUMN_METHODS.contains(&method) {
        return match shape_of(chain, registry, vars) {
            Shape::Collection(t) | Shape::Object(t) => Some(t),
            Shape::Other => None,
        };
    }
    if method == "any" || method == "has" {
        let outer = argument_context(chain_start_text(chain), registry, vars)?;
        let rel_name = chain
            .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()?;
        return registry
            .relationship(&outer, rel_name)
            .map(|r| r.target.clone());
    }
    None
}

/// The text before the chain that ends `text` (so the chain's own context can be found).
fn chain_start_text(text: &str) -> &str {
    let start = chain_start(text);
    &text[..start]
}

/// The byte offset of the innermost `(` still open at the end of `text`, outside strings.
fn innermost_open_paren(text: &str) -> Option<usize> {
    let mut stack: Vec<(usize, char)> = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => stack.push((i, c)),
            ')' | ']' | '}' => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.iter().rev().find(|(_, c)| *c == '(').map(|(i, _)| *i)
}

/// Where the expression chain ending at the end of `text` starts: back over names, dots and
/// balanced brackets.
fn chain_start(text: &str) -> usize {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut depth = 0i32;
    let mut start = text.len();
    for &(i, c) in chars.iter().rev() {
        match c {
            ')' | ']' => depth += 1,
            '(' | '[' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            c if c.is_alphanumeric() || c == '_' || c == '.' => {}
            _ => break,
        }
        start = i;
    }
    start
}

/// What the expression at the end of `text` stands for, worked out from the names alone.
pub fn shape_of(text: &str, registry: &Registry, vars: &[Variable]) -> Shape {
    let chain = &text[chain_start(text)..];
    let mut segments = segments(chain).into_iter();
    let Some(first) = segments.next() else {
        return Shape::Other;
    };
    let mut shape = match (
        registry.collection(&first),
        vars.iter().find(|v| v.name == first),
    ) {
        (_, Some(var)) => var.shape.clone(),
        (Some(c), None) => Shape::Collection(c.table.name.clone()),
        (None, None) => Shape::Other,
    };
    let mut pending_method: Option<String> = None;
    for segment in segments {
        shape = match (segment.as_str(), &shape) {
            ("[]", Shape::Collection(t)) => Shape::Object(t.clone()),
            ("()", _) => {
                let method = pending_method.take().unwrap_or_default();
                after_call(&method, shape)
            }
            (name, Shape::Collection(t)) | (name, Shape::Object(t))
                if name.chars().all(|c| c.is_ascii_digit()) =>
            {
                Shape::Object(t.clone())
            }
            (name, Shape::Collection(t) | Shape::Object(t)) => match registry.relationship(t, name)
            {
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
            },
            _ => Shape::Other,
        };
    }
    shape
}

fn after_call(method: &str, shape: Shape) -> Shape {
    match (method, shape) {
        ("first" | "get", Shape::Collection(t)) => Shape::Object(t),
        (m, Shape::Collection(t))
            if QUERY_METHODS.contains(&m)
                && !["count", "sum", "avg", "min", "max"].contains(&m) =>
        {
            Shape::Collection(t)
        }
        _ => Shape::Other,
    }
}

/// Splits a chain such as `students[13].classes.where(x)` into `students`, `[]`, `classes`,
/// `where`, `()`.
fn segments(chain: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut depth = 0;
    let mut opener = ' ';
    for c in chain.chars() {
        if depth > 0 {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => {
                    depth -= 1;
                    if depth == 0 {
                        out.push(if opener == '[' {
                            "[]".into()
                        } else {
                            "()".into()
                        });
                    }
                }
                _ => {}
            }
            continue;
        }
        match c {
            '(' | '[' => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                depth = 1;
                opener = c;
            }
            '.' => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
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

    #[test]
    fn collections_at_the_start() {
        assert_eq!(names("stud"), vec!["students"]);
        assert_eq!(names("St"), vec!["Student"]);
    }

    #[test]
    fn an_objects_columns_relationships_and_methods_after_a_dot() {
        let n = names("students[13].");
        for want in [
            "name", "year", "classes", "advisor", "clubs", "update", "delete",
        ] {
            assert!(n.contains(&want.to_string()), "{want} missing from {n:?}");
        }
        assert!(!n.contains(&"where".to_string()));
        assert_eq!(names("students[13].cl"), vec!["classes", "clubs"]);
    }

    #[test]
    fn a_relationship_gives_the_related_class() {
        let n = names("students[13].classes.");
        assert!(
            n.contains(&"where".to_string()) && n.contains(&"teacher".to_string()),
            "{n:?}"
        );
        let n = names("students[13].advisor.");
        assert!(n.contains(&"department".to_string()), "{n:?}");
        assert!(names("s.").contains(&"email".to_string()));
    }

    #[test]
    fn columns_inside_where_and_any() {
        assert_eq!(names("students.where(ye"), vec!["year"]);
        assert_eq!(
            names("students.where(year == 2 and classes.any(cr"),
            vec!["credits"]
        );
        assert_eq!(names("students.order_by(na"), vec!["name"]);
    }

    #[test]
    fn meta_commands_after_a_colon() {
        assert_eq!(names(":t"), vec![":tables"]);
    }
}
