# connector-proxy: build the workspaces, then run the proxy on port 8200.
FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles its native addon when no prebuilt one can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig*.json ./
COPY packages ./packages
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# MALLOC_TRIM_THRESHOLD_: glibc's malloc gives freed memory back (packages/server/src/cli.ts says why).
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8200 CONNECTOR_PROXY_DATA_DIR=/app/data MALLOC_TRIM_THRESHOLD_=131072
WORKDIR /app
COPY --from=build /app /app
# `connector-proxy --help` points to README.md's configuration table: the image carries it.
COPY README.md ./
COPY docs ./docs
# Background jobs live here (SQLite); mount a volume to keep them across restarts.
RUN mkdir -p /app/data && chown node:node /app/data && chmod 700 /app/data
VOLUME /app/data
USER node
EXPOSE 8200
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/liveness').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--max-semi-space-size=4", "--lazy-new-space-shrinking", "packages/server/dist/connector-proxy.mjs"]
