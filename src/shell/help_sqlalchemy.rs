//! `:help` topics for SQLAlchemy's own spellings, arithmetic, `having` and the rule for `[...]`
//! (kept apart from the short forms' topics in [`super::help::FORMS`]).

/// Topics: name, one example (run and undone by `:help <topic>`), and what it does.
pub const SQLALCHEMY_FORMS: &[(&str, &str, &str)] = &[
    (
        "sqlalchemy",
        "session.scalars(select(Student).where(Student.year == 2).order_by(Student.name)).all()",
        "SQLAlchemy's own spellings (2.x and 1.x) work too and give the short form's SQL: \
         session.get, session.query(...), select/update/delete/insert(...), func.count(), \
         and_/or_/not_, ilike/in_/not_in/is_/is_not/between, and Student.year wherever a column \
         stands; topics: session.get, session.scalars, session.query, session.add, bulk, options, brackets",
    ),
    (
        "session.get",
        "session.get(Student, 999)",
        "students[13] as SQLAlchemy spells it; as in SQLAlchemy a missing key gives None \
         (students[999] is an error); the short form is students.get(999, None)",
    ),
    (
        "session.scalars",
        "session.execute(select(Student.name, Student.email).where(Student.year == 2)).all()",
        "select(Class), select(Class.col, ...) or select(func.count()).select_from(Class), with \
         .where .filter_by .order_by .limit .offset .group_by .having .distinct .options; run by \
         session.scalars / execute / scalar and .all() .first() .one() .one_or_none() .scalar() \
         (.one() of no row is an error, .scalar() of none is None)",
    ),
    (
        "session.query",
        "session.query(Student).filter(Student.year == 2).order_by(Student.id).limit(3).all()",
        "SQLAlchemy 1.x: session.query(Class) with filter, filter_by, order_by, limit, offset, \
         all, first, one, one_or_none, count, get",
    ),
    (
        "session.add",
        "session.add(Student(name='Ada', email='ada@school.edu', year=1))",
        "a new row; also session.add_all([...]), session.delete(obj), session.flush(), \
         session.commit(), session.rollback(); after session.begin() they wait as pending \
         changes, as SQLAlchemy's unit of work does",
    ),
    (
        "bulk",
        "session.execute(update(Student).where(Student.year == 4).values(year=Student.year - 1))",
        "one UPDATE or DELETE for many rows: update(Class).where(...).values(...), \
         delete(Class).where(...), insert(Class).values(...); the short form is \
         students.where(year == 4).update(year=year - 1)",
    ),
    (
        "options",
        "session.scalars(select(Student).options(selectinload(Student.classes))).all()",
        "loader options: selectinload(...) is include(...), joinedload(...) is join_load(...)",
    ),
    (
        "brackets",
        "students[13].classes[0]",
        "[...] on a table's collection (students, Student, students.where(...)) is the primary \
         key: students[13]; on an object's relationship (students[13].classes) it is a position \
         from 0, as in a Python list: [0] is .first(), [1] the next; len(x) is x.count()",
    ),
    (
        "arithmetic",
        "classes.where(grade is None).update(credits=credits + 1)",
        "+ - * / // % and -x wherever a value stands (where, update, assignment, select, \
         order_by), as in SQLAlchemy 2: / is true division even between whole numbers \
         (SQLite: a / (b + 0.0)), // rounds down",
    ),
    (
        "having",
        "students.group_by(year).having(count() > 9)",
        "groups filtered by a condition on each group (HAVING; count(), sum(x), avg, min, max); \
         order_by, limit and offset after group_by page the groups",
    ),
];

/// The lines `:help` adds to its overview.
pub const OVERVIEW: &str = "
SQLAlchemy spellings work too: session.get(Student, 13), session.scalars(select(Student)
.where(Student.year == 2)).all(), session.query(Student).filter(...).all(), session.add(...);
:help sqlalchemy lists them. Arithmetic: + - * / // %. [...] is a key on a table's collection
(students[13]) and a position on an object's relationship (students[13].classes[0]).
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{Options, Session};

    #[test]
    fn every_example_runs_and_topics_are_unique() {
        let mut session = Session::open(Options::default()).expect("the School opens");
        for (topic, example, _) in SQLALCHEMY_FORMS {
            let answer = session.preview(example);
            assert!(
                answer.ok(),
                "{topic}: {example} failed: {:?}",
                answer.outcome
            );
            assert!(!answer.sql.is_empty(), "{topic}: {example} sends SQL");
        }
        let mut names: Vec<&str> = super::super::help::all_forms().map(|f| f.topic).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "a topic is named twice");
    }
}

#[cfg(test)]
mod nearest_tests {
    use crate::session::{Options, Session};
    use crate::syntax::sqlalchemy::NEAREST;

    /// The forms an answer offers instead must themselves work.
    #[test]
    fn every_nearest_form_offered_runs() {
        let mut session = Session::open(Options::default()).expect("the School opens");
        for (names, _, instead) in NEAREST {
            assert!(
                instead.starts_with("in ormscope: `"),
                "{names:?}: {instead}"
            );
            for (i, form) in instead.split('`').enumerate() {
                if i % 2 == 0 || form.starts_with(':') {
                    continue;
                }
                let answer = session.run(form);
                assert!(
                    answer.ok(),
                    "{names:?}: `{form}` fails: {:?}",
                    answer.outcome
                );
                session.reset().expect("reset");
            }
        }
    }
}
