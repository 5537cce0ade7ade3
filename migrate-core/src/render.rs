//! The schema model as a diagram or a document: Mermaid ER, Graphviz DOT, or a
//! Markdown table per table.

use std::fmt::Write;

use crate::model::schema::{Column, ConstraintKind, Schema, Table};

/// The output formats of `novacron-db schema`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Mermaid `erDiagram`.
    Mermaid,
    /// Graphviz `dot`.
    Dot,
    /// A Markdown table per table.
    Markdown,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "mermaid" => Ok(Format::Mermaid),
            "dot" => Ok(Format::Dot),
            "markdown" | "md" => Ok(Format::Markdown),
            other => Err(format!(
                "unknown format {other:?}: use mermaid, dot or markdown"
            )),
        }
    }
}

/// Renders the user tables of `schema` (partitions and the version table left out).
pub fn render(schema: &Schema, format: Format) -> String {
    match format {
        Format::Mermaid => mermaid(schema),
        Format::Dot => dot(schema),
        Format::Markdown => markdown(schema),
    }
}

fn key_of(t: &Table, c: &Column) -> &'static str {
    let mut pk = false;
    let mut fk = false;
    let mut uk = false;
    for k in t.constraints.values() {
        match k {
            ConstraintKind::PrimaryKey { columns } if columns.contains(&c.name) => pk = true,
            ConstraintKind::ForeignKey { columns, .. } if columns.contains(&c.name) => fk = true,
            ConstraintKind::Unique { columns }
                if columns.as_slice() == std::slice::from_ref(&c.name) =>
            {
                uk = true
            }
            _ => {}
        }
    }
    match (pk, fk, uk) {
        (true, true, _) => "PK, FK",
        (true, false, _) => "PK",
        (false, true, _) => "FK",
        (false, false, true) => "UK",
        _ => "",
    }
}

/// (from table, to table, columns, nullable) for every foreign key.
fn foreign_keys(schema: &Schema) -> Vec<(String, String, String, bool)> {
    let mut out = Vec::new();
    for t in schema.user_tables() {
        for k in t.constraints.values() {
            if let ConstraintKind::ForeignKey {
                columns,
                references,
                ..
            } = k
            {
                let nullable = columns
                    .iter()
                    .any(|c| t.column(c).is_some_and(|c| c.nullable));
                out.push((
                    t.name.to_string(),
                    references.to_string(),
                    columns.join(", "),
                    nullable,
                ));
            }
        }
    }
    out
}

/// A type as one Mermaid word: `varchar(255)` -> `varchar_255`, `text[]` -> `text_array`.
fn word(ty: &str) -> String {
    let t = ty.replace("[]", "_array");
    let mut out: String = t
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    out.trim_matches('_').to_owned()
}

fn mermaid(schema: &Schema) -> String {
    let mut s = String::from("erDiagram\n");
    for t in schema.user_tables() {
        let _ = writeln!(s, "    {} {{", word(&t.name.to_string()));
        for c in &t.columns {
            let key = key_of(t, c);
            let note = if c.nullable { "" } else { " \"not null\"" };
            let _ = writeln!(
                s,
                "        {} {}{}{}",
                word(&c.ty.to_string()),
                c.name,
                if key.is_empty() {
                    String::new()
                } else {
                    format!(" {key}")
                },
                note
            );
        }
        let _ = writeln!(s, "    }}");
    }
    for (from, to, cols, nullable) in foreign_keys(schema) {
        // Many rows of `from` point at one row of `to` (or none, when nullable).
        let right = if nullable { "o|" } else { "||" };
        let _ = writeln!(
            s,
            "    {} }}o--{right} {} : \"{cols}\"",
            word(&from),
            word(&to)
        );
    }
    s
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn dot(schema: &Schema) -> String {
    let mut s = String::from(
        "digraph schema {\n    graph [rankdir=LR, fontname=\"Helvetica\"];\n    node [shape=plaintext, fontname=\"Helvetica\", fontsize=10];\n    edge [arrowhead=crow, arrowtail=none, fontname=\"Helvetica\", fontsize=8];\n",
    );
    for t in schema.user_tables() {
        let _ = write!(
            s,
            "    \"{}\" [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\"><tr><td colspan=\"2\" bgcolor=\"#d9e5f2\"><b>{}</b></td></tr>",
            t.name,
            html(&t.name.to_string())
        );
        for c in &t.columns {
            let key = key_of(t, c);
            let name = if key.contains("PK") {
                format!("<u>{}</u>", html(&c.name))
            } else {
                html(&c.name)
            };
            let null = if c.nullable { "" } else { " not null" };
            let _ = write!(
                s,
                "<tr><td align=\"left\" port=\"{}\">{name}</td><td align=\"left\">{}{null}</td></tr>",
                html(&c.name),
                html(&c.ty.to_string())
            );
        }
        let _ = writeln!(s, "</table>>];");
    }
    for (from, to, cols, nullable) in foreign_keys(schema) {
        let style = if nullable { ", style=dashed" } else { "" };
        let _ = writeln!(s, "    \"{to}\" -> \"{from}\" [label=\"{cols}\"{style}];");
    }
    s.push_str("}\n");
    s
}

fn markdown(schema: &Schema) -> String {
    let mut s = String::new();
    for t in schema.user_tables() {
        let _ = writeln!(s, "### {}\n", t.name);
        let _ = writeln!(
            s,
            "| column | type | null | default | key |\n|---|---|---|---|---|"
        );
        for c in &t.columns {
            let default = if c.identity.is_some() {
                "identity"
            } else if c.generated {
                "generated"
            } else if c.has_default {
                "yes"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "| {} | `{}` | {} | {} | {} |",
                c.name,
                c.ty,
                if c.nullable { "yes" } else { "no" },
                default,
                key_of(t, c)
            );
        }
        let refs: Vec<String> = t
            .constraints
            .iter()
            .filter_map(|(n, k)| match k {
                ConstraintKind::ForeignKey {
                    columns,
                    references,
                    ref_columns,
                } => Some(format!(
                    "- `{n}`: ({}) → {references} ({})",
                    columns.join(", "),
                    ref_columns.join(", ")
                )),
                _ => None,
            })
            .collect();
        if !refs.is_empty() {
            let _ = writeln!(s, "\nForeign keys:\n\n{}", refs.join("\n"));
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::{ReplayFindings, replay_statements};
    use crate::sql::parse::parse;

    fn schema() -> Schema {
        let sql = "CREATE TABLE orgs (id uuid PRIMARY KEY, name varchar(64) NOT NULL UNIQUE);
                   CREATE TABLE vms (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs,
                                     node text, tags text[]);";
        let mut s = Schema::empty();
        let mut f = ReplayFindings::default();
        replay_statements(&mut s, "x.sql", sql, &parse("x.sql", sql).unwrap(), &mut f);
        assert!(f.errors.is_empty());
        s
    }

    #[test]
    fn mermaid_has_entities_keys_and_relations() {
        let m = render(&schema(), Format::Mermaid);
        assert!(m.starts_with("erDiagram\n"));
        assert!(m.contains("        varchar_64 name UK \"not null\""), "{m}");
        assert!(m.contains("        uuid org_id FK \"not null\""), "{m}");
        assert!(m.contains("        text_array tags\n"), "{m}");
        assert!(m.contains("    vms }o--|| orgs : \"org_id\""), "{m}");
    }

    #[test]
    fn dot_and_markdown() {
        let d = render(&schema(), Format::Dot);
        assert!(d.contains("\"orgs\" -> \"vms\" [label=\"org_id\"];"), "{d}");
        assert!(d.contains("<u>id</u>"));
        let md = render(&schema(), Format::Markdown);
        assert!(md.contains("### vms\n"));
        assert!(md.contains("| tags | `text[]` | yes |  |  |"), "{md}");
        assert!(
            md.contains("- `vms_org_id_fkey`: (org_id) → orgs (id)"),
            "{md}"
        );
    }
}
