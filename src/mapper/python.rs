//! The same schema as SQLAlchemy spells it in Python: a Core `Table(...)`, a declarative
//! class, and a classical `mapper(...)` call — the faces `:schema` and `:mapping` show beside
//! the `CREATE TABLE`.

use crate::mapper::{Link, Registry, Relationship};
use crate::schema::{Column, ColumnType, OnDelete, Table};

/// Python's reserved words, which no helper name may be (`class` becomes `class_`).
pub const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// A text as a Python string literal, in single quotes where it can be.
pub fn text_literal(text: &str) -> String {
    string_literal(text, '\'')
}

/// A text as a Python string literal, in double quotes where it can be (as the mapping faces
/// write names: `Column("name", Text)`).
pub fn double_quoted(text: &str) -> String {
    string_literal(text, '"')
}

/// A text as a Python string literal, in `preferred` quotes unless only the other kind avoids
/// escaping; every quote, backslash and control character escaped, so no text can end it.
fn string_literal(text: &str, preferred: char) -> String {
    let other = if preferred == '"' { '\'' } else { '"' };
    let quote = if text.contains(preferred) && !text.contains(other) {
        other
    } else {
        preferred
    };
    let mut out = String::from(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// `name` when it is a plain Python identifier.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(starts_identifier)
        && chars.all(continues_identifier)
        && !KEYWORDS.contains(&name)
}

/// Whether Python takes `c` first in a name: a letter or `_`, never a mark that combines with
/// what comes before (it shows no width of its own).
fn starts_identifier(c: char) -> bool {
    use unicode_width::UnicodeWidthChar;
    c == '_'
        || c.is_ascii_alphabetic()
        || (!c.is_ascii() && c.is_alphabetic() && c.width() != Some(0))
}

/// Whether Python takes `c` after the first character of a name: letters, digits and `_`; of the
/// other scripts only letters (and their marks), since a numeral such as `²` or `½` is not a
/// Python digit.
fn continues_identifier(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphabetic())
}

/// A name as Python can write it, for a table's variable or a class's attribute: the name
/// itself when it is an identifier, else `_` for each character that cannot stand in one (and
/// a leading `_` before a digit, a trailing one after a keyword), as contract section 5 says.
pub fn python_name(name: &str) -> String {
    if is_identifier(name) {
        return name.to_string();
    }
    let plain = crate::schema::identifier_avoiding(name, KEYWORDS);
    let mut out: String = plain
        .chars()
        .map(|c| if continues_identifier(c) { c } else { '_' })
        .collect();
    if !out.starts_with(starts_identifier) {
        out.insert(0, '_');
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// Attribute names a declarative class may not use for a column: what `DeclarativeBase` keeps
/// for itself (SQLAlchemy warns on `metadata` and `registry`; it passes over every name that
/// starts with `_sa_`, which loses `sa_`'s leading `_`).
const DECLARATIVE_RESERVED: &[&str] = &["metadata", "registry"];

/// The attribute each of `table`'s columns has in its declarative class, in the columns'
/// order: [`python_name`], made unique among the columns and the class's relationships (a
/// `_` appended), never a name the declarative base keeps or passes over, never starting with
/// `__` (Python would mangle it to `_Class__name` inside the class).
pub fn column_attributes(reg: &Registry, table: &Table) -> Vec<String> {
    let mut taken: Vec<String> = reg
        .relationships_of(&table.name)
        .iter()
        .map(|rel| python_name(&rel.name))
        .collect();
    let mut out = Vec::new();
    for column in &table.columns {
        let mut attribute = python_name(&column.name);
        if attribute.starts_with("__") {
            attribute = format!("_{}", attribute.trim_start_matches('_'));
        }
        if DECLARATIVE_RESERVED.contains(&attribute.as_str()) {
            attribute.push('_');
        }
        if attribute.starts_with("_sa_") {
            attribute.remove(0);
        }
        let stem = attribute.clone();
        let mut n = 1;
        while taken.contains(&attribute) || attribute.starts_with("__") {
            // `_` appended, or a number after a name of only `_` (more would start with `__`).
            attribute = if stem == "_" {
                n += 1;
                format!("_{n}")
            } else {
                format!("{attribute}_")
            };
        }
        taken.push(attribute.clone());
        out.push(attribute);
    }
    out
}

/// The arguments after the type in `Column(...)`: keys, foreign keys, rules.
fn column_arguments(table: &Table, column: &Column) -> Vec<String> {
    let mut args = vec![column.ty.sqlalchemy_name().to_string()];
    if let Some(fk) = &column.foreign_key {
        let ondelete = match fk.on_delete {
            OnDelete::Restrict => String::new(),
            OnDelete::Cascade => ", ondelete=\"CASCADE\"".into(),
            OnDelete::SetNull => ", ondelete=\"SET NULL\"".into(),
        };
        args.push(format!(
            "ForeignKey({}{ondelete})",
            double_quoted(&format!("{}.{}", fk.table, fk.column))
        ));
    }
    if let Some(check) = &column.check {
        args.push(format!("CheckConstraint({})", double_quoted(&check.sql)));
    }
    if table.primary_key.contains(&column.name) {
        args.push("primary_key=True".into());
    } else if !column.nullable {
        args.push("nullable=False".into());
    }
    if column.unique {
        args.push("unique=True".into());
    }
    if let Some(default) = &column.default {
        args.push(format!("server_default={}", double_quoted(default)));
    }
    if column.foreign_key.is_some() && table.primary_key.first() != Some(&column.name) {
        args.push("index=True".into());
    }
    args
}

/// `students = Table("students", metadata, Column(...), ...)`: the Core face.
pub fn core_table(table: &Table) -> String {
    let mut text = format!(
        "{} = Table(\n    {}, metadata,\n",
        python_name(&table.name),
        double_quoted(&table.name)
    );
    for column in &table.columns {
        let args = column_arguments(table, column).join(", ");
        text.push_str(&format!(
            "    Column({}, {args}),\n",
            double_quoted(&column.name)
        ));
    }
    text.push(')');
    text
}

/// `relationship(Class, back_populates="student", ...)` for one direction, classical style.
fn relationship_call(reg: &Registry, rel: &Relationship) -> String {
    let target = python_name(reg.class_name(&rel.target));
    format!(
        "relationship({target}, {})",
        relationship_arguments(reg, rel, false)
    )
}

/// What follows the target in `relationship(...)`: the association table or the columns that
/// disambiguate, `back_populates`, and the deleting options.
fn relationship_arguments(reg: &Registry, rel: &Relationship, quoted: bool) -> String {
    let mut args = Vec::new();
    match &rel.link {
        Link::ManyToMany { secondary, .. } => {
            args.push(format!("secondary={}", python_name(secondary)))
        }
        _ => args.extend(disambiguation(reg, rel, quoted)),
    }
    args.push(format!(
        "back_populates={}",
        double_quoted(&python_name(&rel.back_populates))
    ));
    args.extend(deleting_options(reg, rel));
    args.join(", ")
}

/// The options under which SQLAlchemy deletes as ormscope does: the database's own ON DELETE
/// rules do the work. A collection whose rows are deleted with their owner (ON DELETE CASCADE)
/// is `cascade="all", passive_deletes=True` (the ORM deletes the children it has loaded, and
/// leaves the others to the database); one set to NULL is `passive_deletes=True` (the ORM does
/// not load children to empty their key); one the database refuses to orphan is
/// `passive_deletes="all"` (the ORM leaves the children alone, so the database's refusal
/// stands). Without these, `session.delete(student)` would load the classes and set their
/// `student_id` to NULL, which `NOT NULL` refuses.
fn deleting_options(reg: &Registry, rel: &Relationship) -> Vec<String> {
    if !rel.is_collection() {
        return Vec::new();
    }
    match (reg.on_delete_of(rel), &rel.link) {
        (Some(OnDelete::Cascade), Link::OneToMany { .. }) => {
            vec!["cascade=\"all\"".into(), "passive_deletes=True".into()]
        }
        (Some(OnDelete::Cascade | OnDelete::SetNull), _) => vec!["passive_deletes=True".into()],
        _ => vec!["passive_deletes=\"all\"".into()],
    }
}

/// `foreign_keys=` where the child has several foreign keys to the parent (or is the parent),
/// and `remote_side=` for the many-to-one of a table to itself: what SQLAlchemy needs to know
/// which column a relationship follows.
fn disambiguation(reg: &Registry, rel: &Relationship, quoted: bool) -> Vec<String> {
    let (child, column) = match &rel.link {
        Link::ManyToOne { column } => (&rel.owner, column),
        Link::OneToMany { column } => (&rel.target, column),
        Link::ManyToMany { .. } => return Vec::new(),
    };
    let parent = if child == &rel.owner {
        &rel.target
    } else {
        &rel.owner
    };
    let siblings = reg.metadata.table(child).map_or(0, |t| {
        t.foreign_keys()
            .filter(|(_, fk)| &fk.table == parent)
            .count()
    });
    if siblings < 2 && child != parent {
        return Vec::new();
    }
    let spell = |table: &str, col: &str| {
        if quoted {
            double_quoted(&format!("{}.{}", reg.class_name(table), python_name(col)))
        } else {
            format!("[{}.c[{}]]", python_name(table), double_quoted(col))
        }
    };
    let mut args = vec![format!("foreign_keys={}", spell(child, column))];
    let key = reg
        .metadata
        .table(parent)
        .and_then(|t| t.single_key())
        .map(|k| k.name.clone());
    if let (Link::ManyToOne { .. }, true, Some(key)) = (&rel.link, child == parent, key) {
        args.push(format!("remote_side={}", spell(parent, &key)));
    }
    args
}

/// The Python type a column's values have: `int`, `Optional[str]`, ….
fn python_type(column: &Column) -> String {
    let base = match column.ty {
        ColumnType::Integer => "int",
        ColumnType::Text => "str",
        ColumnType::Real => "float",
        ColumnType::Any => "Any",
    };
    if column.nullable {
        format!("Optional[{base}]")
    } else {
        base.to_string()
    }
}

/// `class Student(Base): ...`: the declarative face in SQLAlchemy 2's style (`Mapped[...]`,
/// `mapped_column`), with its relationships and the options under which SQLAlchemy does what
/// ormscope does (the same text as `../shared/conformance/models.py` for the School).
pub fn declarative_class(reg: &Registry, table: &Table) -> Option<String> {
    let mapper = reg.mapper_of(&table.name)?;
    let mut text = format!(
        "class {}(Base):\n    __tablename__ = {}\n",
        python_name(&mapper.class_name),
        double_quoted(&table.name)
    );
    for (column, attribute) in table.columns.iter().zip(column_attributes(reg, table)) {
        let mut args: Vec<String> = column_arguments(table, column)
            .into_iter()
            .filter(|a| a != "nullable=False")
            .collect();
        // Python reads a non-ASCII name in its NFKC form, so such a name is given as it is.
        if attribute != column.name || !column.name.is_ascii() {
            args.insert(0, double_quoted(&column.name));
        }
        text.push_str(&format!(
            "    {attribute}: Mapped[{}] = mapped_column({})\n",
            python_type(column),
            args.join(", ")
        ));
    }
    for rel in reg.relationships_of(&table.name) {
        let target = double_quoted(&python_name(reg.class_name(&rel.target)));
        let mapped = if rel.is_collection() {
            format!("list[{target}]")
        } else if many_to_one_is_optional(reg, rel) {
            format!("Optional[{target}]")
        } else {
            target
        };
        text.push_str(&format!(
            "    {}: Mapped[{mapped}] = relationship({})\n",
            python_name(&rel.name),
            relationship_arguments(reg, rel, true)
        ));
    }
    Some(text.trim_end().to_string())
}

/// Whether a many-to-one may be None: its foreign key column takes NULL.
fn many_to_one_is_optional(reg: &Registry, rel: &Relationship) -> bool {
    let Link::ManyToOne { column } = &rel.link else {
        return false;
    };
    reg.metadata
        .table(&rel.owner)
        .and_then(|t| t.column(column))
        .is_none_or(|c| c.nullable)
}

/// `mapper(Student, students, properties={...})`: the classical mapping of a class.
pub fn classical_mapping(reg: &Registry, table: &Table) -> Option<String> {
    let mapper = reg.mapper_of(&table.name)?;
    let rels = reg.relationships_of(&table.name);
    let mut text = format!(
        "# SQLAlchemy 2 spells this registry.map_imperatively(...); older versions mapper(...)\nclass {}:\n    pass\n\nmapper({}, {}, properties={{\n",
        python_name(&mapper.class_name),
        python_name(&mapper.class_name),
        python_name(&table.name)
    );
    for rel in &rels {
        text.push_str(&format!(
            "    {}: {},\n",
            double_quoted(&python_name(&rel.name)),
            relationship_call(reg, rel)
        ));
    }
    text.push_str("})");
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::school;

    #[test]
    fn core_table_spells_keys_rules_and_foreign_keys() {
        let reg = school::registry();
        let students = reg.metadata.table("students").expect("students");
        let text = core_table(students);
        assert!(
            text.starts_with("students = Table(\n    \"students\", metadata,\n"),
            "{text}"
        );
        assert!(
            text.contains("Column(\"id\", Integer, primary_key=True),"),
            "{text}"
        );
        assert!(
            text.contains("Column(\"email\", Text, nullable=False, unique=True),"),
            "{text}"
        );
        assert!(text.contains(
            "Column(\"year\", Integer, CheckConstraint(\"year BETWEEN 1 AND 4\"), nullable=False),"
        ));
        assert!(text.contains(
            "Column(\"advisor_id\", Integer, ForeignKey(\"teachers.id\", ondelete=\"SET NULL\"), index=True),"
        ));
    }

    #[test]
    fn declarative_class_has_every_relationship() {
        let reg = school::registry();
        let students = reg.metadata.table("students").expect("students");
        let text = declarative_class(&reg, students).expect("mapped");
        assert!(
            text.starts_with("class Student(Base):\n    __tablename__ = \"students\""),
            "{text}"
        );
        assert!(
            text.contains("    classes: Mapped[list[\"Class\"]] = relationship(back_populates=\"student\", cascade=\"all\", passive_deletes=True)"),
            "{text}"
        );
        assert!(
            text.contains("    clubs: Mapped[list[\"Club\"]] = relationship(secondary=memberships, back_populates=\"members\", passive_deletes=True)"),
            "{text}"
        );
        assert!(
            text.contains("    advisor: Mapped[Optional[\"Teacher\"]] = relationship(back_populates=\"advisees\")"),
            "{text}"
        );
        assert!(declarative_class(&reg, reg.metadata.table("memberships").expect("m")).is_none());
    }

    #[test]
    fn declarative_columns_carry_their_python_types() {
        let reg = school::registry();
        let students = reg.metadata.table("students").expect("students");
        let text = declarative_class(&reg, students).expect("mapped");
        assert!(
            text.contains("    id: Mapped[int] = mapped_column(Integer, primary_key=True)"),
            "{text}"
        );
        assert!(
            text.contains("    email: Mapped[str] = mapped_column(Text, unique=True)"),
            "{text}"
        );
        assert!(
            text.contains("    advisor_id: Mapped[Optional[int]] = mapped_column(Integer, ForeignKey(\"teachers.id\", ondelete=\"SET NULL\"), index=True)"),
            "{text}"
        );
    }

    #[test]
    fn a_collection_the_database_sets_to_null_is_left_to_it() {
        let reg = school::registry();
        let teachers = reg.metadata.table("teachers").expect("teachers");
        let text = declarative_class(&reg, teachers).expect("mapped");
        assert!(
            text.contains("    advisees: Mapped[list[\"Student\"]] = relationship(back_populates=\"advisor\", passive_deletes=True)"),
            "{text}"
        );
        assert!(!text.contains("cascade="), "{text}");
    }

    #[test]
    fn classical_mapping_lists_properties() {
        let reg = school::registry();
        let classes = reg.metadata.table("classes").expect("classes");
        let text = classical_mapping(&reg, classes).expect("mapped");
        assert!(
            text.contains("mapper(Class, classes, properties={"),
            "{text}"
        );
        assert!(
            text.contains("    \"student\": relationship(Student, back_populates=\"classes\"),"),
            "{text}"
        );
        let students = reg.metadata.table("students").expect("students");
        let text = classical_mapping(&reg, students).expect("mapped");
        assert!(
            text.contains("    \"classes\": relationship(Class, back_populates=\"student\", cascade=\"all\", passive_deletes=True),"),
            "{text}"
        );
    }
}
