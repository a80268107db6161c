//! The School database: its tables (Core) and its mapped classes (ORM).

use crate::db::reflect::DeclaredName;
use crate::mapper::{Link, Mapper, Registry, Relationship};
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
    let (kept, unreadable) = match crate::db::reflect::load_names(conn) {
        Ok(kept) => (kept, None),
        Err(e) => (
            Vec::new(),
            Some(format!(
                "the names kept in table {} could not be read ({}), so automap's names are used instead",
                crate::db::reflect::NAMES_TABLE,
                e.message
            )),
        ),
    };
    let declared: Vec<String> = kept
        .iter()
        .filter(|n| n.kind == "class")
        .map(|n| n.owner.clone())
        .collect();
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
    let everything = meta
        .tables()
        .iter()
        .filter(|t| !declared.contains(&t.name))
        .count();
    let mut mapped = crate::mapper::automap::automap(meta, &known_names(kept));
    mapped.left_out.extend(reflected.left_out);
    let made_by_us = school_tables == metadata().tables().len() && everything == school_tables;
    let summary = (!made_by_us).then(|| mapped.summary());
    let notice = match (summary, unreadable) {
        (Some(summary), Some(why)) => Some(format!("{summary}; {why}")),
        (summary, why) => summary.or(why),
    };
    Ok(OpenedFile {
        notice,
        registry: mapped.registry,
    })
}

/// The class of `table` and every relationship to or from it, as names to keep in the file.
pub fn declared_names(reg: &Registry, table: &str) -> Vec<DeclaredName> {
    let mut out: Vec<DeclaredName> = reg
        .mapper_of(table)
        .map(|m| DeclaredName {
            owner: m.table.clone(),
            name: m.class_name.clone(),
            kind: "class".into(),
            ..DeclaredName::default()
        })
        .into_iter()
        .collect();
    for rel in reg
        .relationships()
        .iter()
        .filter(|r| r.owner == table || r.target == table)
    {
        let (via, owner_column, target_column) = match &rel.link {
            Link::ManyToOne { column } | Link::OneToMany { column } => {
                (column.clone(), String::new(), String::new())
            }
            Link::ManyToMany {
                secondary,
                owner_column,
                target_column,
            } => (
                secondary.clone(),
                owner_column.clone(),
                target_column.clone(),
            ),
        };
        out.push(DeclaredName {
            owner: rel.owner.clone(),
            name: rel.name.clone(),
            kind: rel.kind_name().into(),
            target: rel.target.clone(),
            via,
            owner_column,
            target_column,
            back: rel.back_populates.clone(),
        });
    }
    out
}

/// The School's names and the names kept in a file, as one registry for automap to keep.
fn known_names(kept: Vec<DeclaredName>) -> Registry {
    let school = registry();
    let mut known = Registry::new(MetaData::new());
    for m in school.mappers() {
        known.map(m.clone());
    }
    for n in kept.iter().filter(|n| n.kind == "class") {
        known.set_class(&n.owner, &n.name);
    }
    for r in school.relationships() {
        known.add_relationship(r.clone());
    }
    for n in kept {
        let link = match n.kind.as_str() {
            "many-to-one" => Link::ManyToOne { column: n.via },
            "one-to-many" => Link::OneToMany { column: n.via },
            "many-to-many" => Link::ManyToMany {
                secondary: n.via,
                owner_column: n.owner_column,
                target_column: n.target_column,
            },
            _ => continue,
        };
        known.add_relationship(Relationship {
            name: n.name,
            owner: n.owner,
            target: n.target,
            link,
            back_populates: n.back,
        });
    }
    known
}
