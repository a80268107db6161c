//! The nearest form ormscope offers for a Python or SQLAlchemy spelling it does not.

/// Spellings ormscope does not offer (`session.merge`, `.subquery`, `text`), what it says
/// about them, and the nearest forms it offers, in both spellings.
pub const NEAREST: &[(&[&str], &str, &str)] = &[
    (
        &["session.merge"],
        "ormscope has no session.merge(): every object is read from the database by its key, so there is nothing detached to merge",
        "in ormscope: `students[13].update(name='Ann')` or `students[13].name = 'Ann'`; or `session.get(Student, 13)` and then set its attributes",
    ),
    (
        &["session.refresh", "session.expire"],
        "ormscope reads an object again at each use, so there is nothing to refresh",
        "in ormscope: `students[13]`, or `session.get(Student, 13)`; session.expire_all() expires everything",
    ),
    (
        &["session.expunge", "session.expunge_all", "session.close", "session.close_all"],
        "ormscope keeps one session for the whole run",
        "in ormscope: `session.commit()` or `session.rollback()` end the unit of work, and `:session off` leaves session mode",
    ),
    (
        &["session.bulk_save_objects", "session.bulk_insert_mappings"],
        "ormscope adds new rows one by one",
        "in ormscope: `students.add({'name': 'Ada', 'email': 'ada@school.edu', 'year': 1})`; or `session.add_all([Student(name='Ada', email='ada@school.edu', year=1)])`",
    ),
    (
        &["session.bulk_update_mappings"],
        "ormscope changes many rows with one UPDATE",
        "in ormscope: `students.where(year == 4).update(year=3)`; or `session.execute(update(Student).where(Student.year == 4).values(year=3))`",
    ),
    (
        &["session.connection", "session.bind", "text"],
        "raw SQL is typed after :sql in ormscope",
        "in ormscope: `:sql SELECT * FROM students WHERE year = 2`; or `students.where(year == 2)`, `session.scalars(select(Student).where(Student.year == 2))`",
    ),
    (
        &["session"],
        "session is the SQLAlchemy session ormscope keeps for you: call one of its methods",
        "in ormscope: `students[13]`, `students.where(year == 2)`; or `session.get(Student, 13)`, `session.scalars(select(Student).where(Student.year == 2)).all()`",
    ),
    (
        &["select", "selectinload", "joinedload"],
        "select(...) and the loader options take a class or its attributes, and run through the session",
        "in ormscope: `students.include(classes)`; or `session.scalars(select(Student).options(selectinload(Student.classes))).all()`",
    ),
    (
        &["func"],
        "func.count(), func.sum(...) belong inside select(...) or having(...)",
        "in ormscope: `students.count()`, `classes.sum(credits)`; or `session.scalar(select(func.count()).select_from(Student))`",
    ),
    (
        &["len"],
        "len(...) counts a collection",
        "in ormscope: `students[13].classes.count()`; or `len(students[13].classes)`",
    ),
    (
        &["and_", "or_", "not_"],
        "and_, or_ and not_ join conditions inside where(...)",
        "in ormscope: `students.where(year == 2 and advisor_id == 3)`; or `select(Student).where(and_(Student.year == 2, Student.advisor_id == 3))`",
    ),
    (
        &["update", "delete", "insert"],
        "update(...), delete(...) and insert(...) take a class and run through session.execute(...)",
        "in ormscope: `students.where(year == 4).update(year=3)`; or `session.execute(update(Student).where(Student.year == 4).values(year=3))`",
    ),
    (
        &["print"],
        "ormscope shows every result itself: print(...) takes plain values only",
        "in ormscope: `students[13].name`; or `print(session.get(Student, 13).name)`",
    ),
    (
        &["list", "sorted", "tuple"],
        "a collection is already a list of rows in ormscope",
        "in ormscope: `students.order_by(name)`; or `session.scalars(select(Student).order_by(Student.name)).all()`",
    ),
    (
        &["dir", "help", "type", "vars"],
        "ormscope describes classes with meta commands",
        "in ormscope: `:schema students`, `:mapping Student` and `:help`",
    ),
    (
        &["create_engine", "Session", "sessionmaker", "declarative_base", "engine"],
        "ormscope has its engine and its session ready: the session is called `session`",
        "in ormscope: `students[13]`; or `session.get(Student, 13)`",
    ),
    (
        &["aliased", "union", "union_all", "exists", "literal_column", "case", "cast"],
        "ormscope does not build that by hand: it follows relationships and nests queries for you",
        "in ormscope: `students.where(classes.any(credits >= 4))`, `students.where(id in Class.select(student_id))`; or `select(Student).where(Student.classes.any(Class.credits >= 4))`",
    ),
    (
        &[".subquery", ".cte", ".scalar_subquery", ".union", ".union_all", ".exists"],
        "ormscope nests the queries itself: a collection used inside a condition becomes the subquery",
        "in ormscope: `students.where(id in Class.where(credits >= 4).select(student_id))`; or `select(Student).where(Student.id.in_(select(Class.student_id).where(Class.credits >= 4)))`",
    ),
    (
        &[".with_entities", ".add_columns", ".values"],
        "ormscope picks columns with select(...)",
        "in ormscope: `students.select(name, email)`; or `session.execute(select(Student.name, Student.email)).all()`",
    ),
    (
        &[".yield_per", ".execution_options", ".params", ".enable_eagerloads", ".autoflush"],
        "ormscope has no execution options: every query streams its rows already",
        "in ormscope: `students.where(year == 2)`; or `session.scalars(select(Student).where(Student.year == 2)).all()`",
    ),
    (
        &[".label", ".alias", ".correlate"],
        "ormscope names columns and subqueries itself",
        "in ormscope: `students.select(name, year + 1)`; or `session.execute(select(Student.name, Student.year + 1)).all()`",
    ),
    (
        &["sum", "min", "max", "count", "avg"],
        "the database computes aggregates: call them on a collection",
        "in ormscope: `students.sum(year)`, `students.count()`; or `session.scalar(select(func.sum(Student.year)))`",
    ),
    (
        &["abs", "round", "int", "float", "str"],
        "ormscope computes with + - * / // % and the methods of a collection",
        "in ormscope: `students[13].year * 2`, `students.avg(year)`; or `session.scalar(select(func.avg(Student.year)))`",
    ),
    (
        &["lower", "upper", "length", "coalesce", "concat", "substr", "trim", "now", "date"],
        "ormscope's SQL functions are the aggregates count, sum, avg, min and max",
        "in ormscope: `students.where(name.like('ann%'))` (LIKE ignores ASCII case), `students.where(name + '!' == 'Ann Lee!')`; or `select(Student).where(Student.name.ilike('ann%'))`",
    ),
];

/// For a Python or SQLAlchemy name ormscope does not offer (`session.merge`, `.subquery`,
/// `print`), what it says and the nearest form it does offer, in both spellings.
pub fn nearest_form(name: &str) -> Option<(String, String)> {
    NEAREST
        .iter()
        .find(|(names, _, _)| names.contains(&name))
        .map(|(_, what, instead)| (what.to_string(), instead.to_string()))
}
