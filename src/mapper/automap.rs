//! Automap: mapped classes and relationships for tables read from a file, named by the rules
//! below (as SQLAlchemy's `automap_base()` does, with ormscope's names).
//!
//! - a class per table with a primary key: the table name singular, in CamelCase
//!   (`order_items` → `OrderItem`); a name that clashes keeps the table name;
//! - a many-to-one per foreign key: the column without `_id`, else the referred table's
//!   singular name; `_ref` is appended while the name is taken;
//! - the one-to-many back: the child table's name, or `<child>_by_<many-to-one>` where the
//!   child has several foreign keys to the parent or is the parent;
//! - a many-to-many through each table of exactly two foreign-key columns that are unique
//!   together: each side names the other table (`_by_` again for a table linked to itself).
//!
//! Names already known (the School's, classes a learner declared) are kept where the file
//! still fits them, and only the rest is named by these rules.

use super::{Link, Mapper, Registry, Relationship};
use crate::schema::{MetaData, Table};
use cruet::Inflector;

/// The classes and relationships chosen, and what was left out, with why.
#[derive(Debug, Clone)]
pub struct Automapped {
    /// The mapped classes and relationships over the tables.
    pub registry: Registry,
    /// Things not mapped, each `(what, why)`.
    pub left_out: Vec<(String, String)>,
}

impl Automapped {
    /// One line saying what was mapped and what was left out.
    pub fn summary(&self) -> String {
        let reg = &self.registry;
        let tables = reg.metadata.tables();
        let views = tables.iter().filter(|t| t.view).count();
        let classes: Vec<&str> = reg
            .mappers()
            .iter()
            .map(|m| m.class_name.as_str())
            .collect();
        let pairs = reg.relationships().len() / 2;
        if tables.is_empty() {
            return "holds no tables yet (:sql CREATE TABLE ... or class X(Base): ... make one)"
                .to_string();
        }
        let mut line = format!(
            "mapped {} table{} as {} class{} ({}), {pairs} relationship{} (both ways)",
            tables.len() - views,
            plural(tables.len() - views),
            classes.len(),
            if classes.len() == 1 { "" } else { "es" },
            shorten(&classes, 8),
            plural(pairs),
        );
        if views > 0 {
            line.push_str(&format!(", {views} view{} (read-only)", plural(views)));
        }
        let plain: Vec<&str> = tables
            .iter()
            .filter(|t| !t.view && reg.mapper_of(&t.name).is_none())
            .map(|t| t.name.as_str())
            .collect();
        if !plain.is_empty() {
            line.push_str(&format!(
                "; plain table collection{}: {}",
                plural(plain.len()),
                shorten(&plain, 6)
            ));
        }
        if !self.left_out.is_empty() {
            let items: Vec<String> = self
                .left_out
                .iter()
                .map(|(what, why)| format!("{what} ({why})"))
                .collect();
            let items: Vec<&str> = items.iter().map(String::as_str).collect();
            line.push_str(&format!("; left out: {}", shorten(&items, 4)));
        }
        line
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The first `n` names, and how many more.
fn shorten(names: &[&str], n: usize) -> String {
    let mut text = names.iter().take(n).copied().collect::<Vec<_>>().join(", ");
    if names.len() > n {
        text.push_str(&format!(", … {} more", names.len() - n));
    }
    text
}

/// Maps `metadata`, keeping the names of `known` where the tables still fit them.
pub fn automap(metadata: MetaData, known: &Registry) -> Automapped {
    let mut reg = Registry::new(metadata);
    let mut left_out = Vec::new();
    let links = link_tables(&reg.metadata);
    map_classes(&mut reg, known, &links, &mut left_out);
    for rel in known.relationships() {
        if fits(&reg, rel) && reg.relationship(&rel.owner, &rel.name).is_none() {
            reg.add_relationship(rel.clone());
        }
    }
    relate_foreign_keys(&mut reg, &mut left_out);
    relate_links(&mut reg, &links);
    Automapped {
        registry: reg,
        left_out,
    }
}

/// A class for each table with a primary key that is not a link table.
fn map_classes(
    reg: &mut Registry,
    known: &Registry,
    links: &[Link2],
    left_out: &mut Vec<(String, String)>,
) {
    let tables: Vec<Table> = reg.metadata.tables().to_vec();
    // Known classes (the School's, those kept in the file) keep their names, even when a table
    // of the same name appears: a class name is looked up before a table name.
    for m in known.mappers() {
        let fits = reg
            .metadata
            .table(&m.table)
            .is_some_and(|t| !t.view && !t.primary_key.is_empty());
        let taken = reg.mappers().iter().any(|x| x.class_name == m.class_name);
        if fits && !taken {
            reg.map(m.clone());
        }
    }
    for table in &tables {
        if table.view || reg.mapper_of(&table.name).is_some() {
            continue;
        }
        if links.iter().any(|l| l.table == table.name) {
            continue;
        }
        if table.primary_key.is_empty() {
            left_out.push((
                table.name.clone(),
                "no primary key: a plain table collection, no class".into(),
            ));
            continue;
        }
        let wanted = class_name(&table.name);
        let clashes = wanted.is_empty()
            || (wanted != table.name && reg.collection(&wanted).is_some())
            || tables
                .iter()
                .any(|t| t.name == wanted && t.name != table.name);
        let mut name = if clashes { table.name.clone() } else { wanted };
        while reg.mappers().iter().any(|m| m.class_name == name) {
            name.push('_');
        }
        reg.map(Mapper::new(&name, &table.name));
        reg.mark_automapped(&table.name);
    }
}

/// Whether a known relationship still fits the tables of the file.
fn fits(reg: &Registry, rel: &Relationship) -> bool {
    if reg.mapper_of(&rel.owner).is_none() || reg.mapper_of(&rel.target).is_none() {
        return false;
    }
    let refers = |table: &str, column: &str, to: &str| {
        reg.metadata
            .table(table)
            .and_then(|t| t.column(column))
            .and_then(|c| c.foreign_key.as_ref())
            .is_some_and(|fk| fk.table == to)
    };
    match &rel.link {
        Link::ManyToOne { column } => refers(&rel.owner, column, &rel.target),
        Link::OneToMany { column } => refers(&rel.target, column, &rel.owner),
        Link::ManyToMany {
            secondary,
            owner_column,
            target_column,
        } => {
            refers(secondary, owner_column, &rel.owner)
                && refers(secondary, target_column, &rel.target)
        }
    }
}

/// A table that links two tables: its two columns, each a foreign key.
#[derive(Debug, Clone)]
struct Link2 {
    table: String,
    left: (String, String),
    right: (String, String),
}

/// Tables whose columns are exactly two foreign keys, unique together.
fn link_tables(meta: &MetaData) -> Vec<Link2> {
    meta.tables()
        .iter()
        .filter(|t| !t.view && t.columns.len() == 2)
        .filter_map(|t| {
            let fks: Vec<(String, String)> = t
                .foreign_keys()
                .filter(|(_, fk)| refers_to_key(meta, &fk.table, &fk.column))
                .map(|(c, fk)| (c.name.clone(), fk.table.clone()))
                .collect();
            let [left, right] = fks.as_slice() else {
                return None;
            };
            t.is_unique(&[left.0.as_str(), right.0.as_str()])
                .then(|| Link2 {
                    table: t.name.clone(),
                    left: left.clone(),
                    right: right.clone(),
                })
        })
        .collect()
}

/// Whether `table.column` is the single primary key of a table (an empty column means it).
fn refers_to_key(meta: &MetaData, table: &str, column: &str) -> bool {
    meta.table(table)
        .and_then(|t| t.single_key())
        .is_some_and(|k| column.is_empty() || k.name == column)
}

/// A many-to-one and its one-to-many back for every foreign key between mapped classes.
fn relate_foreign_keys(reg: &mut Registry, left_out: &mut Vec<(String, String)>) {
    let tables: Vec<Table> = reg.metadata.tables().to_vec();
    for child in &tables {
        let mapped = reg.mapper_of(&child.name).is_some();
        for (column, fk) in child.foreign_keys() {
            let what = format!("{}.{}", child.name, column.name);
            if !refers_to_key(&reg.metadata, &fk.table, &fk.column) {
                let why = if reg.metadata.table(&fk.table).is_none() {
                    format!("refers to {}, which is not a table of this file", fk.table)
                } else {
                    format!(
                        "refers to {} but not to its one-column primary key",
                        fk.table
                    )
                };
                left_out.push((what, why));
                continue;
            }
            if !mapped || reg.mapper_of(&fk.table).is_none() {
                if mapped {
                    left_out.push((what, format!("{} has no class", fk.table)));
                }
                continue;
            }
            let done = reg
                .relationships_of(&child.name)
                .iter()
                .any(|r| matches!(&r.link, Link::ManyToOne { column: c } if *c == column.name));
            if done {
                continue;
            }
            let parent = fk.table.clone();
            let to_one = free_name(reg, child, &many_to_one_name(&column.name, &parent));
            let siblings = child
                .foreign_keys()
                .filter(|(_, f)| f.table == parent)
                .count();
            let wanted = if siblings > 1 || child.name == parent {
                format!("{}_by_{to_one}", identifier(&child.name))
            } else {
                identifier(&child.name)
            };
            reg.add_relationship(Relationship {
                name: to_one.clone(),
                owner: child.name.clone(),
                target: parent.clone(),
                link: Link::ManyToOne {
                    column: column.name.clone(),
                },
                back_populates: String::new(),
            });
            let parent_table = reg.metadata.table(&parent).cloned();
            let Some(parent_table) = parent_table else {
                continue;
            };
            let to_many = free_name(reg, &parent_table, &wanted);
            reg.set_back_populates(&child.name, &to_one, &to_many);
            reg.add_relationship(Relationship {
                name: to_many,
                owner: parent,
                target: child.name.clone(),
                link: Link::OneToMany {
                    column: column.name.clone(),
                },
                back_populates: to_one,
            });
        }
    }
}

/// A many-to-many, both ways, through each link table between mapped classes.
fn relate_links(reg: &mut Registry, links: &[Link2]) {
    for link in links {
        let ((lc, lt), (rc, rt)) = (&link.left, &link.right);
        if reg.mapper_of(lt).is_none() || reg.mapper_of(rt).is_none() {
            continue;
        }
        let done = reg.relationships().iter().any(
            |r| matches!(&r.link, Link::ManyToMany { secondary, .. } if *secondary == link.table),
        );
        if done {
            continue;
        }
        let (Some(left), Some(right)) = (
            reg.metadata.table(lt).cloned(),
            reg.metadata.table(rt).cloned(),
        ) else {
            continue;
        };
        let (left_wanted, right_wanted) = if lt == rt {
            (
                format!("{}_by_{}", identifier(rt), many_to_one_name(lc, lt)),
                format!("{}_by_{}", identifier(lt), many_to_one_name(rc, rt)),
            )
        } else {
            (identifier(rt), identifier(lt))
        };
        let left_name = free_name(reg, &left, &left_wanted);
        reg.add_relationship(Relationship {
            name: left_name.clone(),
            owner: lt.clone(),
            target: rt.clone(),
            link: Link::ManyToMany {
                secondary: link.table.clone(),
                owner_column: lc.clone(),
                target_column: rc.clone(),
            },
            back_populates: String::new(),
        });
        let right_name = free_name(reg, &right, &right_wanted);
        reg.set_back_populates(lt, &left_name, &right_name);
        reg.add_relationship(Relationship {
            name: right_name,
            owner: rt.clone(),
            target: lt.clone(),
            link: Link::ManyToMany {
                secondary: link.table.clone(),
                owner_column: rc.clone(),
                target_column: lc.clone(),
            },
            back_populates: left_name,
        });
    }
}

/// The many-to-one name of a foreign-key column: without `_id`, or the referred table singular.
fn many_to_one_name(column: &str, target: &str) -> String {
    let lower = column.to_ascii_lowercase();
    match lower.strip_suffix("_id") {
        Some(stem) if !stem.is_empty() => identifier(&column[..stem.len()]),
        _ => singular_snake(target),
    }
}

/// `wanted`, with `_ref` appended while a column or relationship of `table` has the name.
fn free_name(reg: &Registry, table: &Table, wanted: &str) -> String {
    let mut name = wanted.to_string();
    while table.column(&name).is_some() || reg.relationship(&table.name, &name).is_some() {
        name.push_str("_ref");
    }
    name
}

/// The words of a name: split at anything not a letter or digit, and where a lower-case
/// letter meets an upper-case one (`OrderItems` → `Order`, `Items`).
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The words of a table's name with the last one made singular.
fn singular_words(table: &str) -> Vec<String> {
    let mut w = words(table);
    if let Some(last) = w.last_mut() {
        if last.chars().all(|c| c.is_ascii_alphabetic()) {
            *last = last.to_singular();
        }
    }
    w
}

/// The class name for a table: singular, in CamelCase (`order_items` → `OrderItem`); empty
/// when the table's name gives no usable class name.
pub fn class_name(table: &str) -> String {
    let name: String = singular_words(table)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect();
    if name.chars().next().is_some_and(|c| c.is_alphabetic()) {
        name
    } else {
        String::new()
    }
}

/// A table's singular name in snake case (`order_items` → `order_item`).
fn singular_snake(table: &str) -> String {
    identifier(&singular_words(table).join("_"))
}

pub use crate::schema::identifier;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::reflect::reflect;
    use rusqlite::Connection;

    fn map(sql: &str) -> Automapped {
        let conn = Connection::open_in_memory().expect("memory");
        conn.execute_batch(sql).expect("schema");
        let meta = reflect(&conn).expect("reflect").metadata;
        automap(meta, &Registry::new(MetaData::new()))
    }

    fn rel(a: &Automapped, table: &str, name: &str) -> Relationship {
        match a.registry.relationship(table, name) {
            Some(r) => r.clone(),
            None => panic!(
                "no {table}.{name}; there are {:?}",
                a.registry
                    .relationships()
                    .iter()
                    .map(|r| format!("{}.{}", r.owner, r.name))
                    .collect::<Vec<_>>()
            ),
        }
    }

    #[test]
    fn class_names_are_singular_camel_case() {
        assert_eq!(class_name("order_items"), "OrderItem");
        assert_eq!(class_name("categories"), "Category");
        assert_eq!(class_name("classes"), "Class");
        assert_eq!(class_name("movies"), "Movie");
        assert_eq!(class_name("order items"), "OrderItem");
        assert_eq!(class_name("OrderItems"), "OrderItem");
        assert_eq!(class_name("2024_sales"), "");
        assert_eq!(identifier("order items"), "order_items");
        assert_eq!(identifier("class"), "class_");
        assert_eq!(identifier("2x"), "_2x");
    }

    #[test]
    fn many_to_one_and_one_to_many_are_named_by_the_rules() {
        let a = map("CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT);
             CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INT REFERENCES authors(id),
               editor INT REFERENCES authors(id));
             CREATE TABLE users (id INTEGER PRIMARY KEY);
             CREATE TABLE messages (id INTEGER PRIMARY KEY, sender_id INT REFERENCES users(id),
               recipient_id INT REFERENCES users(id));
             CREATE TABLE employees (id INTEGER PRIMARY KEY,
               manager_id INT REFERENCES employees(id));
             CREATE TABLE notes (id INTEGER PRIMARY KEY, author TEXT,
               author_id INT REFERENCES authors(id));");
        assert_eq!(rel(&a, "books", "author").back_populates, "books_by_author");
        // `editor` does not end in `_id`: the referred table's singular name, taken, so `_ref`
        assert_eq!(
            rel(&a, "books", "author_ref").link,
            Link::ManyToOne {
                column: "editor".into()
            }
        );
        assert_eq!(rel(&a, "authors", "books_by_author_ref").target, "books");
        assert_eq!(rel(&a, "users", "messages_by_sender").target, "messages");
        assert_eq!(rel(&a, "messages", "recipient").target, "users");
        assert_eq!(
            rel(&a, "employees", "employees_by_manager").back_populates,
            "manager"
        );
        assert_eq!(rel(&a, "notes", "author_ref").back_populates, "notes");
        assert_eq!(
            a.registry
                .mapper_of("employees")
                .map(|m| m.class_name.as_str()),
            Some("Employee")
        );
    }

    #[test]
    fn a_class_name_that_clashes_keeps_the_table_name() {
        let a = map("CREATE TABLE Book (id INTEGER PRIMARY KEY);
             CREATE TABLE books (id INTEGER PRIMARY KEY);
             CREATE TABLE categories (id INTEGER PRIMARY KEY);");
        let class = |t: &str| a.registry.mapper_of(t).map(|m| m.class_name.clone());
        assert_eq!(class("Book").as_deref(), Some("Book"));
        assert_eq!(class("books").as_deref(), Some("books"));
        assert_eq!(class("categories").as_deref(), Some("Category"));
        assert_eq!(
            a.registry
                .collection("Category")
                .map(|c| c.table.name.as_str()),
            Some("categories")
        );
    }

    #[test]
    fn link_tables_make_many_to_many_and_stay_plain_tables() {
        let a = map("CREATE TABLE books (id INTEGER PRIMARY KEY);
             CREATE TABLE tags (id INTEGER PRIMARY KEY);
             CREATE TABLE book_tags (book_id INT REFERENCES books(id),
               tag_id INT REFERENCES tags(id), PRIMARY KEY (book_id, tag_id));
             CREATE TABLE people (id INTEGER PRIMARY KEY);
             CREATE TABLE follows (follower_id INT NOT NULL REFERENCES people(id),
               followee_id INT NOT NULL REFERENCES people(id), UNIQUE (follower_id, followee_id));
             CREATE TABLE log (at TEXT, what TEXT);");
        assert_eq!(rel(&a, "books", "tags").back_populates, "books");
        assert_eq!(rel(&a, "tags", "books").kind_name(), "many-to-many");
        assert!(a.registry.mapper_of("book_tags").is_none());
        assert!(a.registry.collection("book_tags").is_some());
        let followees = rel(&a, "people", "people_by_follower");
        assert_eq!(
            followees.link,
            Link::ManyToMany {
                secondary: "follows".into(),
                owner_column: "follower_id".into(),
                target_column: "followee_id".into()
            }
        );
        assert_eq!(followees.back_populates, "people_by_followee");
        assert!(
            a.summary().contains("log (no primary key"),
            "{}",
            a.summary()
        );
    }

    #[test]
    fn known_names_are_kept_where_the_file_fits_them() {
        let conn = Connection::open_in_memory().expect("memory");
        for t in crate::school::metadata().tables() {
            conn.execute_batch(&crate::render::create_table_sql(t))
                .expect("school table");
        }
        let meta = reflect(&conn).expect("reflect").metadata;
        let a = automap(meta, &crate::school::registry());
        assert_eq!(rel(&a, "teachers", "advisees").back_populates, "advisor");
        assert_eq!(rel(&a, "clubs", "members").back_populates, "clubs");
        assert_eq!(a.registry.relationships().len(), 8);
        assert!(a.left_out.is_empty(), "{:?}", a.left_out);
    }
}
