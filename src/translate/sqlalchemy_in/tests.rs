use crate::session::{Options, Session};
use proptest::prelude::*;

const HEADS: &[&str] = &[
    "session.get(Student, 13)",
    "session.query(Student)",
    "session.query(Student.name, Student.year)",
    "select(Student)",
    "select(Student.name)",
    "select(func.count()).select_from(Student)",
    "select(Student.year, func.count()).group_by(Student.year)",
    "update(Class)",
    "delete(Club)",
    "students",
    "students[13].classes",
    "Student",
];

const STEPS: &[&str] = &[
    ".where(Student.year == 2)",
    ".filter(Class.credits * 2 > 5)",
    ".filter_by(year=2)",
    ".order_by(Student.name.desc())",
    ".order_by(-count())",
    ".limit(2)",
    ".offset(1)",
    ".all()",
    ".first()",
    ".one()",
    ".one_or_none()",
    ".count()",
    ".scalar()",
    "[0]",
    "[1]",
    ".options(selectinload(Student.classes))",
    ".group_by(Student.year)",
    ".having(func.count() > 1)",
    ".distinct()",
    ".get(3)",
    ".values(year=Student.year + 1)",
    ".update(credits=credits // 2)",
    ".select(name, year / 2)",
    ".join(Class)",
];

const WRAPPERS: &[&str] = &[
    "session.scalars({})",
    "session.execute({})",
    "session.scalar({})",
    "len({})",
    "session.delete({})",
    "{}",
];

fn statement() -> impl Strategy<Value = String> {
    (
        prop::sample::select(HEADS),
        prop::collection::vec(prop::sample::select(STEPS), 0..4),
        prop::sample::select(WRAPPERS),
        prop::collection::vec(prop::sample::select(STEPS), 0..2),
    )
        .prop_map(|(head, steps, wrapper, after)| {
            let inner = format!("{head}{}", steps.concat());
            format!("{}{}", wrapper.replace("{}", &inner), after.concat())
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Whatever mix of SQLAlchemy and short forms is typed, the answer is a result or an
    /// error that says where, and a failed statement changes nothing.
    #[test]
    fn mixed_spellings_answer_or_fail_cleanly(input in statement()) {
        let mut session = Session::open(Options::default()).expect("the School opens");
        let before = session.run("students.count() + classes.count() + clubs.count()");
        let answer = session.run(&input);
        if let Err(e) = &answer.outcome {
            prop_assert!(e.span.start <= input.len(), "{input}: {e:?}");
            prop_assert!(!e.message.is_empty());
            let after = session.run("students.count() + classes.count() + clubs.count()");
            prop_assert_eq!(format!("{:?}", before.outcome), format!("{:?}", after.outcome));
        }
    }
}
