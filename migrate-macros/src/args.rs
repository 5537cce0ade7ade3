//! The macro's arguments: `"dir"`, then `seeds = "dir"`, `require_down = bool`,
//! `types("pg type" => RustType, ...)`, `postgres = "15"`, `derive(Trait, ...)`.

use syn::parse::{Parse, ParseStream};
use syn::{LitBool, LitStr, Token, Type};

/// The parsed arguments of one `embed_migrations!` call.
pub struct Args {
    /// The path of the runtime crate that generated code names (`$crate` of the
    /// runtime's wrapper macro, so a renamed dependency still works).
    pub krate: proc_macro2::TokenStream,
    pub dir: LitStr,
    pub seeds: Option<LitStr>,
    pub require_down: bool,
    /// Lint findings of level error become compile errors.
    pub deny_lints: bool,
    /// Generate `schema` (the table types); `tables = false` embeds the registry only.
    pub tables: bool,
    pub types: Vec<(LitStr, Type)>,
    /// Derives for every `Row` and `Insert` besides `Debug`, which they always
    /// have (`derive(Clone, PartialEq)`): each derive costs compile time in
    /// every table, so a schema pays only for those its code uses.
    pub derives: Vec<syn::Path>,
    /// The oldest PostgreSQL the migrations must run on (`postgres = "15"`).
    pub postgres: migrate_core::check::version::PgVersion,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        // `[$crate]`, put first by the runtime's `embed_migrations!`; a direct
        // call of this crate's macro names the runtime by its crates.io name.
        let krate = if input.peek(syn::token::Bracket) {
            let content;
            syn::bracketed!(content in input);
            content.parse()?
        } else {
            quote::quote!(::pgcheck)
        };
        let dir: LitStr = input.parse()?;
        let mut args = Args {
            krate,
            dir,
            seeds: None,
            require_down: true,
            deny_lints: false,
            tables: true,
            types: Vec::new(),
            derives: Vec::new(),
            postgres: migrate_core::check::version::PgVersion::default(),
        };
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let key: syn::Ident = input.parse()?;
            match key.to_string().as_str() {
                "seeds" => {
                    input.parse::<Token![=]>()?;
                    args.seeds = Some(input.parse()?);
                }
                "require_down" => {
                    input.parse::<Token![=]>()?;
                    args.require_down = input.parse::<LitBool>()?.value;
                }
                "deny_lints" => args.deny_lints = true,
                "postgres" => {
                    input.parse::<Token![=]>()?;
                    let lit: LitStr = input.parse()?;
                    args.postgres = migrate_core::check::version::PgVersion::parse(&lit.value())
                        .map_err(|e| syn::Error::new(lit.span(), e))?;
                }
                "tables" => {
                    input.parse::<Token![=]>()?;
                    args.tables = input.parse::<LitBool>()?.value;
                }
                "types" => {
                    let content;
                    syn::parenthesized!(content in input);
                    while !content.is_empty() {
                        let pg: LitStr = content.parse()?;
                        content.parse::<Token![=>]>()?;
                        let ty: Type = content.parse()?;
                        args.types.push((pg, ty));
                        if content.is_empty() {
                            break;
                        }
                        content.parse::<Token![,]>()?;
                    }
                }
                "derive" => {
                    let content;
                    syn::parenthesized!(content in input);
                    let paths = content.parse_terminated(syn::Path::parse_mod_style, Token![,])?;
                    for path in paths {
                        // `Debug` is always derived: naming it again is no error.
                        if path.segments.last().is_none_or(|s| s.ident != "Debug") {
                            args.derives.push(path);
                        }
                    }
                }
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown argument `{other}`; expected `seeds = \"dir\"`, `require_down = false`, `deny_lints`, `tables = false`, `types(\"pg type\" => RustType)`, `postgres = \"15\"` or `derive(Clone, PartialEq)`"
                        ),
                    ));
                }
            }
        }
        Ok(args)
    }
}
