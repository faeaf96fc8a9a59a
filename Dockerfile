# Multi-stage build: compile in the Rust image, ship only the binary on a small base.
# The knowledge base is compiled into the binary; TLS is rustls, SQLite is bundled, so the
# runtime image needs nothing but CA certificates.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY knowledge ./knowledge
COPY benches ./benches
COPY examples ./examples
RUN cargo build --release --locked --bin backleg && strip target/release/backleg

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/backleg --create-home backleg
COPY --from=build /src/target/release/backleg /usr/local/bin/backleg
USER backleg
WORKDIR /var/lib/backleg
ENV BACKLEG_DATA=/var/lib/backleg/backleg.sqlite3 \
    BACKLEG_LOG_FORMAT=json \
    RUST_LOG=info
VOLUME ["/var/lib/backleg"]
# TELOXIDE_TOKEN must be provided at run time: docker run -e TELOXIDE_TOKEN=... backleg
ENTRYPOINT ["/usr/local/bin/backleg"]
CMD ["run"]
