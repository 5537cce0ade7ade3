//! What a partition or inheritance child has from its parents: each column's
//! parents and whether the column and its NOT NULL are also the child's own
//! (pg_attribute's attinhcount and attislocal, PostgreSQL 18's conislocal of
//! the not-null constraint), which decide what a parent's changes take.

use crate::model::schema::{Column, ConstraintKind, Table};

/// Where a child's column comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inherited {
    /// How many parents have it (a child may inherit from several).
    pub parents: u32,
    /// Also defined by the child itself (merged with the inherited one).
    pub local: bool,
    /// The child's NOT NULL is its own too (PostgreSQL 18's `conislocal` of
    /// the not-null constraint): written in its CREATE TABLE, set on the
    /// child itself, or there before ALTER TABLE ... INHERIT. From 18 on, a
    /// parent's DROP NOT NULL leaves such a child's NOT NULL.
    pub not_null_local: bool,
}

impl Table {
    /// `parent`'s column reaches this partition or child: added (a generated
    /// one reading what it reads there), or merged with the one of that name
    /// it has (which then has one parent more). Its NOT NULL comes too unless
    /// `NO INHERIT` (see [`Table::gives_not_null`]); `merge_not_null`: also
    /// to a column of that name this table already has.
    pub fn inherit_column(
        &mut self,
        parent: &Table,
        column: &Column,
        merge_not_null: bool,
        identity: bool,
    ) {
        let not_null = parent.gives_not_null(&column.name);
        let own = self.column(&column.name);
        let exists = own.is_some();
        let not_null_local = own.is_some_and(|c| !c.nullable);
        if !exists {
            // A partition or child shares its parent's sequences; it owns none.
            // An identity is shared by partitions from PostgreSQL 17 on
            // (`identity`), never by inheritance children; its column has
            // no default then.
            let shared = identity || column.identity.is_none();
            self.columns.push(Column {
                sequence: None,
                nullable: !not_null,
                identity: column.identity.filter(|_| shared),
                has_default: column.has_default && shared,
                ..column.clone()
            });
            if let Some(reads) = parent.generated_from.get(&column.name) {
                self.generated_from
                    .insert(column.name.clone(), reads.clone());
            }
        } else if not_null
            && merge_not_null
            && let Some(c) = self.column_mut(&column.name)
        {
            c.nullable = false;
        }
        self.inherited
            .entry(column.name.clone())
            .or_insert(Inherited {
                parents: 0,
                local: exists,
                not_null_local,
            })
            .parents += 1;
    }

    /// True when `column` is NOT NULL here and its children get that: not a
    /// `NO INHERIT` one (PostgreSQL 18).
    pub fn gives_not_null(&self, column: &str) -> bool {
        self.column(column).is_some_and(|c| !c.nullable)
            && !self.constraints.values().any(|k| {
                matches!(k, ConstraintKind::NotNull { column: c, no_inherit: true } if c == column)
            })
    }

    /// NOT NULL written on this table itself: if it has `column` from a
    /// parent, the NOT NULL is its own too (see [`Inherited::not_null_local`]).
    pub fn own_not_null(&mut self, column: &str) {
        if let Some(i) = self.inherited.get_mut(column) {
            i.not_null_local = true;
        }
    }

    /// A parent no longer gives this table `column` (it dropped the column, or
    /// NO INHERIT): with no parent left the column is the table's own.
    pub fn parent_lost(&mut self, column: &str) {
        if let Some(i) = self.inherited.get_mut(column) {
            i.parents = i.parents.saturating_sub(1);
            if i.parents == 0 {
                self.inherited.remove(column);
            }
        }
    }
}
