# syntax=docker/dockerfile:1

# Production dependencies only, resolved strictly from bun.lock, with the patches package.json applies
# (patchedDependencies): without them the install stops at «patch file not found». No lifecycle scripts here: no
# dependency needs one, and ours (the embedded database's template) needs the sources, so it runs below.
FROM oven/bun:1.4.5 AS deps
WORKDIR /app
COPY package.json bun.lock bunfig.toml ./
COPY patches ./patches
RUN bun install --frozen-lockfile --production --ignore-scripts

FROM oven/bun:1.4.5
WORKDIR /app
ENV DATA_DIR=/data
COPY --from=deps /app/node_modules ./node_modules
# Sources (tests, benchmarks, .env and local data are left out by .dockerignore).
COPY . .
# The embedded database's template, made here where memory is plentiful: a fresh /data then starts as a copy of it
# instead of running PGlite's initdb (~1 GB peak) inside a small container. Unused with DATABASE_URL.
RUN bun run db:prepare
# PGlite and other files live here; mount a persistent volume on it.
RUN mkdir -p /data && chown bun:bun /data
USER bun
# 8080: webhook (WEBHOOK_PORT), 8000: /health, /ready, /metrics (METRICS_PORT, keep it private). Both unprivileged:
# the bot runs as `bun`, and Kubernetes-based hosts (Amvera) do not let a non-root process bind a port under 1024.
EXPOSE 8080 8000
# No curl in the image: bun does the request. The shell expands METRICS_PORT at check time.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD bun -e "fetch('http://127.0.0.1:${METRICS_PORT:-8000}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# main.ts drains in-flight updates on SIGTERM; give it more than SHUTDOWN_TIMEOUT_SEC (docker stop -t 40).
STOPSIGNAL SIGTERM
CMD ["bun", "src/main.ts"]
