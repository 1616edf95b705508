#!/bin/sh
# The image's entrypoint (under tini). Runs the command as the unprivileged `node` user; started as
# root it first makes the mounted log and upload folders writable for that user (Docker creates a
# missing host folder owned by root), changing only a folder `node` cannot write.
#   init-models   copies the image's own models into an empty or incomplete /app/models volume:
#                 docker run --rm -v "$(pwd)/models:/app/models" cataract-api init-models
set -eu
SERVICE_USER=node

as_service() { # run "$@" as the service user when we are root
  if [ "$(id -u)" = 0 ]; then setpriv --reuid="$SERVICE_USER" --regid="$SERVICE_USER" --init-groups "$@"; else "$@"; fi
}

if [ "${1:-}" = init-models ]; then
  mkdir -p "$MODELS_DIR"
  for src in "$DEFAULT_MODELS_DIR"/*; do
    name=$(basename "$src")
    if [ -e "$MODELS_DIR/$name" ]; then
      echo "init-models: $MODELS_DIR/$name exists, left as it is"
    else
      cp -R "$src" "$MODELS_DIR/$name" && echo "init-models: copied $name into $MODELS_DIR"
    fi
  done
  exit 0
fi

if [ "$(id -u)" = 0 ]; then
  for dir in "${LOG_DIR:-}" "${CUSTOMER_DATA_DIR:-}"; do
    [ -n "$dir" ] || continue
    mkdir -p "$dir" 2>/dev/null || true
    if ! as_service test -w "$dir" 2>/dev/null; then
      chown "$SERVICE_USER:$SERVICE_USER" "$dir" 2>/dev/null || true # read-only mounts stay as they are: the service names them
    fi
  done
fi

# An operator who sets REDIS_URL means that Redis: the supervisor waits for it (and says so in its
# log and /health) instead of starting the container's own.
if [ -n "${REDIS_URL:-}" ] && [ -z "${REDIS_EMBEDDED:-}" ]; then export REDIS_EMBEDDED=never; fi

exec_service() { if [ "$(id -u)" = 0 ]; then exec setpriv --reuid="$SERVICE_USER" --regid="$SERVICE_USER" --init-groups "$@"; else exec "$@"; fi; }
exec_service "$@"
