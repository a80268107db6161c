//! ORM: mapped classes over the Core tables, and the relationships between them.
//!
//! A [`Mapper`] ties a class name (`Student`) to a table (`students`); a [`Relationship`] is one
//! navigable direction between two classes (`Student.classes`, `Class.student`). Both are data in a
//! [`Registry`], so classes can be added while the program runs.

pub mod automap;
pub mod declare;
pub mod loading;
pub mod methods;
pub mod paths;
pub mod python;
pub mod query;

use crate::error::{suggestion, Error, Result, Span};
use crate::schema::{MetaData, Table};

/// A mapped class: a class name for a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapper {
    /// The class name, e.g. `Student`.
    pub class_name: String,
    /// The table its objects are rows of.
    pub table: String,
}

impl Mapper {
    /// Maps `class_name` to `table`.
    pub fn new(class_name: &str, table: &str) -> Mapper {
        Mapper {
            class_name: class_name.to_string(),
            table: table.to_string(),
        }
    }
}

/// How the rows of a relationship are found.
#[derive(Debug, Clone, PartialEq)]
pub enum Link {
    /// This table's `column` holds the related row's key: one object or none.
    ManyToOne {
        /// The foreign key column on the owner's table.
        column: String,
    },
    /// The related table's `column` holds this row's key: a collection.
    OneToMany {
        /// The foreign key column on the related table.
        column: String,
    },
    /// An association table pairs keys of both sides: a collection.
    ManyToMany {
        /// The association table.
        secondary: String,
        /// Its column holding the owner's key.
        owner_column: String,
        /// Its column holding the related row's key.
        target_column: String,
    },
}

/// One navigable direction of a relationship between two mapped tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Relationship {
    /// The attribute name on the owner, e.g. `classes`.
    pub name: String,
    /// The owner's table.
    pub owner: String,
    /// The related table.
    pub target: String,
    /// How rows are linked.
    pub link: Link,
    /// The name of the other direction, e.g. `student`.
    pub back_populates: String,
}

impl Relationship {
    /// Whether following it gives a collection (one-to-many, many-to-many).
    pub fn is_collection(&self) -> bool {
        !matches!(self.link, Link::ManyToOne { .. })
    }

    /// The kind in words: "many-to-one", "one-to-many", "many-to-many".
    pub fn kind_name(&self) -> &'static str {
        match self.link {
            Link::ManyToOne { .. } => "many-to-one",
            Link::OneToMany { .. } => "one-to-many",
            Link::ManyToMany { .. } => "many-to-many",
        }
    }
}

/// Both directions of a relationship, as declared once.
#[derive(Debug, Clone, PartialEq)]
pub struct RelationshipPair {
    /// Parent class, the one the foreign key points at (or the many-to-many owner).
    parent: String,
    /// Attribute on the parent.
    parent_attr: String,
    /// Child class.
    child: String,
    /// Attribute on the child.
    child_attr: String,
    /// The foreign key column on the child, or the association table and its columns.
    via: Via,
}

#[derive(Debug, Clone, PartialEq)]
enum Via {
    ForeignKey(String),
    Secondary(String, String, String),
}

impl Relationship {
    /// A one-to-many from `parent.parent_attr` with its many-to-one back
    /// `child.child_attr`, through the child's `column`.
    pub fn foreign_key(
        parent: &str,
        parent_attr: &str,
        child: &str,
        child_attr: &str,
        column: &str,
    ) -> RelationshipPair {
        RelationshipPair {
            parent: parent.into(),
            parent_attr: parent_attr.into(),
            child: child.into(),
            child_attr: child_attr.into(),
            via: Via::ForeignKey(column.into()),
        }
    }

    /// A many-to-many between `left.left_attr` and `right.right_attr` through `secondary`.
    pub fn secondary(
        left: &str,
        left_attr: &str,
        right: &str,
        right_attr: &str,
        secondary: &str,
        left_column: &str,
        right_column: &str,
    ) -> RelationshipPair {
        RelationshipPair {
            parent: left.into(),
            parent_attr: left_attr.into(),
            child: right.into(),
            child_attr: right_attr.into(),
            via: Via::Secondary(secondary.into(), left_column.into(), right_column.into()),
        }
    }
}

/// What a collection name stands for: a table, and its mapped class if it has one.
#[derive(Debug, Clone, Copy)]
pub struct Collection<'a> {
    /// The table whose rows it holds.
    pub table: &'a Table,
    /// The class mapped to it (none for a plain table such as `memberships`).
    pub mapper: Option<&'a Mapper>,
}

impl<'a> Collection<'a> {
    /// The class name, or the table's name for a plain table.
    pub fn class_name(&self) -> &'a str {
        self.mapper
            .map_or(self.table.name.as_str(), |m| m.class_name.as_str())
    }
}

/// The catalogue of tables, mapped classes and relationships.
#[derive(Debug, Clone)]
pub struct Registry {
    /// The Core tables.
    pub metadata: MetaData,
    mappers: Vec<Mapper>,
    relationships: Vec<Relationship>,
    /// Tables whose class name automap chose (a declared class may take its place).
    automapped: Vec<String>,
}

impl Registry {
    /// A registry over these tables, with no classes yet.
    pub fn new(metadata: MetaData) -> Registry {
        Registry {
            metadata,
            mappers: Vec::new(),
            relationships: Vec::new(),
            automapped: Vec::new(),
        }
    }

    /// Adds a mapped class.
    pub fn map(&mut self, mapper: Mapper) {
        self.mappers.push(mapper);
    }

    /// Adds both directions of a relationship between mapped classes.
    pub fn relate(&mut self, pair: RelationshipPair) {
        let (Some(parent), Some(child)) = (self.table_of(&pair.parent), self.table_of(&pair.child))
        else {
            return;
        };
        let (to_child, to_parent) = match pair.via {
            Via::ForeignKey(column) => (
                Link::OneToMany {
                    column: column.clone(),
                },
                Link::ManyToOne { column },
            ),
            Via::Secondary(secondary, left, right) => (
                Link::ManyToMany {
                    secondary: secondary.clone(),
                    owner_column: left.clone(),
                    target_column: right.clone(),
                },
                Link::ManyToMany {
                    secondary,
                    owner_column: right,
                    target_column: left,
                },
            ),
        };
        self.relationships.push(Relationship {
            name: pair.parent_attr.clone(),
            owner: parent.clone(),
            target: child.clone(),
            link: to_child,
            back_populates: pair.child_attr.clone(),
        });
        self.relationships.push(Relationship {
            name: pair.child_attr,
            owner: child,
            target: parent,
            link: to_parent,
            back_populates: pair.parent_attr,
        });
    }

    fn table_of(&self, class_name: &str) -> Option<String> {
        self.mappers
            .iter()
            .find(|m| m.class_name == class_name)
            .map(|m| m.table.clone())
    }

    /// Adds one direction of a relationship.
    pub fn add_relationship(&mut self, relationship: Relationship) {
        self.relationships.push(relationship);
    }

    /// Notes that automap chose the class name of `table`.
    pub fn mark_automapped(&mut self, table: &str) {
        self.automapped.push(table.to_string());
    }

    /// Whether automap chose the class name of `table` (so a declared class may replace it).
    pub fn is_automapped(&self, table: &str) -> bool {
        self.automapped.iter().any(|t| t == table)
    }

    /// Maps `table` to the class `class_name`, in place of the class it had, if any.
    pub fn set_class(&mut self, table: &str, class_name: &str) {
        self.automapped.retain(|t| t != table);
        match self.mappers.iter_mut().find(|m| m.table == table) {
            Some(m) => m.class_name = class_name.to_string(),
            None => self.mappers.push(Mapper::new(class_name, table)),
        }
    }

    /// Every relationship, each direction on its own.
    pub fn relationships(&self) -> &[Relationship] {
        &self.relationships
    }

    /// Names the way back of `table.name`.
    pub fn set_back_populates(&mut self, table: &str, name: &str, back: &str) {
        if let Some(r) = self
            .relationships
            .iter_mut()
            .find(|r| r.owner == table && r.name == name)
        {
            r.back_populates = back.to_string();
        }
    }

    /// Every mapped class.
    pub fn mappers(&self) -> &[Mapper] {
        &self.mappers
    }

    /// The class name of a table's rows (`Student`), or the table's own name when it has no class.
    pub fn class_name<'a>(&'a self, table: &'a str) -> &'a str {
        self.mapper_of(table)
            .map_or(table, |m| m.class_name.as_str())
    }

    /// The mapper of a table.
    pub fn mapper_of(&self, table: &str) -> Option<&Mapper> {
        self.mappers.iter().find(|m| m.table == table)
    }

    /// The collection a name stands for: a table name or a class name.
    pub fn collection(&self, name: &str) -> Option<Collection<'_>> {
        let by_class = self.mappers.iter().find(|m| m.class_name == name);
        let table_name = by_class.map_or(name, |m| m.table.as_str());
        let table = self.metadata.table(table_name).or_else(|| {
            self.metadata
                .tables()
                .iter()
                .find(|t| crate::schema::written_as(&t.name, name))
        })?;
        let table_name = table.name.as_str();
        Some(Collection {
            table,
            mapper: by_class.or_else(|| self.mapper_of(table_name)),
        })
    }

    /// The collection of a table known to exist.
    pub fn table_collection(&self, table: &str, span: Span) -> Result<Collection<'_>> {
        self.collection(table)
            .ok_or_else(|| Error::name(span, format!("no table '{table}'")))
    }

    /// Every name that can start a statement: table and class names.
    pub fn collection_names(&self) -> Vec<&str> {
        let tables = self.metadata.tables().iter().map(|t| t.name.as_str());
        tables
            .chain(self.mappers.iter().map(|m| m.class_name.as_str()))
            .collect()
    }

    /// The relationship `name` on objects of `table`.
    pub fn relationship(&self, table: &str, name: &str) -> Option<&Relationship> {
        self.relationships
            .iter()
            .find(|r| r.owner == table && r.name == name)
    }

    /// Every relationship of objects of `table`.
    pub fn relationships_of(&self, table: &str) -> Vec<&Relationship> {
        self.relationships
            .iter()
            .filter(|r| r.owner == table)
            .collect()
    }

    /// What the database does to the rows of a collection when their owner is deleted: the
    /// ON DELETE rule of the foreign key that points at the owner (the association table's, for
    /// a many-to-many); `None` for a many-to-one, or a key the schema does not know.
    pub fn on_delete_of(&self, rel: &Relationship) -> Option<crate::schema::OnDelete> {
        let (child, column) = match &rel.link {
            Link::OneToMany { column } => (&rel.target, column),
            Link::ManyToMany {
                secondary,
                owner_column,
                ..
            } => (secondary, owner_column),
            Link::ManyToOne { .. } => return None,
        };
        self.metadata
            .table(child)?
            .column(column)?
            .foreign_key
            .as_ref()
            .map(|fk| fk.on_delete)
    }

    /// The error for an unknown attribute of `table`, suggesting the nearest column or relationship.
    pub fn unknown_attribute(
        &self,
        table: &Table,
        name: &str,
        span: Span,
        extra: &[&str],
    ) -> Error {
        let columns = table.columns.iter().map(|c| c.name.as_str());
        let rels = self.relationships_of(&table.name);
        let known: Vec<&str> = columns
            .chain(rels.iter().map(|r| r.name.as_str()))
            .chain(extra.iter().copied())
            .collect();
        let what = self.mapper_of(&table.name).map_or(table.name.clone(), |m| {
            format!("{} ({})", table.name, m.class_name)
        });
        Error::name(
            span,
            format!("no column or relationship '{name}' on {what}"),
        )
        .with_hint(suggestion(name, known.iter().copied()))
    }
}

#[cfg(test)]
mod tests {
    use crate::school;

    #[test]
    fn both_directions_of_each_relationship_are_navigable() {
        let reg = school::registry();
        let classes = reg
            .relationship("students", "classes")
            .expect("Student.classes");
        assert_eq!(classes.target, "classes");
        assert_eq!(classes.back_populates, "student");
        let student = reg
            .relationship("classes", "student")
            .expect("Class.student");
        assert_eq!(student.kind_name(), "many-to-one");
        let members = reg.relationship("clubs", "members").expect("Club.members");
        assert_eq!(
            members.link,
            super::Link::ManyToMany {
                secondary: "memberships".into(),
                owner_column: "club_id".into(),
                target_column: "student_id".into()
            }
        );
    }

    #[test]
    fn collections_are_named_by_table_or_class() {
        let reg = school::registry();
        assert_eq!(
            reg.collection("Student").map(|c| c.table.name.as_str()),
            Some("students")
        );
        assert_eq!(
            reg.collection("students").map(|c| c.class_name()),
            Some("Student")
        );
        assert_eq!(
            reg.collection("memberships").map(|c| c.class_name()),
            Some("memberships")
        );
        assert!(reg.collection("pupils").is_none());
    }

    #[test]
    fn unknown_attribute_suggests_the_nearest_column() {
        let reg = school::registry();
        let table = reg.metadata.table("students").expect("students");
        let err = reg.unknown_attribute(table, "yeer", crate::error::Span::default(), &[]);
        assert_eq!(err.hint.as_deref(), Some("did you mean 'year'?"));
        assert!(
            err.message.contains("'yeer' on students (Student)"),
            "{}",
            err.message
        );
    }
}
