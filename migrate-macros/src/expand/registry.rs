//! The registry static and one constant per version.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use migrate_core::SourceMigration;
use migrate_core::migration::Migration;

use super::embed::Embed;
use crate::paths::Located;

/// `V000001_INIT_SCHEMA`: the migration's label (the version with the
/// digits its file name gives it), upper case, as an identifier.
fn version_const_name(m: &Migration) -> String {
    let label: String = m
        .label()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("V{label}")
}

pub fn expand(migrations: &[SourceMigration], located: &Located, target: u32) -> TokenStream {
    let migrations: Vec<Migration> = migrations.iter().map(Migration::from_source).collect();
    let entries = migrations.iter().map(|m| Embed::new(m, located));
    let consts = migrations.iter().map(|m| {
        let ident = format_ident!("{}", version_const_name(m));
        let version = m.version.get();
        let doc = format!("Version of `{}`.", m.up.path);
        quote! {
            #[doc = #doc]
            pub const #ident: ::migrate_runtime::__private::Version =
                ::migrate_runtime::__private::Version::new(#version);
        }
    });
    let dir = &located.display;
    let doc = format!(
        "The migrations of `{dir}`, parsed and checked when this crate was compiled, oldest first."
    );
    let count = migrations.len();
    let source = located.dir().to_string_lossy().into_owned();
    quote! {
        #[doc = #doc]
        pub static MIGRATIONS: ::migrate_runtime::__private::Registry = {
            // A static of its own: an array of const fn calls is not promoted to
            // 'static the way a literal would be.
            static ALL: [::migrate_runtime::__private::Migration; #count] = [#(#entries),*];
            ::migrate_runtime::__private::Registry::from_static(&ALL)
                .checked_for(#target)
                .embedded_from(#source)
        };

        /// One constant per migration version, so code that names a target version
        /// is checked by the compiler.
        pub mod versions {
            #(#consts)*
        }
    }
}
