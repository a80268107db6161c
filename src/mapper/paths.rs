//! Attribute paths through relationships: `advisor.department` read as the relationship
//! `advisor` of the class and the rest of the path (`department`) on its target.

use super::{Registry, Relationship};
use crate::syntax::ast::{Expr, ExprKind, Member};

impl Registry {
    /// When `expr` starts with a relationship of `table` followed by more
    /// (`advisor.department`), that relationship and the rest of the path (`department`).
    pub fn path_start(&self, expr: &Expr, table: &str) -> Option<(Relationship, Expr)> {
        let ExprKind::Member(base, Member::Name(attr)) = &expr.kind else {
            return None;
        };
        if let ExprKind::Name(root) = &base.kind {
            let rel = self.relationship(table, root)?;
            let rest = Expr {
                kind: ExprKind::Name(attr.name.clone()),
                span: attr.span,
            };
            return Some((rel.clone(), rest));
        }
        let (rel, inner) = self.path_start(base, table)?;
        let rest = Expr {
            kind: ExprKind::Member(Box::new(inner), Member::Name(attr.clone())),
            span: expr.span,
        };
        Some((rel, rest))
    }
}

#[cfg(test)]
mod tests {
    use crate::school;
    use crate::syntax::{self, ast};

    #[test]
    fn a_path_splits_at_its_first_relationship() {
        let reg = school::registry();
        let ast::Statement::Expr(e) = syntax::parse("advisor.department").expect("parses") else {
            panic!("an expression");
        };
        let (rel, rest) = reg.path_start(&e, "students").expect("a path");
        assert_eq!(
            (rel.name.as_str(), rel.target.as_str()),
            ("advisor", "teachers")
        );
        assert_eq!(rest.to_string(), "department");
        assert!(reg.path_start(&e, "clubs").is_none());
    }
}
