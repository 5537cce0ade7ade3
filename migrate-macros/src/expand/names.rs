//! The Rust names the generated code gives SQL names: distinct within their
//! scope, and never a name the generated code itself uses there. SQL names
//! that differ only in case or punctuation (`a` and `"A"`, `user_id` and
//! `"user-id"`), a table named `enums`, a schema named like a table, two
//! enum types `vm_state` and `"VmState"`: each would be a Rust item defined
//! twice, a build that fails on migrations PostgreSQL accepts.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span};

use migrate_core::model::rust::{is_keyword, snake_ident};

/// The names given in one scope (a module's items, a struct's fields).
pub(super) struct Scope {
    taken: BTreeSet<String>,
    /// What goes between a name and its number: `_` for snake case, nothing
    /// for PascalCase (`VmState2`).
    joint: &'static str,
}

impl Scope {
    /// A scope of snake-case names where `reserved` are taken already.
    pub(super) fn snake(reserved: &[&str]) -> Self {
        Scope::with(reserved, "_")
    }

    /// A scope of PascalCase names where `reserved` are taken already.
    pub(super) fn pascal(reserved: &[&str]) -> Self {
        Scope::with(reserved, "")
    }

    fn with(reserved: &[&str], joint: &'static str) -> Self {
        Scope {
            taken: reserved.iter().map(|r| (*r).to_owned()).collect(),
            joint,
        }
    }

    /// `base`, or `base_2`, `base_3`, ... when that is taken; taken from now on.
    pub(super) fn give(&mut self, base: &str) -> String {
        let mut name = base.to_owned();
        let mut n = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{base}{}{n}", self.joint);
            n += 1;
        }
        name
    }

    /// [`Scope::give`] as an identifier, raw when it is a keyword.
    pub(super) fn ident(&mut self, base: &str) -> Ident {
        let name = self.give(base);
        if is_keyword(&name) {
            Ident::new_raw(&name, Span::call_site())
        } else {
            Ident::new(&name, Span::call_site())
        }
    }

    /// The snake-case identifiers of `sql` names, in order: a name that is
    /// its own snake case (`user_id`) keeps it before one that only becomes
    /// it (`"userId"`, `"User_ID"`), which gets a number.
    pub(super) fn snake_idents<'a>(&mut self, sql: impl Iterator<Item = &'a str>) -> Vec<Ident> {
        let bases: Vec<(String, bool)> = sql
            .map(|n| {
                let b = snake_ident(n);
                let exact = b == n;
                (b, exact)
            })
            .collect();
        let mut out: Vec<Option<Ident>> = vec![None; bases.len()];
        for pass in [true, false] {
            for (i, (b, exact)) in bases.iter().enumerate() {
                if *exact == pass {
                    out[i] = Some(self.ident(b));
                }
            }
        }
        out.into_iter().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_and_avoid_the_reserved() {
        let mut s = Scope::snake(&["enums"]);
        assert_eq!(s.give("a"), "a");
        assert_eq!(s.give("a"), "a_2");
        assert_eq!(s.give("a"), "a_3");
        assert_eq!(s.give("enums"), "enums_2");
        let mut p = Scope::pascal(&[]);
        assert_eq!(p.give("VmState"), "VmState");
        assert_eq!(p.give("VmState"), "VmState2");
        assert_eq!(Scope::snake(&[]).ident("type").to_string(), "r#type");
    }
}
