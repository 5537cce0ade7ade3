//! How PostgreSQL types map onto Rust types the `postgres` crate decodes. Plain
//! data: the macro turns it into tokens.

use std::collections::BTreeMap;

use crate::model::schema::{QualName, Schema};
use crate::model::types::SqlType;

/// A Rust type for a column, before nullability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustType {
    /// A path such as `i32` or `::uuid::Uuid`, relative to the runtime's
    /// re-exports when it starts with `__private::`.
    Path(&'static str),
    /// A type written in the macro call's `types(...)` override.
    Override(String),
    /// The generated enum for a PostgreSQL enum type.
    Enum(QualName),
    /// `Vec<T>` for an array.
    Vec(Box<RustType>),
}

/// The type map, documented in README.md. Paths starting with `__private::` name
/// the runtime's re-exports so a user depends on one crate.
pub fn builtin_rust_type(name: &str) -> Option<&'static str> {
    Some(match name {
        "int2" => "i16",
        "int4" => "i32",
        "int8" => "i64",
        "float4" => "f32",
        "float8" => "f64",
        "numeric" => "__private::rust_decimal::Decimal",
        "bool" => "bool",
        "text" | "varchar" | "bpchar" | "name" | "citext" => "::std::string::String",
        "char" => "i8",
        "oid" => "u32",
        "bytea" => "::std::vec::Vec<u8>",
        "uuid" => "__private::uuid::Uuid",
        "date" => "__private::chrono::NaiveDate",
        "time" => "__private::chrono::NaiveTime",
        "timestamp" => "__private::chrono::NaiveDateTime",
        "timestamptz" => "__private::chrono::DateTime<__private::chrono::Utc>",
        "interval" => "__private::Interval",
        "json" | "jsonb" => "__private::serde_json::Value",
        "inet" => "::std::net::IpAddr",
        "cidr" => "__private::Cidr",
        "macaddr" => "__private::eui48::MacAddress",
        _ => return None,
    })
}

/// Maps a column type; `Err` explains what has no mapping.
pub fn rust_type(
    ty: &SqlType,
    schema: &Schema,
    overrides: &BTreeMap<String, String>,
) -> Result<RustType, String> {
    let scalar = scalar(&ty.element(), schema, overrides)?;
    let mut out = scalar;
    for _ in 0..ty.array_dims.min(1) {
        // PostgreSQL arrays are not nested by type: `int[][]` is `int[]` too.
        out = RustType::Vec(Box::new(out));
    }
    Ok(out)
}

fn scalar(
    ty: &SqlType,
    schema: &Schema,
    overrides: &BTreeMap<String, String>,
) -> Result<RustType, String> {
    let key = ty.to_string();
    if let Some(o) = overrides.get(&key).or_else(|| overrides.get(&ty.name)) {
        return Ok(RustType::Override(o.clone()));
    }
    match &ty.schema {
        None => builtin_rust_type(&ty.name)
            .map(RustType::Path)
            .ok_or_else(|| format!("PostgreSQL type \"{key}\" has no Rust mapping")),
        Some(s) => {
            let q = QualName::new(s.clone(), ty.name.clone());
            if schema.enums.contains_key(&q) {
                Ok(RustType::Enum(q))
            } else if let Some(d) = schema.domains.get(&q) {
                rust_type(&d.base, schema, overrides)
            } else if ty.name == "citext" {
                Ok(RustType::Path("::std::string::String"))
            } else {
                Err(format!("type \"{key}\" has no Rust mapping"))
            }
        }
    }
}

/// True when a domain forbids NULL, so its columns decode without `Option`
/// (information_schema says NOT NULL too). An array of it may still be NULL.
pub fn domain_not_null(ty: &SqlType, schema: &Schema) -> bool {
    ty.array_dims == 0
        && ty.schema.as_ref().is_some_and(|s| {
            schema
                .domains
                .get(&QualName::new(s.clone(), ty.name.clone()))
                .is_some_and(|d| d.not_null)
        })
}

/// The type an `INSERT` parameter of a column of type `ty` is cast to, when
/// the column's (element) type is a domain: its base type, through domains
/// over domains, as SQL (`int4`, `varchar(20)[]`, `"public"."mood"`). The
/// server types such a parameter as the domain, which the base type's Rust
/// value does not encode to; cast, PostgreSQL applies the domain's checks as
/// it stores the value. `None` for any other type.
pub fn insert_cast(ty: &SqlType, schema: &Schema) -> Option<String> {
    let domain = |t: &SqlType| {
        let s = t.schema.as_ref()?;
        schema
            .domains
            .get(&QualName::new(s.clone(), t.name.clone()))
    };
    let mut base = domain(&ty.element())?.base.clone();
    let mut depth = 0;
    while let Some(d) = domain(&base.element())
        && depth < 32
    {
        base = SqlType {
            array_dims: base.array_dims.max(d.base.array_dims),
            ..d.base.clone()
        };
        depth += 1;
    }
    let mut sql = match &base.schema {
        Some(s) => format!(
            "\"{}\".\"{}\"",
            s.replace('"', "\"\""),
            base.name.replace('"', "\"\"")
        ),
        None => base.name.clone(),
    };
    if !base.modifiers.is_empty() {
        let m: Vec<String> = base.modifiers.iter().map(i64::to_string).collect();
        sql.push_str(&format!("({})", m.join(",")));
    }
    for _ in 0..(ty.array_dims.max(base.array_dims)) {
        sql.push_str("[]");
    }
    Some(sql)
}

/// A Rust identifier for a SQL name: snake_case fields and modules, raw when a
/// keyword, `_` for characters Rust does not allow.
pub fn snake_ident(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if matches!(s.as_str(), "self" | "super" | "crate" | "_") {
        s.push('_');
    }
    s
}

/// A PascalCase identifier for a SQL name (`vm_state` -> `VmState`,
/// `in-progress` -> `InProgress`).
pub fn pascal_ident(name: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if out == "Self" {
        out.push('_');
    }
    out
}

/// Rust keywords that must be written `r#name`.
pub fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "as" | "break"
            | "const"
            | "continue"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "static"
            | "struct"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "async"
            | "await"
            | "dyn"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
            | "try"
            | "gen"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert_eq!(snake_ident("OrderItems"), "orderitems");
        assert_eq!(snake_ident("2fa"), "_2fa");
        assert_eq!(snake_ident("self"), "self_");
        assert_eq!(pascal_ident("vm_state"), "VmState");
        assert_eq!(pascal_ident("in-progress"), "InProgress");
        assert_eq!(pascal_ident("self"), "Self_");
        assert!(is_keyword("type"));
    }

    #[test]
    fn arrays_domains_and_missing_mappings() {
        let mut s = Schema::empty();
        let none = BTreeMap::new();
        let mut t = SqlType::builtin("text");
        t.array_dims = 1;
        assert_eq!(
            rust_type(&t, &s, &none),
            Ok(RustType::Vec(Box::new(RustType::Path(
                "::std::string::String"
            ))))
        );
        s.domains.insert(
            QualName::public("percent"),
            crate::model::schema::Domain {
                base: SqlType::builtin("float8"),
                not_null: true,
            },
        );
        let d = SqlType {
            schema: Some("public".into()),
            name: "percent".into(),
            modifiers: vec![],
            array_dims: 0,
        };
        assert_eq!(rust_type(&d, &s, &none), Ok(RustType::Path("f64")));
        assert!(domain_not_null(&d, &s));
        // An array of a NOT NULL domain may be NULL itself.
        let arr = SqlType {
            array_dims: 1,
            ..d.clone()
        };
        assert!(!domain_not_null(&arr, &s));
        let money = SqlType::builtin("money");
        assert!(rust_type(&money, &s, &none).is_err());
        let mut o = BTreeMap::new();
        o.insert("money".to_owned(), "i64".to_owned());
        assert_eq!(
            rust_type(&money, &s, &o),
            Ok(RustType::Override("i64".into()))
        );
    }
}
