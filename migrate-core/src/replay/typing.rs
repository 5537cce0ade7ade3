//! Types: resolving a written type to a built-in, a user type or an extension's.

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, a_const};

use super::strings;
use crate::diag::did_you_mean;
use crate::model::apply::Applier;
use crate::model::types::{self, BUILTINS, SqlType};

impl Applier<'_> {
    // ---- types ------------------------------------------------------------

    /// Resolves a written type; `None` (after reporting) when it does not exist.
    pub(super) fn resolve_type(&mut self, tn: &pb::TypeName) -> Option<(SqlType, bool)> {
        let (names, modifiers) = written(tn);
        let array_dims = tn.array_bounds.len() as u32;
        if tn.pct_type {
            return None;
        }
        if let [one] = names.as_slice()
            && let Some(b) = types::resolve_builtin(one)
        {
            let ty = SqlType {
                schema: None,
                name: b.name.to_owned(),
                modifiers,
                array_dims,
            };
            return Some((ty, b.serial));
        }
        let user = self
            .resolve_list(&names, &self.schema.enums)
            .or_else(|| self.resolve_list(&names, &self.schema.domains))
            .or_else(|| self.resolve_list(&names, &self.schema.composites))
            .or_else(|| self.resolve_list(&names, &self.schema.other_types))
            .or_else(|| self.resolve_list(&names, &self.schema.tables));
        if let Some(q) = user {
            let ty = SqlType {
                schema: Some(q.schema),
                name: q.name,
                modifiers,
                array_dims,
            };
            return Some((ty, false));
        }
        let last = names.last().cloned().unwrap_or_default();
        let from_extension = self
            .schema
            .extensions
            .iter()
            .any(|e| types::extension_types(e).is_some_and(|t| t.contains(&last.as_str())));
        let unknown_extension = self
            .schema
            .extensions
            .iter()
            .any(|e| types::extension_types(e).is_none());
        if from_extension || unknown_extension {
            let ty = SqlType {
                schema: Some(match names.as_slice() {
                    [schema, _, ..] => schema.clone(),
                    _ => "public".to_owned(),
                }),
                name: last,
                modifiers,
                array_dims,
            };
            return Some((ty, false));
        }
        let written = names.join(".");
        let mut candidates: Vec<String> = BUILTINS.iter().map(|b| b.display.to_owned()).collect();
        candidates.extend(
            [
                "integer",
                "bigint",
                "serial",
                "bigserial",
                "boolean",
                "citext",
            ]
            .map(String::from),
        );
        candidates.extend(self.schema.enums.keys().map(|k| k.to_string()));
        candidates.extend(self.schema.domains.keys().map(|k| k.to_string()));
        let mut help = did_you_mean(&written, candidates.iter().map(String::as_str))
            .map(|c| format!("did you mean \"{c}\"?"));
        if help.is_none() && last == "citext" {
            help = Some("run CREATE EXTENSION citext in an earlier statement".to_owned());
        }
        let help = help.or_else(|| {
            Some("use a built-in type, or create it (CREATE TYPE, CREATE DOMAIN, CREATE EXTENSION) first".to_owned())
        });
        self.error_at(
            Some(tn.location),
            format!("type \"{written}\" does not exist"),
            help,
        );
        None
    }
}

/// A written type's name (without `pg_catalog.`) and its integer modifiers
/// (`varchar(40)`, `numeric(10,2)`).
pub(super) fn written(tn: &pb::TypeName) -> (Vec<String>, Vec<i64>) {
    let mut names = strings(&tn.names);
    if names.len() > 1 && names.first().map(String::as_str) == Some("pg_catalog") {
        names.remove(0);
    }
    let modifiers = tn
        .typmods
        .iter()
        .filter_map(|m| match &m.node {
            Some(NodeEnum::AConst(c)) => match &c.val {
                Some(a_const::Val::Ival(i)) => Some(i64::from(i.ival)),
                _ => None,
            },
            _ => None,
        })
        .collect();
    (names, modifiers)
}
