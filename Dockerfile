# Newsroom in a container: built in one stage, run from a small one as a user without privileges,
# with the data folder (SQLite, pictures, theme, backups, search index) in a volume.
#   docker build -t newsroom .
#   docker run -p 8080:8080 -v newsroom-data:/data newsroom
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked && cp target/release/newsroom /usr/local/bin/newsroom

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin newsroom \
 && mkdir -p /data && chown newsroom:newsroom /data
COPY --from=build /usr/local/bin/newsroom /usr/local/bin/newsroom
USER 10001:10001
ENV NEWSROOM_DATA=/data \
    NEWSROOM_LISTEN=0.0.0.0:8080 \
    NEWSROOM_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
# SIGTERM: stop accepting, finish requests in flight (up to 15 s), exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["newsroom"]
CMD ["serve"]
