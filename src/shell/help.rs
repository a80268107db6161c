//! `:help`: the forms of the language, each with one example (run and undone to show its
//! SQL), the topics that explain more than one form (loops, loading, the session object,
//! class declarations), the methods from the mapper's registry and the meta commands from
//! the shell's.

use super::commands::{self, Call, Group, COMMANDS};
use super::help_sqlalchemy;
use crate::error::{suggestion, Error};
use crate::mapper::methods;
use crate::session::{Response, Session};

/// One topic of `:help`: a form of the language with an example.
#[derive(Debug, Clone, Copy)]
pub struct Form {
    /// The topic's name (`:help where`).
    pub topic: &'static str,
    /// One example statement.
    pub example: &'static str,
    /// What it does, in one line.
    pub what: &'static str,
    /// More to say, shown under the topic (empty for none).
    pub more: &'static str,
    /// Whether the example is run (and undone) to show its SQL.
    pub shows_sql: bool,
}

const fn form(topic: &'static str, example: &'static str, what: &'static str) -> Form {
    Form {
        topic,
        example,
        what,
        more: "",
        shows_sql: true,
    }
}

/// The language forms, each with one example, for `:help` and `:help <topic>`.
pub const FORMS: &[Form] = &[
    form("collection", "students", "every row: SELECT * FROM students"),
    form(
        "key",
        "students[13]",
        "one object by primary key (also students.13, students.get(13))",
    ),
    form("attribute", "students[13].name", "one value of one object"),
    form(
        "relationship",
        "students[13].classes",
        "related rows: SELECT * FROM classes WHERE student_id = 13",
    ),
    form(
        "where",
        "students.where(year == 2 and name.startswith('A'))",
        "filtered rows (alias filter): WHERE ...",
    ),
    form("filter_by", "students.filter_by(year=2)", "equality filters"),
    form(
        "order_by",
        "students.order_by(year.desc(), name)",
        "ordered rows (-year also means descending)",
    ),
    form(
        "limit",
        "students.order_by(name).limit(5).offset(10)",
        "paging: LIMIT and OFFSET",
    ),
    form("first", "students.where(year == 3).first()", "one object, or None"),
    form(
        "count",
        "students[13].classes.count()",
        "a number: SELECT count(*) ... (also sum, avg, min, max)",
    ),
    form(
        "select",
        "teachers.select(department).distinct()",
        "rows of some columns",
    ),
    form("group_by", "students.group_by(year).count()", "one row per group"),
    form(
        "any",
        "students.where(classes.any(credits >= 4))",
        "a test on related rows: EXISTS (...)",
    ),
    Form {
        more: "contains, startswith, endswith and like become LIKE. SQLite's LIKE ignores case \
               for ASCII letters only: 'é' and 'É' are different to it, while PostgreSQL's \
               ILIKE (the PostgreSQL view of icontains) folds every letter.",
        ..form(
            "contains",
            "students.where(name.contains('an'))",
            "text that contains a piece: LIKE '%an%' (case-insensitive for ASCII letters only in SQLite)",
        )
    },
    form(
        "append",
        "students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})",
        "a related row: INSERT with the foreign key filled in",
    ),
    form(
        "add",
        "students.create(name='Ada', email='ada@school.edu', year=1)",
        "a new row (also students.add({...}), Student(...))",
    ),
    form(
        "update",
        "students[13].name = 'Ann'",
        "UPDATE ... WHERE id = 13 (also .update(year=3), and on a whole collection)",
    ),
    form(
        "delete",
        "students[13].delete()",
        "DELETE, with what ON DELETE rules cascade (also del students[13])",
    ),
    form(
        "remove",
        "students[13].clubs.remove(clubs[2])",
        "unlink: DELETE FROM memberships ...",
    ),
    form("names", "s = students[13]", "a name for later statements: s.classes"),
    Form {
        more: "The loop's body runs once for each object: each use of a relationship there \
               sends one more query (the N+1 problem), which ormscope points out. Load the \
               relationship with the collection instead: include(...) or join_load(...).",
        ..form(
            "loops",
            "for s in students.limit(3): s.name, s.classes.count()",
            "run a body for each object of a collection: for NAME in COLLECTION: BODY",
        )
    },
    Form {
        more: "include(rel) loads the related rows of every object with one more query \
               (SQLAlchemy's selectinload: WHERE ... IN (...)); join_load(rel) joins them into \
               the first query (joinedload: LEFT OUTER JOIN). Either way a loop over the objects \
               then sends no query per object.",
        ..form(
            "include",
            "students.limit(3).include(classes)",
            "load a relationship for every object at once (also join_load)",
        )
    },
    Form {
        more: "include(rel) loads the related rows with one more query (selectinload); \
               join_load(rel) loads them in the same query with a LEFT OUTER JOIN (joinedload).",
        ..form(
            "join_load",
            "students.limit(3).join_load(classes)",
            "load a relationship in the same query, with a join",
        )
    },
    Form {
        more: "session.begin() (or :session on) starts session mode: writes wait as pending \
               changes (session.new, session.dirty, session.deleted) in the unit of work. \
               session.flush() sends them, session.commit() sends and saves them, \
               session.rollback() forgets them; the identity map keeps one object per row.",
        shows_sql: false,
        ..form(
            "session",
            "session.begin()",
            "the Session object: pending changes, flush, commit, rollback",
        )
    },
    Form {
        more: "Declare a new mapped class as in SQLAlchemy's declarative form; finish it with an \
               empty line:\n\n    class Award(Base):\n        __tablename__ = 'awards'\n        \
               id = Column(Integer, primary_key=True)\n        \
               student_id = Column(Integer, ForeignKey('students.id'))\n        \
               title = Column(String, nullable=False)\n        \
               student = relationship('Student', backref='awards')\n\n\
               or classically with awards = Table(...) and mapper(Award, awards, properties={...}). \
               Then students[13].awards and :schema awards work.",
        shows_sql: false,
        ..form(
            "class",
            "class Award(Base): ...",
            "declare a new mapped class (its table is created)",
        )
    },
    form(
        "transaction",
        "begin",
        "begin ... commit / rollback keep statements together",
    ),
];

/// Every form `:help` explains: the short forms', then SQLAlchemy's spellings.
pub fn all_forms() -> impl Iterator<Item = Form> {
    FORMS.iter().copied().chain(
        help_sqlalchemy::SQLALCHEMY_FORMS
            .iter()
            .map(|(topic, example, what)| form(topic, example, what)),
    )
}

/// `:help` and `:help TOPIC`.
pub fn command(session: &mut Session, call: &Call<'_>) -> Response {
    let typed = call.rest.trim_start_matches(':');
    let topic = TOPIC_WORDS
        .iter()
        .find(|(word, _)| *word == typed)
        .map_or(typed, |(_, topic)| *topic);
    if topic.is_empty() {
        return call.answer(Ok(Some(overview())));
    }
    if let Some(form) = all_forms().find(|f| f.topic == topic) {
        return call.answer(Ok(Some(form_text(session, &form))));
    }
    if let Some(command) = commands::find(&format!(":{topic}")) {
        return call.answer(Ok(Some(format!(
            "{}: {}\n\n  {}\n",
            command.name, command.help, command.syntax
        ))));
    }
    if let Some(method) = methods::find(topic) {
        return call.answer(Ok(Some(format!("{}: {}\n", method.name, method.help))));
    }
    let known = topics();
    call.answer(Err(Error::name(
        call.rest_span(),
        format!("no help topic '{}'", call.rest),
    )
    .with_hint(suggestion(topic, known.iter().copied()))))
}

/// Words a learner types that name a topic by another name: the keyword of a form
/// (`:help for` is the loops topic, `:help del` the delete one).
const TOPIC_WORDS: &[(&str, &str)] = &[("for", "loops"), ("del", "delete")];

/// Every topic `:help` knows: the forms, then the methods and commands not already named.
pub fn topics() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = all_forms().map(|f| f.topic).collect();
    for name in methods::METHODS.iter().map(|m| m.name) {
        if !all.contains(&name) {
            all.push(name);
        }
    }
    all.extend(COMMANDS.iter().map(|c| c.name.trim_start_matches(':')));
    all
}

fn overview() -> String {
    let mut text = String::from("Statements (one per line; Python-like, as an ORM is used):\n");
    for form in FORMS {
        text.push_str(&format!("  {}\n      {}\n", form.example, form.what));
    }
    text.push_str(help_sqlalchemy::OVERVIEW);
    text.push_str("\nMeta commands:\n");
    text.push_str(&commands::help_list(Group::Database));
    text.push_str("\n:help <topic> explains one form; topics: ");
    text.push_str(&all_forms().map(|f| f.topic).collect::<Vec<_>>().join(", "));
    text.push_str(" (and any method or meta command: :help include, :help reset)");
    text.push_str("\n\nView and instructor commands:\n");
    text.push_str(&commands::help_list(Group::View));
    text.trim_end().to_string()
}

fn form_text(session: &mut Session, form: &Form) -> String {
    let mut text = format!("{}: {}\n\n  {}\n", form.topic, form.what, form.example);
    if !form.more.is_empty() {
        text.push_str(&format!("\n{}\n", form.more));
    }
    if !form.shows_sql {
        return text;
    }
    let preview = session.preview(form.example);
    if !preview.ok() {
        text.push_str(
            "\n(the example is the School's: it does not run on this database, whose names :tables lists)\n",
        );
        return text;
    }
    if let Some(step) = preview.mapping.last() {
        text.push_str(&format!("  ({step})\n"));
    }
    text.push_str("\nbecomes this SQL (run here and undone, so nothing changed):\n\n");
    for sql in &preview.sql {
        text.push_str(&format!("  {}\n", sql.display));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Options;

    fn help(topic: &str) -> Response {
        let mut session = match Session::open(Options::default()) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        commands::run_on_session(&mut session, &format!(":help {topic}"))
    }

    #[test]
    fn the_keyword_a_learner_types_opens_its_topic() {
        for (typed, topic) in [("for", "loops"), ("del", "delete")] {
            assert_eq!(help(typed).text, help(topic).text, ":help {typed}");
            assert!(help(typed).outcome.is_ok(), ":help {typed}");
        }
    }

    #[test]
    fn the_new_topics_explain_loops_loading_the_session_classes_and_reset() {
        for (topic, says) in [
            ("loops", "N+1"),
            ("include", "selectinload"),
            ("join_load", "LEFT OUTER JOIN"),
            ("session", "session.flush()"),
            ("class", "__tablename__"),
            ("reset", "as it was at the start"),
            (":reset", "as it was at the start"),
        ] {
            let r = help(topic);
            let text = r.text.unwrap_or_default();
            assert!(text.contains(says), ":help {topic} says {text}");
        }
    }

    #[test]
    fn a_loop_topic_shows_the_sql_of_its_example() {
        let text = help("loops").text.unwrap_or_default();
        assert!(
            text.contains("SELECT count(*) FROM classes WHERE student_id = "),
            "{text}"
        );
    }

    #[test]
    fn contains_says_sqlite_folds_ascii_only() {
        let text = help("contains").text.unwrap_or_default();
        assert!(text.contains("ASCII letters only"), "{text}");
        assert!(text.contains("LIKE '%an%'"), "{text}");
    }

    #[test]
    fn an_unknown_topic_suggests_the_nearest() {
        let r = help("loop");
        let Err(e) = &r.outcome else { panic!("{r:?}") };
        assert_eq!(e.hint.as_deref(), Some("did you mean 'loops'?"));
    }
}
