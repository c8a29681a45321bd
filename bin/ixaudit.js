#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci` via `prepare`).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // Only a bug in ixaudit itself reaches here; user errors are reported by main() with locations.
    console.error(`ixaudit: internal error: ${err?.stack ? err.stack : err}`);
    process.exitCode = 3;
  },
);
