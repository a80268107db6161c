use super::*;

fn int(i: i64) -> Expr {
    Expr::value(Value::Integer(i))
}

#[test]
fn textbook_select_by_key() {
    let mut s = Select::star("students");
    s.filter = Some(Expr::eq(Expr::column("students", "id"), int(13)));
    let r = render(&Statement::Select(s));
    assert_eq!(r.text, "SELECT * FROM students WHERE id = ?");
    assert_eq!(r.params, vec![Value::Integer(13)]);
    assert_eq!(r.display, "SELECT * FROM students WHERE id = 13");
}

#[test]
fn insert_binds_every_value_and_quotes_for_display() {
    let insert = Insert {
        table: "classes".into(),
        columns: vec!["student_id".into(), "name".into(), "abbreviation".into()],
        values: vec![
            int(13),
            Expr::value(Value::Text("Biology 301".into())),
            Expr::value(Value::Text("O'Neil".into())),
        ],
    };
    let r = render(&Statement::Insert(insert));
    assert_eq!(
        r.text,
        "INSERT INTO classes (student_id, name, abbreviation) VALUES (?, ?, ?)"
    );
    assert_eq!(r.display, "INSERT INTO classes (student_id, name, abbreviation) VALUES (13, 'Biology 301', 'O''Neil')");
    assert_eq!(r.params.len(), 3);
}

#[test]
fn a_join_qualifies_every_name() {
    let mut s = Select::star("clubs");
    s.joins.push(Join {
        table: "memberships".into(),
        on: Expr::eq(
            Expr::column("memberships", "club_id"),
            Expr::column("clubs", "id"),
        ),
        outer: false,
    });
    s.filter = Some(Expr::eq(Expr::column("memberships", "student_id"), int(13)));
    assert_eq!(
        render(&Statement::Select(s)).display,
        "SELECT clubs.* FROM clubs JOIN memberships ON memberships.club_id = clubs.id WHERE memberships.student_id = 13"
    );
}

#[test]
fn a_correlated_subquery_qualifies_only_inside() {
    let mut inner = Select::star("classes");
    inner.items = vec![SelectItem::One];
    inner.filter = Some(Expr::And(vec![
        Expr::eq(
            Expr::column("classes", "student_id"),
            Expr::column("students", "id"),
        ),
        Expr::Compare(
            Box::new(Expr::column("classes", "credits")),
            CompareOp::Ge,
            Box::new(int(4)),
        ),
    ]));
    let mut outer = Select::star("students");
    outer.filter = Some(Expr::And(vec![
        Expr::eq(Expr::column("students", "year"), int(2)),
        Expr::Not(Box::new(Expr::Exists(Box::new(inner)))),
    ]));
    assert_eq!(
        render(&Statement::Select(outer)).display,
        "SELECT * FROM students WHERE year = 2 AND NOT EXISTS (SELECT 1 FROM classes WHERE classes.student_id = students.id AND classes.credits >= 4)"
    );
}

#[test]
fn or_inside_and_gets_parentheses() {
    let cond = Expr::And(vec![
        Expr::Or(vec![
            Expr::eq(Expr::column("t", "a"), int(1)),
            Expr::eq(Expr::column("t", "b"), int(2)),
        ]),
        Expr::IsNull(Box::new(Expr::column("t", "c")), true),
    ]);
    assert_eq!(
        render_condition(&cond),
        "(t.a = 1 OR t.b = 2) AND t.c IS NOT NULL"
    );
}

#[test]
fn limit_offset_and_order() {
    let mut s = Select::star("classes");
    s.order_by = vec![Order {
        expr: Expr::column("classes", "id"),
        descending: true,
    }];
    s.limit = Some(int(4));
    s.offset = Some(int(3));
    let r = render(&Statement::Select(s));
    assert_eq!(
        r.display,
        "SELECT * FROM classes ORDER BY id DESC LIMIT 4 OFFSET 3"
    );
    assert_eq!(
        r.text,
        "SELECT * FROM classes ORDER BY id DESC LIMIT ? OFFSET ?"
    );
}

#[test]
fn offset_without_limit_is_valid_sqlite() {
    let mut s = Select::star("classes");
    s.offset = Some(int(3));
    assert_eq!(
        render(&Statement::Select(s)).display,
        "SELECT * FROM classes LIMIT -1 OFFSET 3"
    );
}

#[test]
fn escaped_like_says_its_escape_character() {
    let like = Expr::Like(
        Box::new(Expr::column("t", "name")),
        Box::new(Expr::value(Value::Text("50/%%".into()))),
        true,
    );
    assert_eq!(render_condition(&like), "t.name LIKE '50/%%' ESCAPE '/'");
}

fn school() -> crate::schema::MetaData {
    crate::school::registry().metadata
}

#[test]
fn reserved_names_are_quoted_as_each_dialect_quotes_them() {
    let mut s = Select::star("user");
    s.filter = Some(Expr::eq(Expr::column("user", "order"), int(1)));
    let statement = Statement::Select(s);
    let meta = school();
    assert_eq!(
        render_in(&statement, Dialect::Postgresql, &meta).display,
        "SELECT * FROM \"user\" WHERE \"order\" = 1"
    );
    assert_eq!(
        render_in(&statement, Dialect::Mysql, &meta).display,
        "SELECT * FROM user WHERE `order` = 1"
    );
    assert_eq!(
        render(&statement).display,
        "SELECT * FROM user WHERE \"order\" = 1"
    );
}

#[test]
fn sqlite_in_render_in_is_what_render_gives() {
    let mut s = Select::star("classes");
    s.offset = Some(int(3));
    s.filter = Some(Expr::InList(
        Box::new(Expr::column("classes", "id")),
        vec![],
        false,
    ));
    let statement = Statement::Select(s);
    assert_eq!(
        render_in(&statement, Dialect::Sqlite, &school()),
        render(&statement)
    );
}

#[test]
fn postgresql_numbers_placeholders_and_returns_the_new_key() {
    let insert = Statement::Insert(Insert {
        table: "clubs".into(),
        columns: vec!["name".into()],
        values: vec![Expr::value(Value::Text("Chess".into()))],
    });
    let r = render_in(&insert, Dialect::Postgresql, &school());
    assert_eq!(r.text, "INSERT INTO clubs (name) VALUES ($1) RETURNING id");
    let link = Statement::Insert(Insert {
        table: "memberships".into(),
        columns: vec!["student_id".into(), "club_id".into()],
        values: vec![int(1), int(2)],
    });
    assert_eq!(
        render_in(&link, Dialect::Postgresql, &school()).text,
        "INSERT INTO memberships (student_id, club_id) VALUES ($1, $2)",
        "a table without one integer key returns nothing"
    );
}

#[test]
fn mysql_reads_a_limited_subquery_through_a_derived_table() {
    let mut inner = Select::star("students");
    inner.items = vec![SelectItem::Expr(Expr::column("students", "id"), None)];
    inner.limit = Some(int(5));
    let mut outer = Select::star("classes");
    outer.filter = Some(Expr::InSelect(
        Box::new(Expr::column("classes", "student_id")),
        Box::new(inner),
        false,
    ));
    assert_eq!(
        render_in(&Statement::Select(outer), Dialect::Mysql, &school()).display,
        "SELECT * FROM classes WHERE student_id IN (SELECT id FROM (SELECT id FROM students LIMIT 5) AS anon_1)"
    );
}

fn memberships() -> Table {
    crate::school::metadata()
        .table("memberships")
        .cloned()
        .expect("the School has memberships")
}

#[test]
fn create_table_lays_out_columns_keys_and_comments() {
    let students = school().table("students").cloned().expect("students");
    let sql = create_table_sql(&students);
    assert!(sql.starts_with("CREATE TABLE students (\n  id "), "{sql}");
    assert!(sql.contains("id         INTEGER PRIMARY KEY,"), "{sql}");
    assert!(sql.contains("year       INTEGER NOT NULL"), "{sql}");
    assert!(sql.ends_with("\n)"), "{sql}");
    let sql = create_table_sql(&memberships());
    assert!(
        sql.contains("  PRIMARY KEY (student_id, club_id)\n)"),
        "{sql}"
    );
    assert!(
        sql.contains("student_id INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,"),
        "{sql}"
    );
}

#[test]
fn a_table_is_created_with_its_indexes_after_it() {
    let texts: Vec<String> = create_table(&memberships())
        .into_iter()
        .map(|r| r.text)
        .collect();
    assert_eq!(texts.len(), 2);
    assert_eq!(
        texts[1],
        "CREATE INDEX ix_memberships_club_id ON memberships (club_id)"
    );
    assert_eq!(create_index_sql(&memberships()), texts[1..].to_vec());
}

#[test]
fn ddl_names_the_integer_key_each_dialects_way_and_quotes_names() {
    let clubs = school().table("clubs").cloned().expect("clubs");
    let create = Statement::CreateTable(clubs);
    let in_ = |d| render_in(&create, d, &school()).display;
    assert!(in_(Dialect::Sqlite).contains("id   INTEGER PRIMARY KEY,"));
    assert!(in_(Dialect::Postgresql).contains("id   SERIAL PRIMARY KEY,"));
    assert!(in_(Dialect::Mysql).contains("id   INTEGER PRIMARY KEY AUTO_INCREMENT,"));
    let odd = Table::new(
        "order",
        vec![crate::schema::Column::new(
            "Name",
            crate::schema::ColumnType::Real,
        )],
        &["Name"],
    );
    assert_eq!(
        render_in(&Statement::CreateTable(odd), Dialect::Mysql, &school()).display,
        "CREATE TABLE `order` (\n  `Name` REAL PRIMARY KEY\n)"
    );
}

#[test]
fn the_databases_own_statements() {
    let text = |s: Statement| render(&s).text;
    assert_eq!(
        text(Statement::Savepoint("statement".into())),
        "SAVEPOINT statement"
    );
    assert_eq!(
        text(Statement::Release("statement".into())),
        "RELEASE statement"
    );
    assert_eq!(
        text(Statement::RollbackTo("statement".into())),
        "ROLLBACK TO statement"
    );
    assert_eq!(
        text(Statement::Pragma(Pragma {
            name: "foreign_keys".into(),
            set: Some(PragmaValue::Switch(true)),
        })),
        "PRAGMA foreign_keys = ON"
    );
    assert_eq!(
        text(Statement::Pragma(Pragma {
            name: "cache_size".into(),
            set: Some(PragmaValue::Number(-16384)),
        })),
        "PRAGMA cache_size = -16384"
    );
    assert_eq!(
        text(Statement::DropTable {
            table: "clubs".into(),
            if_exists: true,
        }),
        "DROP TABLE IF EXISTS clubs"
    );
    assert_eq!(text(Statement::DropIndex("Ix".into())), "DROP INDEX \"Ix\"");
    let attach = render(&Statement::Attach {
        file: Value::Text("/tmp/side.db".into()),
        schema: "seed_side".into(),
    });
    assert_eq!(attach.text, "ATTACH DATABASE ? AS seed_side");
    assert_eq!(attach.params, vec![Value::Text("/tmp/side.db".into())]);
    assert_eq!(
        attach.display,
        "ATTACH DATABASE '/tmp/side.db' AS seed_side"
    );
    assert_eq!(
        text(Statement::Detach("seed_side".into())),
        "DETACH DATABASE seed_side"
    );
    assert_eq!(
        text(Statement::CopyRows {
            table: "Order".into(),
            from: "seed_side".into()
        }),
        "INSERT INTO \"Order\" SELECT * FROM seed_side.\"Order\""
    );
    assert_eq!(
        text(Statement::Select(Select::count("students"))),
        "SELECT count(*) FROM students"
    );
}

#[test]
fn a_query_plan_is_asked_of_the_tree_or_of_typed_text() {
    let mut s = Select::star("students");
    s.filter = Some(Expr::eq(Expr::column("students", "id"), int(13)));
    let tree = Statement::Select(s);
    assert_eq!(
        explain_query_plan(Some(&tree), "ignored"),
        "EXPLAIN QUERY PLAN SELECT * FROM students WHERE id = ?"
    );
    assert_eq!(
        explain_query_plan(None, "select 1"),
        "EXPLAIN QUERY PLAN select 1"
    );
}

#[test]
fn pieces_spell_the_display_text_and_tag_each_part() {
    let mut s = Select::star("students");
    s.filter = Some(Expr::eq(
        Expr::column("students", "name"),
        Expr::value(Value::Text("Ava".into())),
    ));
    s.order_by = vec![Order {
        expr: Expr::column("students", "name"),
        descending: false,
    }];
    let r = render(&Statement::Select(s));
    assert_eq!(piece::text_of(&r.pieces()), r.display);
    let tagged: Vec<(PieceKind, &str)> = r
        .pieces()
        .iter()
        .filter(|p| !matches!(p.kind, PieceKind::Space | PieceKind::ClauseBreak))
        .map(|p| (p.kind, p.text))
        .collect();
    assert_eq!(
        tagged,
        vec![
            (PieceKind::Keyword, "SELECT"),
            (PieceKind::Punctuation, "*"),
            (PieceKind::Keyword, "FROM"),
            (PieceKind::Identifier, "students"),
            (PieceKind::Keyword, "WHERE"),
            (PieceKind::Identifier, "name"),
            (PieceKind::Operator, "="),
            (PieceKind::Value, "'Ava'"),
            (PieceKind::Keyword, "ORDER"),
            (PieceKind::Keyword, "BY"),
            (PieceKind::Identifier, "name"),
        ]
    );
    assert_eq!(
        piece::broken_at_clauses(&r.pieces()),
        "SELECT *\nFROM students\nWHERE name = 'Ava'\nORDER BY name"
    );
}

#[test]
fn only_the_outermost_statement_breaks_at_its_clauses() {
    let mut inner = Select::columns("students", &["id"]);
    inner.filter = Some(Expr::eq(Expr::column("students", "year"), int(2)));
    let mut outer = Select::star("classes");
    outer.filter = Some(Expr::InSelect(
        Box::new(Expr::column("classes", "student_id")),
        Box::new(inner),
        false,
    ));
    let r = render(&Statement::Select(outer));
    assert_eq!(
        piece::broken_at_clauses(&r.pieces()),
        "SELECT *\nFROM classes\nWHERE student_id IN (SELECT id FROM students WHERE year = 2)"
    );
}

#[test]
fn returns_rows_comes_from_the_tree_or_the_typed_words() {
    assert!(render(&Statement::Select(Select::star("clubs"))).returns_rows());
    assert!(!render(&Statement::Begin).returns_rows());
    assert_eq!(render(&Statement::Commit).kind(), StatementKind::Definition);
    assert!(Rendered::raw("  pragma table_info(clubs)").returns_rows());
    assert_eq!(
        Rendered::raw("insert into clubs (name) values ('Go')").kind(),
        StatementKind::Insert
    );
    assert_eq!(
        Rendered::raw("REPLACE INTO clubs").kind(),
        StatementKind::Other
    );
}
