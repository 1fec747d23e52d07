# syntax=docker/dockerfile:1
# firstkiss-bot in a container: `docker build -t firstkiss-bot .`, then see
# compose.yaml and the README ("Running it in a container").
#
# The build stage compiles a production binary: no mock Discord
# (--no-default-features), no debug info (the release profile). The runtime
# stage is Debian slim with that binary, the fact base where a volume can replace
# it, and a user that is not root.

ARG RUST_VERSION=1.88
ARG DEBIAN=bookworm

FROM rust:${RUST_VERSION}-slim-${DEBIAN} AS build
WORKDIR /src
COPY . .
# The registry and target caches survive between builds (BuildKit cache mounts);
# the binary is copied out of the cached target directory.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --no-default-features --bin firstkiss-bot \
    && install -D -m 0755 target/release/firstkiss-bot /out/firstkiss-bot

FROM debian:${DEBIAN}-slim
# Discord's certificates are checked against the roots built into the binary;
# ca-certificates is there for any proxy in between that brings its own. Not pinned:
# Debian's security updates replace the version a pin would name.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent firstkiss \
    && install -d -o 10001 -g 10001 -m 0700 /var/lib/firstkiss
COPY --from=build /out/firstkiss-bot /usr/local/bin/firstkiss-bot
COPY deploy/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
# The fact base: a volume on /data replaces it (knowledge.toml and sources/ beside
# it), and SIGHUP (`docker kill -s HUP`) reloads it without a restart.
COPY --chown=root:root knowledge.toml /data/knowledge.toml
COPY --chown=root:root sources /data/sources
# The record (README, "What the bot records, and why"): a SQLite file and its hash
# key on a volume of their own, the one place the bot writes; FIRSTKISS_DATABASE
# (a postgres:// URL, say) overrides the config's records.database.
VOLUME /var/lib/firstkiss
ENV FIRSTKISS_KNOWLEDGE=/data/knowledge.toml \
    FIRSTKISS_DATABASE=sqlite:///var/lib/firstkiss/firstkiss.db \
    RUST_LOG=warn,firstkiss=info
# A config file mounted as /etc/firstkiss/config.toml is read (it is optional); the
# token comes from DISCORD_TOKEN or DISCORD_TOKEN_FILE (a secret file), and the
# endpoint's key from DISCORD_PUBLIC_KEY or DISCORD_PUBLIC_KEY_FILE.
WORKDIR /etc/firstkiss
USER 10001:10001
# The interactions endpoint and the metrics, when asked for (`serve --listen
# 0.0.0.0:8080`, `run --metrics 0.0.0.0:9100`).
EXPOSE 8080 9100
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["run"]
