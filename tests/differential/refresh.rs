//! What the generator believes, read back from the server after each
//! statement: the tables, columns, indexes, views and the rest that exist.

use super::Beliefs;

impl Beliefs {
    /// Reads the catalogue (public schema): what exists now.
    pub fn refresh(&mut self, client: &mut postgres::Client) {
        let q = |client: &mut postgres::Client, sql: &str| -> Vec<(String, String)> {
            client
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect()
        };
        let cols = q(
            client,
            "SELECT CASE WHEN n.nspname = 'public' THEN '' ELSE n.nspname || '.' END || c.relname::text,
                    coalesce(a.attname::text, '') FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
               AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'
             ORDER BY 1, a.attnum",
        );
        self.tables.clear();
        for (t, c) in cols {
            match self.tables.last_mut() {
                Some((last, cs)) if *last == t => cs.push(c),
                _ => self
                    .tables
                    .push((t, if c.is_empty() { vec![] } else { vec![c] })),
            }
        }
        self.indexes = q(
            client,
            "SELECT indexname::text, '' FROM pg_indexes WHERE schemaname = 'public'",
        )
        .into_iter()
        .map(|(i, _)| i)
        .collect();
        self.views = q(
            client,
            "SELECT c.relname::text, '' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm')",
        )
        .into_iter()
        .map(|(v, _)| v)
        .collect();
        self.constraints = q(
            client,
            "SELECT c.relname::text, k.conname::text FROM pg_constraint k
             JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND k.contype IN ('c', 'u', 'f', 'p')",
        );
        self.types = q(
            client,
            "SELECT t.typname::text, '' FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = 'public' AND t.typtype = 'e'",
        )
        .into_iter()
        .map(|(t, _)| t)
        .collect();
        let names = |client: &mut postgres::Client, sql: &str| -> Vec<String> {
            q(client, sql).into_iter().map(|(n, _)| n).collect()
        };
        self.domains = names(
            client,
            "SELECT t.typname::text, '' FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = 'public' AND t.typtype = 'd'",
        );
        self.partitioned = names(
            client,
            "SELECT c.relname::text, '' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'p'",
        );
        self.sequences = names(
            client,
            "SELECT c.relname::text, '' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'S'",
        );
        self.children = client
            .query(
                "SELECT p.relname::text, c.relname::text, c.relispartition FROM pg_inherits i
                 JOIN pg_class p ON p.oid = i.inhparent JOIN pg_class c ON c.oid = i.inhrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        self.schemas = q(
            client,
            "SELECT nspname::text, '' FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%'
               AND nspname NOT IN ('information_schema', 'public')",
        )
        .into_iter()
        .map(|(s, _)| s)
        .collect();
        self.functions = q(
            client,
            "SELECT p.proname::text, '' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'public'",
        )
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    }
}
