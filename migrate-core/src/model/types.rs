//! PostgreSQL type names: the built-in catalogue, aliases, and how a column's type
//! is written down in the model.

use std::fmt;

/// A column's type as the model keeps it: canonical name (PostgreSQL's internal
/// one for built-ins, `int4` for `integer`), modifiers and array dimensions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SqlType {
    /// `None` for built-in types; the schema of a user-defined type otherwise.
    pub schema: Option<String>,
    /// The type's name as PostgreSQL spells it (`int4` as `integer`, ...).
    pub name: String,
    /// Type modifiers as written: `[255]` for `varchar(255)`, `[10, 2]` for
    /// `numeric(10,2)`.
    pub modifiers: Vec<i64>,
    /// 0 for a scalar, 1 for `text[]`, ...
    pub array_dims: u32,
}

impl SqlType {
    /// A built-in scalar type of that name, without modifiers.
    pub fn builtin(name: &str) -> Self {
        SqlType {
            schema: None,
            name: name.to_owned(),
            modifiers: Vec::new(),
            array_dims: 0,
        }
    }

    /// The same type without array dimensions.
    pub fn element(&self) -> SqlType {
        SqlType {
            array_dims: 0,
            ..self.clone()
        }
    }

    /// True for `int4`, `text` ...: types PostgreSQL itself provides.
    pub fn is_builtin(&self) -> bool {
        self.schema.is_none()
    }

    /// `information_schema.columns.data_type` for this type, used to compare the
    /// model with a live database: `character varying`, `ARRAY`, `USER-DEFINED`.
    pub fn information_schema_name(&self) -> String {
        if self.array_dims > 0 {
            return "ARRAY".to_owned();
        }
        match &self.schema {
            Some(_) => "USER-DEFINED".to_owned(),
            None => builtin(&self.name)
                .map(|b| b.sql_name.to_owned())
                .unwrap_or_else(|| self.name.clone()),
        }
    }
}

impl fmt::Display for SqlType {
    /// The name as a user writes it: `varchar(255)`, `vm_state[]`, `timestamptz`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.schema
            && s != "public"
        {
            write!(f, "{s}.")?;
        }
        let shown = builtin(&self.name).map(|b| b.display).unwrap_or(&self.name);
        f.write_str(shown)?;
        if !self.modifiers.is_empty() {
            let m: Vec<String> = self.modifiers.iter().map(i64::to_string).collect();
            write!(f, "({})", m.join(","))?;
        }
        for _ in 0..self.array_dims {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

/// One built-in type.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    /// PostgreSQL's internal name (`int4`).
    pub name: &'static str,
    /// What users write and messages show (`integer`).
    pub display: &'static str,
    /// `information_schema` data_type (`integer`).
    pub sql_name: &'static str,
}

macro_rules! builtins {
    ($( $name:literal, $display:literal, $sql:literal; )*) => {
        /// Every built-in type the model knows, by internal name.
        pub const BUILTINS: &[Builtin] = &[
            $( Builtin { name: $name, display: $display, sql_name: $sql }, )*
        ];
    };
}

builtins! {
    "int2", "smallint", "smallint";
    "int4", "integer", "integer";
    "int8", "bigint", "bigint";
    "float4", "real", "real";
    "float8", "double precision", "double precision";
    "numeric", "numeric", "numeric";
    "money", "money", "money";
    "bool", "boolean", "boolean";
    "text", "text", "text";
    "varchar", "varchar", "character varying";
    "bpchar", "char", "character";
    "char", "\"char\"", "\"char\"";
    "name", "name", "name";
    "bytea", "bytea", "bytea";
    "uuid", "uuid", "uuid";
    "date", "date", "date";
    "time", "time", "time without time zone";
    "timetz", "timetz", "time with time zone";
    "timestamp", "timestamp", "timestamp without time zone";
    "timestamptz", "timestamptz", "timestamp with time zone";
    "interval", "interval", "interval";
    "json", "json", "json";
    "jsonb", "jsonb", "jsonb";
    "jsonpath", "jsonpath", "jsonpath";
    "xml", "xml", "xml";
    "inet", "inet", "inet";
    "cidr", "cidr", "cidr";
    "macaddr", "macaddr", "macaddr";
    "macaddr8", "macaddr8", "macaddr8";
    "bit", "bit", "bit";
    "varbit", "varbit", "bit varying";
    "oid", "oid", "oid";
    "regclass", "regclass", "regclass";
    "regtype", "regtype", "regtype";
    "regproc", "regproc", "regproc";
    "tsvector", "tsvector", "tsvector";
    "tsquery", "tsquery", "tsquery";
    "point", "point", "point";
    "line", "line", "line";
    "lseg", "lseg", "lseg";
    "box", "box", "box";
    "path", "path", "path";
    "polygon", "polygon", "polygon";
    "circle", "circle", "circle";
    "int4range", "int4range", "int4range";
    "int8range", "int8range", "int8range";
    "numrange", "numrange", "numrange";
    "tsrange", "tsrange", "tsrange";
    "tstzrange", "tstzrange", "tstzrange";
    "daterange", "daterange", "daterange";
    "pg_lsn", "pg_lsn", "pg_lsn";
    "txid_snapshot", "txid_snapshot", "txid_snapshot";
    "pg_snapshot", "pg_snapshot", "pg_snapshot";
    "record", "record", "record";
    "void", "void", "void";
    "trigger", "trigger", "trigger";
    "event_trigger", "event_trigger", "event_trigger";
    "anyelement", "anyelement", "anyelement";
    "anyarray", "anyarray", "anyarray";
    "cstring", "cstring", "cstring";
    "internal", "internal", "internal";
    // The rest of pg_catalog's types a column can have (information_schema
    // names them as they are).
    "int4multirange", "int4multirange", "int4multirange";
    "int8multirange", "int8multirange", "int8multirange";
    "nummultirange", "nummultirange", "nummultirange";
    "tsmultirange", "tsmultirange", "tsmultirange";
    "tstzmultirange", "tstzmultirange", "tstzmultirange";
    "datemultirange", "datemultirange", "datemultirange";
    "regconfig", "regconfig", "regconfig";
    "regdictionary", "regdictionary", "regdictionary";
    "regnamespace", "regnamespace", "regnamespace";
    "regrole", "regrole", "regrole";
    "regoper", "regoper", "regoper";
    "regoperator", "regoperator", "regoperator";
    "regprocedure", "regprocedure", "regprocedure";
    "regcollation", "regcollation", "regcollation";
    "refcursor", "refcursor", "refcursor";
    "tid", "tid", "tid";
    "xid", "xid", "xid";
    "xid8", "xid8", "xid8";
    "cid", "cid", "cid";
    "aclitem", "aclitem", "aclitem";
    "pg_node_tree", "pg_node_tree", "pg_node_tree";
    "gtsvector", "gtsvector", "gtsvector";
    "pg_ndistinct", "pg_ndistinct", "pg_ndistinct";
    "pg_dependencies", "pg_dependencies", "pg_dependencies";
    "pg_mcv_list", "pg_mcv_list", "pg_mcv_list";
    "pg_brin_bloom_summary", "pg_brin_bloom_summary", "pg_brin_bloom_summary";
    "pg_brin_minmax_multi_summary", "pg_brin_minmax_multi_summary", "pg_brin_minmax_multi_summary";
    "pg_ddl_command", "pg_ddl_command", "pg_ddl_command";
    "unknown", "unknown", "unknown";
    "int2vector", "int2vector", "ARRAY";
    "oidvector", "oidvector", "ARRAY";
}

/// The built-in type with this internal name.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// How a written type name maps onto the model: a built-in, possibly with an
/// implied default (`serial`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    /// The built-in type's canonical name.
    pub name: &'static str,
    /// `serial`, `bigserial`, `smallserial`: integer with a sequence default, NOT NULL.
    pub serial: bool,
}

/// A built-in type as resolved, with its modifiers as PostgreSQL keeps them:
/// `numeric(5)` is `numeric(5,0)` (one typmod, printed so).
pub(crate) fn resolved_type(b: &Resolved, mut modifiers: Vec<i64>, array_dims: u32) -> SqlType {
    if b.name == "numeric" && modifiers.len() == 1 {
        modifiers.push(0);
    }
    SqlType {
        schema: None,
        name: b.name.to_owned(),
        modifiers,
        array_dims,
    }
}

/// Resolves a built-in type name or alias (already lowercased by the parser).
pub fn resolve_builtin(name: &str) -> Option<Resolved> {
    let plain = |name| {
        Some(Resolved {
            name,
            serial: false,
        })
    };
    let serial = |name| Some(Resolved { name, serial: true });
    match name {
        "smallint" | "int2" => plain("int2"),
        "int" | "integer" | "int4" => plain("int4"),
        "bigint" | "int8" => plain("int8"),
        "serial" | "serial4" => serial("int4"),
        "bigserial" | "serial8" => serial("int8"),
        "smallserial" | "serial2" => serial("int2"),
        "real" | "float4" => plain("float4"),
        "double precision" | "float8" | "float" => plain("float8"),
        "decimal" | "numeric" => plain("numeric"),
        "boolean" | "bool" => plain("bool"),
        "character varying" | "varchar" => plain("varchar"),
        "character" | "bpchar" => plain("bpchar"),
        "timestamp with time zone" => plain("timestamptz"),
        "timestamp without time zone" => plain("timestamp"),
        "time with time zone" => plain("timetz"),
        "time without time zone" => plain("time"),
        "bit varying" => plain("varbit"),
        other => builtin(other).map(|b| Resolved {
            name: b.name,
            serial: false,
        }),
    }
}

/// Types that well-known extensions add, so `CREATE EXTENSION citext` makes
/// `citext` a known type. An extension not listed here makes every unknown type
/// acceptable (the model cannot know what it brings).
pub fn extension_types(extension: &str) -> Option<&'static [&'static str]> {
    // Checked against the extensions themselves by tests/ground_truth.rs
    // (extensions_bring_the_types_the_model_says); an extension not listed here
    // may bring any type.
    Some(match extension {
        "citext" => &["citext"],
        "hstore" => &["hstore", "ghstore"],
        "ltree" => &["ltree", "lquery", "ltxtquery", "ltree_gist"],
        "cube" => &["cube"],
        "isn" => &[
            "ean13", "isbn", "isbn13", "ismn", "ismn13", "issn", "issn13", "upc",
        ],
        "pg_trgm" => &["gtrgm"],
        "btree_gist" => &[
            "gbtreekey2",
            "gbtreekey4",
            "gbtreekey8",
            "gbtreekey16",
            "gbtreekey32",
            "gbtreekey_var",
        ],
        "intarray" => &["intbig_gkey", "query_int"],
        "tablefunc" => &[
            "tablefunc_crosstab_2",
            "tablefunc_crosstab_3",
            "tablefunc_crosstab_4",
        ],
        "pgcrypto" | "uuid-ossp" | "btree_gin" | "pg_stat_statements" | "unaccent"
        | "fuzzystrmatch" | "plpgsql" => &[],
        _ => return None,
    })
}

/// Extensions known to create no tables or views a migration could use (their
/// types and functions are another matter). Any other extension may have
/// created relations the model cannot see.
pub fn creates_no_relations(extension: &str) -> bool {
    const NONE: &[&str] = &[
        "plpgsql",
        "pgcrypto",
        "uuid-ossp",
        "pg_trgm",
        "btree_gin",
        "btree_gist",
        "citext",
        "hstore",
        "ltree",
        "unaccent",
        "fuzzystrmatch",
        "intarray",
        "cube",
        "earthdistance",
        "tablefunc",
        "isn",
        "lo",
        "seg",
        "tsm_system_rows",
        "tsm_system_time",
        "dict_int",
        "dict_xsyn",
        "vector",
        "pgrowlocks",
        "pageinspect",
        "pg_buffercache",
        "postgres_fdw",
        "dblink",
        "amcheck",
        "bloom",
        "pgstattuple",
        "sslinfo",
        "pg_prewarm",
        "intagg",
        "moddatetime",
        "autoinc",
        "insert_username",
        "refint",
        "pg_visibility",
        "pg_freespacemap",
        "file_fdw",
        "pg_surgery",
        "pg_walinspect",
        "old_snapshot",
        // Its views are pg_stat_statements*, which are PostgreSQL-named anyway.
        "pg_stat_statements",
    ];
    NONE.contains(&extension)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve_to_internal_names() {
        assert_eq!(resolve_builtin("integer").unwrap().name, "int4");
        assert!(resolve_builtin("bigserial").unwrap().serial);
        assert_eq!(resolve_builtin("timestamptz").unwrap().name, "timestamptz");
        assert!(resolve_builtin("timestamptzz").is_none());
    }

    #[test]
    fn displays_as_written() {
        let mut t = SqlType::builtin("varchar");
        t.modifiers = vec![255];
        assert_eq!(t.to_string(), "varchar(255)");
        assert_eq!(t.information_schema_name(), "character varying");
        t.array_dims = 1;
        assert_eq!(t.to_string(), "varchar(255)[]");
        assert_eq!(t.information_schema_name(), "ARRAY");
    }
}
