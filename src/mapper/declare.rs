//! Declaring mapped classes while the program runs, in SQLAlchemy's two spellings: the
//! declarative `class Award(Base): ...`, and the classical `awards = Table(...)` followed by
//! `mapper(Award, awards, properties={...})`. Each creates its table and from then on works
//! like the School's own classes. This is the inverse of [`super::python`], which writes the
//! declarations of the classes already mapped.
//!
//! Reading a declaration changes nothing: it gives a [`Declaration`], which the session carries
//! out (creating the table) before [`Registry::apply`] maps it.

use super::{Link, Mapper, Registry, Relationship};
use crate::error::{suggestion, Error, Result, Span};
use crate::schema::{Column, ColumnType, OnDelete, Table};
use crate::syntax::ast::{Argument, Expr, ExprKind, Ident, Literal};

/// Column types a declaration may use, and what SQLite stores them as.
const TYPES: &[(&str, ColumnType)] = &[
    ("Integer", ColumnType::Integer),
    ("BigInteger", ColumnType::Integer),
    ("SmallInteger", ColumnType::Integer),
    ("Boolean", ColumnType::Integer),
    ("String", ColumnType::Text),
    ("Text", ColumnType::Text),
    ("Unicode", ColumnType::Text),
    ("Date", ColumnType::Text),
    ("DateTime", ColumnType::Text),
    ("Float", ColumnType::Real),
    ("Numeric", ColumnType::Real),
];

/// What a declaration asks for: a table, whether it must be created, the class mapped to it,
/// and its relationships.
#[derive(Debug, Clone)]
pub struct Declaration {
    /// The table, new or already there.
    pub table: Table,
    /// Whether the table must be created first.
    pub create: bool,
    /// The class mapped to it (none for a Core `Table(...)`).
    pub class: Option<String>,
    /// Its `relationship(...)` lines, checked against the registry.
    relationships: Vec<RelationshipLine>,
    /// What to tell the learner once it is done.
    pub note: String,
}

/// A `relationship(...)` line, before it is resolved.
#[derive(Debug, Clone)]
struct RelationshipLine {
    name: Ident,
    target: String,
    target_span: Span,
    reverse: Option<String>,
    secondary: Option<String>,
}

impl Registry {
    /// `class Award(Base): ...`.
    pub fn declared_class(
        &self,
        name: &Ident,
        base: &Ident,
        attributes: &[(Ident, Expr)],
    ) -> Result<Declaration> {
        valid_name(&name.name, name.span)?;
        if base.name != "Base" {
            return Err(Error::name(
                base.span,
                format!("a declarative class derives from Base, not {}", base.name),
            )
            .with_hint(format!("class {}(Base):", name.name)));
        }
        let mut table_name = None;
        let mut columns = Vec::new();
        let mut relationships = Vec::new();
        for (key, value) in attributes {
            match (key.name.as_str(), &value.kind) {
                ("__tablename__", ExprKind::Literal(Literal::Text(t))) => {
                    table_name = Some(t.clone())
                }
                ("__tablename__", _) => {
                    return Err(Error::type_error(
                        value.span,
                        "__tablename__ is the table's name, in quotes",
                    ))
                }
                _ => match call_name(value) {
                    Some("Column") => columns.push(self.column(Some(key), value)?),
                    Some("relationship") => relationships.push(relationship_line(key, value)?),
                    _ => {
                        return Err(Error::type_error(
                            value.span,
                            format!(
                                "{} should be a Column(...) or a relationship(...)",
                                key.name
                            ),
                        )
                        .with_hint("e.g. title = Column(String, nullable=False)"))
                    }
                },
            }
        }
        let Some(table_name) = table_name else {
            return Err(Error::name(
                name.span,
                format!("class {} has no __tablename__", name.name),
            )
            .with_hint("add a line: __tablename__ = 'awards'"));
        };
        let same_table = self
            .collection(&name.name)
            .map(|c| c.table.name == table_name);
        if same_table == Some(false) {
            return Err(Error::name(
                name.span,
                format!("there is already a class or table named {}", name.name),
            )
            .with_hint("pick another class name"));
        }
        if let Some(existing) = self.metadata.table(&table_name).cloned() {
            let mapped_to = self
                .mapper_of(&table_name)
                .filter(|m| m.class_name != name.name && !self.is_automapped(&table_name))
                .map(|m| m.class_name.clone());
            if let Some(class) = mapped_to {
                return Err(Error::name(
                    name.span,
                    format!("there is already a table {table_name}, mapped to the class {class}"),
                )
                .with_hint(format!("use {class}, or pick another __tablename__")));
            }
            return self.over_existing(existing, name, &columns, relationships);
        }
        let table = self.new_table(&table_name, columns, name.span)?;
        self.check_relationships(&table, &relationships)?;
        let note = format!(
            "{} is mapped to the new table {}: {}, {} and its relationships work like the School's own",
            name.name, table.name, table.name, name.name
        );
        Ok(Declaration {
            table,
            create: true,
            class: Some(name.name.clone()),
            relationships,
            note,
        })
    }

    /// `awards = Table('awards', metadata, Column('id', Integer, primary_key=True), ...)`.
    pub fn declared_table(&self, args: &[Argument], span: Span) -> Result<Declaration> {
        let mut positional = args
            .iter()
            .filter(|a| a.keyword.is_none())
            .map(|a| &a.value);
        let name = match positional.next().map(|e| &e.kind) {
            Some(ExprKind::Literal(Literal::Text(n))) => n.clone(),
            _ => return Err(Error::type_error(
                span,
                "Table(...) starts with the table's name in quotes",
            )
            .with_hint(
                "e.g. awards = Table('awards', metadata, Column('id', Integer, primary_key=True))",
            )),
        };
        let mut columns = Vec::new();
        for arg in positional {
            match (&arg.kind, call_name(arg)) {
                (ExprKind::Name(n), _) if n == "metadata" => {}
                (ExprKind::Member(base, _), _) if matches!(&base.kind, ExprKind::Name(b) if b == "Base") =>
                    {}
                (_, Some("Column")) => columns.push(self.column(None, arg)?),
                _ => {
                    return Err(Error::type_error(
                        arg.span,
                        "Table(...) takes metadata and Column(...)s",
                    ))
                }
            }
        }
        let table = self.new_table(&name, columns, span)?;
        Ok(Declaration {
            table,
            create: true,
            class: None,
            relationships: Vec::new(),
            note: format!(
                "{name} is a Core table: its rows can be read now; mapper(Class, {name}, ...) maps a class to it"
            ),
        })
    }

    /// `mapper(Award, awards, properties={'student': relationship(Student, backref='awards')})`.
    pub fn declared_mapper(&self, args: &[Argument], span: Span) -> Result<Declaration> {
        let names: Vec<&Expr> = args
            .iter()
            .filter(|a| a.keyword.is_none())
            .map(|a| &a.value)
            .collect();
        let (Some(class), Some(table)) = (names.first(), names.get(1)) else {
            return Err(Error::type_error(span, "mapper(...) takes a class and a table")
                .with_hint("e.g. mapper(Award, awards, properties={'student': relationship(Student, backref='awards')})"));
        };
        let (ExprKind::Name(class_name), ExprKind::Name(table_name)) = (&class.kind, &table.kind)
        else {
            return Err(Error::type_error(
                span,
                "mapper(...) takes the class's name and the table's name",
            ));
        };
        if self.collection(class_name).is_some() {
            return Err(Error::name(
                class.span,
                format!("{class_name} is already a mapped class or table"),
            ));
        }
        let Some(table) = self.metadata.table(table_name).cloned() else {
            return Err(Error::name(table.span, format!("no table '{table_name}'"))
                .with_hint("declare it first: awards = Table('awards', metadata, ...)"));
        };
        if self.mapper_of(&table.name).is_some() {
            return Err(Error::name(
                names[1].span,
                format!("{table_name} already has a mapped class"),
            ));
        }
        let mut relationships = Vec::new();
        for arg in args
            .iter()
            .filter(|a| a.keyword.as_ref().is_some_and(|k| k.name == "properties"))
        {
            let ExprKind::Dict(entries) = &arg.value.kind else {
                return Err(Error::type_error(
                    arg.value.span,
                    "properties is a dict of relationship(...)s",
                ));
            };
            for (key, value) in entries {
                relationships.push(relationship_line(key, value)?);
            }
        }
        self.check_relationships(&table, &relationships)?;
        let note = format!(
            "{class_name} is mapped to {}: {}, {class_name} and its relationships work now",
            table.name, table.name
        );
        Ok(Declaration {
            table,
            create: false,
            class: Some(class_name.clone()),
            relationships,
            note,
        })
    }

    /// Maps what a declaration declared, once its table exists: the table (when new), the
    /// class, and its relationships both ways.
    pub fn apply(&mut self, declaration: Declaration) {
        let Declaration {
            table,
            create,
            class,
            relationships,
            ..
        } = declaration;
        if create {
            self.metadata.add(table.clone());
        }
        if let Some(class) = class {
            if self.mapper_of(&table.name).is_some() {
                self.set_class(&table.name, &class);
            } else {
                self.map(Mapper::new(&class, &table.name));
            }
            self.add_relationships(&table, relationships);
        }
    }

    /// A class declared over a table that is already there maps it, as SQLAlchemy does: the
    /// declared columns must be the table's, and relationships already there are kept.
    fn over_existing(
        &self,
        table: Table,
        class: &Ident,
        columns: &[(Column, bool, Span)],
        lines: Vec<RelationshipLine>,
    ) -> Result<Declaration> {
        if table.view || table.primary_key.is_empty() {
            let what = if table.view {
                "a view"
            } else {
                "a table with no primary key"
            };
            return Err(Error::name(
                class.span,
                format!("{} is {what}: a class cannot be mapped to it", table.name),
            ));
        }
        for (column, _, at) in columns {
            if table.column(&column.name).is_none() {
                return Err(Error::name(
                    *at,
                    format!(
                        "{} is already there and has no column {}: a class over an existing table declares only its columns",
                        table.name, column.name
                    ),
                )
                .with_hint(suggestion(
                    &column.name,
                    table.columns.iter().map(|c| c.name.as_str()),
                )));
            }
        }
        let lines: Vec<RelationshipLine> = lines
            .into_iter()
            .filter(|l| self.relationship(&table.name, &l.name.name).is_none())
            .collect();
        let checked: Vec<RelationshipLine> = lines
            .iter()
            .cloned()
            .map(|mut l| {
                let back_there = l.reverse.as_ref().is_some_and(|r| {
                    self.collection(&l.target)
                        .and_then(|c| self.relationship(&c.table.name, r))
                        .is_some_and(|rel| rel.target == table.name)
                });
                if back_there {
                    l.reverse = None;
                }
                l
            })
            .collect();
        self.check_relationships(&table, &checked)?;
        let note = format!(
            "{} is mapped to the table {} that was already there (as SQLAlchemy maps a class over an existing table): nothing was created",
            class.name, table.name
        );
        Ok(Declaration {
            table,
            create: false,
            class: Some(class.name.clone()),
            relationships: lines,
            note,
        })
    }

    /// A new table from declared columns, checked against the schema.
    fn new_table(
        &self,
        name: &str,
        columns: Vec<(Column, bool, Span)>,
        span: Span,
    ) -> Result<Table> {
        valid_name(name, span)?;
        for (i, (column, _, at)) in columns.iter().enumerate() {
            valid_name(&column.name, *at)?;
            if columns[..i].iter().any(|(c, _, _)| c.name == column.name) {
                return Err(Error::name(
                    *at,
                    format!("the column {} is declared twice", column.name),
                ));
            }
        }
        if self.collection(name).is_some() {
            return Err(Error::name(
                span,
                format!("there is already a table or class named {name}"),
            ));
        }
        if columns.is_empty() {
            return Err(Error::type_error(
                span,
                format!("{name} needs at least one Column(...)"),
            ));
        }
        let primary_key: Vec<String> = columns
            .iter()
            .filter(|(_, pk, _)| *pk)
            .map(|(c, _, _)| c.name.clone())
            .collect();
        if primary_key.is_empty() {
            return Err(
                Error::type_error(span, format!("{name} has no primary key")).with_hint(
                    "give one column primary_key=True, e.g. id = Column(Integer, primary_key=True)",
                ),
            );
        }
        for (column, _, at) in &columns {
            if let Some(fk) = &column.foreign_key {
                let target = self.metadata.table(&fk.table);
                if target.is_none_or(|t| t.single_key().is_none_or(|k| k.name != fk.column)) {
                    return Err(Error::name(
                        *at,
                        format!(
                            "ForeignKey('{}.{}') must name the primary key of a table",
                            fk.table, fk.column
                        ),
                    )
                    .with_hint(suggestion(
                        &fk.table,
                        self.metadata.tables().iter().map(|t| t.name.as_str()),
                    )));
                }
            }
        }
        let pk: Vec<&str> = primary_key.iter().map(String::as_str).collect();
        Ok(Table::new(
            name,
            columns.into_iter().map(|(c, _, _)| c).collect(),
            &pk,
        ))
    }

    /// Each relationship must lead to a mapped class linked to this table by a foreign key.
    fn check_relationships(&self, table: &Table, lines: &[RelationshipLine]) -> Result<()> {
        for line in lines {
            let Some(target) = self.collection(&line.target).filter(|c| c.mapper.is_some()) else {
                let classes = self.mappers().iter().map(|m| m.class_name.as_str());
                return Err(Error::name(
                    line.target_span,
                    format!("relationship to '{}': no such mapped class", line.target),
                )
                .with_hint(suggestion(&line.target, classes)));
            };
            if let Some(secondary) = &line.secondary {
                if secondary_link(&self.metadata, secondary, &table.name, &target.table.name)
                    .is_none()
                {
                    return Err(Error::name(
                        line.name.span,
                        format!(
                            "secondary={secondary}: no association table linking {} and {}",
                            table.name, target.table.name
                        ),
                    ));
                }
            }
            if let Some(reverse) = &line.reverse {
                let taken = target.table.column(reverse).is_some()
                    || self.relationship(&target.table.name, reverse).is_some();
                if taken {
                    return Err(Error::name(
                        line.name.span,
                        format!(
                            "backref '{reverse}' is already a column or relationship of {}",
                            target.table.name
                        ),
                    )
                    .with_hint("choose another name for the way back"));
                }
            }
            if line.secondary.is_none() && link(table, target.table).is_none() {
                return Err(Error::type_error(
                    line.name.span,
                    format!(
                        "{} and {} are not linked by a foreign key",
                        table.name, target.table.name
                    ),
                )
                .with_hint(format!(
                    "add a column such as {}_id = Column(Integer, ForeignKey('{}.id'))",
                    target.table.name.trim_end_matches('s'),
                    target.table.name
                )));
            }
        }
        Ok(())
    }

    fn add_relationships(&mut self, table: &Table, lines: Vec<RelationshipLine>) {
        for line in lines {
            let Some(target) = self.collection(&line.target).map(|c| c.table.clone()) else {
                continue;
            };
            let forward_link = match (&line.secondary, link(table, &target)) {
                (Some(secondary), _) => {
                    secondary_link(&self.metadata, secondary, &table.name, &target.name)
                }
                (None, Some(l)) => Some(l),
                (None, None) => None,
            };
            let Some(forward_link) = forward_link else {
                continue;
            };
            let reverse_link = match &forward_link {
                Link::ManyToOne { column } => Link::OneToMany {
                    column: column.clone(),
                },
                Link::OneToMany { column } => Link::ManyToOne {
                    column: column.clone(),
                },
                Link::ManyToMany {
                    secondary,
                    owner_column,
                    target_column,
                } => Link::ManyToMany {
                    secondary: secondary.clone(),
                    owner_column: target_column.clone(),
                    target_column: owner_column.clone(),
                },
            };
            let reverse = line.reverse.clone().unwrap_or_default();
            self.add_relationship(Relationship {
                name: line.name.name.clone(),
                owner: table.name.clone(),
                target: target.name.clone(),
                link: forward_link,
                back_populates: reverse.clone(),
            });
            if !reverse.is_empty() && self.relationship(&target.name, &reverse).is_none() {
                self.add_relationship(Relationship {
                    name: reverse,
                    owner: target.name.clone(),
                    target: table.name.clone(),
                    link: reverse_link,
                    back_populates: line.name.name.clone(),
                });
            }
        }
    }

    /// `Column(...)`: the column, whether it is (part of) the key, and where it was written.
    fn column(&self, attr: Option<&Ident>, call: &Expr) -> Result<(Column, bool, Span)> {
        let ExprKind::Call(_, args) = &call.kind else {
            return Err(Error::type_error(
                call.span,
                "a Column(...) is expected here",
            ));
        };
        let mut positional = args
            .iter()
            .filter(|a| a.keyword.is_none())
            .map(|a| &a.value)
            .peekable();
        let name = match (attr, positional.peek().map(|e| &e.kind)) {
            (_, Some(ExprKind::Literal(Literal::Text(n)))) => {
                let n = n.clone();
                positional.next();
                n
            }
            (Some(a), _) => a.name.clone(),
            (None, _) => {
                return Err(Error::type_error(
                    call.span,
                    "a Core Column(...) starts with its name in quotes",
                ))
            }
        };
        let ty_expr = positional.next().ok_or_else(|| {
            Error::type_error(
                call.span,
                format!("Column {name} needs a type, e.g. Integer or String"),
            )
        })?;
        let ty = column_type(ty_expr)?;
        let mut column = Column::new(&name, ty).nullable();
        for extra in positional {
            if call_name(extra) == Some("ForeignKey") {
                column.foreign_key = Some(foreign_key(extra)?);
            } else {
                return Err(Error::type_error(
                    extra.span,
                    "after the type, a Column takes ForeignKey(...) and name=value options",
                ));
            }
        }
        let mut primary = false;
        for arg in args
            .iter()
            .filter_map(|a| a.keyword.as_ref().map(|k| (k, &a.value)))
        {
            let (key, value) = arg;
            match (key.name.as_str(), &value.kind) {
                ("primary_key", ExprKind::Literal(Literal::Bool(b))) => primary = *b,
                ("nullable", ExprKind::Literal(Literal::Bool(b))) => column.nullable = *b,
                ("unique", ExprKind::Literal(Literal::Bool(b))) => column.unique = *b,
                ("index", ExprKind::Literal(Literal::Bool(_))) => {}
                ("default" | "server_default", ExprKind::Literal(lit)) => {
                    column.default = Some(literal_sql(lit))
                }
                _ => {
                    return Err(Error::name(
                        key.span,
                        format!("Column option '{}' is not known here", key.name),
                    )
                    .with_hint(suggestion(
                        &key.name,
                        [
                            "primary_key",
                            "nullable",
                            "unique",
                            "index",
                            "default",
                            "server_default",
                        ],
                    )))
                }
            }
        }
        if primary {
            column.nullable = false;
        }
        Ok((column, primary, call.span))
    }
}

/// The name of the function an expression calls, if it is a call.
fn call_name(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Call(callee, _) => match &callee.kind {
            ExprKind::Name(n) => Some(n.as_str()),
            _ => None,
        },
        _ => None,
    }
}

fn column_type(e: &Expr) -> Result<ColumnType> {
    let name = match &e.kind {
        ExprKind::Name(n) => n.as_str(),
        ExprKind::Call(..) => call_name(e).unwrap_or(""),
        _ => "",
    };
    TYPES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            Error::name(e.span, format!("'{name}' is not a column type here"))
                .with_hint(suggestion(name, TYPES.iter().map(|(n, _)| *n)))
        })
}

fn foreign_key(call: &Expr) -> Result<crate::schema::ForeignKey> {
    let ExprKind::Call(_, args) = &call.kind else {
        return Err(Error::type_error(
            call.span,
            "ForeignKey('table.column') is expected",
        ));
    };
    let target = args
        .iter()
        .find(|a| a.keyword.is_none())
        .map(|a| &a.value.kind);
    let Some(ExprKind::Literal(Literal::Text(target))) = target else {
        return Err(Error::type_error(
            call.span,
            "ForeignKey takes 'table.column' in quotes",
        ));
    };
    let Some((table, column)) = target.split_once('.') else {
        return Err(Error::type_error(
            call.span,
            format!("ForeignKey('{target}') should be 'table.column', e.g. 'students.id'"),
        ));
    };
    let on_delete = match args
        .iter()
        .find(|a| a.keyword.as_ref().is_some_and(|k| k.name == "ondelete"))
        .map(|a| &a.value.kind)
    {
        Some(ExprKind::Literal(Literal::Text(rule))) if rule.eq_ignore_ascii_case("CASCADE") => {
            OnDelete::Cascade
        }
        Some(ExprKind::Literal(Literal::Text(rule))) if rule.eq_ignore_ascii_case("SET NULL") => {
            OnDelete::SetNull
        }
        _ => OnDelete::Restrict,
    };
    Ok(crate::schema::ForeignKey {
        table: table.to_string(),
        column: column.to_string(),
        on_delete,
    })
}

fn literal_sql(lit: &Literal) -> String {
    match lit {
        Literal::Integer(i) => i.to_string(),
        Literal::Real(r) => r.to_string(),
        Literal::Text(t) => format!("'{}'", t.replace('\'', "''")),
        Literal::Bool(b) => i64::from(*b).to_string(),
        Literal::None => "NULL".into(),
    }
}

/// `relationship('Student', backref='awards')` / `relationship(Student, back_populates=...)`.
fn relationship_line(name: &Ident, call: &Expr) -> Result<RelationshipLine> {
    let ExprKind::Call(_, args) = &call.kind else {
        return Err(Error::type_error(
            call.span,
            "a relationship(...) is expected here",
        ));
    };
    let target = args.iter().find(|a| a.keyword.is_none()).map(|a| &a.value);
    let (target, target_span) = match target.map(|t| (&t.kind, t.span)) {
        Some((ExprKind::Literal(Literal::Text(t)), span)) | Some((ExprKind::Name(t), span)) => {
            (t.clone(), span)
        }
        _ => {
            return Err(Error::type_error(
                call.span,
                "relationship(...) names the related class first",
            )
            .with_hint("e.g. relationship('Student', backref='awards')"))
        }
    };
    let keyword_text = |key: &str| {
        args.iter()
            .find(|a| a.keyword.as_ref().is_some_and(|k| k.name == key))
            .and_then(|a| match &a.value.kind {
                ExprKind::Literal(Literal::Text(t)) | ExprKind::Name(t) => Some(t.clone()),
                _ => None,
            })
    };
    Ok(RelationshipLine {
        name: name.clone(),
        target,
        target_span,
        reverse: keyword_text("backref").or_else(|| keyword_text("back_populates")),
        secondary: keyword_text("secondary"),
    })
}

/// How `table` links to `target` by a foreign key: its own column (many-to-one), or one of
/// the target's (one-to-many).
fn link(table: &Table, target: &Table) -> Option<Link> {
    if let Some((c, _)) = table.foreign_keys().find(|(_, fk)| fk.table == target.name) {
        return Some(Link::ManyToOne {
            column: c.name.clone(),
        });
    }
    target
        .foreign_keys()
        .find(|(_, fk)| fk.table == table.name)
        .map(|(c, _)| Link::OneToMany {
            column: c.name.clone(),
        })
}

fn secondary_link(
    meta: &crate::schema::MetaData,
    secondary: &str,
    owner: &str,
    target: &str,
) -> Option<Link> {
    let assoc = meta.table(secondary)?;
    let owner_column = assoc
        .foreign_keys()
        .find(|(_, fk)| fk.table == owner)?
        .0
        .name
        .clone();
    let target_column = assoc
        .foreign_keys()
        .find(|(_, fk)| fk.table == target)?
        .0
        .name
        .clone();
    Some(Link::ManyToMany {
        secondary: secondary.to_string(),
        owner_column,
        target_column,
    })
}

/// SQL keywords that cannot be table or column names without quoting.
const KEYWORDS: &[&str] = &[
    "select",
    "from",
    "where",
    "order",
    "group",
    "by",
    "table",
    "index",
    "insert",
    "update",
    "delete",
    "and",
    "or",
    "not",
    "in",
    "is",
    "null",
    "join",
    "on",
    "as",
    "limit",
    "offset",
    "values",
    "set",
    "create",
    "drop",
    "primary",
    "key",
    "references",
    "check",
    "default",
    "unique",
    "between",
    "like",
];

/// A table or column name must be a plain identifier that needs no quoting in SQL.
fn valid_name(name: &str, span: Span) -> Result<()> {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !plain {
        return Err(Error::name(
            span,
            format!("'{name}' is not a plain name: use letters, digits and _"),
        ));
    }
    if KEYWORDS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(Error::name(
            span,
            format!("'{name}' is an SQL keyword and cannot name a table or column here"),
        )
        .with_hint(format!("e.g. {name}_name")));
    }
    Ok(())
}
