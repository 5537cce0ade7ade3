//! Functions and procedures as the model keeps them: the overloads of one
//! name, each known by its input argument types, as PostgreSQL identifies them.

use std::collections::BTreeMap;

use crate::model::schema::QualName;
use crate::model::types::SqlType;

/// The overloads of one name, by their input argument types (canonical:
/// `int8` for `bigint`, `public.t` for `t`, no modifiers), the identity
/// PostgreSQL gives a function and DROP FUNCTION names.
pub type Overloads = BTreeMap<Vec<SqlType>, Overload>;

/// One function or procedure: what a down must restore as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overload {
    /// Every parameter in order, with its mode as pg_proc spells it (`i`n,
    /// `o`ut, `b` for INOUT, `v`ariadic, `t`able) and its canonical type.
    pub params: Vec<(char, SqlType)>,
    /// The result and whether it is `SETOF`; `None` for a procedure.
    pub returns: Option<(SqlType, bool)>,
    /// The language and the body, normalised: a string body as written, a
    /// SQL-standard body as its tree without source positions.
    pub body: String,
    /// A SQL-standard body: PostgreSQL keeps the analysed tree (implicit
    /// casts added, `*` expanded, `BETWEEN` and `LIKE` rewritten, columns
    /// qualified), which the spelling rules follow only in part, so two
    /// such bodies that differ may be one body spelled twice (compared by
    /// their leaves, `sql/leaves.rs`).
    pub standard_body: bool,
    /// An input type the model cannot place (`t.c%TYPE`, an extension's
    /// type written `citext` here and `public.citext` there): the same
    /// overload may be under another key in another snapshot.
    pub unplaced_input: bool,
}

/// The overloads of one name in two snapshots are the same, or may be (see
/// [`Overload::standard_body`], [`Overload::unplaced_input`]): a down is
/// then not said to restore another function.
pub fn same_as_far_as_known(a: &Overloads, b: &Overloads) -> bool {
    if a == b || a.values().chain(b.values()).any(|o| o.unplaced_input) {
        return true;
    }
    a.len() == b.len()
        && a.iter().all(|(key, o)| {
            b.get(key).is_some_and(|p| {
                o.params == p.params
                    && o.returns == p.returns
                    && (o.body == p.body
                        || (o.standard_body
                            && p.standard_body
                            && same_language(&o.body, &p.body)
                            && crate::sql::leaves::json_may_be_same(tree(&o.body), tree(&p.body))))
            })
        })
}

/// A SQL-standard body's language, as [`Overload::body`] keeps it (SQL when
/// none is written, as for PostgreSQL).
fn same_language(a: &str, b: &str) -> bool {
    let language = |body: &str| {
        (body.lines())
            .find(|l| l.starts_with("language "))
            .unwrap_or("language sql")
            .to_owned()
    };
    language(a) == language(b)
}

/// A SQL-standard body's tree: the line of [`Overload::body`] that holds it.
fn tree(body: &str) -> &str {
    body.lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or_default()
}

impl Overload {
    /// The input argument types: the overload's identity.
    pub fn inputs(&self) -> Vec<SqlType> {
        self.params
            .iter()
            .filter(|(mode, _)| matches!(mode, 'i' | 'b' | 'v'))
            .map(|(_, ty)| ty.clone())
            .collect()
    }

    /// Every type it names, arguments and result.
    pub fn types(&self) -> impl Iterator<Item = &SqlType> {
        let result = self.returns.iter().map(|(ty, _)| ty);
        self.params.iter().map(|(_, ty)| ty).chain(result)
    }

    /// True when an argument or the result is of type `q` (or an array of
    /// it): PostgreSQL records that dependency, so dropping the type with
    /// CASCADE drops the function, and without it is refused.
    pub fn uses_type(&self, q: &QualName) -> bool {
        self.types().any(|ty| is_type(ty, q))
    }
}

/// True when `ty` is the user type `q` or an array of it.
pub fn is_type(ty: &SqlType, q: &QualName) -> bool {
    ty.schema.as_deref() == Some(q.schema.as_str()) && ty.name == q.name
}
