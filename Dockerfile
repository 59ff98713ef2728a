# Mandate runtime + gateway. The image runs the compiled JavaScript in dist/ with node itself as
# PID 1 (exec-form CMD, no npm/npx/tsx wrapper), so `docker stop`'s SIGTERM reaches the runtime,
# which shuts down cleanly. No init (tini, --init) is needed: the runtime installs its own SIGTERM
# and SIGINT handlers (PID 1 gets no default ones) and starts no child processes to reap.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Same fallback as .ci/run: the lockfile may not name every optional platform package.
RUN npm ci --ignore-scripts --no-audit --no-fund || npm install --ignore-scripts --no-audit --no-fund

# Server (tsc → dist/) and dashboard (Vite → ui/dist/).
FROM deps AS build
COPY . .
RUN npm run build && npm run build:ui

FROM node:24-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund || npm install --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production
# State on the volume the image owns; the gateway listens on all interfaces inside the container
# (docker-compose.yml publishes it on 127.0.0.1 only).
ENV MANDATE_DATA_DIR=/var/lib/mandate/data HOST=0.0.0.0
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/ui/dist ./ui/dist
# The example is loaded as TypeScript by Node's type stripping; it imports `mandate`, which resolves
# to /app/dist through package.json's "exports".
COPY examples ./examples
RUN mkdir -p /var/lib/mandate && chown node:node /var/lib/mandate
USER node
EXPOSE 8080
CMD ["node", "dist/cli/main.js", "run", "examples/treasury"]
