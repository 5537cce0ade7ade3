//! migrate-core's runtime values written out as constants: the one place the
//! macro says how a `Migration`, `Script` or `Seed` is embedded, so the values
//! it embeds are the ones directory mode builds from the same files.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use migrate_core::migration::{Migration, Script, Seed};

use crate::paths::Located;

/// A value to embed, with where its files are: the text is embedded with
/// `include_str!` (which also makes cargo rebuild when a file is edited),
/// not as a literal.
pub struct Embed<'a, T> {
    pub value: &'a T,
    pub located: &'a Located,
}

impl<'a, T> Embed<'a, T> {
    pub fn new(value: &'a T, located: &'a Located) -> Self {
        Embed { value, located }
    }

    fn with<U>(&self, value: &'a U) -> Embed<'a, U> {
        Embed::new(value, self.located)
    }
}

/// `Some(x)` or `None`, with the prelude's paths spelled out.
fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

impl ToTokens for Embed<'_, Script> {
    fn to_tokens(&self, out: &mut TokenStream) {
        let s = self.value;
        let path = s.path.as_ref();
        let abs = self.located.absolute(path);
        let checksum = s.checksum.as_ref();
        let transactional = s.transactional;
        let ranges = s.statements.iter().map(|&(a, b)| quote!((#a, #b)));
        out.extend(quote! {
            ::migrate_runtime::__private::Script::embedded(
                #path, include_str!(#abs), #checksum, #transactional, &[#(#ranges),*],
            )
        });
    }
}

impl ToTokens for Embed<'_, Migration> {
    fn to_tokens(&self, out: &mut TokenStream) {
        let m = self.value;
        let version = m.version.get();
        let name = m.name.as_ref();
        let up = self.with(&m.up);
        let down = option(m.down.as_ref().map(|d| self.with(d).into_token_stream()));
        let irreversible = m.irreversible;
        out.extend(quote! {
            ::migrate_runtime::__private::Migration::embedded(#version, #name, #up, #down, #irreversible)
        });
    }
}

impl ToTokens for Embed<'_, Seed> {
    fn to_tokens(&self, out: &mut TokenStream) {
        let s = self.value;
        let name = s.name.as_ref();
        let path = s.path.as_ref();
        let abs = self.located.absolute(path);
        out.extend(quote! {
            ::migrate_runtime::__private::Seed::embedded(#name, #path, include_str!(#abs))
        });
    }
}

impl ToTokens for Embed<'_, Option<Seed>> {
    fn to_tokens(&self, out: &mut TokenStream) {
        out.extend(option(
            self.value
                .as_ref()
                .map(|s| self.with(s).into_token_stream()),
        ));
    }
}
