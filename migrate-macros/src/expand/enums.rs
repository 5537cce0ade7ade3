//! One Rust enum per PostgreSQL enum, in the `schema` module's `enums`.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use migrate_core::model::rust::pascal_ident;
use migrate_core::model::schema::QualName;

/// Enum path for a PostgreSQL enum type.
pub(super) fn enum_ident(q: &QualName) -> Ident {
    if q.schema == "public" {
        format_ident!("{}", pascal_ident(&q.name))
    } else {
        format_ident!("{}{}", pascal_ident(&q.schema), pascal_ident(&q.name))
    }
}

pub(super) fn enum_tokens(q: &QualName, labels: &[String]) -> TokenStream {
    let id = enum_ident(q);
    let mut seen = Vec::new();
    let variants: Vec<Ident> = labels
        .iter()
        .map(|l| {
            let mut v = pascal_ident(l);
            while seen.contains(&v) {
                v.push('_');
            }
            seen.push(v.clone());
            format_ident!("{}", v)
        })
        .collect();
    let type_name = &q.name;
    let doc = format!(
        "PostgreSQL enum `{q}`: {}.",
        labels
            .iter()
            .map(|l| format!("`{l}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let p = quote!(__pgcheck::__private);
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #id {
            #( #[doc = #labels] #variants, )*
        }

        impl #id {
            /// Every label, in the type's order.
            pub const ALL: &'static [#id] = &[#(#id::#variants),*];

            /// The label as PostgreSQL stores it.
            pub const fn as_str(self) -> &'static str {
                match self { #(#id::#variants => #labels,)* }
            }
        }

        impl ::core::fmt::Display for #id {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::str::FromStr for #id {
            type Err = ::std::string::String;
            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                match s {
                    #(#labels => Ok(#id::#variants),)*
                    other => Err(::std::format!("{other:?} is not a label of enum {}", #type_name)),
                }
            }
        }

        impl<'a> #p::postgres_types::FromSql<'a> for #id {
            fn from_sql(
                _: &#p::postgres_types::Type,
                raw: &'a [u8],
            ) -> ::core::result::Result<Self, ::std::boxed::Box<dyn ::std::error::Error + Sync + Send>> {
                let s = ::core::str::from_utf8(raw)?;
                s.parse().map_err(::core::convert::Into::into)
            }
            fn accepts(ty: &#p::postgres_types::Type) -> bool {
                ty.name() == #type_name
            }
        }

        __pgcheck::__pgcheck_if_serde! {
            impl #p::serde::Serialize for #id {
                fn serialize<S: #p::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                    s.serialize_str(self.as_str())
                }
            }

            impl<'de> #p::serde::Deserialize<'de> for #id {
                fn deserialize<D: #p::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                    let s = <::std::string::String as #p::serde::Deserialize>::deserialize(d)?;
                    s.parse().map_err(<D::Error as #p::serde::de::Error>::custom)
                }
            }
        }

        impl #p::postgres_types::ToSql for #id {
            fn to_sql(
                &self,
                _: &#p::postgres_types::Type,
                out: &mut #p::bytes::BytesMut,
            ) -> ::core::result::Result<#p::postgres_types::IsNull, ::std::boxed::Box<dyn ::std::error::Error + Sync + Send>> {
                out.extend_from_slice(self.as_str().as_bytes());
                Ok(#p::postgres_types::IsNull::No)
            }
            fn accepts(ty: &#p::postgres_types::Type) -> bool {
                ty.name() == #type_name
            }
            #p::postgres_types::to_sql_checked!();
        }
    }
}
