//! The faces of meta commands: `:schema` is the declarative classes, `:mapping` the imperative
//! mapping, `:sql` a `text()` statement; the rest are ormscope's own and say so.

use super::{python, Context, NO_SPELLING};
use crate::mapper::python as faces;

/// The SQLAlchemy code of a meta command (`:schema students`), or a comment saying that it is
/// ormscope's own command.
pub fn meta_face(input: &str, context: &Context<'_>) -> String {
    let (command, rest) = match input.find(char::is_whitespace) {
        Some(i) => (&input[..i], input[i..].trim()),
        None => (input, ""),
    };
    let reg = context.registry;
    match command {
        ":schema" | ":mapping" => {
            let tables: Vec<_> = if rest.is_empty() {
                let (plain, mapped): (Vec<_>, Vec<_>) = reg
                    .metadata
                    .tables()
                    .iter()
                    .partition(|t| reg.mapper_of(&t.name).is_none());
                plain.into_iter().chain(mapped).collect()
            } else {
                match reg.collection(rest) {
                    Some(c) => vec![c.table],
                    None => return format!("{NO_SPELLING} '{rest}' is no mapped class or table"),
                }
            };
            let texts: Vec<String> = tables
                .into_iter()
                .map(|t| {
                    let mapped = if command == ":schema" {
                        faces::declarative_class(reg, t)
                    } else {
                        faces::classical_mapping(reg, t).map(|text| imperative(&text))
                    };
                    mapped.unwrap_or_else(|| faces::core_table(t))
                })
                .collect();
            texts.join("\n\n")
        }
        ":sql" if !rest.is_empty() => raw_sql(rest, context.autocommit),
        ":session" => match rest {
            "on" => "# SQLAlchemy's Session always works this way: changes wait in the session\n# until session.flush() or session.commit()".into(),
            "off" => "session.commit()".into(),
            _ => command_face(input),
        },
        _ => command_face(input),
    }
}

/// The classical `mapper(...)` form in SQLAlchemy 2's spelling: `map_imperatively`.
fn imperative(classical: &str) -> String {
    classical
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| match line.strip_prefix("mapper(") {
            Some(rest) => format!("mapper_registry.map_imperatively({rest}"),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The face of an answer whose code was not written: a command's comment, or for a statement
/// the comment that there is no spelling.
pub fn unwritten_face(input: &str) -> String {
    if input.trim_start().starts_with(':') {
        command_face(input.trim())
    } else {
        format!("{NO_SPELLING} none was written for this answer")
    }
}

/// The face of a command of ormscope's own (`:help`, `:python on`): a comment.
pub fn command_face(input: &str) -> String {
    let command = input.split_whitespace().next().unwrap_or(input);
    format!("# {command} is ormscope's own command: it has no SQLAlchemy spelling")
}

/// `session.execute(text("..."))`, with its rows or `session.commit()` after a write.
fn raw_sql(sql: &str, autocommit: bool) -> String {
    let statement = format!("session.execute(text({}))", python::text_literal(sql));
    let first = sql
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    match first.as_str() {
        "SELECT" | "WITH" | "PRAGMA" | "EXPLAIN" | "VALUES" => format!("{statement}.all()"),
        _ if autocommit => format!("{statement}\nsession.commit()"),
        _ => statement,
    }
}
