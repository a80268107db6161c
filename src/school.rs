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
