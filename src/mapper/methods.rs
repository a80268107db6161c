//! The methods a mapped collection or object answers to (`students.where(...)`,
//! `students[13].update(...)`): one registry that the translator's suggestions, tab
//! completion and `:help` all read, so a method is named and described in one place.

use crate::syntax::ast::{Expr, ExprKind, Member};

/// Methods of a column or relationship inside a condition that are tests, not values
/// (`name.startswith('A')`, `classes.any()`, `Student.year.in_([1, 2])`).
pub const CONDITION_TESTS: &[&str] = &[
    "any",
    "has",
    "like",
    "ilike",
    "startswith",
    "endswith",
    "contains",
    "between",
    "in_",
    "not_in",
    "is_",
    "is_not",
    "isnot",
];

/// Whether an expression is a call of a condition test such as `classes.any()`.
pub fn is_test_call(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Call(callee, _)
        if matches!(&callee.kind, ExprKind::Member(_, Member::Name(m)) if CONDITION_TESTS.contains(&m.name.as_str())))
}

/// What a method is called on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receiver {
    /// A collection (a query: `students`, `students[13].classes`).
    Collection,
    /// One object (`students[13]`).
    Object,
    /// Either.
    Both,
}

/// What a method's arguments name, so completion can offer them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takes {
    /// Nothing, or plain values (`limit(5)`, `get(13)`).
    Values,
    /// Columns (and relationships) of the receiver's class: `where(year == 2)`, `order_by(name)`.
    Columns,
    /// Relationships of the receiver's class: `include(classes)`.
    Relationships,
    /// A row's values by column name: `add({'name': ...})`, `update(year=3)`.
    Row,
}

/// What a call gives, so completion knows what follows its dot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gives {
    /// The same collection, refined.
    Collection,
    /// One object of the collection's class.
    Object,
    /// A value (a count, a sum).
    Value,
    /// What a write did.
    Write,
}

/// One method of the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Method {
    /// Its name.
    pub name: &'static str,
    /// What it is called on.
    pub on: Receiver,
    /// What its arguments name.
    pub takes: Takes,
    /// What a call gives.
    pub gives: Gives,
    /// What it does, in a few words, for `:help`.
    pub help: &'static str,
}

impl Method {
    /// Whether it can be called on a collection.
    pub const fn on_collection(&self) -> bool {
        matches!(self.on, Receiver::Collection | Receiver::Both)
    }

    /// Whether it can be called on one object.
    pub const fn on_object(&self) -> bool {
        matches!(self.on, Receiver::Object | Receiver::Both)
    }

    /// Whether it can be called on `on` (a collection or an object).
    const fn called_on(&self, on: Receiver) -> bool {
        match on {
            Receiver::Collection => self.on_collection(),
            Receiver::Object => self.on_object(),
            Receiver::Both => self.on_collection() && self.on_object(),
        }
    }
}

const fn method(
    name: &'static str,
    on: Receiver,
    takes: Takes,
    gives: Gives,
    help: &'static str,
) -> Method {
    Method {
        name,
        on,
        takes,
        gives,
        help,
    }
}

use Gives as G;
use Receiver as R;
use Takes as T;

/// Every method, in the order `:help` and suggestions list them.
pub const METHODS: &[Method] = &[
    method(
        "include",
        R::Collection,
        T::Relationships,
        G::Collection,
        "load a relationship of every row with one more query (select-in loading)",
    ),
    method(
        "join_load",
        R::Collection,
        T::Relationships,
        G::Collection,
        "load a relationship in the same query with a LEFT OUTER JOIN (joined loading)",
    ),
    method(
        "where",
        R::Collection,
        T::Columns,
        G::Collection,
        "keep the rows a condition holds for: WHERE",
    ),
    method(
        "filter",
        R::Collection,
        T::Columns,
        G::Collection,
        "the same as where",
    ),
    method(
        "filter_by",
        R::Collection,
        T::Columns,
        G::Collection,
        "keep rows whose columns equal values: filter_by(year=2)",
    ),
    method(
        "order_by",
        R::Collection,
        T::Columns,
        G::Collection,
        "sort: ORDER BY (-year or year.desc() descending)",
    ),
    method(
        "limit",
        R::Collection,
        T::Values,
        G::Collection,
        "at most N rows: LIMIT",
    ),
    method(
        "offset",
        R::Collection,
        T::Values,
        G::Collection,
        "skip N rows: OFFSET",
    ),
    method(
        "first",
        R::Collection,
        T::Values,
        G::Object,
        "the first object, or None",
    ),
    method(
        "one",
        R::Collection,
        T::Values,
        G::Object,
        "the one object there is: an error when there is none or more than one",
    ),
    method(
        "one_or_none",
        R::Collection,
        T::Values,
        G::Object,
        "the one object there is, or None; an error when there are several",
    ),
    method("all", R::Collection, T::Values, G::Collection, "every row"),
    method(
        "get",
        R::Collection,
        T::Values,
        G::Object,
        "one object by primary key",
    ),
    method(
        "count",
        R::Collection,
        T::Values,
        G::Value,
        "how many rows: SELECT count(*)",
    ),
    method(
        "sum",
        R::Collection,
        T::Columns,
        G::Value,
        "the sum of a column",
    ),
    method(
        "avg",
        R::Collection,
        T::Columns,
        G::Value,
        "the average of a column",
    ),
    method(
        "min",
        R::Collection,
        T::Columns,
        G::Value,
        "the smallest value of a column",
    ),
    method(
        "max",
        R::Collection,
        T::Columns,
        G::Value,
        "the largest value of a column",
    ),
    method(
        "select",
        R::Collection,
        T::Columns,
        G::Collection,
        "rows of some columns only",
    ),
    method(
        "distinct",
        R::Collection,
        T::Values,
        G::Collection,
        "each different row once: DISTINCT",
    ),
    method(
        "group_by",
        R::Collection,
        T::Columns,
        G::Collection,
        "one row per group: GROUP BY",
    ),
    method(
        "having",
        R::Collection,
        T::Columns,
        G::Collection,
        "keeps the groups that pass a test: HAVING",
    ),
    method("add", R::Collection, T::Row, G::Write, "a new row: INSERT"),
    method(
        "create",
        R::Collection,
        T::Row,
        G::Write,
        "a new row from keywords: INSERT",
    ),
    method(
        "append",
        R::Collection,
        T::Row,
        G::Write,
        "a related row, its foreign key filled in",
    ),
    method(
        "remove",
        R::Collection,
        T::Values,
        G::Write,
        "unlink a related row",
    ),
    method(
        "update",
        R::Both,
        T::Row,
        G::Write,
        "change columns: UPDATE",
    ),
    method(
        "delete",
        R::Both,
        T::Values,
        G::Write,
        "DELETE, with what ON DELETE rules cascade",
    ),
];

/// The names of the methods of a collection, for suggestions (made from [`METHODS`]).
pub const QUERY_METHODS: &[&str] = &names::<{ count(Receiver::Collection) }>(Receiver::Collection);

/// The names of the methods of one object, for suggestions (made from [`METHODS`]).
pub const OBJECT_METHODS: &[&str] = &names::<{ count(Receiver::Object) }>(Receiver::Object);

/// How many methods can be called on `on`.
const fn count(on: Receiver) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < METHODS.len() {
        if METHODS[i].called_on(on) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The names of the `N` methods that can be called on `on`, in registry order.
const fn names<const N: usize>(on: Receiver) -> [&'static str; N] {
    let mut out = [""; N];
    let mut n = 0;
    let mut i = 0;
    while i < METHODS.len() {
        if METHODS[i].called_on(on) {
            out[n] = METHODS[i].name;
            n += 1;
        }
        i += 1;
    }
    out
}

/// The method called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Method> {
    METHODS.iter().find(|m| m.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_lists_come_from_the_registry() {
        assert!(QUERY_METHODS.contains(&"group_by"));
        assert!(QUERY_METHODS.contains(&"having") && QUERY_METHODS.contains(&"one_or_none"));
        assert!(!OBJECT_METHODS.contains(&"where"));
        assert_eq!(OBJECT_METHODS, ["update", "delete"]);
        assert_eq!(find("first").map(|m| m.gives), Some(Gives::Object));
    }

    #[test]
    fn every_name_is_listed_once() {
        let mut names: Vec<&str> = METHODS.iter().map(|m| m.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), METHODS.len());
    }
}
