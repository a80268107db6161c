//! Values across the wire: a [`Value`] bound as whatever type PostgreSQL inferred for its
//! `$n`, and any column read back as a [`Value`] (whole numbers, decimals, text, bytes;
//! `NUMERIC` through its decimal digits; booleans as 1 and 0, as SQLite has them).

use crate::sql::Value;
use bytes::{BufMut, BytesMut};
use postgres::types::{FromSql, IsNull, ToSql, Type};
use std::error::Error;

type Failure = Box<dyn Error + Sync + Send>;

/// The range of PostgreSQL's `SMALLINT`.
const SMALLINT: (i64, i64) = (i16::MIN as i64, i16::MAX as i64);
/// The range of PostgreSQL's `INTEGER`.
const INTEGER: (i64, i64) = (i32::MIN as i64, i32::MAX as i64);

/// A value bound to a `$n` of the type PostgreSQL gave it.
#[derive(Debug)]
pub struct Param<'v>(pub &'v Value);

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Failure> {
        let v = self.0;
        if matches!(v, Value::Null) {
            return Ok(IsNull::Yes);
        }
        match *ty {
            Type::INT2 => out.put_i16(fitting(whole(v)?, "SMALLINT", SMALLINT)?),
            Type::INT4 => out.put_i32(fitting(whole(v)?, "INTEGER", INTEGER)?),
            Type::INT8 => out.put_i64(whole(v)?),
            Type::FLOAT4 => out.put_f32(decimal(v)? as f32),
            Type::FLOAT8 => out.put_f64(decimal(v)?),
            Type::BOOL => out.put_u8(u8::from(whole(v)? != 0)),
            Type::NUMERIC => numeric_out(&text(v), out)?,
            Type::BYTEA => match v {
                Value::Blob(b) => out.put_slice(b),
                other => out.put_slice(text(other).as_bytes()),
            },
            _ => out.put_slice(text(v).as_bytes()),
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// Checks that every value fits the type PostgreSQL gave its `$n` before anything is sent: a
/// whole number too large for an `INTEGER` key is refused, never cut to its low bits (which
/// picked another row). The message says which value and why.
pub fn check_fits(types: &[Type], params: &[Value]) -> Result<(), String> {
    for (ty, value) in types.iter().zip(params) {
        let Value::Integer(i) = value else { continue };
        let failed = match *ty {
            Type::INT2 => fitting::<i16>(*i, "SMALLINT", SMALLINT).err(),
            Type::INT4 => fitting::<i32>(*i, "INTEGER", INTEGER).err(),
            _ => None,
        };
        if let Some(failed) = failed {
            return Err(failed.to_string());
        }
    }
    Ok(())
}

/// A whole number in a narrower integer type, or a failure that says it does not fit (never
/// cut to its low bits: 4294967309 bound as INTEGER would be 13, another row).
fn fitting<T: TryFrom<i64>>(i: i64, sql_type: &str, range: (i64, i64)) -> Result<T, Failure> {
    T::try_from(i).map_err(|_| {
        let (least, greatest) = range;
        format!("{i} is out of range for a PostgreSQL {sql_type} (from {least} to {greatest})")
            .into()
    })
}

fn whole(v: &Value) -> Result<i64, Failure> {
    match v {
        Value::Integer(i) => Ok(*i),
        Value::Real(r) if r.fract() == 0.0 => Ok(*r as i64),
        Value::Text(t) => t
            .trim()
            .parse()
            .map_err(|_| format!("{t:?} is not a whole number").into()),
        other => Err(format!("{other:?} is not a whole number").into()),
    }
}

fn decimal(v: &Value) -> Result<f64, Failure> {
    match v {
        Value::Integer(i) => Ok(*i as f64),
        Value::Real(r) => Ok(*r),
        Value::Text(t) => t
            .trim()
            .parse()
            .map_err(|_| format!("{t:?} is not a number").into()),
        other => Err(format!("{other:?} is not a number").into()),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => r.to_string(),
        Value::Text(t) => t.clone(),
        Value::Blob(b) => String::from_utf8_lossy(b).into_owned(),
    }
}

/// Writes a decimal number in PostgreSQL's binary `NUMERIC`: base-10000 digit groups.
fn numeric_out(number: &str, out: &mut BytesMut) -> Result<(), Failure> {
    let number = number.trim();
    let (negative, digits) = match number.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, number),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty()
        || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
    {
        return Err(format!("{number:?} is not a decimal number").into());
    }
    let int_groups = int.len().div_ceil(4);
    let padded_int = format!("{int:0>width$}", width = int_groups * 4);
    let frac_groups = frac.len().div_ceil(4);
    let padded_frac = format!("{frac:0<width$}", width = frac_groups * 4);
    let all = format!("{padded_int}{padded_frac}");
    let groups: Vec<i16> = all
        .as_bytes()
        .chunks(4)
        .map(|c| {
            std::str::from_utf8(c)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0)
        })
        .collect();
    out.put_i16(groups.len() as i16);
    out.put_i16(int_groups as i16 - 1);
    out.put_u16(if negative { 0x4000 } else { 0 });
    out.put_i16(frac.len() as i16);
    for g in groups {
        out.put_i16(g);
    }
    Ok(())
}

/// Reads a binary `NUMERIC` as a decimal.
fn numeric_in(raw: &[u8]) -> Result<f64, Failure> {
    let word = |i: usize| -> Result<i16, Failure> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "a NUMERIC too short".into())
    };
    let (count, weight, sign) = (word(0)?, word(1)?, word(2)? as u16);
    if sign == 0xC000 {
        return Ok(f64::NAN);
    }
    let mut value = 0.0;
    for i in 0..count.max(0) as usize {
        value += f64::from(word(4 + i)?) * 10000f64.powi(i32::from(weight) - i as i32);
    }
    Ok(if sign == 0x4000 { -value } else { value })
}

/// Any column's value, read as a [`Value`].
pub struct Cell(pub Value);

impl<'a> FromSql<'a> for Cell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Cell, Failure> {
        Ok(Cell(match *ty {
            Type::INT2 => Value::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::INT4 => Value::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::OID => Value::Integer(i64::from(u32::from_sql(ty, raw)?)),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::NUMERIC => Value::Real(numeric_in(raw)?),
            Type::BOOL => Value::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::BYTEA => Value::Blob(raw.to_vec()),
            _ => Value::Text(String::from_utf8_lossy(raw).into_owned()),
        }))
    }

    fn from_sql_null(_: &Type) -> Result<Cell, Failure> {
        Ok(Cell(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(number: &str) -> f64 {
        let mut out = BytesMut::new();
        numeric_out(number, &mut out).expect("a number");
        numeric_in(&out).expect("reads back")
    }

    #[test]
    fn numerics_survive_the_binary_form() {
        assert_eq!(round_trip("2"), 2.0);
        assert_eq!(round_trip("12345.5"), 12345.5);
        assert_eq!(round_trip("-0.25"), -0.25);
        assert_eq!(round_trip("100000000"), 100000000.0);
    }
}
