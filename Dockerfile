# The cluster's one image. Default command: the whole cluster in one container, as `npm start` runs
# it (Redis inside unless REDIS_URL is set, the gateway, the actors). Compose runs one role per
# service with the same image (see docker-compose.yml):
#   gateway:  node apps/gateway/dist/main.js
#   actor:    node apps/actor/dist/main.js --model lgbm|clip
# Build from the repository root:  docker build -t cataract-api .
# Where no registry answers: eval "$(infra/docker/base-images.sh)" gives local stand-ins, then
#   docker build --build-arg NODE_IMAGE="$NODE_IMAGE" --secret id=extra_ca,src=/etc/ssl/certs/ca-certificates.crt -t cataract-api .
# (extra_ca: a PEM bundle npm trusts during the build, e.g. a TLS-inspecting proxy's CA; it is
# mounted for the npm steps only and never stored in a layer.)

ARG NODE_IMAGE=node:20-bookworm-slim
# The workspaces the supervisor, the gateway and the actors load at run time
# (tests/infra/dockerfile.test.ts checks this list against their imports). Training tools and their
# TensorFlow.js stay out of the image.
ARG RUNTIME_WORKSPACES="packages/contracts packages/concurrency packages/service-kit packages/imaging packages/lightgbm-ts-predictor packages/model-store apps/gateway apps/actor apps/supervisor"

# ---- build: all dependencies, compile every workspace ----------------------------------------
FROM ${NODE_IMAGE} AS build
ARG RUNTIME_WORKSPACES
WORKDIR /app
COPY . .
# --ignore-scripts: the root `prepare` would compile before we ask it to, and no dependency needs
# an install step here (sharp and onnxruntime-node ship their linux-x64 binaries in the packages).
RUN --mount=type=secret,id=extra_ca --mount=type=cache,target=/root/.npm set -eu; \
    if [ -s /run/secrets/extra_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/extra_ca; fi; \
    npm ci --ignore-scripts --no-audit --no-fund
RUN npm run build && npm run build --workspaces --if-present
# Collect what the runtime needs: every workspace manifest (npm ci checks them all against the
# lock file), the runtime workspaces' dist/, and the try-it page the gateway serves (apps/web/dist).
RUN set -eu; mkdir -p /out/manifests /out/dist; \
    cp package.json package-lock.json .npmrc /out/manifests/; \
    for ws in packages/* apps/* tools tests/support; do \
      [ -f "$ws/package.json" ] || continue; \
      mkdir -p "/out/manifests/$ws"; cp "$ws/package.json" "/out/manifests/$ws/"; \
    done; \
    for ws in $RUNTIME_WORKSPACES apps/web; do \
      mkdir -p "/out/dist/$ws"; cp -r "$ws/dist" "/out/dist/$ws/"; \
    done; \
    find /out/dist -name '*.tsbuildinfo' -delete

# ---- runtime: production dependencies, compiled code, models; the service runs as user `node` --
FROM ${NODE_IMAGE} AS runtime
ARG RUNTIME_WORKSPACES
# redis-server: the one-container path's own Redis (used when REDIS_URL is not set).
# tini: PID 1, forwards `docker stop`'s SIGTERM to the supervisor and reaps orphans.
RUN set -eu; apt-get update -qq; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server tini; \
    rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=8001 \
    MODELS_DIR=/app/models \
    DEFAULT_MODELS_DIR=/app/default-models \
    LOG_DIR=/app/logs \
    CUSTOMER_DATA_DIR=/app/customer_data \
    SAVE_UPLOADS=true \
    SHUTDOWN_GRACE_MS=8000
WORKDIR /app
# The manifests include .npmrc (onnxruntime-node-install=skip: no GPU binaries fetched).
COPY --from=build /out/manifests/ ./
# Only the runtime workspaces' production dependencies; then drop onnxruntime-node's macOS and
# Windows binaries (about 220 MB) that a Linux image never loads.
RUN --mount=type=secret,id=extra_ca --mount=type=cache,target=/root/.npm set -eu; \
    if [ -s /run/secrets/extra_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/extra_ca; fi; \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund $(for ws in $RUNTIME_WORKSPACES; do printf -- '-w %s ' "$ws"; done); \
    rm -rf node_modules/onnxruntime-node/bin/napi-v*/darwin node_modules/onnxruntime-node/bin/napi-v*/win32
COPY --from=build /out/dist/ ./
COPY models ./models
# A second copy of the models (9 MB) for `init-models`: a host folder mounted on /app/models hides
# the first one.
COPY models ./default-models
COPY infra/docker/entrypoint.sh /usr/local/bin/cataract-entrypoint
# Writable by the service user; named volumes mounted here start with this ownership.
RUN mkdir -p /app/logs /app/customer_data && chown node:node /app/logs /app/customer_data
EXPOSE 8001
# The gateway's /health (200 only when ok); compose's actor services override it.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8001)+'/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The entrypoint starts as root only to make mounted folders writable for `node`, then drops to it.
ENTRYPOINT ["tini", "--", "cataract-entrypoint"]
CMD ["node", "apps/supervisor/dist/main.js"]
