#!/usr/bin/env bash
# Installs the OS packages the build and the tests need, when they are missing:
#
#   libclang          bindgen, run by the pg_query crate's build script
#   a C compiler      pg_query compiles libpg_query; rustc links with cc
#   postgresql-client psql, pg_dump, pg_restore (backup/restore, scripts)
#
# Silent and without touching apt when everything is present. Debian/Ubuntu (apt)
# only; elsewhere it names what is missing and exits non-zero.
#
# Usage: scripts/ensure-deps.sh
set -euo pipefail

say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

have() { command -v "$1" >/dev/null 2>&1; }

# dpkg_installed PKG: true when the package is installed (not just known).
dpkg_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

# True when any installed package matches the dpkg-query glob, printed one per line.
dpkg_installed_matching() {
    dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$1" 2>/dev/null |
        awk '$2 == "installed" { print $1 }'
}

# libclang: libclang-dev, or a versioned libclang1-N with its libclang-common-N-dev
# (the resource headers such as stddef.h that bindgen needs).
have_libclang_deb() {
    dpkg_installed libclang-dev && return 0
    local lib ver
    while read -r lib; do
        ver=${lib#libclang1-}
        dpkg_installed "libclang-common-${ver}-dev" && return 0
    done < <(dpkg_installed_matching 'libclang1-*')
    return 1
}

have_libclang_generic() {
    if [[ -n "${LIBCLANG_PATH:-}" ]] && compgen -G "${LIBCLANG_PATH%/}/libclang*.so*" >/dev/null; then
        return 0
    fi
    if have ldconfig && ldconfig -p 2>/dev/null | grep -q 'libclang[-.0-9]*\.so'; then
        return 0
    fi
    compgen -G '/usr/lib/llvm-*/lib/libclang*.so*' >/dev/null ||
        compgen -G '/usr/lib*/libclang*.so*' >/dev/null
}

have_cc() { have cc || have gcc || have clang; }

# psql/pg_dump/pg_restore must run: on Debian /usr/bin/psql is a wrapper that
# fails when no postgresql-client-N is installed, so run --version, not just look.
have_pg_client() {
    local tool
    for tool in psql pg_dump pg_restore; do
        "$tool" --version >/dev/null 2>&1 || return 1
    done
}

missing=()   # package names to install (apt) or descriptions (elsewhere)

if have dpkg-query && have apt-get; then
    have_libclang_deb || missing+=(libclang-dev)
    have_cc || missing+=(gcc)
    dpkg_installed libc6-dev || missing+=(libc6-dev)
    have_pg_client || missing+=(postgresql-client)
else
    have_libclang_generic || missing+=("libclang (LLVM's C library, for bindgen)")
    have_cc || missing+=("a C compiler (cc)")
    have_pg_client || missing+=("PostgreSQL client tools (psql, pg_dump, pg_restore)")
    if ((${#missing[@]})); then
        printf 'deps: missing: %s\n' "${missing[@]}" >&2
        die "this script installs packages only with apt (Debian/Ubuntu); install the above with your system's package manager and run it again"
    fi
    exit 0
fi

((${#missing[@]})) || exit 0

# Something is missing: install it with apt-get, as root or through sudo.
if [[ $EUID -eq 0 ]]; then
    as_root=()
elif have sudo; then
    if [[ -t 0 ]]; then as_root=(sudo); else as_root=(sudo -n); fi
else
    die "missing packages: ${missing[*]}; not root and no sudo: run as root: apt-get install -y ${missing[*]}"
fi

say "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq ||
    die "apt-get update failed; install by hand: apt-get install -y ${missing[*]}"
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install failed; install by hand: apt-get install -y ${missing[*]}"

# Check again, so that a package that installed but did not provide the tool is
# reported here and not as a confusing build error later.
have_libclang_deb || die "libclang still missing after installing libclang-dev"
have_cc || die "no C compiler (cc/gcc/clang) after installing gcc"
have_pg_client || die "psql/pg_dump/pg_restore still do not run after installing postgresql-client"
say "installed ${missing[*]}"
