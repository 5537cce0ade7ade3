//! The seeds static.

use proc_macro2::TokenStream;
use quote::quote;

use migrate_core::migration::Seeds;

use super::embed::Embed;
use crate::paths::Located;

pub fn expand(seeds: &Seeds, located: &Located) -> TokenStream {
    let files = seeds.files.iter().map(|f| Embed::new(f, located));
    let clean = Embed::new(&seeds.clean, located);
    let count = seeds.files.len();
    quote! {
        /// The seed files, checked against the schema the migrations build, in the
        /// order they run; `clean` removes their rows.
        pub static SEEDS: ::migrate_runtime::__private::Seeds = {
            // A static of its own: an array of const fn calls is not promoted to
            // 'static the way a literal would be.
            static FILES: [::migrate_runtime::__private::Seed; #count] = [#(#files),*];
            ::migrate_runtime::__private::Seeds::from_static(&FILES, #clean)
        };
    }
}
