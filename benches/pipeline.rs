//! Criterion benches of the statement pipeline: parsing each language form, rendering SQL
//! from the mapper's statement trees, executing rendered SQL on SQLite alone, and whole
//! statements (parse → translate → render → SQLite → result) on the in-memory School; a
//! statement's time less its parse, render and execute is the translator's.
//!
//! `cargo bench --bench pipeline` (a few minutes); one group: `cargo bench --bench pipeline -- parse/`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use ormscope::mapper::query::Query;
use ormscope::render::render;
use ormscope::school;
use ormscope::session::{Options, Session};
use ormscope::sql::{Aggregate, Expr, Select, Statement, Value};
use ormscope::syntax;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// One statement of each language form (the language), named for the report.
const FORMS: &[(&str, &str)] = &[
    ("collection", "students"),
    ("key_index", "students[13]"),
    ("key_dot", "students.13"),
    ("key_get", "students.get(13)"),
    ("attribute", "Student[13].name"),
    ("relationship", "students[13].classes"),
    (
        "where",
        "students.where(year == 2 and name.startswith('A'))",
    ),
    ("filter_by", "students.filter_by(year=2, advisor_id=3)"),
    (
        "order_limit",
        "students.order_by(year.desc(), name).limit(5).offset(10)",
    ),
    ("first", "students.order_by(-year).first()"),
    ("aggregate", "classes.where(student_id == 13).sum(credits)"),
    ("select_distinct", "teachers.select(department).distinct()"),
    ("group_by", "students.group_by(year).count()"),
    ("collection_follow", "students.where(year == 2).classes"),
    (
        "conditions",
        "students.where(id in [1, 2, 3] and id not in [] and advisor is not None)",
    ),
    (
        "patterns",
        "students.where(name.like('A%') or email.endswith('.edu') or name.contains('n'))",
    ),
    ("path", "students.where(not advisor.department == \"Arts\")"),
    ("any", "students.where(clubs.any(name == \"Chess\"))"),
    ("subvalue", "students.where(email == students[1].email)"),
    (
        "append",
        "students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})",
    ),
    (
        "create",
        "Student(name=\"Ada\", email=\"ada@example.edu\", year=1)",
    ),
    ("set_attribute", "students[13].name = \"Ann\""),
    ("update_many", "students.where(year == 1).update(year=4)"),
    ("set_relationship", "students[13].advisor = teachers[3]"),
    ("m2m_append", "students[13].clubs.append(clubs[2])"),
    ("delete", "del students[12]"),
    ("bind", "s = students[13]"),
    ("transaction", "begin"),
];

/// Reads run as they are (they change nothing).
const READS: &[(&str, &str)] = &[
    ("key", "students[13]"),
    ("attribute", "students[13].name"),
    ("rel_one_to_many", "students[13].classes"),
    ("rel_many_to_one", "students[13].advisor"),
    ("rel_many_to_many", "students[13].clubs"),
    (
        "filter",
        "students.where(year == 2 and name.startswith('A'))",
    ),
    ("filter_by", "students.filter_by(year=2)"),
    (
        "filter_path",
        "students.where(advisor.department == \"Science\")",
    ),
    ("filter_any", "students.where(clubs.any(name == \"Chess\"))"),
    ("count", "classes.count()"),
    ("sum", "classes.where(student_id == 13).sum(credits)"),
    ("group_by", "students.group_by(year).count()"),
    ("follow_collection", "students.where(year == 2).classes"),
    ("collection_all", "students"),
];

/// Writes run through `Session::preview`, which undoes them, so the database stays the same.
const WRITES: &[(&str, &str)] = &[
    (
        "append",
        "students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})",
    ),
    (
        "create",
        "Student(name=\"Ada\", email=\"ada@example.edu\", year=1)",
    ),
    ("update_one", "students[13].update(year=3, name=\"Ann\")"),
    ("update_many", "students.where(year == 1).update(year=4)"),
    ("m2m_append", "students[13].clubs.append(clubs[2])"),
    ("delete_cascade", "del students[13]"),
];

fn configure() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

fn school() -> Session {
    match Session::open(Options::default()) {
        Ok(session) => session,
        Err(e) => panic!("the in-memory School did not open: {}", e.message),
    }
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (name, text) in FORMS {
        assert!(syntax::parse(text).is_ok(), "{text} does not parse");
        group.bench_with_input(BenchmarkId::from_parameter(name), text, |b, text| {
            b.iter(|| syntax::parse(black_box(text)))
        });
    }
    group.finish();
}

fn render_sql(c: &mut Criterion) {
    let registry = school::registry();
    let key = {
        let mut select = Select::star("students");
        select.filter = Some(Expr::eq(
            Expr::column("students", "id"),
            Expr::value(Value::Integer(13)),
        ));
        Statement::Select(select)
    };
    let year_2 = {
        let mut query = Query::all("students");
        query.filters.push(Expr::eq(
            Expr::column("students", "year"),
            Expr::value(Value::Integer(2)),
        ));
        query
    };
    let follow = |name: &str| {
        let relationship = registry
            .relationship("students", name)
            .unwrap_or_else(|| panic!("students has no relationship {name}"));
        Statement::Select(year_2.follow(&registry, relationship).to_select())
    };
    let statements = [
        ("key", key),
        ("filter", Statement::Select(year_2.to_select())),
        (
            "aggregate",
            Statement::Select(year_2.aggregate_select(Aggregate::Count, None)),
        ),
        ("follow_one_to_many", follow("classes")),
        ("follow_many_to_many", follow("clubs")),
    ];
    let mut group = c.benchmark_group("render");
    for (name, statement) in &statements {
        group.bench_with_input(
            BenchmarkId::from_parameter(name),
            statement,
            |b, statement| b.iter(|| render(black_box(statement))),
        );
    }
    group.finish();
}

/// SQLite alone: each read's SQL, rendered once, sent again and again (the rest of a
/// statement's time, less parse and render, is the translator's).
fn execute(c: &mut Criterion) {
    let mut session = school();
    let mut group = c.benchmark_group("execute");
    for (name, text) in READS {
        let response = session.run(text);
        assert!(response.ok(), "{text} failed: {:?}", response.outcome);
        let Some(sent) = response.sql.last() else {
            continue;
        };
        let sql = sent.rendered.clone();
        let db = session.database();
        assert!(db.query(&sql).is_ok(), "{} does not run", sql.text);
        group.bench_with_input(BenchmarkId::from_parameter(name), &sql, |b, sql| {
            b.iter(|| db.query(black_box(sql)))
        });
    }
    group.finish();
}

fn open(c: &mut Criterion) {
    let mut group = c.benchmark_group("open");
    group.bench_function("default_school", |b| b.iter(school));
    group.finish();
}

fn statement(c: &mut Criterion) {
    let mut session = school();
    let mut group = c.benchmark_group("statement");
    for (name, text) in READS {
        let response = session.run(text);
        assert!(response.ok(), "{text} failed: {:?}", response.outcome);
        group.bench_with_input(BenchmarkId::new("read", name), text, |b, text| {
            b.iter(|| session.run(black_box(text)))
        });
    }
    for (name, text) in WRITES {
        let response = session.preview(text);
        assert!(response.ok(), "{text} failed: {:?}", response.outcome);
        group.bench_with_input(BenchmarkId::new("preview", name), text, |b, text| {
            b.iter(|| session.preview(black_box(text)))
        });
    }
    // An append that really commits, on a fresh School for each batch.
    group.bench_function("run/append_committed", |b| {
        b.iter_custom(|iterations| {
            let mut fresh = school();
            let started = Instant::now();
            for _ in 0..iterations {
                let response = fresh.run(black_box(WRITES[0].1));
                debug_assert!(response.ok());
            }
            started.elapsed()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = configure();
    targets = parse, render_sql, execute, open, statement
}
criterion_main!(benches);
