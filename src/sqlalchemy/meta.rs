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
                reg.metadata.tables().iter().collect()
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
                        faces::classical_mapping(reg, t)
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
