//! The `embed_migrations!` proc-macro of `pgcheck`. Use it through the `pgcheck`
//! crate (`pgcheck::embed_migrations!`), which re-exports it with the types the
//! expansion names and documents it in full.
//!
//! This crate is a shell: migrate-core discovers, parses, replays and checks;
//! this crate turns its findings into compile errors and its model into tokens.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![warn(missing_docs)]

use std::collections::BTreeMap;

use proc_macro::TokenStream;
use quote::quote;
use syn::parse_macro_input;

use migrate_core::check::seeds;
use migrate_core::{Diagnostics, Options, analyze};

mod args;
mod cache;
mod expand {
    mod embed;
    mod enums;
    mod names;
    pub mod registry;
    pub mod seeds;
    pub mod tables;
}
mod paths;

/// Embeds a directory of golang-migrate style migrations, checked at compile time.
///
/// Call it as `pgcheck::embed_migrations!`: see the `pgcheck` crate's
/// documentation of `embed_migrations!` for the file grammar, the arguments
/// and what it generates. Called directly, the generated code names the
/// runtime as `::pgcheck`.
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    let started = std::time::Instant::now();
    let input_text = input.to_string();
    let args = parse_macro_input!(input as args::Args);
    let located = paths::Located::new(&args.dir);
    let mut read = vec![located.dir()];
    read.extend(
        args.seeds
            .as_ref()
            .map(|lit| paths::Located::new(lit).dir()),
    );
    let cache = cache::Cache::new(&input_text, &located.root, &read);
    // The entry is the expansion before the runtime's path is put in: that
    // path (`$crate` of the wrapper) does not survive being text.
    let hit = cache.as_ref().and_then(cache::Cache::get).and_then(|hit| {
        let tables = match args.tables {
            true => Some(parse(&hit.tables)?),
            false => None,
        };
        Some(assemble(parse(&hit.outer)?, tables, &args))
    });
    if let Some(out) = hit {
        report_timings(
            &located.display,
            "cached expansion",
            started.elapsed(),
            started.elapsed(),
        );
        return out.into();
    }
    let opts = Options::default()
        .with_require_down(args.require_down)
        .with_target(args.postgres);
    let analysis = analyze(&located.dir(), &located.display, &opts);
    let analysed = started.elapsed();
    let mut errors: Diagnostics = analysis.errors.clone();
    if args.deny_lints {
        for f in migrate_core::lint::lint(&analysis) {
            if f.rule.level == migrate_core::lint::Level::Error {
                let mut d = f.diag.clone();
                d.message = format!("[{}] {}", f.rule.id, d.message);
                let help = d.help.take().unwrap_or_default();
                d.help = Some(format!(
                    "{help}; or silence it with `-- lint:ignore {} <reason>` above the statement",
                    f.rule.id
                ));
                errors.push(d);
            }
        }
    }

    // Seed findings go on the seeds literal, the argument they are about.
    let mut seed_errors = Diagnostics::default();
    let seeds_tokens = args.seeds.as_ref().map(|lit| {
        let seeds_loc = paths::Located::new(lit);
        let s = seeds::load_and_check(
            &seeds_loc.dir(),
            &seeds_loc.display,
            analysis.latest(),
            &mut seed_errors,
        );
        expand::seeds::expand(&s, &seeds_loc)
    });

    let overrides: BTreeMap<String, syn::Type> = args
        .types
        .iter()
        .map(|(k, v)| (k.value(), v.clone()))
        .collect();
    // Table types cost compile time in proportion to the schema; a crate that only
    // applies migrations can leave them out.
    let tables = args
        .tables
        .then(|| expand::tables::expand(analysis.latest(), &overrides, &args.derives).tokens);
    let registry = expand::registry::expand(&analysis.migrations, &located, args.postgres.0);

    // All findings at once, on the path literal: a stable macro cannot point into
    // a .sql file, so the message carries the file:line:col.
    let mut combined: Option<syn::Error> = None;
    let mut push = |span: proc_macro2::Span, msg: String| {
        let e = syn::Error::new(span, msg);
        match &mut combined {
            Some(c) => c.combine(e),
            None => combined = Some(e),
        }
    };
    for d in errors.iter() {
        push(args.dir.span(), d.to_string());
    }
    if let Some(lit) = &args.seeds {
        for d in seed_errors.iter() {
            push(lit.span(), d.to_string());
        }
    }
    let compile_errors = combined.map(|e| e.to_compile_error());
    let ok = compile_errors.is_none();

    // The registry and the types are emitted beside the errors, so one broken
    // migration gives one error, not a cascade of missing items.
    let outer = quote! {
        #compile_errors
        #registry
        #seeds_tokens
    };
    // Only an expansion without errors is kept: errors carry spans (the
    // arguments' literals) that text does not.
    if ok && let Some(cache) = &cache {
        cache.put(&cache::Expansion {
            outer: outer.to_string(),
            tables: tables.as_ref().map(ToString::to_string).unwrap_or_default(),
        });
    }
    let out = assemble(outer, tables, &args);
    report_timings(
        &located.display,
        &format!("{} migrations", analysis.migrations.len()),
        analysed,
        started.elapsed(),
    );
    out.into()
}

/// Text of a cached expansion as tokens, through the compiler's own lexer:
/// proc-macro2's `from_str` first checks the text with a lexer of its own,
/// unoptimized in a dev build (seconds for the types of 1,000 tables).
fn parse(text: &str) -> Option<proc_macro2::TokenStream> {
    text.parse::<TokenStream>().ok().map(Into::into)
}

/// The whole expansion: `outer` (the errors, registry and seeds, written
/// against `::migrate_runtime`) with the runtime's path put in, and the inside
/// of `schema`, which names the runtime and the derives through imports (see
/// `expand::tables::wrap`).
fn assemble(
    outer: proc_macro2::TokenStream,
    tables: Option<proc_macro2::TokenStream>,
    args: &args::Args,
) -> proc_macro2::TokenStream {
    let outer = runtime_path(outer, &args.krate);
    let tables = tables.map(|t| expand::tables::wrap(t, &args.krate, &args.derives));
    quote!(#outer #tables)
}

/// The expansion is written against `::migrate_runtime::...`; this puts the
/// runtime's real path (`$crate` of its wrapper macro) in its place, so the
/// generated code works whatever name the app gives the dependency. One pass,
/// looking back rather than ahead: a look-ahead that clones the rest of a
/// group's iterator at every `::` made this quadratic in the size of a group
/// (4 s for the 1,000 entries of a registry, unoptimized).
fn runtime_path(
    tokens: proc_macro2::TokenStream,
    krate: &proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    use proc_macro2::{Group, Spacing, TokenTree};
    let is_colon = |t: Option<&TokenTree>, spacing: Spacing| matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == spacing);
    let mut out: Vec<TokenTree> = Vec::new();
    for tt in tokens {
        match tt {
            TokenTree::Group(g) => {
                let mut ng = Group::new(g.delimiter(), runtime_path(g.stream(), krate));
                ng.set_span(g.span());
                out.push(TokenTree::Group(ng));
            }
            // `::migrate_runtime` -> krate
            TokenTree::Ident(i)
                if i == "migrate_runtime"
                    && out.len() >= 2
                    && is_colon(out.get(out.len() - 2), Spacing::Joint)
                    && is_colon(out.last(), Spacing::Alone) =>
            {
                out.truncate(out.len() - 2);
                out.extend(krate.clone());
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

/// With `MIGRATE_MACRO_TIMINGS` set, says on stderr how long the expansion took
/// (cargo shows it with the build output): what `make bench` reads, and what a
/// user measures when a build feels slow.
fn report_timings(
    dir: &str,
    what: &str,
    analysed: std::time::Duration,
    total: std::time::Duration,
) {
    if std::env::var_os("MIGRATE_MACRO_TIMINGS").is_none() {
        return;
    }
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "embed_migrations!(\"{dir}\"): {what}, analysis {:.0} ms, code generation {:.0} ms, total {:.0} ms",
            ms(analysed),
            ms(total - analysed),
            ms(total)
        );
    }
}
