//! The rules raw SQL (`:sql`) runs under, enforced by SQLite's authorizer: nothing that touches
//! files or other databases, no extensions, only harmless PRAGMAs, no changes to the schema of
//! the School's own tables, no statement that ends or splits the transaction ormscope keeps
//! around it, no table renamed and no trigger made (neither could be judged by these rules) —
//! and, in a read-only session, no writes at all.

use rusqlite::hooks::{AuthAction, AuthContext, Authorization, TransactionOperation};
use std::sync::{Arc, Mutex};

/// PRAGMAs that only read, allowed without a value.
const SAFE_PRAGMAS: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "foreign_key_check",
    "foreign_keys",
    "integrity_check",
    "quick_check",
    "page_count",
    "page_size",
    "compile_options",
    "collation_list",
    "function_list",
    "database_list",
    "user_version",
    "schema_version",
];

/// What a statement may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Tables whose schema must not change (the School's own).
    pub protected: Vec<String>,
    /// Refuse every write, and why the session is read-only (`--read-only`, or the file is
    /// read-only on disk), for the refusal to say.
    pub read_only: Option<&'static str>,
    /// Apply the raw-SQL restrictions (files, extensions, PRAGMAs, schema).
    pub raw: bool,
    /// A dataset script (a demo's or a lesson's `.sql`, `--db x.sql`) made into a fresh
    /// in-memory copy: as raw SQL, and it may also set `PRAGMA foreign_keys`, which changes
    /// only that copy's connection.
    pub dataset: bool,
}

impl Rules {
    /// The rules a dataset script runs under: nothing reaches beyond the in-memory copy it
    /// makes (no ATTACH, which `VACUUM INTO` is too, no extensions, no other PRAGMA).
    pub fn dataset() -> Rules {
        Rules {
            protected: Vec::new(),
            read_only: None,
            raw: true,
            dataset: true,
        }
    }
}

/// Why a session is read-only when `--read-only` made it so.
pub const READ_ONLY_FLAG: &str = "--read-only";

/// Why a session is read-only when its file is.
pub const READ_ONLY_FILE: &str = "the file is read-only on disk";

/// Why the last statement was refused, for the error message.
pub type Refusal = Arc<Mutex<Option<String>>>;

/// The verdict on one action of the main database, with the reason when it is refused.
pub fn judge(rules: &Rules, action: &AuthAction<'_>) -> Result<(), String> {
    judge_in(rules, action, None)
}

/// The verdict on one action in the named database (`main`, `temp`), with the reason when it
/// is refused.
pub fn judge_in(
    rules: &Rules,
    action: &AuthAction<'_>,
    database: Option<&str>,
) -> Result<(), String> {
    if let Some(why) = rules.read_only {
        if let Some(what) = write_of(action).map(|w| schema_words(&w)) {
            return Err(format!(
                "{what}: this session is read-only ({why}), so nothing can be changed"
            ));
        }
    }
    if !rules.raw {
        return Ok(());
    }
    let protected = |t: &str| rules.protected.iter().any(|p| p.eq_ignore_ascii_case(t));
    if let Some(table) = written_table(action) {
        if table.eq_ignore_ascii_case(super::reflect::NAMES_TABLE) {
            return Err(format!(
                "{table} is refused: ormscope keeps the names of declared classes and relationships there, and the file must open again (:schema shows them; a class declared again renames them)"
            ));
        }
    }
    if let Some(name) = temporary_object(action, database).filter(|name| protected(name)) {
        return Err(format!(
            "a temporary {name} is refused: it would hide the mapped table {name} from every later statement, so writes to {name} would go to the temporary copy and be lost (name it differently)"
        ));
    }
    if !rules.dataset {
        if let Some(verb) = transaction_control(action) {
            return Err(format!(
                "{verb} is refused in raw SQL: ormscope keeps each statement atomic itself, and this would end or split the transaction around it (use the statements begin, commit and rollback)"
            ));
        }
    }
    match *action {
        // SQLite calls its internal sqlite_rename_table only for ALTER TABLE ... RENAME TO,
        // whose new name the authorizer never sees: a rename could give a temporary table a
        // mapped table's name (hiding it) or make ormscope's own table, so none is allowed.
        AuthAction::Function { function_name }
            if function_name.eq_ignore_ascii_case("sqlite_rename_table") =>
        {
            Err("renaming a table is refused in raw SQL: the new name could hide a mapped table or take ormscope's own (make a table under the name you want instead)".into())
        }
        AuthAction::Attach { filename } => Err(format!(
            "ATTACH of '{filename}' is refused: raw SQL may not open other database files"
        )),
        AuthAction::Detach { .. } => Err("DETACH is refused: raw SQL works on the School database only".into()),
        AuthAction::Function { function_name } if function_name.eq_ignore_ascii_case("load_extension") => {
            Err("load_extension is refused: raw SQL may not load code into the database".into())
        }
        AuthAction::Pragma { pragma_name, .. }
            if rules.dataset && pragma_name.eq_ignore_ascii_case("foreign_keys") =>
        {
            Ok(())
        }
        AuthAction::Pragma { pragma_name, pragma_value } => {
            let name = pragma_name.to_ascii_lowercase();
            if SAFE_PRAGMAS.contains(&name.as_str()) && (pragma_value.is_none() || is_table_argument(&name)) {
                Ok(())
            } else {
                Err(format!(
                    "PRAGMA {pragma_name}{} is refused: only PRAGMAs that read are allowed ({})",
                    pragma_value.map(|v| format!(" = {v}")).unwrap_or_default(),
                    SAFE_PRAGMAS.join(", ")
                ))
            }
        }
        AuthAction::DropTable { table_name }
        | AuthAction::AlterTable { table_name, .. }
        | AuthAction::CreateTrigger { table_name, .. }
        | AuthAction::CreateTempTrigger { table_name, .. }
        | AuthAction::DropIndex { table_name, .. }
        | AuthAction::CreateIndex { table_name, .. }
            if protected(table_name) =>
        {
            Err(format!(
                "changing the schema of {table_name} is refused: the mapped tables keep their shape, so the classes over them stay true (make a table of your own instead)"
            ))
        }
        // A trigger's statements run later, inside other statements, ormscope's own among
        // them, where these rules do not hold: one on a table of one's own emptied
        // ormscope_mapping when the ORM next wrote that table.
        AuthAction::CreateTrigger { trigger_name, .. }
        | AuthAction::CreateTempTrigger { trigger_name, .. }
            if !rules.dataset =>
        {
            Err(format!(
                "CREATE TRIGGER {trigger_name} is refused in raw SQL: a trigger's statements run later, inside other statements (ormscope's own too) where the rules of raw SQL do not hold"
            ))
        }
        AuthAction::CreateVtable { module_name, .. } => Err(format!(
            "virtual tables ({module_name}) are refused in raw SQL"
        )),
        // SQLite leaves out an argument it cannot name, so rusqlite cannot name the action:
        // `ATTACH 'vic' || 'tim.db'` is an ATTACH without a file name. What cannot be judged is
        // refused.
        AuthAction::Unknown {
            code: rusqlite::ffi::SQLITE_ATTACH,
            ..
        } => Err(
            "ATTACH of a computed file name is refused: raw SQL may not open other database files"
                .into(),
        ),
        AuthAction::Unknown { code, .. } => Err(format!(
            "this statement is refused in raw SQL: SQLite's authorizer could not say what it does (action {code})"
        )),
        _ => Ok(()),
    }
}

/// The name of a temporary table or view an action makes: `CREATE TEMP TABLE x`, and also
/// `CREATE TABLE temp.x`, which SQLite reports as a plain CREATE TABLE in database `temp`.
fn temporary_object<'a>(action: &AuthAction<'a>, database: Option<&str>) -> Option<&'a str> {
    let in_temp = database.is_some_and(|d| d.eq_ignore_ascii_case("temp"));
    match *action {
        AuthAction::CreateTempTable { table_name } => Some(table_name),
        AuthAction::CreateTempView { view_name } => Some(view_name),
        AuthAction::CreateTable { table_name } if in_temp => Some(table_name),
        AuthAction::CreateView { view_name } if in_temp => Some(view_name),
        _ => None,
    }
}

/// The statement an action is when it begins, ends or splits a transaction (`BEGIN`, `COMMIT`,
/// `ROLLBACK`, `SAVEPOINT`, `RELEASE`), however it is spelled (`/* */ COMMIT`, `END;`).
fn transaction_control(action: &AuthAction<'_>) -> Option<&'static str> {
    // SQLite names the operation BEGIN, COMMIT, ROLLBACK or RELEASE; rusqlite knows COMMIT
    // only as Unknown.
    Some(match *action {
        AuthAction::Transaction { operation } => match operation {
            TransactionOperation::Begin => "BEGIN",
            TransactionOperation::Rollback => "ROLLBACK",
            _ => "COMMIT",
        },
        AuthAction::Savepoint { operation, .. } => match operation {
            TransactionOperation::Begin => "SAVEPOINT",
            TransactionOperation::Rollback => "ROLLBACK",
            _ => "RELEASE",
        },
        _ => return None,
    })
}

/// The table an action makes, changes or writes, if it does.
fn written_table<'a>(action: &AuthAction<'a>) -> Option<&'a str> {
    match *action {
        AuthAction::Insert { table_name }
        | AuthAction::Update { table_name, .. }
        | AuthAction::Delete { table_name }
        | AuthAction::CreateTable { table_name }
        | AuthAction::CreateTempTable { table_name }
        | AuthAction::DropTable { table_name }
        | AuthAction::DropTempTable { table_name }
        | AuthAction::AlterTable { table_name, .. }
        | AuthAction::CreateIndex { table_name, .. }
        | AuthAction::DropIndex { table_name, .. }
        | AuthAction::CreateTrigger { table_name, .. }
        | AuthAction::CreateTempTrigger { table_name, .. } => Some(table_name),
        AuthAction::CreateView { view_name } | AuthAction::CreateTempView { view_name } => {
            Some(view_name)
        }
        _ => None,
    }
}

/// PRAGMAs whose argument names a table rather than setting a value.
fn is_table_argument(name: &str) -> bool {
    name.starts_with("table_") || name.starts_with("index_") || name.starts_with("foreign_key_")
}

/// A write of SQLite's own schema table said as what it is: a change of the schema.
fn schema_words(what: &str) -> String {
    if what.to_ascii_lowercase().contains("sqlite_") {
        "a change of the schema".to_string()
    } else {
        what.to_string()
    }
}

fn write_of(action: &AuthAction<'_>) -> Option<String> {
    Some(match *action {
        AuthAction::Insert { table_name } => format!("INSERT into {table_name}"),
        AuthAction::Update { table_name, .. } => format!("UPDATE of {table_name}"),
        AuthAction::Delete { table_name } => format!("DELETE from {table_name}"),
        AuthAction::CreateTable { table_name } => format!("CREATE TABLE {table_name}"),
        AuthAction::DropTable { table_name } => format!("DROP TABLE {table_name}"),
        AuthAction::AlterTable { table_name, .. } => format!("ALTER TABLE {table_name}"),
        AuthAction::CreateIndex { index_name, .. } => format!("CREATE INDEX {index_name}"),
        AuthAction::DropIndex { index_name, .. } => format!("DROP INDEX {index_name}"),
        AuthAction::CreateView { view_name } => format!("CREATE VIEW {view_name}"),
        AuthAction::CreateTrigger { trigger_name, .. } => format!("CREATE TRIGGER {trigger_name}"),
        AuthAction::Reindex { index_name } => format!("REINDEX {index_name}"),
        AuthAction::Analyze { table_name } => format!("ANALYZE {table_name}"),
        _ => return None,
    })
}

/// The authorizer callback for these rules: allows, or denies and remembers why.
pub fn authorizer(
    rules: Rules,
    refusal: Refusal,
) -> impl for<'r> FnMut(AuthContext<'r>) -> Authorization + Send + 'static {
    move |ctx: AuthContext<'_>| match judge_in(&rules, &ctx.action, ctx.database_name) {
        Ok(()) => Authorization::Allow,
        Err(why) => {
            if let Ok(mut slot) = refusal.lock() {
                slot.get_or_insert(why);
            }
            Authorization::Deny
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> Rules {
        Rules {
            protected: vec!["students".into()],
            read_only: None,
            raw: true,
            dataset: false,
        }
    }

    #[test]
    fn a_dataset_may_set_foreign_keys_but_reach_nothing_else() {
        let pragma = |name, value| AuthAction::Pragma {
            pragma_name: name,
            pragma_value: value,
        };
        assert!(judge(&Rules::dataset(), &pragma("foreign_keys", Some("ON"))).is_ok());
        assert!(judge(&raw(), &pragma("foreign_keys", Some("ON"))).is_err());
        assert!(judge(&Rules::dataset(), &pragma("writable_schema", Some("1"))).is_err());
        let attach = AuthAction::Attach {
            filename: "/tmp/victim.db",
        };
        assert!(judge(&Rules::dataset(), &attach).is_err());
    }

    #[test]
    fn attach_and_extensions_are_refused() {
        assert!(judge(
            &raw(),
            &AuthAction::Attach {
                filename: "/tmp/x.db"
            }
        )
        .is_err_and(|e| e.contains("ATTACH")));
        assert!(judge(
            &raw(),
            &AuthAction::Function {
                function_name: "load_extension"
            }
        )
        .is_err());
        assert!(judge(
            &raw(),
            &AuthAction::Function {
                function_name: "upper"
            }
        )
        .is_ok());
    }

    #[test]
    fn only_reading_pragmas_pass() {
        assert!(judge(
            &raw(),
            &AuthAction::Pragma {
                pragma_name: "table_info",
                pragma_value: Some("students")
            }
        )
        .is_ok());
        assert!(judge(
            &raw(),
            &AuthAction::Pragma {
                pragma_name: "foreign_keys",
                pragma_value: None
            }
        )
        .is_ok());
        assert!(judge(
            &raw(),
            &AuthAction::Pragma {
                pragma_name: "foreign_keys",
                pragma_value: Some("OFF")
            }
        )
        .is_err());
        assert!(judge(
            &raw(),
            &AuthAction::Pragma {
                pragma_name: "journal_mode",
                pragma_value: None
            }
        )
        .is_err());
    }

    #[test]
    fn the_schools_tables_keep_their_shape_but_new_tables_are_free() {
        assert!(judge(
            &raw(),
            &AuthAction::DropTable {
                table_name: "students"
            }
        )
        .is_err());
        assert!(judge(&raw(), &AuthAction::DropTable { table_name: "mine" }).is_ok());
        assert!(judge(&raw(), &AuthAction::CreateTable { table_name: "mine" }).is_ok());
    }

    #[test]
    fn a_temporary_table_may_not_hide_a_mapped_one() {
        let refused = judge(
            &raw(),
            &AuthAction::CreateTempTable {
                table_name: "Students",
            },
        );
        assert!(refused.is_err_and(|why| why.contains("would hide the mapped table Students")));
        let view = judge(
            &raw(),
            &AuthAction::CreateTempView {
                view_name: "students",
            },
        );
        assert!(view.is_err());
        assert!(judge(
            &raw(),
            &AuthAction::CreateTempTable {
                table_name: "scratch"
            }
        )
        .is_ok());
    }

    #[test]
    fn the_table_of_kept_names_is_ormscopes_own() {
        for action in [
            AuthAction::CreateTable {
                table_name: "ormscope_mapping",
            },
            AuthAction::DropTable {
                table_name: "ORMSCOPE_MAPPING",
            },
            AuthAction::Insert {
                table_name: "ormscope_mapping",
            },
            AuthAction::CreateView {
                view_name: "ormscope_mapping",
            },
        ] {
            assert!(judge(&raw(), &action).is_err_and(|why| why.contains("keeps the names")));
        }
        let read = AuthAction::Read {
            table_name: "ormscope_mapping",
            column_name: "owner",
        };
        assert!(judge(&raw(), &read).is_ok());
    }

    /// A connection with the School's `students`, raw SQL's rules on, and a statement open
    /// in a transaction as ormscope keeps it (a savepoint); whether `sql` runs under them.
    fn runs_as_raw_sql(sql: &str) -> Result<(), String> {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE students(id INTEGER PRIMARY KEY, name TEXT); \
             CREATE TEMP TABLE scratch(id INTEGER PRIMARY KEY, name TEXT); \
             BEGIN; SAVEPOINT statement;",
        )
        .unwrap();
        let refusal = Refusal::default();
        conn.authorizer(Some(authorizer(raw(), Arc::clone(&refusal))))
            .unwrap();
        let ran = conn.execute_batch(sql);
        let why = refusal.lock().unwrap().take();
        match (ran, why) {
            (Ok(()), _) => Ok(()),
            (Err(_), Some(why)) => Err(why),
            (Err(e), None) => Err(format!("SQLite: {e}")),
        }
    }

    #[test]
    fn transaction_statements_are_refused_however_they_are_spelled() {
        for sql in [
            "COMMIT;",
            "/* x */ COMMIT",
            "END",
            "ROLLBACK;",
            "/**/ SAVEPOINT a",
            "SAVEPOINT a; RELEASE a",
            "/**/ RELEASE statement",
            "/**/ ROLLBACK TO statement",
        ] {
            let why = runs_as_raw_sql(sql).expect_err(sql);
            assert!(why.contains("atomic"), "{sql}: {why}");
        }
        let dataset = Rules::dataset();
        let begin = AuthAction::Transaction {
            operation: TransactionOperation::Begin,
        };
        assert!(
            judge(&dataset, &begin).is_ok(),
            "a dataset script may BEGIN"
        );
        assert!(judge(&raw(), &begin).is_err());
    }

    #[test]
    fn no_table_is_renamed_so_none_takes_a_mapped_or_kept_name() {
        for sql in [
            "ALTER TABLE temp.scratch RENAME TO students",
            "ALTER TABLE temp.scratch RENAME TO ormscope_mapping",
        ] {
            let why = runs_as_raw_sql(sql).expect_err(sql);
            assert!(why.contains("renaming a table"), "{sql}: {why}");
        }
        assert!(runs_as_raw_sql("ALTER TABLE temp.scratch RENAME COLUMN name TO title").is_ok());
        assert!(runs_as_raw_sql("ALTER TABLE temp.scratch ADD COLUMN year INTEGER").is_ok());
    }

    #[test]
    fn a_table_made_in_temp_by_its_qualified_name_may_not_hide_a_mapped_one() {
        for sql in [
            "CREATE TABLE temp.students(x)",
            "CREATE TABLE temp.\"Students\" AS SELECT * FROM main.students",
            "CREATE VIEW temp.students AS SELECT 1",
        ] {
            let why = runs_as_raw_sql(sql).expect_err(sql);
            assert!(why.contains("would hide the mapped table"), "{sql}: {why}");
        }
        assert!(runs_as_raw_sql("CREATE TABLE temp.notes(x)").is_ok());
        assert!(runs_as_raw_sql("CREATE TABLE main.notes(x)").is_ok());
    }

    #[test]
    fn an_attach_of_a_computed_name_is_refused_though_sqlite_does_not_name_the_file() {
        for sql in [
            "ATTACH 'vic' || 'tim.db' AS v",
            "ATTACH (SELECT ':memory:') AS v",
            "ATTACH printf('%s', ':memory:') AS v",
            "DETACH (SELECT 'temp')",
        ] {
            let why = runs_as_raw_sql(sql).expect_err(sql);
            assert!(why.contains("is refused"), "{sql}: {why}");
        }
    }

    #[test]
    fn no_trigger_is_made_since_it_would_run_outside_these_rules() {
        let why = runs_as_raw_sql(
            "CREATE TEMP TRIGGER t AFTER INSERT ON scratch BEGIN DELETE FROM ormscope_mapping; END",
        )
        .expect_err("a trigger on a table of one's own");
        assert!(why.contains("CREATE TRIGGER t"), "{why}");
        let own = AuthAction::CreateTrigger {
            trigger_name: "t",
            table_name: "mine",
        };
        assert!(judge(&raw(), &own).is_err());
        assert!(
            judge(&Rules::dataset(), &own).is_ok(),
            "a dataset's copy may have triggers"
        );
    }

    #[test]
    fn read_only_refuses_what_rewrites_the_file() {
        let rules = Rules {
            read_only: Some(READ_ONLY_FLAG),
            ..raw()
        };
        for action in [
            AuthAction::Reindex {
                index_name: "ix_classes_student_id",
            },
            AuthAction::Analyze {
                table_name: "students",
            },
        ] {
            assert!(judge(&rules, &action).is_err_and(|why| why.contains("read-only")));
        }
    }

    #[test]
    fn read_only_refuses_every_write_but_reads() {
        let rules = Rules {
            protected: Vec::new(),
            read_only: Some(READ_ONLY_FLAG),
            raw: false,
            dataset: false,
        };
        assert!(judge(
            &rules,
            &AuthAction::Insert {
                table_name: "classes"
            }
        )
        .is_err_and(|e| e.contains("read-only")));
        assert!(judge(
            &rules,
            &AuthAction::Read {
                table_name: "classes",
                column_name: "id"
            }
        )
        .is_ok());
    }
}
