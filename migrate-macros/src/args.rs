//! The macro's arguments: `"dir"`, then `seeds = "dir"`, `require_down = bool`,
//! `types("pg type" => RustType, ...)`.

use syn::parse::{Parse, ParseStream};
use syn::{LitBool, LitStr, Token, Type};

pub struct Args {
    pub dir: LitStr,
    pub seeds: Option<LitStr>,
    pub require_down: bool,
    /// Lint findings of level error become compile errors.
    pub deny_lints: bool,
    /// Generate `schema` (the table types); `tables = false` embeds the registry only.
    pub tables: bool,
    pub types: Vec<(LitStr, Type)>,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let dir: LitStr = input.parse()?;
        let mut args = Args {
            dir,
            seeds: None,
            require_down: true,
            deny_lints: false,
            tables: true,
            types: Vec::new(),
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
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown argument `{other}`; expected `seeds = \"dir\"`, `require_down = false`, `deny_lints`, `tables = false` or `types(\"pg type\" => RustType)`"
                        ),
                    ));
                }
            }
        }
        Ok(args)
    }
}
