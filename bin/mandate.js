#!/usr/bin/env node
// The `mandate` command: the compiled CLI from dist/, loaded into this same process (no tsx, no child
// process), so SIGINT and SIGTERM reach the runtime, which shuts down cleanly on either.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error(
    'mandate: dist/ is missing in this checkout; build it with "npm run build" (an installed mandate package always has it).',
  );
  process.exit(1);
}
await import(main.href);
