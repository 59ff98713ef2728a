# Mandate runtime + gateway. Runs the TypeScript sources through tsx (no server build step);
# the dashboard is built with Vite at image build time.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Same fallback as .ci/run: the lockfile may not name every optional platform package.
RUN npm ci --ignore-scripts --no-audit --no-fund || npm install --ignore-scripts --no-audit --no-fund

FROM deps AS ui
COPY . .
RUN npx vite build --config ui/vite.config.ts

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
COPY --from=ui /app/ui/dist ./ui/dist
RUN mkdir -p /var/lib/mandate && chown node:node /var/lib/mandate
USER node
EXPOSE 8080
# The gateway must listen on all interfaces inside the container (HOST, see docker-compose.yml).
CMD ["npm", "start"]
