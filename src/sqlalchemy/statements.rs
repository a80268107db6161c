//! Whole statements: expressions and their values, names bound, assignments, `del`,
//! transactions, loops (Python `for` loops) and declarations (declarative classes).

use super::reading::{Shape, ADD_TO_SESSION};
use super::{python, Speller, Why};
use crate::syntax::ast::{
    Argument, Expr, ExprKind, Ident, LoopBody, Member, Statement, TransactionVerb,
};

/// What `begin` is in SQLAlchemy: nothing to call, the Session begins by itself.
pub(super) const AUTOBEGIN: &str = "# the Session begins a transaction by itself when it is first used (autobegin);\n# session.commit() saves what follows, session.rollback() undoes it";

impl Speller<'_> {
    /// The code of a whole statement.
    pub(super) fn statement(mut self, statement: &Statement) -> Result<String, Why> {
        let tail = match statement {
            Statement::Empty => return Ok("pass".into()),
            Statement::Transaction(verb, _) => {
                return Ok(match verb {
                    TransactionVerb::Begin => AUTOBEGIN.into(),
                    TransactionVerb::Commit => "session.commit()".into(),
                    TransactionVerb::Rollback => "session.rollback()".into(),
                })
            }
            Statement::Expr(e) => self.expression_statement(e)?,
            Statement::Assign { target, value } => {
                match &target.kind {
                    ExprKind::Name(name) => self.bind(name, value)?,
                    _ => self.assign(target, value)?,
                }
                None
            }
            Statement::Delete(target) => {
                self.delete_statement(target)?;
                None
            }
            Statement::Loop {
                var,
                iterable,
                body,
            } => {
                self.for_loop(var, iterable, body)?;
                None
            }
            Statement::ClassDef {
                name,
                base,
                attributes,
                ..
            } => return Ok(declarative_class(name, base, attributes)),
        };
        Ok(self.finish(tail))
    }

    /// An expression statement: its value is the last line.
    fn expression_statement(&mut self, e: &Expr) -> Result<Option<String>, Why> {
        if let Some(code) = session_method(e) {
            return Ok(Some(code));
        }
        if let ExprKind::Call(callee, args) = &e.kind {
            if matches!(&callee.kind, ExprKind::Name(n) if n == "mapper") {
                return Ok(Some(imperative_mapping(args)));
            }
        }
        if let Some(code) = self.add_all(e)? {
            self.lines.push(code);
            self.wrote = true;
            return Ok(None);
        }
        let shape = self.read(e)?;
        Ok(match shape {
            Shape::Select(s) => Some(self.fetch(&s)),
            Shape::Related(r) => Some(r.code()),
            Shape::Object(_, code) | Shape::Value(code) | Shape::Rows(code) => Some(code),
            Shape::Made(_, ctor, place) => {
                self.lines.push(place.replace("{obj}", &ctor));
                self.wrote = true;
                None
            }
            Shape::Written => None,
            Shape::Dict(_) => return Err("a dict on its own is not a result".into()),
        })
    }

    /// A list of new objects (`session.add_all([...])` read in): `session.add_all([...])`.
    fn add_all(&mut self, e: &Expr) -> Result<Option<String>, Why> {
        let ExprKind::List(items) = &e.kind else {
            return Ok(None);
        };
        let before = self.lines.len();
        let mut made = Vec::new();
        for item in items {
            match self.read(item)? {
                Shape::Made(_, ctor, place) if place == ADD_TO_SESSION => made.push(ctor),
                _ => {
                    self.lines.truncate(before);
                    return Ok(None);
                }
            }
        }
        Ok((!made.is_empty()).then(|| format!("session.add_all([{}])", made.join(", "))))
    }

    /// `name = value`: the object, the select (run again at each use), or the value.
    fn bind(&mut self, name: &str, value: &Expr) -> Result<(), Why> {
        if let ExprKind::Call(callee, _) = &value.kind {
            if matches!(&callee.kind, ExprKind::Name(n) if n == "Table") {
                self.lines.push(format!("{name} = {}", plain(value)));
                self.lines
                    .push("metadata.create_all(session.get_bind())".into());
                return Ok(());
            }
        }
        let line = match self.read(value)? {
            Shape::Select(s) => format!("{name} = {}", self.select_text(&s)),
            Shape::Related(r) => format!("{name} = {}", r.code()),
            Shape::Object(_, code) | Shape::Value(code) | Shape::Rows(code) => {
                format!("{name} = {code}")
            }
            Shape::Made(_, ctor, place) => {
                self.lines.push(format!("{name} = {ctor}"));
                self.wrote = true;
                place.replace("{obj}", name)
            }
            Shape::Dict(_) | Shape::Written => {
                return Err("a name can hold an object, a collection or a value, not this".into())
            }
        };
        self.lines.push(line);
        Ok(())
    }

    /// `for s in session.scalars(select(Student)...):` and the body, indented.
    fn for_loop(&mut self, var: &Ident, iterable: &Expr, body: &LoopBody) -> Result<(), Why> {
        let (table, iter) = match self.read(iterable)? {
            Shape::Select(s) if s.whole => {
                let unique = if s.unique { ".unique()" } else { "" };
                (
                    s.table.clone(),
                    format!("session.scalars({}){unique}", self.select_text(&s)),
                )
            }
            Shape::Related(r) => (r.rel.target.clone(), r.code()),
            _ => return Err("a loop goes over a collection of objects".into()),
        };
        let shadowed = self.locals.insert(var.name.clone(), table);
        let before = self.lines.len();
        let result = self.loop_body(body);
        match shadowed {
            Some(t) => self.locals.insert(var.name.clone(), t),
            None => self.locals.remove(&var.name),
        };
        let printed = result?;
        let mut inner: Vec<String> = self.lines.drain(before..).collect();
        inner.extend(printed);
        self.lines.push(format!("for {} in {iter}:", var.name));
        for line in inner {
            for part in line.lines() {
                self.lines.push(format!("    {part}"));
            }
        }
        Ok(())
    }

    /// The body's lines: `print(...)` of the values, or the assignment.
    fn loop_body(&mut self, body: &LoopBody) -> Result<Option<String>, Why> {
        match body {
            LoopBody::Values(exprs) => {
                let mut codes = Vec::new();
                for e in exprs {
                    let shape = self.read(e)?;
                    codes.push(self.value_code(shape)?);
                }
                Ok(Some(format!("print({})", codes.join(", "))))
            }
            LoopBody::Assign { target, value } => {
                self.assign(target, value)?;
                Ok(None)
            }
        }
    }
}

/// `session.commit()`, `session.new`, …: the session's own methods are spelled as typed;
/// `session.begin()` is the Session's autobegin.
fn session_method(e: &Expr) -> Option<String> {
    let (member, call) = match &e.kind {
        ExprKind::Call(callee, args) if args.is_empty() => (&**callee, "()"),
        _ => (e, ""),
    };
    let ExprKind::Member(base, Member::Name(name)) = &member.kind else {
        return None;
    };
    if !matches!(&base.kind, ExprKind::Name(n) if n == "session") {
        return None;
    }
    if name.name == "begin" {
        return Some(AUTOBEGIN.into());
    }
    Some(format!("session.{}{call}", name.name))
}

/// `class Award(Base): ...` as Python, and the `CREATE TABLE` it asks for.
fn declarative_class(name: &Ident, base: &Ident, attributes: &[(Ident, Expr)]) -> String {
    let mut out = format!("class {}({}):\n", name.name, base.name);
    for (attr, value) in attributes {
        out.push_str(&format!("    {} = {}\n", attr.name, plain(value)));
    }
    out.push_str("\nBase.metadata.create_all(session.get_bind())");
    out
}

/// `mapper(Award, awards, properties={...})` in SQLAlchemy 2's spelling.
fn imperative_mapping(args: &[Argument]) -> String {
    let class = args.first().map(|a| plain(&a.value)).unwrap_or_default();
    let rest: Vec<String> = args.iter().map(plain_argument).collect();
    format!(
        "class {class}:\n    pass\n\nmapper_registry.map_imperatively({})",
        rest.join(", ")
    )
}

fn plain_argument(arg: &Argument) -> String {
    match &arg.keyword {
        Some(k) => format!("{}={}", k.name, plain(&arg.value)),
        None => plain(&arg.value),
    }
}

/// An expression as plain Python, as typed (for declarations).
fn plain(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Literal(lit) => python::literal(lit),
        ExprKind::Name(n) => n.clone(),
        ExprKind::List(items) => format!(
            "[{}]",
            items.iter().map(plain).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::Dict(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", python::text_literal(&k.name), plain(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExprKind::Member(base, Member::Name(attr)) => format!("{}.{}", plain(base), attr.name),
        ExprKind::Member(base, Member::Key(k, _)) => format!("{}[{k}]", plain(base)),
        ExprKind::Index(base, key) => format!("{}[{}]", plain(base), plain(key)),
        ExprKind::Call(callee, args) => format!(
            "{}({})",
            plain(callee),
            args.iter()
                .map(plain_argument)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExprKind::Compare(l, op, r) => format!("{} {} {}", plain(l), op.symbol(), plain(r)),
        ExprKind::And(l, r) => format!("{} and {}", plain(l), plain(r)),
        ExprKind::Or(l, r) => format!("{} or {}", plain(l), plain(r)),
        ExprKind::Not(inner) => format!("not {}", plain(inner)),
        ExprKind::Neg(inner) => format!("-{}", plain(inner)),
        ExprKind::Arith(l, op, r) => format!("({} {} {})", plain(l), op.symbol(), plain(r)),
    }
}
