//! Quoting for the few statements the migrator composes itself.
//!
//! The migrator sends its bookkeeping as simple-protocol messages in the
//! migration's transaction (with its COMMIT), and the simple protocol has no
//! parameters, so the values are quoted here. They are versions, names from file
//! names, hex checksums and table names: nothing a user types at run time.

/// A quoted identifier: `"schema_migrations"` (libpq's PQescapeIdentifier, as
/// postgres-protocol ports it).
pub fn ident(name: &str) -> String {
    postgres_protocol::escape::escape_identifier(name)
}

/// A string literal that means the same whatever `standard_conforming_strings`
/// is (libpq's PQescapeLiteral: ` E'...'` when it holds a backslash).
pub fn literal(value: &str) -> String {
    postgres_protocol::escape::escape_literal(value)
}

/// A schema-qualified table name, as given by `--migrations-table`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableName {
    /// `None`: the session's `current_schema()`, as golang-migrate does.
    pub schema: Option<String>,
    /// The table's name.
    pub name: String,
}

impl TableName {
    /// Parses `table`, `schema.table` or the quoted forms `"My Schema"."t.1"`.
    /// Unquoted parts are folded to lower case, as PostgreSQL does.
    pub fn parse(text: &str) -> Result<TableName, String> {
        let mut parts = Vec::new();
        let mut chars = text.trim().chars().peekable();
        loop {
            let mut part = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            part.push('"');
                        }
                        Some('"') => break,
                        Some(c) => part.push(c),
                        None => return Err(format!("unterminated quote in table name {text:?}")),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == '.' {
                        break;
                    }
                    part.extend(c.to_lowercase());
                    chars.next();
                }
            }
            if part.is_empty() {
                return Err(format!("empty part in table name {text:?}"));
            }
            parts.push(part);
            match chars.next() {
                None => break,
                Some('.') => continue,
                Some(c) => return Err(format!("unexpected {c:?} in table name {text:?}")),
            }
        }
        match parts.len() {
            1 => Ok(TableName {
                schema: None,
                name: parts.remove(0),
            }),
            2 => {
                let name = parts.remove(1);
                Ok(TableName {
                    schema: Some(parts.remove(0)),
                    name,
                })
            }
            _ => Err(format!(
                "table name {text:?} has too many dots (expected table or schema.table)"
            )),
        }
    }

    /// The same table in another schema-less name: `schema_migrations` ->
    /// `schema_migrations_history`.
    pub fn with_suffix(&self, suffix: &str) -> TableName {
        TableName {
            schema: self.schema.clone(),
            name: format!("{}{suffix}", self.name),
        }
    }
}

impl std::fmt::Display for TableName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// A table name with its schema resolved: what goes into SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualifiedTable {
    /// The schema.
    pub schema: String,
    /// The table's name.
    pub name: String,
}

impl QualifiedTable {
    /// Resolves the schema: the given one, else `current_schema`.
    pub fn resolve(t: &TableName, current_schema: &str) -> Self {
        QualifiedTable {
            schema: t
                .schema
                .clone()
                .unwrap_or_else(|| current_schema.to_owned()),
            name: t.name.clone(),
        }
    }

    /// `"public"."schema_migrations"`.
    pub fn sql(&self) -> String {
        format!("{}.{}", ident(&self.schema), ident(&self.name))
    }
}

impl std::fmt::Display for QualifiedTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes() {
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal("a\\b'"), " E'a\\\\b'''");
    }

    #[test]
    fn parses_table_names() {
        assert_eq!(
            TableName::parse("schema_migrations").unwrap(),
            TableName {
                schema: None,
                name: "schema_migrations".into()
            }
        );
        assert_eq!(
            TableName::parse("Ops.Migrations").unwrap(),
            TableName {
                schema: Some("ops".into()),
                name: "migrations".into()
            }
        );
        assert_eq!(
            TableName::parse("\"My Schema\".\"t.1\"").unwrap(),
            TableName {
                schema: Some("My Schema".into()),
                name: "t.1".into()
            }
        );
        assert!(TableName::parse("a.b.c").is_err());
        assert!(TableName::parse("a.").is_err());
        assert!(TableName::parse("\"a").is_err());
    }
}
