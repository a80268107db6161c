//! The School database of the contract: its tables (Core) and its mapped classes (ORM).

use crate::mapper::{Mapper, Registry, Relationship};
use crate::schema::{Column, ColumnType::*, MetaData, OnDelete, Table};

/// The School tables, parents before children.
pub fn metadata() -> MetaData {
    let mut meta = MetaData::new();
    meta.add(Table::new(
        "teachers",
        vec![
            Column::new("id", Integer),
            Column::new("name", Text),
            Column::new("department", Text),
        ],
        &["id"],
    ));
    meta.add(Table::new(
        "students",
        vec![
            Column::new("id", Integer),
            Column::new("name", Text),
            Column::new("email", Text).unique(),
            Column::new("year", Integer)
                .check("year BETWEEN 1 AND 4", "year must be between 1 and 4"),
            Column::new("advisor_id", Integer).nullable().references(
                "teachers",
                "id",
                OnDelete::SetNull,
            ),
        ],
        &["id"],
    ));
    meta.add(Table::new(
        "classes",
        vec![
            Column::new("id", Integer),
            Column::new("student_id", Integer).references("students", "id", OnDelete::Cascade),
            Column::new("teacher_id", Integer).nullable().references(
                "teachers",
                "id",
                OnDelete::SetNull,
            ),
            Column::new("name", Text),
            Column::new("abbreviation", Text),
            Column::new("credits", Integer).default("3"),
            Column::new("grade", Text)
                .nullable()
                .comment("NULL while the class is in progress"),
        ],
        &["id"],
    ));
    meta.add(Table::new(
        "clubs",
        vec![
            Column::new("id", Integer),
            Column::new("name", Text).unique(),
        ],
        &["id"],
    ));
    meta.add(Table::new(
        "memberships",
        vec![
            Column::new("student_id", Integer).references("students", "id", OnDelete::Cascade),
            Column::new("club_id", Integer).references("clubs", "id", OnDelete::Cascade),
        ],
        &["student_id", "club_id"],
    ));
    meta
}

/// The School's mapped classes and their relationships, both directions of each.
pub fn registry() -> Registry {
    let mut reg = Registry::new(metadata());
    reg.map(Mapper::new("Teacher", "teachers"));
    reg.map(Mapper::new("Student", "students"));
    reg.map(Mapper::new("Class", "classes"));
    reg.map(Mapper::new("Club", "clubs"));
    reg.relate(Relationship::foreign_key(
        "Student",
        "classes",
        "Class",
        "student",
        "student_id",
    ));
    reg.relate(Relationship::foreign_key(
        "Teacher",
        "advisees",
        "Student",
        "advisor",
        "advisor_id",
    ));
    reg.relate(Relationship::foreign_key(
        "Teacher",
        "classes",
        "Class",
        "teacher",
        "teacher_id",
    ));
    reg.relate(Relationship::secondary(
        "Student",
        "clubs",
        "Club",
        "members",
        "memberships",
        "student_id",
        "club_id",
    ));
    reg
}

/// The mapping of a file that existed before ormscope opened it, and what to tell the learner
/// about it (none for a School that ormscope made).
#[derive(Debug, Clone)]
pub struct OpenedFile {
    /// The classes and relationships over the file's tables.
    pub registry: Registry,
    /// One line saying what was mapped, when the file is not (only) a School.
    pub notice: Option<String>,
}

/// Reads the file's tables and maps them: the School's own tables and names where the file has
/// them as the School has them, automap's names for everything else.
pub fn open_file(conn: &rusqlite::Connection) -> Result<OpenedFile, crate::db::DbError> {
    let reflected = crate::db::reflect::reflect(conn)?;
    let mut meta = reflected.metadata;
    let mut school_tables = 0;
    for table in metadata().tables() {
        let same = meta
            .table(&table.name)
            .is_some_and(|t| !t.view && t.column_names() == table.column_names());
        if same {
            meta.replace(table.clone());
            school_tables += 1;
        }
    }
    let everything = meta.tables().len();
    let mut mapped = crate::mapper::automap::automap(meta, &registry());
    mapped.left_out.extend(reflected.left_out);
    let made_by_us = school_tables == metadata().tables().len() && everything == school_tables;
    Ok(OpenedFile {
        notice: (!made_by_us).then(|| mapped.summary()),
        registry: mapped.registry,
    })
}
