//! Where the macro's directory argument points.
//!
//! The rule: relative to the root of the package whose source calls the macro
//! (the nearest directory above the calling file that holds a Cargo.toml). For an
//! ordinary build that is CARGO_MANIFEST_DIR, as with sqlx's `migrate!`; under
//! trybuild, which compiles test files inside a generated crate in target/, it
//! still names the real package, so UI fixtures live beside their tests.

use std::path::{Path, PathBuf};

pub struct Located {
    /// The package root that the argument is relative to.
    pub root: PathBuf,
    /// The argument as written, which is how messages name files.
    pub display: String,
}

impl Located {
    /// The directory a string literal of the call names.
    pub fn new(arg: &syn::LitStr) -> Self {
        Located {
            root: package_root(arg.span().unwrap()),
            display: arg.value().trim_end_matches('/').to_owned(),
        }
    }

    pub fn dir(&self) -> PathBuf {
        self.root.join(&self.display)
    }

    /// The absolute path of a file named `display/...`, for include_str!.
    pub fn absolute(&self, display_path: &str) -> String {
        self.root.join(display_path).to_string_lossy().into_owned()
    }
}

/// The package root for a token of the call. The literal's span, not the call
/// site's: the call site is inside the runtime's wrapper `macro_rules!`, which
/// lives in the runtime's own source.
fn package_root(span: proc_macro::Span) -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let caller = span.local_file();
    if let Some(file) = caller {
        let file = if file.is_absolute() {
            file
        } else {
            std::env::current_dir()
                .map(|d| d.join(&file))
                .unwrap_or(file)
        };
        if let Some(root) = file
            .ancestors()
            .skip(1)
            .find(|d| d.join("Cargo.toml").is_file())
        {
            return root.to_path_buf();
        }
    }
    manifest.unwrap_or_else(|| Path::new(".").to_path_buf())
}
