//! The `schema` module: one module per table with its row, insert and column
//! types, and one Rust enum per PostgreSQL enum (`enums.rs`).

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use migrate_core::model::rust::{RustType, domain_not_null, insert_cast, rust_type, snake_ident};
use migrate_core::model::schema::{Column, QualName, Schema, Table};

use super::enums::{enum_names, enum_tokens};
use super::names::Scope;

/// The names of enums in `enums` (see [`enum_names`]).
type EnumNames = BTreeMap<QualName, Ident>;

/// The names the generated code uses itself where tables' and schemas'
/// modules go (`schema`) and where their items are imported (each module):
/// no table or schema may take them.
fn module_scope(aliases: &[Ident]) -> Scope {
    let mut reserved: Vec<String> = ["enums", "__p", "__pgcheck"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    reserved.extend(aliases.iter().map(ToString::to_string));
    let reserved: Vec<&str> = reserved.iter().map(String::as_str).collect();
    Scope::snake(&reserved)
}

fn type_tokens(
    t: &RustType,
    overrides: &BTreeMap<String, syn::Type>,
    enums: &EnumNames,
) -> TokenStream {
    match t {
        RustType::Path(p) => {
            let full = p.replace("__private::", "__p::");
            full.parse().unwrap_or_else(|_| quote!(()))
        }
        RustType::Override(key) => match overrides.get(key) {
            Some(ty) => quote!(#ty),
            None => quote!(()),
        },
        RustType::Enum(q) => match enums.get(q) {
            Some(id) => quote!(super::enums::#id),
            None => quote!(()),
        },
        RustType::Vec(inner) => {
            let i = type_tokens(inner, overrides, enums);
            quote!(::std::vec::Vec<#i>)
        }
    }
}

/// Generated code.
pub struct Expanded {
    pub tokens: TokenStream,
}

/// `derives`: what `Row` and `Insert` derive besides `Debug` (the macro's
/// `derive(..)` argument), named here by their aliases (see [`wrap`]).
pub fn expand(
    schema: &Schema,
    overrides: &BTreeMap<String, syn::Type>,
    derives: &[syn::Path],
) -> Expanded {
    let aliases: Vec<Ident> = (0..derives.len()).map(derive_alias).collect();
    let keys: BTreeMap<String, String> = overrides.keys().map(|k| (k.clone(), k.clone())).collect();
    let enum_names = enum_names(schema.enums.keys());
    let enums = schema
        .enums
        .iter()
        .filter_map(|(q, labels)| Some(enum_tokens(q, enum_names.get(q)?, labels)));

    // The modules of `schema`: public's tables first (they keep their names
    // when a schema's would be the same), then the other schemas'.
    let mut top = module_scope(&aliases);
    let mut inner: BTreeMap<&str, (Ident, Scope)> = BTreeMap::new();
    let tables: Vec<&Table> = schema.user_tables().collect();
    let public: Vec<&str> = (tables.iter())
        .filter(|t| t.name.schema == "public")
        .map(|t| t.name.name.as_str())
        .collect();
    let mut modules: Vec<Ident> = top.snake_idents(public.into_iter());
    let mut schemas: Vec<&str> = (tables.iter())
        .map(|t| t.name.schema.as_str())
        .filter(|s| *s != "public")
        .collect();
    schemas.dedup();
    for (s, m) in schemas
        .iter()
        .zip(top.snake_idents(schemas.iter().copied()))
    {
        let mut scope = module_scope(&aliases);
        let names = (tables.iter())
            .filter(|t| t.name.schema == *s)
            .map(|t| t.name.name.as_str());
        modules.extend(scope.snake_idents(names));
        inner.insert(s, (m, scope));
    }
    let ordered = (tables.iter().filter(|t| t.name.schema == "public")).chain(
        schemas
            .iter()
            .flat_map(|s| tables.iter().filter(move |t| t.name.schema == *s)),
    );

    let mut by_schema: BTreeMap<&str, Vec<TokenStream>> = BTreeMap::new();
    let mut listed = Vec::new();
    let mut decoders = Vec::new();
    for (table, m) in ordered.zip(&modules) {
        let (s, n) = (&table.name.schema, &table.name.name);
        listed.push(quote!((#s, #n)));
        let path = match inner.get(s.as_str()) {
            Some((sm, _)) => quote!(#sm::#m),
            None => quote!(#m),
        };
        decoders.push(quote!(__p::boxed::<#path::Row>));
        let t = table_tokens(table, m, schema, &keys, overrides, &aliases, &enum_names);
        by_schema
            .entry(table.name.schema.as_str())
            .or_default()
            .push(t);
    }
    let public = by_schema.remove("public").unwrap_or_default();
    let others = by_schema.into_iter().map(|(s, tables)| {
        let m = inner.get(s).map(|(m, _)| m.clone());
        let doc = format!("Tables of schema `{s}`.");
        quote! {
            #[doc = #doc]
            pub mod #m {
                // What the tables' modules import from `super`; their types
                // name `super::enums`.
                #[allow(unused_imports)]
                use super::{__p, __pgcheck, enums, Into, Option, Result #(, #aliases)*};
                #(#tables)*
            }
        }
    });
    // The inside of `schema`: see [`wrap`]. The tables' modules name the
    // runtime's re-exports through `__p` and these std items by their short
    // names, imported here once by absolute path rather than spelled out at
    // every use.
    let tokens = quote! {
            #[allow(unused_imports)]
            use __pgcheck::__private as __p;
            #[allow(unused_imports)]
            use ::core::{convert::Into, option::Option, result::Result};

            /// PostgreSQL enum types.
            pub mod enums {
                #[allow(unused_imports)]
                use super::__pgcheck;
                #(#enums)*
            }
            #(#public)*
            #(#others)*

            /// Every table that has a module here, as (schema, name).
            pub const TABLES: &[(&str, &str)] = &[#(#listed),*];

            /// The decoder of each table of [`TABLES`], in the same order.
            const DECODERS: &[__p::Decoder] = &[#(#decoders),*];

            /// Decodes a row of the named table into that table's `Row`, for tools
            /// that walk every table; `None` for a table not listed in [`TABLES`].
            // A lookup in two arrays rather than a `match` of one arm per table:
            // the compiler checks a body of 1,000 string arms in seconds. Inline,
            // so the decoders are compiled only into a crate that calls it.
            #[inline]
            pub fn decode(
                schema: &str,
                table: &str,
                row: &__p::postgres::Row,
            ) -> Option<Result<::std::boxed::Box<dyn ::core::fmt::Debug>, __p::postgres::Error>> {
                __p::decode_table(TABLES, DECODERS, schema, table, row)
            }
    };
    Expanded { tokens }
}

/// The name under which `schema` imports the `i`th of the `derive(..)`
/// argument's derives.
fn derive_alias(i: usize) -> Ident {
    format_ident!("__pgcheck_derive_{i}")
}

/// `pub mod schema` around what [`expand`] made. Its code names the runtime
/// through `__pgcheck`, which is `krate` (`$crate` of the runtime's wrapper
/// macro) imported once here, and `use super::__pgcheck` in each module
/// below: so the expansion cache keeps that code as text and gives it back
/// without a pass over its tokens (millions for 1,000 tables), which the
/// registry's `::migrate_runtime` paths need (`runtime_path` in lib.rs).
/// The `derive(..)` argument's derives are imported here the same way, under
/// aliases, so that a derive that does not resolve is the same error
/// ("unresolved import", naming it) whether the expansion was cached or not:
/// in the cached text its tokens would have lost their spans.
pub fn wrap(inside: TokenStream, krate: &TokenStream, derives: &[syn::Path]) -> TokenStream {
    let imports = derives.iter().enumerate().map(|(i, path)| {
        let alias = derive_alias(i);
        quote!(#[allow(unused_imports)] use #path as #alias;)
    });
    quote! {
        /// The tables and types the migrations create, as Rust types.
        #[allow(clippy::all, dead_code)]
        pub mod schema {
            #[allow(unused_imports)]
            use #krate as __pgcheck;
            #(#imports)*
            #inside
        }
    }
}

fn column_doc(c: &Column) -> String {
    let mut s = format!("`{}` `{}`", c.name, c.ty);
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if c.has_default {
        s.push_str(", has a default");
    }
    if c.identity.is_some() {
        s.push_str(", identity");
    }
    if c.generated {
        s.push_str(", generated");
    }
    s
}

fn table_tokens(
    table: &Table,
    module: &Ident,
    schema: &Schema,
    keys: &BTreeMap<String, String>,
    overrides: &BTreeMap<String, syn::Type>,
    aliases: &[Ident],
    enums: &EnumNames,
) -> TokenStream {
    let p = quote!(__p);
    let derive = quote!(#[derive(Debug #(, #aliases)*)]);
    // The fields of Row and Insert: one per column, distinct.
    let fields = Scope::snake(&[]).snake_idents(table.columns.iter().map(|c| c.name.as_str()));
    let table_name = &table.name.name;
    let schema_name = &table.name.schema;
    // Quoted as the runtime's sql::ident quotes (postgres-protocol's port of
    // PQescapeIdentifier), by hand: the macro does not link postgres-protocol
    // and its crypto dependencies for one replace.
    let qualified = format!(
        "\"{}\".\"{}\"",
        table.name.schema.replace('"', "\"\""),
        table.name.name.replace('"', "\"\"")
    );

    let mut row_fields = Vec::new();
    // Row::from_row decodes (field, column name) pairs in chunks.
    let mut row_reads: Vec<(Ident, &str)> = Vec::new();
    let mut insert_fields = Vec::new();
    // Insert::insert: the column names and their values, `None` when unset.
    let mut insert_names = Vec::new();
    let mut insert_values = Vec::new();
    // `Insert::new(required...)`: the required columns in table order, and the
    // optional ones as `None`. There are no `with_<column>` setters: struct
    // update syntax (`Insert { note: Some(..), ..Insert::new(..) }`) sets an
    // optional column as well, and generates no code; one setter per optional
    // column was a sixth of the build time of the table types.
    let mut new_params = Vec::new();
    let mut new_inits = Vec::new();
    let mut name_consts = Vec::new();
    let mut consts_seen: Vec<String> = Vec::new();
    let mut left_out: Vec<String> = Vec::new();
    let mut insertable = true;
    for (c, f) in table.columns.iter().zip(fields) {
        let col_name = &c.name;
        let doc = column_doc(c);
        // The name constants do not depend on the Rust type.
        let mut const_name = snake_ident(&c.name).to_ascii_uppercase();
        while consts_seen.contains(&const_name) {
            const_name.push('_');
        }
        consts_seen.push(const_name.clone());
        let const_name = format_ident!("{}", const_name);
        name_consts.push(quote! { #[doc = #doc] pub const #const_name: &str = #col_name; });

        let base = match rust_type(&c.ty, schema, keys) {
            Ok(t) => type_tokens(&t, overrides, enums),
            Err(_) => {
                // PostgreSQL accepts the column, so the build must not fail on
                // it: it stays out of Row (and Insert), and the module says so.
                // A table whose Insert would need it gets no Insert.
                left_out.push(format!("`{}` ({})", c.name, c.ty));
                if !c.generated && !c.optional_on_insert() {
                    insertable = false;
                }
                continue;
            }
        };
        let nullable = c.nullable && !domain_not_null(&c.ty, schema);
        let row_ty = if nullable {
            quote!(Option<#base>)
        } else {
            base.clone()
        };
        row_fields.push(quote! { #[doc = #doc] pub #f: #row_ty, });
        row_reads.push((f.clone(), col_name.as_str()));
        // Generated and GENERATED ALWAYS identity columns take no value; a
        // column NULL may not go in (its domain's NOT NULL too) is required
        // unless it has a default or an identity.
        let always = c.identity == Some(migrate_core::model::schema::Identity::Always);
        if !c.generated && !always {
            let cast = insert_cast(&c.ty, schema).unwrap_or_default();
            insert_names.push(quote!((#col_name, #cast)));
            if nullable || c.has_default || c.identity.is_some() {
                insert_fields.push(quote! { #[doc = #doc] pub #f: Option<#base>, });
                new_inits.push(quote! { #f: Option::None, });
                insert_values.push(quote!(#p::optional(&self.#f)));
            } else {
                insert_fields.push(quote! { #[doc = #doc] pub #f: #base, });
                new_params.push(quote! { #f: impl Into<#base> });
                new_inits.push(quote! { #f: #f.into(), });
                insert_values.push(quote!(#p::required(&self.#f)));
            }
        }
    }
    let all_names = table.columns.iter().map(|c| &c.name);
    // One generic call per chunk of columns (the runtime's `decode` takes
    // tuples of up to its MAX_DECODE = 16), into locals `c0`, `c1`, ... (not
    // the fields' names: a column named `row` would hide the argument).
    let locals: Vec<Ident> = (0..row_reads.len())
        .map(|i| format_ident!("c{i}"))
        .collect();
    let decodes = row_reads
        .chunks(16)
        .zip(locals.chunks(16))
        .map(|(cols, locals)| {
            let names = cols.iter().map(|(_, n)| n);
            quote! { let (#(#locals,)*) = #p::decode(row, &[#(#names),*])?; }
        });
    let row_fields_read = row_reads.iter().map(|(f, _)| f);
    let mut doc = format!(
        "Table `{}`: {} columns.\n\n{}",
        table.name,
        table.columns.len(),
        table
            .columns
            .iter()
            .map(|c| format!("- {}", column_doc(c)))
            .collect::<Vec<_>>()
            .join("\n")
    );
    if !left_out.is_empty() {
        doc.push_str(&format!(
            "\n\nLeft out of `Row`{} because their types have no Rust mapping: {}. \
             Map them with `embed_migrations!(.., types(\"type\" => YourType))`.",
            if insertable {
                " and `Insert`"
            } else {
                ", and no `Insert`,"
            },
            left_out.join(", ")
        ));
    }
    let insert = insertable.then(|| {
        quote! {
            __pgcheck::__pgcheck_serde_derive! {
                #[doc = "A new row: columns with a default, an identity or NULL allowed are optional (`None` leaves them to PostgreSQL); generated columns and `GENERATED ALWAYS` identities are absent.\n\nBuild it with [`Insert::new`] and set optional columns with struct update syntax (`Insert { column: Some(..), ..Insert::new(..) }`): code written so keeps compiling when a migration adds a column that is optional on insert, where a struct literal that names every field stops compiling."]
                #derive
                pub struct Insert {
                    #(#insert_fields)*
                }
            }

            impl Insert {
                #[doc = "A row with the required columns (NOT NULL, no default), in table order; every optional column is left to PostgreSQL."]
                #[allow(clippy::too_many_arguments)]
                pub fn new(#(#new_params),*) -> Self {
                    Insert { #(#new_inits)* }
                }

                #[doc = "Inserts the row and returns it as stored (defaults filled in).\n\n# Errors\n\nPostgreSQL refused the row (a constraint, a missing reference)."]
                pub fn insert<C: #p::postgres::GenericClient>(&self, client: &mut C) -> Result<Row, #p::postgres::Error> {
                    #p::insert(client, #qualified, &[#(#insert_names),*], &[#(#insert_values),*], Row::from_row)
                }
            }

            __pgcheck::__pgcheck_if_tokio_postgres! {
                impl Insert {
                    #[doc = "[`Insert::insert`] on a `tokio_postgres` client or transaction (from a pool, the client the connection derefs to).\n\n# Errors\n\nPostgreSQL refused the row (a constraint, a missing reference)."]
                    pub async fn insert_async<C: #p::tokio_postgres::GenericClient>(&self, client: &C) -> Result<Row, #p::postgres::Error> {
                        #p::insert_async(client, #qualified, &[#(#insert_names),*], &[#(#insert_values),*], Row::from_row).await
                    }
                }
            }
        }
    });
    quote! {
        #[doc = #doc]
        pub mod #module {
            // `__p` is also what the serde derives name (`__pgcheck_serde_derive`).
            #[allow(unused_imports)]
            use super::{__p, __pgcheck, Into, Option, Result #(, #aliases)*};

            /// The table's name.
            pub const TABLE: &str = #table_name;
            /// The table's schema.
            pub const SCHEMA: &str = #schema_name;

            #[doc = "Column names (a `&'static str` is a sea-query identifier as it is)."]
            pub mod columns {
                #(#name_consts)*
            }

            /// Every column's name, in table order.
            pub const COLUMNS: &[&str] = &[#(#all_names),*];

            __pgcheck::__pgcheck_serde_derive! {
                #[doc = "One row, every column; decoded by column name, so `SELECT *` and column order do not matter."]
                #derive
                pub struct Row {
                    #(#row_fields)*
                }
            }

            impl Row {
                #[doc = "Decodes a row by column name.\n\n# Errors\n\nA column is missing from the row or has another type."]
                pub fn from_row(row: &#p::postgres::Row) -> Result<Self, #p::postgres::Error> {
                    #(#decodes)*
                    Ok(Row { #(#row_fields_read: #locals),* })
                }
            }

            impl ::core::convert::TryFrom<&#p::postgres::Row> for Row {
                type Error = #p::postgres::Error;
                fn try_from(row: &#p::postgres::Row) -> Result<Self, Self::Error> {
                    Row::from_row(row)
                }
            }

            #insert

        }
    }
}
