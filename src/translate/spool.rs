//! A loop's rows, put aside: the rows of the query a loop goes over are written here as the
//! database gives them (in memory while they are few, in a temporary file past
//! [`IN_MEMORY`]), read back one at a time for the loop's body, and found again by their place
//! when the body reaches an object the loop already went past. So a loop over a million objects
//! holds the rows of a million objects neither twice nor at all: only their places.

use crate::result::RowSink;
use crate::sql::Value;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::os::unix::fs::FileExt;

/// How many bytes of rows stay in memory before they go to a temporary file.
const IN_MEMORY: usize = 4 << 20;

/// Where the rows are kept.
enum Store {
    /// Still few: in memory.
    Memory(Vec<u8>),
    /// Many: a temporary file (gone when closed), written through a buffer.
    File(BufWriter<File>),
}

/// Rows written once, in order, then read back in order or by their place.
pub struct RowSpool {
    store: Store,
    /// Bytes written so far: the place of the next row.
    length: u64,
    /// How many rows were written.
    count: u64,
    /// The columns the rows have.
    pub columns: Vec<String>,
    /// The first failure to write, reported when the query is done.
    failure: Option<std::io::Error>,
    /// The key column the rows are found by, and its place among the columns.
    key: Option<(String, Option<usize>)>,
    /// Where each row is, by its whole-number key.
    places: std::collections::HashMap<i64, u64>,
    /// Whether every row had a whole-number key (so every one can be found by it).
    all_keyed: bool,
}

impl Default for RowSpool {
    fn default() -> Self {
        RowSpool {
            store: Store::Memory(Vec::new()),
            length: 0,
            count: 0,
            columns: Vec::new(),
            failure: None,
            key: None,
            places: std::collections::HashMap::new(),
            all_keyed: true,
        }
    }
}

impl RowSpool {
    /// A spool whose rows can be found again by their whole-number `key` column.
    pub fn keyed(key: &str) -> RowSpool {
        RowSpool {
            key: Some((key.to_string(), None)),
            ..RowSpool::default()
        }
    }

    /// Whether every row can be found by its key (each had a whole number there).
    pub fn all_keyed(&self) -> bool {
        self.key.is_some() && self.all_keyed
    }

    /// How many rows it holds.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Ends writing: every row is where it can be read, or the first failure to write.
    pub fn finish(&mut self) -> std::io::Result<()> {
        if let Some(e) = self.failure.take() {
            return Err(e);
        }
        match &mut self.store {
            Store::Memory(_) => Ok(()),
            Store::File(writer) => writer.flush(),
        }
    }

    /// The row that starts at `place`, and the place of the next one.
    pub fn read_at(&self, place: u64) -> std::io::Result<(Vec<Value>, u64)> {
        match &self.store {
            Store::Memory(bytes) => {
                let start = usize::try_from(place).map_err(std::io::Error::other)?;
                let mut reader = bytes.get(start..).unwrap_or_default();
                let before = reader.len();
                let row = decode_row(&mut reader)?;
                Ok((row, place + (before - reader.len()) as u64))
            }
            Store::File(writer) => {
                let mut reader = FileReader {
                    file: writer.get_ref(),
                    place,
                };
                let row = decode_row(&mut reader)?;
                Ok((row, reader.place))
            }
        }
    }

    /// Whether `place` is past the last row.
    pub fn is_end(&self, place: u64) -> bool {
        place >= self.length
    }

    fn write(&mut self, row: &[Value]) -> std::io::Result<()> {
        if let Some((_, at)) = &self.key {
            match at.and_then(|i| row.get(i)) {
                Some(Value::Integer(k)) => {
                    self.places.insert(*k, self.length);
                }
                _ => self.all_keyed = false,
            }
        }
        let mut bytes = Vec::with_capacity(16 * row.len() + 4);
        encode_row(row, &mut bytes);
        if let Store::Memory(kept) = &mut self.store {
            if kept.len() + bytes.len() > IN_MEMORY {
                let mut file = BufWriter::with_capacity(1 << 16, tempfile::tempfile()?);
                file.write_all(kept)?;
                self.store = Store::File(file);
            }
        }
        match &mut self.store {
            Store::Memory(kept) => kept.extend_from_slice(&bytes),
            Store::File(file) => file.write_all(&bytes)?,
        }
        self.length += bytes.len() as u64;
        self.count += 1;
        Ok(())
    }
}

impl RowSink for RowSpool {
    fn begin(&mut self, _table: Option<&str>, columns: &[String]) {
        self.columns = columns.to_vec();
        if let Some((name, at)) = &mut self.key {
            *at = columns.iter().position(|c| c == name);
        }
    }

    fn row(&mut self, row: Vec<Value>) -> Option<Vec<Value>> {
        if self.failure.is_none() {
            if let Err(e) = self.write(&row) {
                self.failure = Some(e);
            }
        }
        None
    }
}

/// The objects a running loop goes over: their rows put aside, found by their whole-number
/// key, and the place of the next one. The session holds every one of them until the statement
/// ends, as SQLAlchemy's buffered result does, but only the rows of the objects in use stay in
/// the identity map: the others are read back from here when something reaches them.
pub struct LoopObjects {
    /// Their table.
    pub table: String,
    /// Their rows, in the query's order.
    pub rows: RowSpool,
    next: u64,
}

impl LoopObjects {
    /// The objects whose rows `rows` holds, from the start.
    pub fn new(table: &str, rows: RowSpool) -> LoopObjects {
        LoopObjects {
            table: table.to_string(),
            rows,
            next: 0,
        }
    }

    /// The next row; `None` after the last.
    pub fn next_row(&mut self) -> std::io::Result<Option<Vec<Value>>> {
        if self.rows.is_end(self.next) {
            return Ok(None);
        }
        let (row, next) = self.rows.read_at(self.next)?;
        self.next = next;
        Ok(Some(row))
    }

    /// Forgets where the rows are: a write made them stale, so from now on what the identity
    /// map no longer holds is read from the database.
    pub fn forget_places(&mut self) {
        self.rows.places.clear();
    }

    /// The row of one of the loop's objects, if `table` and `key` name one.
    pub fn find(&self, table: &str, key: &Value) -> std::io::Result<Option<Vec<Value>>> {
        let place = match key {
            Value::Integer(k) if table == self.table => self.rows.places.get(k),
            _ => None,
        };
        match place {
            Some(&place) => Ok(Some(self.rows.read_at(place)?.0)),
            None => Ok(None),
        }
    }
}

/// Reads a file from a place on, without moving a shared cursor.
struct FileReader<'f> {
    file: &'f File,
    place: u64,
}

impl Read for FileReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read_at(buf, self.place)?;
        self.place += n as u64;
        Ok(n)
    }
}

const NULL: u8 = 0;
const INTEGER: u8 = 1;
const REAL: u8 = 2;
const TEXT: u8 = 3;
const BLOB: u8 = 4;

fn encode_row(row: &[Value], out: &mut Vec<u8>) {
    out.extend_from_slice(&(row.len() as u32).to_le_bytes());
    for value in row {
        match value {
            Value::Null => out.push(NULL),
            Value::Integer(i) => {
                out.push(INTEGER);
                out.extend_from_slice(&i.to_le_bytes());
            }
            Value::Real(r) => {
                out.push(REAL);
                out.extend_from_slice(&r.to_le_bytes());
            }
            Value::Text(t) => {
                out.push(TEXT);
                out.extend_from_slice(&(t.len() as u64).to_le_bytes());
                out.extend_from_slice(t.as_bytes());
            }
            Value::Blob(b) => {
                out.push(BLOB);
                out.extend_from_slice(&(b.len() as u64).to_le_bytes());
                out.extend_from_slice(b);
            }
        }
    }
}

fn decode_row(input: &mut impl Read) -> std::io::Result<Vec<Value>> {
    let n = u32::from_le_bytes(read_array(input)?) as usize;
    let mut row = Vec::with_capacity(n);
    for _ in 0..n {
        let mut tag = [0u8];
        input.read_exact(&mut tag)?;
        row.push(match tag[0] {
            NULL => Value::Null,
            INTEGER => Value::Integer(i64::from_le_bytes(read_array(input)?)),
            REAL => Value::Real(f64::from_le_bytes(read_array(input)?)),
            TEXT => {
                Value::Text(String::from_utf8(read_bytes(input)?).map_err(std::io::Error::other)?)
            }
            BLOB => Value::Blob(read_bytes(input)?),
            other => {
                return Err(std::io::Error::other(format!(
                    "a row put aside is damaged (tag {other})"
                )))
            }
        });
    }
    Ok(row)
}

fn read_array<const N: usize>(input: &mut impl Read) -> std::io::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    input.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn read_bytes(input: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let len = u64::from_le_bytes(read_array(input)?);
    let mut bytes = Vec::new();
    input.take(len).read_to_end(&mut bytes)?;
    if bytes.len() as u64 != len {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: i64) -> Vec<Vec<Value>> {
        (0..n)
            .map(|i| {
                vec![
                    Value::Integer(i),
                    Value::Text(format!("name {i} é")),
                    Value::Null,
                    Value::Real(i as f64 / 2.0),
                    Value::Blob(vec![1, 2, i as u8]),
                ]
            })
            .collect()
    }

    fn read_all(spool: &RowSpool) -> Vec<Vec<Value>> {
        let mut out = Vec::new();
        let mut place = 0;
        while !spool.is_end(place) {
            let (row, next) = spool.read_at(place).expect("read back");
            out.push(row);
            place = next;
        }
        out
    }

    #[test]
    fn rows_come_back_as_they_went_in_from_memory_and_from_a_file() {
        for n in [3, 200_000] {
            let mut spool = RowSpool::default();
            for row in rows(n) {
                assert_eq!(spool.row(row), None, "nothing is kept in the answer");
            }
            spool.finish().expect("written");
            assert_eq!(spool.len(), n as u64);
            assert_eq!(
                matches!(spool.store, Store::File(_)),
                n > 1000,
                "a long result goes to a file"
            );
            assert_eq!(read_all(&spool), rows(n));
        }
    }

    #[test]
    fn a_row_is_found_again_by_its_key() {
        let mut spool = RowSpool::keyed("id");
        spool.begin(None, &["id".into(), "name".into()]);
        for row in rows(10) {
            spool.row(row);
        }
        spool.finish().expect("written");
        assert!(spool.all_keyed());
        let objects = LoopObjects::new("students", spool);
        let found = objects.find("students", &Value::Integer(7)).expect("read");
        assert_eq!(found, Some(rows(10)[7].clone()));
        let other = objects.find("teachers", &Value::Integer(7)).expect("read");
        assert_eq!(other, None, "only the loop's own table");
    }

    #[test]
    fn a_key_that_is_no_whole_number_is_said_so() {
        let mut spool = RowSpool::keyed("name");
        spool.begin(None, &["id".into(), "name".into()]);
        spool.row(rows(1)[0].clone());
        assert!(!spool.all_keyed());
    }
}
