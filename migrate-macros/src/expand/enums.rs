//! One Rust enum per PostgreSQL enum, in the `schema` module's `enums`.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use migrate_core::model::rust::pascal_ident;
use migrate_core::model::schema::QualName;

use super::names::Scope;

/// The Rust name of each PostgreSQL enum type, in the `enums` module:
/// `VmState` for `vm_state`, `BillingVmState` for `billing.vm_state`, and a
/// number after one that another already has (`"VmState"`: `VmState2`).
pub(super) fn enum_names<'a>(
    enums: impl Iterator<Item = &'a QualName>,
) -> BTreeMap<QualName, Ident> {
    // `__pgcheck` is what the module imports.
    let mut scope = Scope::pascal(&["__pgcheck"]);
    enums
        .map(|q| {
            let base = if q.schema == "public" {
                pascal_ident(&q.name)
            } else {
                format!("{}{}", pascal_ident(&q.schema), pascal_ident(&q.name))
            };
            (q.clone(), format_ident!("{}", scope.give(&base)))
        })
        .collect()
}

pub(super) fn enum_tokens(q: &QualName, id: &Ident, labels: &[String]) -> TokenStream {
    let mut scope = Scope::pascal(&[]);
    let variants: Vec<Ident> = labels
        .iter()
        .map(|l| format_ident!("{}", scope.give(&pascal_ident(l))))
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

        // `String`, not `Self::Err`: a label `err` is a variant `Err`, which
        // `Self::Err` would also name.
        impl ::core::str::FromStr for #id {
            type Err = ::std::string::String;
            fn from_str(s: &str) -> ::core::result::Result<Self, ::std::string::String> {
                match s {
                    #(#labels => ::core::result::Result::Ok(#id::#variants),)*
                    other => ::core::result::Result::Err(::std::format!("{other:?} is not a label of enum {}", #type_name)),
                }
            }
        }

        impl<'a> #p::postgres_types::FromSql<'a> for #id {
            fn from_sql(
                _: &#p::postgres_types::Type,
                raw: &'a [u8],
            ) -> ::core::result::Result<Self, ::std::boxed::Box<dyn ::std::error::Error + ::core::marker::Sync + ::core::marker::Send>> {
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
            ) -> ::core::result::Result<#p::postgres_types::IsNull, ::std::boxed::Box<dyn ::std::error::Error + ::core::marker::Sync + ::core::marker::Send>> {
                out.extend_from_slice(self.as_str().as_bytes());
                ::core::result::Result::Ok(#p::postgres_types::IsNull::No)
            }
            fn accepts(ty: &#p::postgres_types::Type) -> bool {
                ty.name() == #type_name
            }
            // By hand: postgres-types' to_sql_checked!() names `Box` as it
            // is, which an enum type named `box` would be here.
            fn to_sql_checked(
                &self,
                ty: &#p::postgres_types::Type,
                out: &mut #p::bytes::BytesMut,
            ) -> ::core::result::Result<#p::postgres_types::IsNull, ::std::boxed::Box<dyn ::std::error::Error + ::core::marker::Sync + ::core::marker::Send>> {
                if !<Self as #p::postgres_types::ToSql>::accepts(ty) {
                    return ::core::result::Result::Err(::std::boxed::Box::new(
                        #p::postgres_types::WrongType::new::<Self>(ty.clone()),
                    ));
                }
                #p::postgres_types::ToSql::to_sql(self, ty, out)
            }
        }
    }
}
