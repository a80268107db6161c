use super::super::{ast::Statement, parse};
use crate::error::ErrorKind;

/// The statement parsed, printed in the short form.
fn short(text: &str) -> String {
    match parse(text) {
        Ok(statement) => statement.to_string(),
        Err(e) => panic!("{text}: {}", e.message),
    }
}

#[test]
fn sqlalchemy_2_spellings_become_short_forms() {
    for (spelling, short_form) in [
        ("session.get(Student, 13)", "Student.get(13, None)"),
        (
            "session.scalars(select(Student).where(Student.year == 2).order_by(Student.name)).all()",
            "Student.where(year == 2).order_by(name)",
        ),
        (
            "session.execute(select(Student.name, Student.email).where(Student.year == 2)).all()",
            "Student.where(year == 2).select(name, email)",
        ),
        (
            "session.scalar(select(func.count()).select_from(Student).where(Student.year == 2))",
            "Student.where(year == 2).count()",
        ),
        ("session.scalar(select(func.sum(Class.credits)))", "Class.sum(credits)"),
        (
            "session.scalars(select(Student).where(Student.id == 3)).one()",
            "Student.where(id == 3).one()",
        ),
        (
            "session.execute(select(Student.year, func.count()).group_by(Student.year).having(func.count() > 9)).all()",
            "Student.group_by(year).having(count() > 9).count()",
        ),
        (
            "session.execute(update(Student).where(Student.year == 4).values(year=Student.year - 1))",
            "Student.where(year == 4).update(year=year - 1)",
        ),
        (
            "session.execute(delete(Class).where(Class.grade == None))",
            "Class.where(grade == None).delete()",
        ),
        (
            "session.execute(insert(Club).values(name='Go'))",
            "Club.create(name='Go')",
        ),
        (
            "session.scalars(select(Student).options(selectinload(Student.classes), joinedload(Student.advisor))).all()",
            "Student.include(classes).join_load(advisor)",
        ),
        (
            "select(Student).where(Student.classes.any(Class.credits >= 4))",
            "Student.where(classes.any(credits >= 4))",
        ),
    ] {
        assert_eq!(short(spelling), short_form, "{spelling}");
    }
}

#[test]
fn sqlalchemy_1_query_chains_become_short_forms() {
    for (spelling, short_form) in [
        (
            "session.query(Student).filter(Student.year == 2).order_by(Student.id).limit(3).all()",
            "Student.filter(year == 2).order_by(id).limit(3).all()",
        ),
        ("session.query(Student).get(999)", "Student.get(999, None)"),
        (
            "session.query(Student.name).filter_by(year=2).first()",
            "Student.select(name).filter_by(year=2).first()",
        ),
        ("session.query(Student).count()", "Student.count()"),
        ("db.session.query(Student).count()", "Student.count()"),
        (
            "session.scalar(sa.select(sa.func.count()).select_from(Student))",
            "Student.count()",
        ),
        ("session.query(Student).all()[0]", "Student.first()"),
        (
            "session.scalars(select(Student).order_by(Student.name)).all()[2]",
            "Student.order_by(name).offset(2).first()",
        ),
    ] {
        assert_eq!(short(spelling), short_form, "{spelling}");
    }
}

#[test]
fn columns_tests_and_helpers_read_as_conditions() {
    for (spelling, short_form) in [
        ("Student.filter(Student.year == 2)", "Student.filter(year == 2)"),
        (
            "students.order_by(Student.name.desc())",
            "students.order_by(name.desc())",
        ),
        (
            "students.where(and_(Student.year == 2, or_(Student.id < 5, not_(Student.advisor_id.is_(None)))))",
            "students.where(year == 2 and (id < 5 or not advisor_id.is_(None)))",
        ),
        ("students.where(Student.name.ilike('a%'))", "students.where(name.like('a%'))"),
        ("students.where(Student.id.notin_([1]))", "students.where(id.not_in([1]))"),
        (
            "students.where(Student.name.icontains('an'))",
            "students.where(name.contains('an'))",
        ),
        (
            "students.where(Student.name.not_like('A%'))",
            "students.where(not name.like('A%'))",
        ),
        (
            "students.where(Student.advisor.has(Teacher.department == 'Arts'))",
            "students.where(advisor.has(department == 'Arts'))",
        ),
        ("memberships.where(memberships.c.club_id == 2)", "memberships.where(club_id == 2)"),
        ("len(students[13].classes)", "len(students[13].classes)"),
        (
            "students.where((Student.year == 2) & ~Student.name.like('A%') | (Student.id == 1))",
            "students.where(year == 2 and not name.like('A%') or id == 1)",
        ),
        (
            "students.order_by(desc(Student.year), asc(Student.name))",
            "students.order_by(year.desc(), name.asc())",
        ),
        (
            "session.add(Student(name='Ada', email='ada@school.edu', year=1))",
            "Student(name='Ada', email='ada@school.edu', year=1)",
        ),
        (
            "session.add_all([Club(name='Go'), Club(name='Art')])",
            "[Club(name='Go'), Club(name='Art')]",
        ),
        ("session.delete(session.get(Student, 13))", "Student.get(13, None).delete()"),
        ("print(students[13].name)", "students[13].name"),
        (
            "for s in session.scalars(select(Student)): print(s.name, len(s.classes))",
            "for s in Student: s.name, len(s.classes)",
        ),
        (
            "session.query(Student).filter(Student.year == 4).update({'year': Student.year - 1}, synchronize_session=False)",
            "Student.filter(year == 4).update(year=year - 1)",
        ),
    ] {
        assert_eq!(short(spelling), short_form, "{spelling}");
    }
}

#[test]
fn the_session_s_own_verbs_and_names_stay_for_the_session() {
    for text in [
        "session.commit()",
        "session.rollback()",
        "session.begin()",
        "session.new",
    ] {
        assert_eq!(short(text), text);
    }
    assert!(matches!(
        parse("x = session.get(Student, 1)"),
        Ok(Statement::Assign { .. })
    ));
}

#[test]
fn spellings_ormscope_does_not_offer_name_the_nearest_form_in_both_spellings() {
    for text in [
        "session.merge(students[13])",
        "session.refresh(students[13])",
        "session.query(Student).join(Class)",
        "select(Student).join(Class)",
    ] {
        let err = parse(text).expect_err(text);
        assert_eq!(err.kind, ErrorKind::Name, "{text}");
        let hint = err.hint.unwrap_or_default();
        assert!(hint.contains("in ormscope: `"), "{text}: {hint}");
    }
    let err = parse("session.merge(students[13])").expect_err("merge");
    assert_eq!(err.span.start, "session.".len());
}

#[test]
fn a_select_must_say_what_it_reads() {
    for text in [
        "session.scalar(select(func.count()))",
        "select(Student.name, Teacher.name)",
        "session.get(Student)",
        "update(Student).where(Student.id == 1)",
    ] {
        let err = parse(text).expect_err(text);
        assert_eq!(err.kind, ErrorKind::Type, "{text}");
    }
}
