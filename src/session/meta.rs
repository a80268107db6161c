//! Meta commands (`:help`, `:tables`, `:schema`, `:sql`, `:reset`, `:quit`): about the tool
//! and the database rather than statements of the language.

use super::{Outcome, Session, Trace};
use crate::error::{suggestion, Error, ErrorKind, Result, Span};
use crate::mapper::{python, Link};
use crate::render::Rendered;

/// Every meta command, with what it does.
pub const COMMANDS: &[(&str, &str)] = &[
    (
        ":timeout [SECONDS]",
        "stop statements that run longer (default 10; 0 for no limit)",
    ),
    (
        ":help [topic]",
        "this list, or one form of the language explained (:help where)",
    ),
    (
        ":tables",
        "the tables and the classes mapped to them, with row counts",
    ),
    (
        ":schema [table]",
        "CREATE TABLE statements and relationships; for one table its three faces: SQL, Core, ORM",
    ),
    (
        ":session on|off",
        "session mode: writes wait as pending changes until flush or commit (the unit of work)",
    ),
    (
        ":mapping Class",
        "the classical mapper(Class, table, properties={...}) form of a mapped class",
    ),
    (
        ":sql <raw SQL>",
        "run one SQL statement as it is, and show its result",
    ),
    (
        ":reset",
        "make the School database again as it was at the start",
    ),
    (":quit", "leave ormscope"),
];

/// The language forms, each with one example, for `:help` and `:help <topic>`.
pub const FORMS: &[(&str, &str, &str)] = &[
    (
        "collection",
        "students",
        "every row: SELECT * FROM students",
    ),
    (
        "key",
        "students[13]",
        "one object by primary key (also students.13, students.get(13))",
    ),
    ("attribute", "students[13].name", "one value of one object"),
    (
        "relationship",
        "students[13].classes",
        "related rows: SELECT * FROM classes WHERE student_id = 13",
    ),
    (
        "where",
        "students.where(year == 2 and name.startswith('A'))",
        "filtered rows (alias filter): WHERE ...",
    ),
    (
        "filter_by",
        "students.filter_by(year=2)",
        "equality filters",
    ),
    (
        "order_by",
        "students.order_by(year.desc(), name)",
        "ordered rows (-year also means descending)",
    ),
    (
        "limit",
        "students.order_by(name).limit(5).offset(10)",
        "paging: LIMIT and OFFSET",
    ),
    (
        "first",
        "students.where(year == 3).first()",
        "one object, or None",
    ),
    (
        "count",
        "students[13].classes.count()",
        "a number: SELECT count(*) ... (also sum, avg, min, max)",
    ),
    (
        "select",
        "teachers.select(department).distinct()",
        "rows of some columns",
    ),
    (
        "group_by",
        "students.group_by(year).count()",
        "one row per group",
    ),
    (
        "any",
        "students.where(classes.any(credits >= 4))",
        "a test on related rows: EXISTS (...)",
    ),
    (
        "append",
        "students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})",
        "a related row: INSERT with the foreign key filled in",
    ),
    (
        "add",
        "students.create(name='Ada', email='ada@school.edu', year=1)",
        "a new row (also students.add({...}), Student(...))",
    ),
    (
        "update",
        "students[13].name = 'Ann'",
        "UPDATE ... WHERE id = 13 (also .update(year=3), and on a whole collection)",
    ),
    (
        "delete",
        "students[13].delete()",
        "DELETE, with what ON DELETE rules cascade (also del students[13])",
    ),
    (
        "remove",
        "students[13].clubs.remove(clubs[2])",
        "unlink: DELETE FROM memberships ...",
    ),
    (
        "names",
        "s = students[13]",
        "a name for later statements: s.classes",
    ),
    (
        "transaction",
        "begin",
        "begin ... commit / rollback keep statements together",
    ),
];

/// Runs a meta command.
pub(crate) fn run(session: &mut Session, input: &str, trace: &mut Trace) -> Result<Outcome> {
    let (command, rest) = match input.find(char::is_whitespace) {
        Some(i) => (&input[..i], input[i..].trim()),
        None => (input, ""),
    };
    let span = Span::new(0, command.len());
    match command {
        ":help" | ":h" | ":?" => help(session, rest, span, trace),
        ":tables" => tables(session, trace),
        ":schema" if !rest.is_empty() => faces(session, rest, span, trace),
        ":schema" => schema(session, rest, span, trace),
        ":mapping" => mapping(session, rest, span, trace),
        ":sql" => raw_sql(session, rest, span, trace),
        ":timeout" => timeout(session, rest, span, trace),
        ":session" => session.session_switch(rest, span, trace),
        ":reset" if session.file().is_some() => Err(Error::new(
            ErrorKind::Sql,
            span,
            format!(
                ":reset would rewrite the file {} with a fresh School, and every change in it would be lost: at the prompt it asks first, in a script it is refused",
                session.file().map(|p| p.display().to_string()).unwrap_or_default()
            ),
        )
        .with_hint("type :reset at the prompt, or delete the file to start again")),
        ":reset" => {
            session.reset()?;
            trace
                .notes
                .push(match session.options.db_path.as_deref() {
                    Some(p) if super::persist::is_sql_script(p) => {
                        format!("the database is as {} made it", p.display())
                    }
                    _ => "the School database is as it was at the start".into(),
                });
            Ok(Outcome::None)
        }
        ":quit" | ":q" | ":exit" => Ok(Outcome::None),
        other => {
            let names: Vec<&str> = COMMANDS
                .iter()
                .map(|(c, _)| c.split_whitespace().next().unwrap_or(c))
                .collect();
            Err(Error::name(span, format!("no meta command '{other}'"))
                .with_hint(suggestion(other, names.iter().copied())))
        }
    }
}

fn help(session: &mut Session, topic: &str, span: Span, trace: &mut Trace) -> Result<Outcome> {
    let mut text = String::new();
    if topic.is_empty() {
        text.push_str("Statements (one per line; Python-like, as an ORM is used):\n");
        for (_, example, what) in FORMS {
            text.push_str(&format!("  {example}\n      {what}\n"));
        }
        text.push_str("\nMeta commands:\n");
        for (command, what) in COMMANDS {
            text.push_str(&format!("  {command:18} {what}\n"));
        }
        text.push_str("\n:help <topic> explains one form; topics: ");
        text.push_str(
            &FORMS
                .iter()
                .map(|(t, _, _)| *t)
                .collect::<Vec<_>>()
                .join(", "),
        );
    } else {
        let Some((name, example, what)) = FORMS.iter().find(|(t, _, _)| *t == topic) else {
            return Err(Error::name(span, format!("no help topic '{topic}'"))
                .with_hint(suggestion(topic, FORMS.iter().map(|(t, _, _)| *t))));
        };
        text.push_str(&format!("{name}: {what}\n\n  {example}\n"));
        let preview = session.preview(example);
        if !preview.ok() {
            text.push_str(
                "\n(the example is the School's: it does not run on this database, whose names :tables lists)\n",
            );
            trace.text = Some(text);
            return Ok(Outcome::None);
        }
        if let Some(step) = preview.mapping.last() {
            text.push_str(&format!("  ({step})\n"));
        }
        text.push_str("\nbecomes this SQL (run here and undone, so nothing changed):\n\n");
        for sql in &preview.sql {
            text.push_str(&format!("  {}\n", sql.display));
        }
    }
    trace.text = Some(text);
    Ok(Outcome::None)
}

fn tables(session: &Session, trace: &mut Trace) -> Result<Outcome> {
    let mut text = String::new();
    for table in session.registry().metadata.tables() {
        let class = match session.registry().mapper_of(&table.name) {
            Some(m) => format!("class {}", m.class_name),
            None if table.view => "(view, read-only)".to_string(),
            None if table.primary_key.is_empty() => "(no primary key)".to_string(),
            None => "(association table)".to_string(),
        };
        let count = crate::render::render(&crate::sql::Statement::Select(
            crate::mapper::query::Query::all(&table.name)
                .aggregate_select(crate::sql::Aggregate::Count, None),
        ));
        let count = match session.database().query(&count) {
            Ok(rows) => match rows.rows.first().and_then(|r| r.first()) {
                Some(n) => format!("{} rows", n.sql_literal()),
                None => "? rows".to_string(),
            },
            Err(e) => format!("rows not counted: {}", e.message),
        };
        text.push_str(&format!("  {:12} {:22} {count}\n", table.name, class));
    }
    trace.text = Some(text.trim_end().to_string());
    Ok(Outcome::None)
}

fn schema(session: &Session, which: &str, span: Span, trace: &mut Trace) -> Result<Outcome> {
    let reg = session.registry();
    let tables: Vec<_> = if which.is_empty() {
        reg.metadata.tables().iter().collect()
    } else {
        let name = reg
            .collection(which)
            .map(|c| c.table.name.clone())
            .ok_or_else(|| {
                Error::name(span, format!("no table or class '{which}'"))
                    .with_hint(suggestion(which, reg.collection_names()))
            })?;
        reg.metadata
            .tables()
            .iter()
            .filter(|t| t.name == name)
            .collect()
    };
    let mut text = String::new();
    for table in tables {
        text.push_str(&table.create_sql());
        text.push_str(";\n");
        for index in table.index_sql() {
            text.push_str(&index);
            text.push_str(";\n");
        }
        if let Some(mapper) = reg.mapper_of(&table.name) {
            text.push_str(&format!("-- mapped class {}\n", mapper.class_name));
            for rel in reg.relationships_of(&table.name) {
                let through = match &rel.link {
                    Link::ManyToOne { column } => format!("{}.{column}", rel.owner),
                    Link::OneToMany { column } => format!("{}.{column}", rel.target),
                    Link::ManyToMany { secondary, .. } => secondary.clone(),
                };
                let target = reg.class_name(&rel.target);
                text.push_str(&format!(
                    "--   {}.{} → {target}: {} through {through} (back: {}.{})\n",
                    mapper.class_name,
                    rel.name,
                    rel.kind_name(),
                    target,
                    rel.back_populates
                ));
            }
        }
        text.push('\n');
    }
    trace.text = Some(text.trim_end().to_string());
    Ok(Outcome::None)
}

fn raw_sql(session: &mut Session, sql: &str, span: Span, trace: &mut Trace) -> Result<Outcome> {
    if sql.is_empty() {
        return Err(Error::parse(span, ":sql needs a statement")
            .with_hint("e.g. :sql SELECT * FROM students WHERE id = 13"));
    }
    let at = Span::new(5, 6);
    let words = leading_words(sql, 4);
    let first = words.first().map(String::as_str).unwrap_or("");
    if ["BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"].contains(&first) {
        return Err(Error::new(
            ErrorKind::Sql,
            at,
            format!("{first} is not run through :sql: ormscope keeps each statement atomic itself"),
        )
        .with_hint("use the statements begin, commit and rollback"));
    }
    if first == "VACUUM" {
        return Err(Error::new(
            ErrorKind::Sql,
            at,
            "VACUUM is refused in raw SQL: it rewrites the database and VACUUM INTO writes new files",
        ));
    }
    let written_table = target_table(&words);
    session.atomically(trace, |session, trace| {
        let record = Rendered::raw(sql);
        trace.start();
        match session.db.raw(sql) {
            Ok((Some(rows), _)) => {
                trace.record(&record, rows.rows.len() as u64);
                Ok(Outcome::Rows {
                    table: None,
                    columns: rows.columns,
                    rows: rows.rows,
                })
            }
            Ok((None, changes)) => {
                let rows = written_table.as_ref().map_or(0, |_| changes.affected);
                trace.record(&record, rows);
                let Some(table) = written_table else {
                    return Ok(Outcome::None);
                };
                let cascaded = changes
                    .per_table
                    .iter()
                    .filter(|(t, n)| **t != table && **n > 0)
                    .map(|(t, n)| (t.clone(), *n))
                    .collect();
                let id =
                    (first == "INSERT" || first == "REPLACE").then_some(changes.last_insert_id);
                Ok(Outcome::Write {
                    affected: changes.affected,
                    table,
                    id,
                    cascaded,
                })
            }
            Err(e) => {
                trace.record_failure(&record);
                Err(super::eval::sql_error(&e, at))
            }
        }
    })
}

/// The first few words of a SQL statement, upper-cased, skipping `--` comments.
fn leading_words(sql: &str, n: usize) -> Vec<String> {
    sql.lines()
        .map(|l| l.split("--").next().unwrap_or(""))
        .flat_map(|l| l.split(|c: char| c.is_whitespace() || c == '('))
        .filter(|w| !w.is_empty())
        .take(n)
        .map(|w| w.to_ascii_uppercase())
        .collect()
}

/// The table an INSERT, UPDATE, DELETE or REPLACE writes, from its first words.
fn target_table(words: &[String]) -> Option<String> {
    let name = match words {
        [w, rest @ ..] if w == "UPDATE" => rest.iter().find(|w| {
            *w != "OR" && !["ROLLBACK", "ABORT", "REPLACE", "FAIL", "IGNORE"].contains(&w.as_str())
        }),
        [w, rest @ ..] if w == "DELETE" => rest.iter().find(|w| *w != "FROM"),
        [w, rest @ ..] if w == "INSERT" || w == "REPLACE" => {
            rest.iter().skip_while(|w| *w != "INTO").nth(1)
        }
        _ => None,
    }?;
    Some(
        name.trim_matches(|c| c == '"' || c == '`' || c == '[' || c == ']')
            .to_ascii_lowercase(),
    )
}

fn timeout(session: &mut Session, rest: &str, span: Span, trace: &mut Trace) -> Result<Outcome> {
    if rest.is_empty() {
        trace.notes.push(match session.db.timeout() {
            Some(t) => format!("statements are stopped after {} s", t.as_secs()),
            None => "statements run without a time limit (Ctrl-C still stops one)".into(),
        });
        return Ok(Outcome::None);
    }
    let seconds: u64 = rest.parse().map_err(|_| {
        Error::new(
            ErrorKind::Type,
            span,
            format!(":timeout takes a whole number of seconds, not '{rest}'"),
        )
        .with_hint("e.g. :timeout 30, or :timeout 0 for no limit")
    })?;
    let limit = (seconds > 0).then(|| std::time::Duration::from_secs(seconds));
    session.db.set_timeout(limit);
    trace.notes.push(match limit {
        Some(_) => format!("statements are stopped after {seconds} s"),
        None => "statements run without a time limit (Ctrl-C still stops one)".into(),
    });
    Ok(Outcome::None)
}

/// The table a `:schema`/`:mapping` argument names (a table or a class).
fn named_table<'r>(
    reg: &'r crate::mapper::Registry,
    which: &str,
    span: Span,
) -> Result<&'r crate::schema::Table> {
    reg.collection(which).map(|c| c.table).ok_or_else(|| {
        Error::name(span, format!("no table or class '{which}'"))
            .with_hint(suggestion(which, reg.collection_names()))
    })
}

/// `:schema TABLE`: one table's three faces — the SQL, the Core `Table`, the declarative class.
fn faces(session: &Session, which: &str, span: Span, trace: &mut Trace) -> Result<Outcome> {
    let reg = session.registry();
    let table = named_table(
        reg,
        which,
        Span::new(span.end + 1, span.end + 1 + which.len()),
    )?;
    let mut sql = format!("{};", table.create_sql());
    for index in table.index_sql() {
        sql.push_str(&format!("\n{index};"));
    }
    trace
        .faces
        .push(("SQL: the table in the database".into(), sql));
    trace
        .faces
        .push(("Core: Table and Column".into(), python::core_table(table)));
    match python::declarative_class(reg, table) {
        Some(class) => trace
            .faces
            .push(("ORM: the declarative class".into(), class)),
        None => trace.notes.push(format!(
            "{} has no mapped class: {}",
            table.name,
            if table.view {
                "it is a view, read as a plain Core table (read-only)"
            } else if table.primary_key.is_empty() {
                "it has no primary key, so it is a plain Core table"
            } else {
                "it is a plain Core table (an association table)"
            }
        )),
    }
    Ok(Outcome::None)
}

/// `:mapping Class`: the classical mapping of a class beside its declarative form.
fn mapping(session: &Session, which: &str, span: Span, trace: &mut Trace) -> Result<Outcome> {
    let reg = session.registry();
    if which.is_empty() {
        return Err(Error::parse(span, ":mapping needs a class").with_hint("e.g. :mapping Student"));
    }
    let table = named_table(
        reg,
        which,
        Span::new(span.end + 1, span.end + 1 + which.len()),
    )?;
    let (Some(classical), Some(declarative)) = (
        python::classical_mapping(reg, table),
        python::declarative_class(reg, table),
    ) else {
        return Err(Error::name(
            span,
            format!("{} is a plain table with no mapped class", table.name),
        ));
    };
    trace.faces.push((
        "classical: mapper() over a Core Table".into(),
        format!("{}\n\n{classical}", python::core_table(table)),
    ));
    trace.faces.push((
        "declarative: the class declares its table".into(),
        declarative,
    ));
    Ok(Outcome::None)
}
