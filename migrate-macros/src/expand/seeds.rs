//! The seeds static.

use proc_macro2::TokenStream;
use quote::quote;

use migrate_core::check::seeds::{SeedFile, Seeds};

use crate::paths::Located;

fn seed(f: &SeedFile, located: &Located) -> TokenStream {
    let name = &f.name;
    let path = &f.path;
    let abs = located.absolute(&f.path);
    quote! {
        ::migrate_runtime::__private::Seed {
            name: ::migrate_runtime::__private::Cow::Borrowed(#name),
            path: ::migrate_runtime::__private::Cow::Borrowed(#path),
            sql: ::migrate_runtime::__private::Cow::Borrowed(include_str!(#abs)),
        }
    }
}

pub fn expand(seeds: &Seeds, located: &Located) -> TokenStream {
    let files = seeds.files.iter().map(|f| seed(f, located));
    let clean = match &seeds.clean {
        Some(c) => {
            let s = seed(c, located);
            quote!(::core::option::Option::Some(#s))
        }
        None => quote!(::core::option::Option::None),
    };
    quote! {
        /// The seed files, checked against the schema the migrations build, in the
        /// order they run; `clean` removes their rows.
        pub static SEEDS: ::migrate_runtime::__private::Seeds =
            ::migrate_runtime::__private::Seeds::from_static(&[#(#files),*], #clean);
    }
}
