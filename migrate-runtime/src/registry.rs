//! The ordered set of migrations an application ships.

use std::borrow::Cow;

use crate::migration::{Migration, Version};

/// The migrations, ordered by version, that `embed_migrations!` embeds or that
/// [`Registry::from_dir`] loads at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    migrations: Cow<'static, [Migration]>,
}

impl Registry {
    /// Wraps migrations that the macro has already checked and sorted.
    #[doc(hidden)]
    pub const fn from_static(migrations: &'static [Migration]) -> Self {
        Registry {
            migrations: Cow::Borrowed(migrations),
        }
    }

    /// Builds a registry from migrations in any order; they are sorted by version.
    pub fn new(mut migrations: Vec<Migration>) -> Self {
        migrations.sort_by_key(|m| m.version);
        Registry {
            migrations: Cow::Owned(migrations),
        }
    }

    /// All migrations, oldest first.
    pub fn iter(&self) -> std::slice::Iter<'_, Migration> {
        self.migrations.iter()
    }

    /// The migration with exactly this version.
    pub fn get(&self, version: Version) -> Option<&Migration> {
        self.migrations
            .binary_search_by_key(&version, |m| m.version)
            .ok()
            .map(|i| &self.migrations[i])
    }

    /// The newest migration, `None` for an empty registry.
    pub fn latest(&self) -> Option<&Migration> {
        self.migrations.last()
    }

    /// How many migrations there are.
    pub fn len(&self) -> usize {
        self.migrations.len()
    }

    /// True when there are no migrations.
    pub fn is_empty(&self) -> bool {
        self.migrations.is_empty()
    }

    /// The migrations as a slice, oldest first.
    pub fn as_slice(&self) -> &[Migration] {
        &self.migrations
    }
}

impl<'a> IntoIterator for &'a Registry {
    type Item = &'a Migration;
    type IntoIter = std::slice::Iter<'a, Migration>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
