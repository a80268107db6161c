//! SQLite's constraint failures explained in the schema's terms: which column, which rule,
//! which value, and what to do about it.

use crate::db::DbError;
use crate::error::{Error, ErrorKind, Span};
use crate::mapper::{Link, Registry};
use crate::schema::Table;
use crate::translate::Assignment;

/// The value a write gave, as SQL: `5`, `'Ann'`, or `year + 1` for a computed one.
fn given_text(assignment: &Assignment) -> String {
    match &assignment.computed {
        Some(expr) => crate::render::render_condition(expr),
        None => assignment.value.sql_literal(),
    }
}

/// The learner's explanation of a constraint failure of a write to `table`.
pub(crate) fn explain(
    reg: &Registry,
    table: &Table,
    e: &DbError,
    written: &[Assignment],
    span: Span,
) -> Error {
    let message = e.message.as_str();
    let class = reg.class_name(&table.name);
    let given = |column: &str| written.iter().find(|a| a.column == column);
    let at = |column: &str| given(column).map_or(span, |a| a.span);
    let err = |column: &str, text: String| Error::new(ErrorKind::Constraint, at(column), text);

    if let Some(rest) = message.strip_prefix("NOT NULL constraint failed: ") {
        let column = rest.rsplit('.').next().unwrap_or(rest);
        return err(
            column,
            format!(
                "{}.{column} cannot be empty (NOT NULL): every {class} needs {} {column}",
                table.name,
                if column.starts_with(['a', 'e', 'i', 'o', 'u']) {
                    "an"
                } else {
                    "a"
                }
            ),
        )
        .with_hint(format!("give a value for '{column}', e.g. {column}=..."));
    }
    if let Some(rest) = message.strip_prefix("UNIQUE constraint failed: ") {
        let columns: Vec<&str> = rest
            .split(", ")
            .map(|c| c.rsplit('.').next().unwrap_or(c))
            .collect();
        let values: Vec<String> = columns
            .iter()
            .map(|c| given(c).map_or_else(|| "?".to_string(), given_text))
            .collect();
        let first = columns.first().copied().unwrap_or("");
        if let Some(linked) = already_linked(reg, table, written) {
            return linked;
        }
        let text = if columns.len() == 1 {
            format!(
                "{}.{first} must be unique, and another {class} already has {first} = {}",
                table.name, values[0]
            )
        } else {
            let pairs: Vec<String> = columns
                .iter()
                .zip(&values)
                .map(|(c, v)| format!("{c} = {v}"))
                .collect();
            format!(
                "{} already has a row with {}: they are already linked",
                table.name,
                pairs.join(" and ")
            )
        };
        return err(first, text).with_hint(format!(
            "choose another {first}, or change the row that has it"
        ));
    }
    if message.starts_with("CHECK constraint failed") {
        let rule = table.columns.iter().find_map(|c| {
            c.check
                .as_ref()
                .filter(|ch| message.contains(&ch.sql))
                .map(|ch| (c, ch))
        });
        if let Some((column, check)) = rule {
            let you_gave = given(&column.name)
                .map_or_else(String::new, |a| format!("; you gave {}", given_text(a)));
            return err(
                &column.name,
                format!("{} (CHECK {}){you_gave}", check.explain, check.sql),
            )
            .with_hint(format!("pick a {} that keeps the rule", column.name));
        }
        return Error::new(
            ErrorKind::Constraint,
            span,
            format!("a CHECK rule of {} failed: {message}", table.name),
        );
    }
    if message.starts_with("FOREIGN KEY constraint failed") {
        return foreign_key(reg, table, written, span);
    }
    Error::new(
        ErrorKind::Constraint,
        span,
        format!("a rule of {} failed: {message}", table.name),
    )
}

/// A link appended twice through a many-to-many relationship (`students[13].clubs.append(
/// clubs[3])` when Student 13 is in Club 3 already), said in the relationship's terms.
fn already_linked(reg: &Registry, table: &Table, written: &[Assignment]) -> Option<Error> {
    let [owner, target] = written else {
        return None;
    };
    let rel = reg.metadata.tables().iter().find_map(|t| {
        reg.relationships_of(&t.name).into_iter().find(|r| {
            matches!(&r.link, Link::ManyToMany { secondary, owner_column, target_column }
                if *secondary == table.name
                    && *owner_column == owner.column
                    && *target_column == target.column)
        })
    })?;
    let (owner_class, target_class) = (reg.class_name(&rel.owner), reg.class_name(&rel.target));
    let (owner_key, target_key) = (owner.value.sql_literal(), target.value.sql_literal());
    Some(
        Error::new(
            ErrorKind::Constraint,
            target.span,
            format!(
                "{owner_class} {owner_key} already has {target_class} {target_key} among its {}: {} already links them, and a link is kept once",
                rel.name, table.name
            ),
        )
        .with_hint(format!(
            "nothing to add; {}[{owner_key}].{} lists them, and .remove({}[{target_key}]) would unlink them",
            rel.owner, rel.name, rel.target
        )),
    )
}

fn foreign_key(reg: &Registry, table: &Table, written: &[Assignment], span: Span) -> Error {
    let candidates: Vec<_> = table
        .foreign_keys()
        .filter_map(|(c, fk)| {
            written
                .iter()
                .find(|a| a.column == c.name && !a.value.is_null())
                .map(|a| (a, fk))
        })
        .collect();
    match candidates.as_slice() {
        [(a, fk)] => {
            let target = reg.class_name(&fk.table);
            Error::new(
                ErrorKind::Constraint,
                a.span,
                format!(
                    "FOREIGN KEY {}.{} REFERENCES {}({}): there is no {target} with {} {}",
                    table.name,
                    a.column,
                    fk.table,
                    fk.column,
                    fk.column,
                    a.value.sql_literal()
                ),
            )
            .with_hint(format!(
                "{}.select({}) lists the keys there are",
                fk.table, fk.column
            ))
        }
        [] => Error::new(
            ErrorKind::Constraint,
            span,
            format!(
                "FOREIGN KEY: other rows still refer to this row of {}",
                table.name
            ),
        )
        .with_hint("change or delete the rows that refer to it first"),
        several => {
            let names: Vec<String> = several
                .iter()
                .map(|(a, fk)| format!("{} → {}", a.column, fk.table))
                .collect();
            Error::new(
                ErrorKind::Constraint,
                span,
                format!(
                    "FOREIGN KEY: one of {} refers to a row that does not exist",
                    names.join(", ")
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::school;
    use crate::sql::Value;

    fn explain_for(table: &str, message: &str, written: &[Assignment]) -> Error {
        let reg = school::registry();
        let t = reg.metadata.table(table).cloned().expect("table");
        let e = DbError {
            code: Some(rusqlite::ErrorCode::ConstraintViolation),
            message: message.into(),
            explained: false,
        };
        explain(&reg, &t, &e, written, Span::new(0, 1))
    }

    fn given(column: &str, value: Value) -> Assignment {
        Assignment {
            column: column.into(),
            value,
            span: Span::new(5, 9),
            computed: None,
        }
    }

    #[test]
    fn a_check_names_the_rule_and_the_value() {
        let e = explain_for(
            "students",
            "CHECK constraint failed: year BETWEEN 1 AND 4",
            &[given("year", Value::Integer(5))],
        );
        assert_eq!(
            e.message,
            "year must be between 1 and 4 (CHECK year BETWEEN 1 AND 4); you gave 5"
        );
        assert_eq!(e.span, Span::new(5, 9));
    }

    #[test]
    fn not_null_says_which_column_to_give() {
        let e = explain_for(
            "classes",
            "NOT NULL constraint failed: classes.abbreviation",
            &[],
        );
        assert!(
            e.message
                .starts_with("classes.abbreviation cannot be empty (NOT NULL)"),
            "{}",
            e.message
        );
        assert_eq!(
            e.hint.as_deref(),
            Some("give a value for 'abbreviation', e.g. abbreviation=...")
        );
    }

    #[test]
    fn a_foreign_key_names_the_missing_row() {
        let e = explain_for(
            "students",
            "FOREIGN KEY constraint failed",
            &[given("advisor_id", Value::Integer(999))],
        );
        assert_eq!(
            e.message,
            "FOREIGN KEY students.advisor_id REFERENCES teachers(id): there is no Teacher with id 999"
        );
    }

    #[test]
    fn unique_quotes_the_value_already_taken() {
        let e = explain_for(
            "students",
            "UNIQUE constraint failed: students.email",
            &[given("email", Value::Text("a@b".into()))],
        );
        assert_eq!(
            e.message,
            "students.email must be unique, and another Student already has email = 'a@b'"
        );
    }
}
