use super::*;

#[test]
fn reserved_word_lists_are_sorted_lower_case_words() {
    for dialect in Dialect::ALL {
        let words: Vec<&str> = dialect.backend().reserved_words().lines().collect();
        assert!(words.len() > 100, "{dialect:?}");
        assert!(
            words.iter().all(|w| letter_index(w).is_some()),
            "every word starts with a letter, so each has its group: {dialect:?}"
        );
        assert!(words.windows(2).all(|w| w[0] < w[1]), "{dialect:?}");
        assert!(
            words.iter().all(|w| w
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')),
            "{dialect:?}"
        );
    }
}

#[test]
fn the_school_names_need_no_quotes_anywhere() {
    let names = [
        "students",
        "teachers",
        "classes",
        "clubs",
        "memberships",
        "id",
        "name",
        "email",
        "year",
        "advisor_id",
        "department",
        "student_id",
        "teacher_id",
        "abbreviation",
        "credits",
        "grade",
        "club_id",
        "count",
        "sum",
        "avg",
        "min",
        "max",
        "sub",
    ];
    for dialect in Dialect::ALL {
        for name in names {
            assert_eq!(dialect.identifier(name), name, "{dialect:?}");
        }
    }
}

#[test]
fn reserved_and_unusual_names_are_quoted_per_dialect() {
    assert_eq!(Dialect::Postgresql.identifier("user"), "\"user\"");
    assert_eq!(Dialect::Sqlite.identifier("user"), "user");
    assert_eq!(Dialect::Mysql.identifier("order"), "`order`");
    assert_eq!(Dialect::Mysql.identifier("Name"), "`Name`");
    assert_eq!(Dialect::Sqlite.identifier("two words"), "\"two words\"");
    assert_eq!(Dialect::Postgresql.identifier("1st"), "\"1st\"");
    assert_eq!(Dialect::Mysql.identifier("a`b"), "`a``b`");
}

#[test]
fn placeholders_and_literals() {
    assert_eq!(Dialect::Sqlite.placeholder(2), "?");
    assert_eq!(Dialect::Postgresql.placeholder(2), "$2");
    assert_eq!(Dialect::Mysql.placeholder(2), "?");
    let text = Value::Text("It's a\\b".into());
    assert_eq!(Dialect::Sqlite.literal(&text), "'It''s a\\b'");
    assert_eq!(Dialect::Postgresql.literal(&text), "'It''s a\\b'");
    assert_eq!(Dialect::Mysql.literal(&text), "'It''s a\\\\b'");
    let bytes = Value::Blob(vec![0xAB, 1]);
    assert_eq!(Dialect::Sqlite.literal(&bytes), "X'AB01'");
    assert_eq!(Dialect::Postgresql.literal(&bytes), "'\\xab01'::bytea");
    assert_eq!(Dialect::Mysql.literal(&Value::Real(2.0)), "2.0");
    assert_eq!(Dialect::Mysql.literal(&Value::Null), "NULL");
}

#[test]
fn every_listed_word_is_reserved_in_any_case_and_nothing_else() {
    for dialect in Dialect::ALL {
        for word in dialect.backend().reserved_words().lines() {
            assert!(dialect.is_reserved(word), "{dialect:?} {word}");
            assert!(
                dialect.is_reserved(&word.to_ascii_uppercase()),
                "{dialect:?} {word}"
            );
            assert!(
                !dialect.is_reserved(&format!("{word}s_")),
                "{dialect:?} {word}s_"
            );
        }
        for name in ["students", "", "_select", "9lives", "sélect"] {
            assert!(!dialect.is_reserved(name), "{dialect:?} {name}");
        }
    }
    assert!(Dialect::Sqlite.is_reserved("Select"));
    assert!(Dialect::Postgresql.is_reserved("user"));
    assert!(!Dialect::Sqlite.is_reserved("user"));
}
