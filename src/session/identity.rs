//! The identity map, as SQLAlchemy's `Session` keeps it: one row per object loaded, found again
//! without SQL while something holds the object.
//!
//! SQLAlchemy's identity map keeps *weak* references: an object stays only while the program
//! refers to it (a bound name such as `s = students[13]`, or the unit of work while the object
//! has pending changes); otherwise it is forgotten once its statement ends, and the next
//! `session.get` sends a SELECT again. A commit (every write outside session mode ends in one)
//! or a rollback expires everything. ormscope keeps the same rule, so the SQL it shows is what
//! SQLAlchemy sends for the same code (contract section 7).

use crate::sql::Value;
use std::collections::{BTreeMap, BTreeSet};

/// An object's place in the identity map: its table and its key as text.
pub type ObjectKey = (String, String);

/// A collection loaded on an object: the owner and the relationship's name.
pub type CollectionKey = (ObjectKey, String);

/// The rows of the objects the session holds, and why it holds them.
#[derive(Debug, Clone, Default)]
pub struct IdentityMap {
    rows: BTreeMap<ObjectKey, Vec<Value>>,
    /// Collections loaded on held objects (`s.classes` once read): their members, in order.
    /// A held collection holds its members, as a Python list holds its objects.
    collections: BTreeMap<CollectionKey, Vec<ObjectKey>>,
    /// Objects with changes waiting in the unit of work: held until the flush.
    pending: BTreeSet<ObjectKey>,
    /// Set when the running statement committed a write: everything expires when it ends.
    committed: bool,
}

impl IdentityMap {
    /// The row held for an object, if any.
    pub fn get(&self, table: &str, key: &str) -> Option<&Vec<Value>> {
        self.rows.get(&(table.to_string(), key.to_string()))
    }

    /// Keeps a row just loaded; an object held already keeps the row it has (SQLAlchemy does
    /// not overwrite a loaded object with what a later query reads, until it is expired).
    pub fn keep(&mut self, table: &str, key: &str, row: Vec<Value>) {
        self.rows
            .entry((table.to_string(), key.to_string()))
            .or_insert(row);
    }

    /// The members' rows of a collection loaded on an object, when it is loaded and every
    /// member is held.
    pub fn collection(&self, owner: &ObjectKey, relationship: &str) -> Option<Vec<Vec<Value>>> {
        self.collections
            .get(&(owner.clone(), relationship.to_string()))?
            .iter()
            .map(|member| self.rows.get(member).cloned())
            .collect()
    }

    /// Keeps a collection just loaded on an object (its members' rows are kept already).
    pub fn keep_collection(
        &mut self,
        owner: ObjectKey,
        relationship: &str,
        members: Vec<ObjectKey>,
    ) {
        self.collections
            .insert((owner, relationship.to_string()), members);
    }

    /// Forgets a collection that a change made stale (an append or remove).
    pub fn expire_collection(&mut self, owner: &ObjectKey, relationship: &str) {
        self.collections
            .remove(&(owner.clone(), relationship.to_string()));
    }

    /// Lets go of an object's row while nothing else can need it from the map: no change of
    /// it is pending and no loaded collection is held (a collection finds its members here).
    /// Whether the row was let go.
    pub fn release(&mut self, table: &str, key: &str) -> bool {
        let object = (table.to_string(), key.to_string());
        if self.pending.contains(&object) || !self.collections.is_empty() {
            return false;
        }
        self.rows.remove(&object).is_some()
    }

    /// An object changed by a pending change: its new row (or `None`, expired), held by the
    /// unit of work until the flush.
    pub fn changed_pending(&mut self, table: &str, key: &str, row: Option<Vec<Value>>) {
        let object = (table.to_string(), key.to_string());
        match row {
            Some(row) => {
                self.rows.insert(object.clone(), row);
            }
            None => {
                self.rows.remove(&object);
            }
        }
        self.pending.insert(object);
    }

    /// Forgets every object of `table` (a bulk UPDATE or DELETE changed rows the map cannot
    /// follow), except those with pending changes.
    pub fn expire_table(&mut self, table: &str) {
        let pending = &self.pending;
        self.rows
            .retain(|object, _| object.0 != table || pending.contains(object));
        self.collections
            .retain(|(owner, _), members| owner.0 != table && members.iter().all(|m| m.0 != table));
    }

    /// Forgets one object (it was deleted, or its row changed in the database), and the
    /// collections it owned or was in.
    pub fn expire(&mut self, table: &str, key: &str) {
        let object = (table.to_string(), key.to_string());
        self.rows.remove(&object);
        self.collections
            .retain(|(owner, _), members| *owner != object && !members.contains(&object));
    }

    /// Notes that the running statement committed a write: when it ends, everything expires
    /// (SQLAlchemy's `expire_on_commit`).
    pub fn committed(&mut self) {
        self.committed = true;
    }

    /// After a flush: nothing is pending, so the unit of work holds nothing any more.
    pub fn flushed(&mut self) {
        self.pending.clear();
    }

    /// `commit`, `rollback`, `expire_all()`: every object is expired.
    pub fn expire_all(&mut self) {
        self.rows.clear();
        self.collections.clear();
        self.pending.clear();
        self.committed = false;
    }

    /// The end of a statement: objects nothing holds any more are forgotten, as the garbage
    /// collector forgets them in Python. `named` are the objects bound names refer to, and
    /// `named_lists` the loaded collections they refer to (`cs = students[13].classes`); a
    /// held object holds its loaded collections, and a held collection its members.
    pub fn settle<'a>(
        &mut self,
        named: impl IntoIterator<Item = &'a ObjectKey>,
        named_lists: impl IntoIterator<Item = &'a CollectionKey>,
    ) {
        if std::mem::take(&mut self.committed) {
            self.expire_all();
            return;
        }
        let mut held: BTreeSet<ObjectKey> = named.into_iter().cloned().collect();
        held.extend(self.pending.iter().cloned());
        let mut lists: BTreeSet<CollectionKey> = named_lists.into_iter().cloned().collect();
        loop {
            let before = (held.len(), lists.len());
            for (key, members) in &self.collections {
                if held.contains(&key.0) || lists.contains(key) {
                    lists.insert(key.clone());
                    held.extend(members.iter().cloned());
                }
            }
            if (held.len(), lists.len()) == before {
                break;
            }
        }
        self.rows.retain(|object, _| held.contains(object));
        self.collections.retain(|key, _| lists.contains(key));
    }

    /// Whether no object is held.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str) -> Vec<Value> {
        vec![Value::Integer(13), Value::Text(name.into())]
    }

    fn object(table: &str, key: &str) -> ObjectKey {
        (table.to_string(), key.to_string())
    }

    #[test]
    fn an_object_no_name_holds_is_forgotten_when_its_statement_ends() {
        let mut map = IdentityMap::default();
        map.keep("students", "13", row("Ann"));
        map.keep("students", "14", row("Bo"));
        let named = [object("students", "14")];
        map.settle(named.iter(), []);
        assert!(map.get("students", "13").is_none());
        assert_eq!(map.get("students", "14"), Some(&row("Bo")));
    }

    #[test]
    fn a_pending_change_holds_its_object_until_the_flush() {
        let mut map = IdentityMap::default();
        map.keep("students", "13", row("Ann"));
        map.changed_pending("students", "13", Some(row("Cy")));
        map.settle([], []);
        assert_eq!(map.get("students", "13"), Some(&row("Cy")));
        map.flushed();
        map.settle([], []);
        assert!(map.is_empty());
    }

    #[test]
    fn a_loaded_object_keeps_its_row_when_read_again() {
        let mut map = IdentityMap::default();
        map.keep("students", "13", row("Ann"));
        map.keep("students", "13", row("changed elsewhere"));
        assert_eq!(map.get("students", "13"), Some(&row("Ann")));
    }

    #[test]
    fn a_held_object_holds_its_loaded_collection_and_its_members() {
        let mut map = IdentityMap::default();
        let owner = object("students", "13");
        map.keep("students", "13", row("Ann"));
        map.keep("classes", "35", row("Music"));
        map.keep("classes", "99", row("not a member"));
        map.keep_collection(owner.clone(), "classes", vec![object("classes", "35")]);
        map.settle([&owner], []);
        assert_eq!(map.collection(&owner, "classes"), Some(vec![row("Music")]));
        assert!(map.get("classes", "99").is_none());
        map.settle([], []);
        assert!(map.collection(&owner, "classes").is_none());
        assert!(map.get("classes", "35").is_none());
    }

    #[test]
    fn a_named_list_holds_its_members_without_its_owner() {
        let mut map = IdentityMap::default();
        let owner = object("students", "14");
        map.keep("students", "14", row("Bo"));
        map.keep("classes", "40", row("Art"));
        map.keep_collection(owner.clone(), "classes", vec![object("classes", "40")]);
        let list = (owner.clone(), "classes".to_string());
        map.settle([], [&list]);
        assert!(map.get("students", "14").is_none());
        assert_eq!(map.collection(&owner, "classes"), Some(vec![row("Art")]));
    }

    #[test]
    fn a_commit_expires_even_named_objects() {
        let mut map = IdentityMap::default();
        map.keep("students", "13", row("Ann"));
        map.committed();
        let named = [object("students", "13")];
        map.settle(named.iter(), []);
        assert!(map.is_empty());
    }

    #[test]
    fn a_bulk_write_expires_its_table_but_not_pending_objects() {
        let mut map = IdentityMap::default();
        map.keep("students", "13", row("Ann"));
        map.keep("students", "14", row("Bo"));
        map.keep("teachers", "1", row("T"));
        map.changed_pending("students", "14", Some(row("Bo2")));
        map.expire_table("students");
        assert!(map.get("students", "13").is_none());
        assert!(map.get("students", "14").is_some());
        assert!(map.get("teachers", "1").is_some());
    }
}
