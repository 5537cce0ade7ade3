//! Seed data embedded beside the migrations.

use std::borrow::Cow;

/// One seed file: plain SQL that inserts development data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    /// File name without `.sql` (`01_organizations`).
    pub name: Cow<'static, str>,
    /// Path for messages (`seeds/01_organizations.sql`).
    pub path: Cow<'static, str>,
    pub sql: Cow<'static, str>,
}

/// The seed files in the order they run, and the file that removes their rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeds {
    pub files: Cow<'static, [Seed]>,
    /// `clean.sql`: deletes exactly the seed rows.
    pub clean: Option<Seed>,
}

impl Seeds {
    /// Wraps seeds that the macro has checked.
    #[doc(hidden)]
    pub const fn from_static(files: &'static [Seed], clean: Option<Seed>) -> Self {
        Seeds {
            files: Cow::Borrowed(files),
            clean,
        }
    }
}
