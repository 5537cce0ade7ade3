//! INSERT, UPDATE, DELETE, TRUNCATE: the tables and columns they name must exist.

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb};

use super::Replayer;

impl Replayer<'_> {
    pub(super) fn insert(&mut self, s: &pb::InsertStmt) {
        let Some(rv) = &s.relation else { return };
        let Some(table) = self.table_of(rv, false) else {
            return;
        };
        for c in &s.cols {
            if let Some(NodeEnum::ResTarget(rt)) = &c.node {
                self.expect_column(&table, &rt.name, Some(rt.location));
            }
        }
    }
}
