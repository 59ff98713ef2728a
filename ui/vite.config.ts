/**
 * Vite build of the operator dashboard: `npx vite build --config ui/vite.config.ts` → ui/dist.
 * In development, `npx vite --config ui/vite.config.ts` proxies the API to a gateway on :8080.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2023', sourcemap: true },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', ws: true },
      '/metrics': 'http://127.0.0.1:8080',
    },
  },
});
