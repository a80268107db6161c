//! The fixed SQL that reads an SQLite file's own catalog (its tables, columns, keys and
//! indexes, for reflection) and keeps the names a learner declared in the file. These read
//! SQLite's catalog, not the mapped schema, so they are written once here as they are.

/// The SQL that reads the catalog, by what it reads.
pub struct Catalog {
    /// Every table and view: name, kind, and the `CREATE` statement.
    pub objects: &'static str,
    /// A table's columns (`PRAGMA table_xinfo`).
    pub columns: &'static str,
    /// A table's foreign keys (`PRAGMA foreign_key_list`).
    pub foreign_keys: &'static str,
    /// A table's unique indexes and the columns of each (`PRAGMA index_list` / `index_info`).
    pub unique_indexes: &'static str,
}

pub const CATALOG: Catalog = Catalog {
    objects: "SELECT name, type, sql FROM sqlite_schema \
              WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
              ORDER BY rowid",
    columns: "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1) \
              ORDER BY cid",
    foreign_keys: "SELECT id, seq, \"table\", \"from\", \"to\", on_delete \
                   FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
    unique_indexes: "SELECT l.name, l.origin, i.name FROM pragma_index_list(?1) AS l \
                     JOIN pragma_index_info(l.name) AS i \
                     WHERE l.\"unique\" AND l.partial = 0 AND l.origin != 'pk' ORDER BY l.seq, i.seqno",
};

/// The SQL that keeps declared names in `ormscope_mapping` (see `db::reflect::NAMES_TABLE`): make it, write one, read them all,
/// and whether the file has it.
pub const NAMES: [&str; 4] = [
    "CREATE TABLE IF NOT EXISTS ormscope_mapping (\
       owner TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL, \
       via TEXT NOT NULL, owner_column TEXT NOT NULL, target_column TEXT NOT NULL, \
       back TEXT NOT NULL, PRIMARY KEY (owner, name))",
    "INSERT OR REPLACE INTO ormscope_mapping \
       (owner, name, kind, target, via, owner_column, target_column, back) \
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    "SELECT owner, name, kind, target, via, owner_column, target_column, back \
       FROM ormscope_mapping ORDER BY rowid",
    "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
];
