#!/bin/sh
# Reads secrets mounted as files (Docker or Compose secrets) into the environment
# variables firstkiss-bot reads, then becomes firstkiss-bot, so that it gets the
# signals (SIGTERM to stop, SIGHUP to reload) itself.
set -eu
if [ -n "${DISCORD_TOKEN_FILE:-}" ]; then
    DISCORD_TOKEN=$(cat "$DISCORD_TOKEN_FILE")
    export DISCORD_TOKEN
fi
if [ -n "${DISCORD_PUBLIC_KEY_FILE:-}" ]; then
    DISCORD_PUBLIC_KEY=$(cat "$DISCORD_PUBLIC_KEY_FILE")
    export DISCORD_PUBLIC_KEY
fi
exec /usr/local/bin/firstkiss-bot "$@"
