# syntax=docker/dockerfile:1
# Build stage: install every dependency, compile the bidder (src/ → dist/) and bundle the operator tools
# (tools/ → dist/tools/*.js, e.g. `node dist/tools/train.js --help`, `node dist/tools/segments-load.js --help`).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY tools ./tools
COPY proto ./proto
RUN npm run build

# Runtime stage: production dependencies only, non-root, the compiled app and its sample config.
# (bookworm: the uWebSockets.js native binary needs its glibc; alpine/musl would fall back to pure JS,
# which the bidder refuses at start-up.)
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY proto ./proto
COPY config ./config
USER node
EXPOSE 8080 9464
HEALTHCHECK --interval=10s --timeout=2s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.OPS_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
# Exec form, node itself as PID 1: the stop signal reaches the bidder, which drains and exits 0 (a shell or npm in
# between would swallow it).
CMD ["node", "dist/main.js"]
