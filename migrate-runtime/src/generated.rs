//! What the generated table types (`embed_migrations!`'s `schema` module)
//! call: the work that is the same for every table, written once here.
//!
//! The compiler type-checks and borrow-checks every generated body again for
//! every table, and in a dev build that is most of what a schema's types cost
//! (about 3 ms for a `Row::from_row` of 10 columns written field by field, with
//! its ten `?`). So a table's code is its structs and one-line calls into these
//! generic functions, which are checked once, here, and instantiated only for
//! what the app uses.

use postgres::{Error, Row};
use postgres_types::{FromSql, ToSql};

/// One value of an `Insert`: `None` for an optional column left to
/// PostgreSQL (its default, identity or NULL).
pub type Param<'a> = Option<&'a (dyn ToSql + Sync)>;

/// A required column's value.
#[inline]
pub fn required<T: ToSql + Sync>(value: &T) -> Param<'_> {
    Some(value)
}

/// An optional column's value: sent when set.
#[inline]
pub fn optional<T: ToSql + Sync>(value: &Option<T>) -> Param<'_> {
    value.as_ref().map(|v| v as &(dyn ToSql + Sync))
}

/// Columns of a row decoded by name into a tuple, in table order: the
/// generated `Row::from_row` is one call per 16 columns (the widest tuple
/// implemented here; `expand/tables.rs` of the macro cuts wider tables).
pub trait Decode: Sized {
    /// Decodes the columns `names`, one per element of the tuple.
    ///
    /// # Errors
    ///
    /// A column is missing from the row or has another type.
    fn decode(row: &Row, names: &[&str]) -> Result<Self, Error>;
}

macro_rules! decode_tuple {
    ($($t:ident)*) => {
        impl<$($t: for<'a> FromSql<'a>),*> Decode for ($($t,)*) {
            #[allow(unused_variables, unused_mut)]
            fn decode(row: &Row, names: &[&str]) -> Result<Self, Error> {
                let mut names = names.iter();
                // The generated code passes one name per element; a missing
                // one reads column "", which the row reports as missing.
                Ok(($(row.try_get::<_, $t>(names.next().copied().unwrap_or_default())?,)*))
            }
        }
    };
}

macro_rules! decode_tuples {
    ($first:ident $($rest:ident)*) => {
        decode_tuple!($first $($rest)*);
        decode_tuples!($($rest)*);
    };
    () => {};
}

decode_tuples!(A B C D E F G H I J K L M N O P);

/// `Decode::decode`, for type inference at the call.
///
/// # Errors
///
/// A column is missing from the row or has another type.
#[inline]
pub fn decode<T: Decode>(row: &Row, names: &[&str]) -> Result<T, Error> {
    T::decode(row, names)
}

/// Decodes a row into a table's `Row`, boxed: one entry of the generated
/// `schema::decode`'s table.
pub type Decoder = fn(&Row) -> Result<Box<dyn std::fmt::Debug>, Error>;

/// The [`Decoder`] of the `Row` type `R`.
///
/// # Errors
///
/// A column is missing from the row or has another type.
pub fn boxed<R>(row: &Row) -> Result<Box<dyn std::fmt::Debug>, Error>
where
    R: for<'a> TryFrom<&'a Row, Error = Error> + std::fmt::Debug + 'static,
{
    R::try_from(row).map(|r| Box::new(r) as Box<dyn std::fmt::Debug>)
}

/// The generated `schema::decode`: the decoder of `(schema, table)`, found in
/// `tables` (the generated `TABLES`), `decoders` in the same order.
pub fn decode_table(
    tables: &[(&str, &str)],
    decoders: &[Decoder],
    schema: &str,
    table: &str,
    row: &Row,
) -> Option<Result<Box<dyn std::fmt::Debug>, Error>> {
    let i = tables
        .iter()
        .position(|&(s, t)| s == schema && t == table)?;
    decoders.get(i).map(|decode| decode(row))
}

/// The `INSERT ... RETURNING *` of the values that are set, and those values.
/// `columns` are (name, the type its parameter is cast to or "").
fn statement<'a>(
    table: &str,
    columns: &[(&str, &str)],
    values: &[Param<'a>],
) -> (String, Vec<&'a (dyn ToSql + Sync)>) {
    let (names, params): (Vec<(&str, &str)>, Vec<&'a (dyn ToSql + Sync)>) = columns
        .iter()
        .zip(values)
        .filter_map(|(c, v)| v.map(|v| (*c, v)))
        .unzip();
    (insert_sql(table, &names), params)
}

/// `Insert::insert`: inserts the values that are set into `table` (quoted)
/// and decodes the row PostgreSQL returns.
///
/// # Errors
///
/// PostgreSQL refused the row, or the returned row does not decode.
pub fn insert<C: postgres::GenericClient, R>(
    client: &mut C,
    table: &str,
    columns: &[(&str, &str)],
    values: &[Param<'_>],
    from_row: fn(&Row) -> Result<R, Error>,
) -> Result<R, Error> {
    let (sql, params) = statement(table, columns, values);
    from_row(&client.query_one(sql.as_str(), &params)?)
}

/// `Insert::insert_async`: [`insert`] on a `tokio_postgres` client.
///
/// # Errors
///
/// PostgreSQL refused the row, or the returned row does not decode.
#[cfg(feature = "tokio-postgres")]
pub async fn insert_async<C: tokio_postgres::GenericClient, R>(
    client: &C,
    table: &str,
    columns: &[(&str, &str)],
    values: &[Param<'_>],
    from_row: fn(&Row) -> Result<R, Error>,
) -> Result<R, Error> {
    let (sql, params) = statement(table, columns, values);
    from_row(&client.query_one(sql.as_str(), &params).await?)
}

/// `INSERT INTO <table> (<columns>) VALUES ($1, ...) RETURNING *`. `table`
/// comes quoted; columns are quoted here; a parameter with a cast is `$2::int4`
/// (a domain's base type: see `migrate_core::model::rust::insert_cast`).
fn insert_sql(table: &str, columns: &[(&str, &str)]) -> String {
    if columns.is_empty() {
        return format!("INSERT INTO {table} DEFAULT VALUES RETURNING *");
    }
    let cols: Vec<String> = columns.iter().map(|(c, _)| crate::sql::ident(c)).collect();
    let params: Vec<String> = (columns.iter().enumerate())
        .map(|(i, (_, cast))| match *cast {
            "" => format!("${}", i + 1),
            cast => format!("${}::{cast}", i + 1),
        })
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({}) RETURNING *",
        cols.join(", "),
        params.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_values_that_are_set_are_sent() {
        let (id, note, p): (i64, Option<String>, i32) = (7, None, 1);
        let (sql, params) = statement(
            "\"public\".\"t\"",
            &[("id", ""), ("note", ""), ("p", "int4")],
            &[required(&id), optional(&note), required(&p)],
        );
        assert_eq!(
            sql,
            "INSERT INTO \"public\".\"t\" (\"id\", \"p\") VALUES ($1, $2::int4) RETURNING *"
        );
        assert_eq!(params.len(), 2);
        let (sql, params) = statement("\"public\".\"t\"", &[("note", "")], &[optional(&note)]);
        assert_eq!(
            sql,
            "INSERT INTO \"public\".\"t\" DEFAULT VALUES RETURNING *"
        );
        assert!(params.is_empty());
    }
}
