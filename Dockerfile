# syntax=docker/dockerfile:1
# novacron-db in a container: the binary (migrations and seeds embedded) on a
# slim Debian with the PostgreSQL client tools that `backup`/`restore` call.
#
#   docker build -t novacron-db .
#   docker run --rm -e DB_URL=postgres://... novacron-db up
#
# Not exercised by the test suite (no Docker engine where it runs); see README.md.

FROM rust:1-bookworm AS builder
# libclang: bindgen in pg_query's build script (libpg_query is compiled in).
# The image already has a C compiler (ring and libpg_query need one).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libclang-dev clang \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin novacron-db \
    && cp target/release/novacron-db /usr/local/bin/novacron-db

FROM debian:bookworm-slim
# postgresql-client of bookworm is 15: pg_dump/pg_restore match a PostgreSQL 15
# server (pg_dump refuses servers newer than itself). TLS is rustls, in the binary;
# ca-certificates is the trust store of sslrootcert=system.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=builder /usr/local/bin/novacron-db /usr/local/bin/novacron-db
RUN useradd --create-home --uid 10001 novacron
USER novacron
# backup writes into ./backups.
WORKDIR /home/novacron
ENTRYPOINT ["novacron-db"]
CMD ["--help"]
