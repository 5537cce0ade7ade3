//! One migration as the runtime sees it: already discovered, parsed and
//! checked. The types are migrate-core's, the ones the macro embeds and
//! directory mode builds (see [`migrate_core::migration`]).

pub use migrate_core::migration::{Changed, Migration, Script, Version};
