//! The registry static and one constant per version.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use migrate_core::SourceMigration;
use migrate_core::source::load::SqlFile;

use crate::paths::Located;

fn script(file: &SqlFile, located: &Located) -> TokenStream {
    let path = &file.path;
    let abs = located.absolute(&file.path);
    let checksum = &file.checksum;
    let transactional = file.transactional;
    let ranges = file.spans.iter().map(|&(a, b)| quote!((#a, #b)));
    // include_str! also makes cargo rebuild when the file is edited.
    quote! {
        ::migrate_runtime::__private::Script::embedded(
            #path, include_str!(#abs), #checksum, #transactional, &[#(#ranges),*],
        )
    }
}

/// `V000001_INIT_SCHEMA`: the digits as written in the file name.
pub fn version_const_name(m: &SourceMigration) -> String {
    let digits =
        m.up.path
            .rsplit('/')
            .next()
            .and_then(|f| f.split('_').next())
            .unwrap_or_default();
    let name: String = m
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("V{digits}_{name}")
}

pub fn expand(migrations: &[SourceMigration], located: &Located, target: u32) -> TokenStream {
    let entries = migrations.iter().map(|m| {
        let version = m.version;
        let name = &m.name;
        let up = script(&m.up, located);
        let irreversible = m.down.as_ref().is_some_and(|d| d.irreversible);
        let down = match m.down.as_ref().filter(|d| !d.irreversible) {
            Some(d) => {
                let s = script(d, located);
                quote!(::core::option::Option::Some(#s))
            }
            None => quote!(::core::option::Option::None),
        };
        quote! {
            ::migrate_runtime::__private::Migration::embedded(#version, #name, #up, #down, #irreversible)
        }
    });
    let consts = migrations.iter().map(|m| {
        let ident = format_ident!("{}", version_const_name(m));
        let version = m.version;
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
