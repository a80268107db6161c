//! Python's own spelling of values and names: literals, keywords, helper names.

use crate::mapper::python::KEYWORDS;
pub use crate::mapper::python::{is_identifier, python_name, text_literal};
use crate::syntax::ast::Literal;

/// A class name as a variable name: `Student` → `student`, `OrderItem` → `order_item`,
/// `Class` → `class_` (a Python keyword gets a trailing underscore).
pub fn snake_name(class_name: &str) -> String {
    let mut out = String::new();
    for (i, c) in class_name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else if c.is_alphanumeric() || c == '_' {
            out.push(c);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'x');
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// A literal of the language as Python writes it.
pub fn literal(lit: &Literal) -> String {
    match lit {
        Literal::Integer(i) => i.to_string(),
        Literal::Real(r) => real(*r),
        Literal::Text(s) => text_literal(s),
        Literal::Bool(true) => "True".into(),
        Literal::Bool(false) => "False".into(),
        Literal::None => "None".into(),
    }
}

/// A value as a Python literal: `13`, `'Ann'`, `None`.
pub fn value(v: &crate::sql::Value) -> String {
    use crate::sql::Value;
    match v {
        Value::Null => "None".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => real(*r),
        Value::Text(s) => text_literal(s),
        other => text_literal(&other.to_string()),
    }
}

/// A decimal number as Python reads it back (`2.0`, not `2`).
fn real(r: f64) -> String {
    if r.is_finite() {
        format!("{r:?}")
    } else if r.is_nan() {
        "float('nan')".into()
    } else if r > 0.0 {
        "float('inf')".into()
    } else {
        "float('-inf')".into()
    }
}

/// `-x`, bracketed when `x` is more than one term (`-(a + b)`).
pub fn negated(code: &str) -> String {
    if code.contains(' ') {
        format!("-({code})")
    } else {
        format!("-{code}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_become_variable_names() {
        assert_eq!(snake_name("Student"), "student");
        assert_eq!(snake_name("OrderItem"), "order_item");
        assert_eq!(snake_name("Class"), "class_");
        assert_eq!(snake_name("memberships"), "memberships");
    }

    #[test]
    fn text_literals_escape_what_python_needs() {
        assert_eq!(text_literal("Ann"), "'Ann'");
        assert_eq!(text_literal("O'Brien"), "\"O'Brien\"");
        assert_eq!(text_literal("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(text_literal("x\\y\nz"), "'x\\\\y\\nz'");
        assert_eq!(text_literal("\u{1}"), "'\\x01'");
    }

    #[test]
    fn negation_brackets_what_is_more_than_one_term() {
        assert_eq!(negated("Class.credits"), "-Class.credits");
        assert_eq!(negated("Class.credits + 1"), "-(Class.credits + 1)");
    }

    #[test]
    fn reals_keep_their_point() {
        assert_eq!(literal(&Literal::Real(2.0)), "2.0");
        assert_eq!(literal(&Literal::Real(0.5)), "0.5");
        assert_eq!(literal(&Literal::Bool(true)), "True");
        assert_eq!(literal(&Literal::None), "None");
    }
}
