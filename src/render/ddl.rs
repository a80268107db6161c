//! The schema's statements: `CREATE TABLE` and `CREATE INDEX` from the metadata, and the
//! database's own (`DROP`, `PRAGMA`), written by the same [`Writer`] as the rest.
//!
//! `CREATE TABLE` is laid out for reading: one column a line, names aligned, each column's
//! comment after it.

use super::piece::PieceKind;
use super::writer::Writer;
use crate::schema::{Column, ColumnType, Index, OnDelete, Table};
use crate::sql::{Pragma, PragmaValue};

impl Writer<'_> {
    /// `CREATE TABLE name (columns..., [PRIMARY KEY (a, b)])`.
    pub(crate) fn create_table(&mut self, table: &Table) {
        self.keywords("CREATE TABLE");
        self.space();
        self.ident(&table.name);
        self.space();
        self.punct("(");
        self.piece(PieceKind::Newline, "\n");
        let single_key = table.single_key().map(|c| c.name.as_str());
        let width = table
            .columns
            .iter()
            .map(|c| self.quoted_width(&c.name))
            .max()
            .unwrap_or(0);
        let inline_references = self.backend().inline_references();
        let table_keys: Vec<&Column> = if inline_references {
            Vec::new()
        } else {
            table.foreign_keys().map(|(c, _)| c).collect()
        };
        let lines = table.columns.len() + usize::from(single_key.is_none()) + table_keys.len();
        for (i, column) in table.columns.iter().enumerate() {
            self.piece(PieceKind::Space, "  ");
            self.column_definition(column, single_key == Some(column.name.as_str()), width);
            if inline_references {
                self.references(column);
            }
            if i + 1 < lines {
                self.punct(",");
            }
            if let Some(comment) = &column.comment {
                self.piece(PieceKind::Space, "  ");
                self.piece(PieceKind::Comment, &format!("-- {comment}"));
            }
            self.piece(PieceKind::Newline, "\n");
        }
        let mut line = table.columns.len();
        if single_key.is_none() {
            line += 1;
            self.piece(PieceKind::Space, "  ");
            self.keywords("PRIMARY KEY");
            self.space();
            self.ident_list(&table.primary_key);
            if line < lines {
                self.punct(",");
            }
            self.piece(PieceKind::Newline, "\n");
        }
        for column in table_keys {
            line += 1;
            self.piece(PieceKind::Space, "  ");
            self.keywords("FOREIGN KEY");
            self.space();
            self.ident_list(std::slice::from_ref(&column.name));
            self.references(column);
            if line < lines {
                self.punct(",");
            }
            self.piece(PieceKind::Newline, "\n");
        }
        self.punct(")");
    }

    fn quoted_width(&self, name: &str) -> usize {
        self.dialect().identifier(name).chars().count()
    }

    /// One column: its name padded to `width`, its type and its rules.
    fn column_definition(&mut self, column: &Column, is_key: bool, width: usize) {
        self.ident(&column.name);
        let pad = width.saturating_sub(self.quoted_width(&column.name)) + 1;
        self.piece(PieceKind::Space, &" ".repeat(pad));
        let backend = self.backend();
        if is_key && column.ty == ColumnType::Integer {
            backend.write_integer_key(self);
        } else {
            self.keyword(backend.column_type(column.ty));
            if is_key {
                self.space();
                self.keywords("PRIMARY KEY");
            } else if !column.nullable {
                self.space();
                self.keywords("NOT NULL");
            }
        }
        if column.unique {
            self.space();
            self.keyword("UNIQUE");
        }
        if let Some(default) = &column.default {
            self.space();
            self.keyword("DEFAULT");
            self.space();
            self.piece(PieceKind::Value, default);
        }
        if let Some(check) = &column.check {
            self.space();
            self.keyword("CHECK");
            self.space();
            self.punct("(");
            self.piece(PieceKind::Literal, &check.sql);
            self.punct(")");
        }
    }

    /// ` REFERENCES table(column) [ON DELETE ...]`, when the column is a foreign key.
    fn references(&mut self, column: &Column) {
        if let Some(fk) = &column.foreign_key {
            self.space();
            self.keyword("REFERENCES");
            self.space();
            self.ident(&fk.table);
            self.punct("(");
            self.ident(&fk.column);
            self.punct(")");
            let rule = match fk.on_delete {
                OnDelete::Restrict => None,
                OnDelete::Cascade => Some("ON DELETE CASCADE"),
                OnDelete::SetNull => Some("ON DELETE SET NULL"),
            };
            if let Some(rule) = rule {
                self.space();
                self.keywords(rule);
            }
        }
    }

    /// `(a, b)`.
    fn ident_list(&mut self, names: &[String]) {
        self.punct("(");
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                self.punct(",");
                self.space();
            }
            self.ident(name);
        }
        self.punct(")");
    }

    /// `CREATE INDEX name ON table (columns)`.
    pub(crate) fn create_index(&mut self, index: &Index) {
        self.named("CREATE INDEX", &index.name);
        self.space();
        self.keyword("ON");
        self.space();
        self.ident(&index.table);
        self.space();
        self.ident_list(&index.columns);
    }

    /// `DROP TABLE [IF EXISTS] name`.
    pub(crate) fn drop_table(&mut self, table: &str, if_exists: bool) {
        self.keywords(if if_exists {
            "DROP TABLE IF EXISTS"
        } else {
            "DROP TABLE"
        });
        self.space();
        self.ident(table);
    }

    /// `PRAGMA name` or `PRAGMA name = ON`.
    pub(crate) fn pragma(&mut self, pragma: &Pragma) {
        self.named("PRAGMA", &pragma.name);
        if let Some(value) = pragma.set {
            self.space();
            self.piece(PieceKind::Operator, "=");
            self.space();
            match value {
                PragmaValue::Switch(on) => self.keyword(if on { "ON" } else { "OFF" }),
                PragmaValue::Number(n) => self.number(&n.to_string()),
            }
        }
    }
}
