//! The rules raw SQL (`:sql`) runs under, enforced by SQLite's authorizer: nothing that touches
//! files or other databases, no extensions, only harmless PRAGMAs, no changes to the schema of
//! the School's own tables — and, in a read-only session, no writes at all.

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
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
    /// Refuse every write.
    pub read_only: bool,
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
            read_only: false,
            raw: true,
            dataset: true,
        }
    }
}

/// Why the last statement was refused, for the error message.
pub type Refusal = Arc<Mutex<Option<String>>>;

/// The verdict on one action, with the reason when it is refused.
pub fn judge(rules: &Rules, action: &AuthAction<'_>) -> Result<(), String> {
    if rules.read_only {
        if let Some(what) = write_of(action).map(|w| schema_words(&w)) {
            return Err(format!(
                "{what}: this session is read-only (--read-only), so nothing can be changed"
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
    match *action {
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
        AuthAction::CreateTempTable { table_name: name }
        | AuthAction::CreateTempView { view_name: name }
            if protected(name) =>
        {
            Err(format!(
                "a temporary {name} is refused: it would hide the mapped table {name} from every later statement, so writes to {name} would go to the temporary copy and be lost (name it differently)"
            ))
        }
        AuthAction::CreateVtable { module_name, .. } => Err(format!(
            "virtual tables ({module_name}) are refused in raw SQL"
        )),
        _ => Ok(()),
    }
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
    move |ctx: AuthContext<'_>| match judge(&rules, &ctx.action) {
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
            read_only: false,
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

    #[test]
    fn read_only_refuses_what_rewrites_the_file() {
        let rules = Rules {
            read_only: true,
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
            read_only: true,
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
