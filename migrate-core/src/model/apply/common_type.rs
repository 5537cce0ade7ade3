//! How PostgreSQL types an expression of several inputs (CASE, COALESCE,
//! GREATEST, NULLIF, arithmetic) and a numeric literal, for the built-in
//! types whose rules the model can follow: `select_common_type` and
//! `select_common_typmod` in parse_coerce.c, the cross-type operators of
//! pg_operator. Anything else is `None`: the caller does not guess.

use crate::model::types::SqlType;

/// One input of such an expression.
#[derive(Debug, Clone)]
pub(super) enum Input {
    /// Of a type the model knows.
    Typed(SqlType),
    /// A literal without a type (`'x'`, `NULL`): it takes the others' type.
    Unknown,
}

/// The type of a numeric literal the scanner did not make an integer: an
/// integer too large for int4 is int8 (or numeric beyond int8), anything
/// with a point or an exponent numeric (make_const).
pub(super) fn float_literal_type(text: &str) -> &'static str {
    let digits = text.replace('_', "");
    let (radix, body) = match digits.get(..2).map(str::to_ascii_lowercase).as_deref() {
        Some("0x") => (16, &digits[2..]),
        Some("0o") => (8, &digits[2..]),
        Some("0b") => (2, &digits[2..]),
        _ => (10, digits.as_str()),
    };
    // The grammar folds a minus into the constant (`-2147483648` is one
    // constant), and an integer that fits int4 is int4 (make_const).
    if let Ok(v) = i64::from_str_radix(body, radix) {
        if i32::try_from(v).is_ok() {
            "int4"
        } else {
            "int8"
        }
    } else {
        "numeric"
    }
}

/// Where a built-in scalar type stands among those PostgreSQL converts
/// implicitly upwards: a mix takes the highest (float8 and timestamptz are
/// the categories' preferred types; text the strings').
fn rank(t: &SqlType) -> Option<(u8, u8)> {
    if t.schema.is_some() || t.array_dims > 0 {
        return None;
    }
    Some(match t.name.as_str() {
        "int2" => (0, 0),
        "int4" => (0, 1),
        "int8" => (0, 2),
        "numeric" => (0, 3),
        "float4" => (0, 4),
        "float8" => (0, 5),
        "date" => (1, 0),
        "timestamp" => (1, 1),
        "timestamptz" => (1, 2),
        "text" => (2, 1),
        // varchar, bpchar and name meet only in text.
        "varchar" | "bpchar" | "name" => (2, 0),
        _ => return None,
    })
}

fn same_type(a: &SqlType, b: &SqlType) -> bool {
    a.schema == b.schema && a.name == b.name && a.array_dims == b.array_dims
}

fn without_modifiers(mut t: SqlType) -> SqlType {
    t.modifiers.clear();
    t
}

/// The type of CASE, COALESCE, GREATEST and LEAST over `inputs`. The
/// modifier stays only when every input has the type and that modifier;
/// untyped literals alone are text.
pub(super) fn common_type(inputs: &[Input]) -> Option<SqlType> {
    let typed: Vec<&SqlType> = (inputs.iter())
        .filter_map(|i| match i {
            Input::Typed(t) => Some(t),
            Input::Unknown => None,
        })
        .collect();
    let Some(first) = typed.first() else {
        return Some(SqlType::builtin("text"));
    };
    let all_typed = typed.len() == inputs.len();
    if typed.iter().all(|t| same_type(t, first)) {
        // Exactly one type, a domain too; an untyped literal makes even
        // that one lose its modifier (its own is none).
        let same_modifiers = all_typed && typed.iter().all(|t| t.modifiers == first.modifiers);
        let t = (*first).clone();
        if !same_modifiers {
            // A domain mixed with untyped literals is taken down to its
            // base type, which this does not look up.
            if t.schema.is_some() {
                return None;
            }
            return Some(without_modifiers(t));
        }
        return Some(t);
    }
    let ranked: Option<Vec<((u8, u8), &SqlType)>> =
        typed.iter().map(|t| Some((rank(t)?, *t))).collect();
    let ranked = ranked?;
    let ((category, top), t) = *ranked.iter().max_by_key(|((_, r), _)| *r)?;
    if ranked.iter().any(|((c, _), _)| *c != category) {
        return None;
    }
    // Strings other than text meet in text only when text is there.
    if category == 2 && top == 0 {
        return None;
    }
    Some(without_modifiers(t.clone()))
}

/// The type of `l + r`, `l - r`, `l * r`, `l / r` (and `%`) on numbers:
/// the same type, a mix of integers the wider (int48pl ...), an integer
/// and numeric numeric. Never a modifier.
pub(super) fn arithmetic_type(l: &SqlType, r: &SqlType) -> Option<SqlType> {
    let (lr, rr) = (rank(l)?, rank(r)?);
    if lr.0 != 0 || rr.0 != 0 {
        return None;
    }
    if same_type(l, r) {
        return Some(without_modifiers(l.clone()));
    }
    let ints = lr.1 <= 2 && rr.1 <= 2;
    let int_and_numeric = lr.1.max(rr.1) == 3 && lr.1.min(rr.1) <= 2;
    (ints || int_and_numeric).then(|| without_modifiers(if lr.1 > rr.1 { l } else { r }.clone()))
}

/// The type of `NULLIF(l, r)`: `l`'s as the `=` operator takes it. Integers
/// with integers and floats with floats compare across types, so `l` stays
/// as it is (with its modifier); varchar compares as text; in other mixes
/// `l` is converted to the common type unless it has it.
pub(super) fn nullif_type(l: &Input, r: &Input) -> Option<SqlType> {
    let Input::Typed(lt) = l else { return None };
    let rt = match r {
        Input::Typed(t) => t,
        Input::Unknown => lt,
    };
    if lt.schema.is_some() || lt.array_dims > 0 {
        return same_type(lt, rt)
            .then(|| lt.clone())
            .filter(|_| lt.schema.is_none());
    }
    let (lr, rr) = (rank(lt)?, rank(rt)?);
    if lt.name == "varchar" && rr.0 == 2 {
        return Some(SqlType::builtin("text"));
    }
    if same_type(lt, rt) {
        return Some(lt.clone());
    }
    let ints = lr.0 == 0 && lr.1 <= 2 && rr.0 == 0 && rr.1 <= 2;
    let floats = lr.0 == 0 && lr.1 >= 4 && rr.0 == 0 && rr.1 >= 4;
    // `=` exists across date, timestamp and timestamptz, and for name and
    // text: the left input is not converted either.
    let datetime = |t: &SqlType| matches!(t.name.as_str(), "date" | "timestamp" | "timestamptz");
    let cross = (datetime(lt) && datetime(rt)) || (lt.name == "name" && rt.name == "text");
    if ints || floats || cross {
        return Some(lt.clone());
    }
    // Only `r` is converted when `l` already has the common type.
    let common = common_type(&[l.clone(), r.clone()])?;
    Some(if same_type(&common, lt) {
        lt.clone()
    } else {
        common
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str) -> Input {
        Input::Typed(SqlType::builtin(name))
    }

    fn with(name: &str, modifiers: &[i64]) -> Input {
        Input::Typed(SqlType {
            modifiers: modifiers.to_vec(),
            ..SqlType::builtin(name)
        })
    }

    fn name(t: Option<SqlType>) -> Option<(String, Vec<i64>)> {
        t.map(|t| (t.name, t.modifiers))
    }

    #[test]
    fn the_common_type_is_the_highest_and_keeps_a_modifier_all_share() {
        let got = |i: &[Input]| name(common_type(i));
        let plain = |n: &str| Some((n.to_owned(), vec![]));
        assert_eq!(got(&[t("int4"), t("int8")]), plain("int8"));
        assert_eq!(got(&[t("int4"), t("numeric")]), plain("numeric"));
        assert_eq!(got(&[t("float4"), t("int4")]), plain("float4"));
        assert_eq!(
            got(&[with("numeric", &[10, 2]), t("int4")]),
            plain("numeric")
        );
        assert_eq!(
            got(&[with("numeric", &[10, 2]), with("numeric", &[10, 2])]),
            Some(("numeric".to_owned(), vec![10, 2]))
        );
        assert_eq!(
            got(&[with("numeric", &[10, 2]), with("numeric", &[12, 4])]),
            plain("numeric")
        );
        assert_eq!(
            got(&[with("varchar", &[8]), Input::Unknown]),
            plain("varchar")
        );
        assert_eq!(got(&[t("text"), with("varchar", &[8])]), plain("text"));
        assert_eq!(got(&[t("varchar"), t("bpchar")]), None);
        assert_eq!(got(&[Input::Unknown, Input::Unknown]), plain("text"));
        assert_eq!(got(&[t("bool"), t("int4")]), None);
        assert_eq!(got(&[t("date"), t("timestamptz")]), plain("timestamptz"));
    }

    #[test]
    fn literals_and_nullif_and_arithmetic_follow_postgresql() {
        assert_eq!(float_literal_type("3000000000"), "int8");
        assert_eq!(float_literal_type("1.5"), "numeric");
        assert_eq!(float_literal_type("99999999999999999999"), "numeric");
        assert_eq!(float_literal_type("0x1_0000_0000"), "int8");
        let n = |l: Input, r: Input| name(nullif_type(&l, &r));
        assert_eq!(n(t("int4"), t("int4")), Some(("int4".to_owned(), vec![])));
        assert_eq!(
            n(with("varchar", &[8]), Input::Unknown),
            Some(("text".to_owned(), vec![]))
        );
        assert_eq!(
            n(with("numeric", &[10, 2]), t("int4")),
            Some(("numeric".to_owned(), vec![10, 2]))
        );
        assert_eq!(n(t("bpchar"), t("text")), Some(("text".to_owned(), vec![])));
        assert_eq!(
            n(with("numeric", &[10, 2]), Input::Unknown),
            Some(("numeric".to_owned(), vec![10, 2]))
        );
        assert_eq!(n(t("int2"), t("int8")), Some(("int2".to_owned(), vec![])));
        assert_eq!(
            n(t("int4"), t("numeric")),
            Some(("numeric".to_owned(), vec![]))
        );
        let a =
            |l: &str, r: &str| name(arithmetic_type(&SqlType::builtin(l), &SqlType::builtin(r)));
        assert_eq!(a("int4", "int8"), Some(("int8".to_owned(), vec![])));
        assert_eq!(a("int4", "numeric"), Some(("numeric".to_owned(), vec![])));
        assert_eq!(a("int4", "float8"), None);
    }
}
