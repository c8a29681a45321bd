import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Names the external programs (pdftotext, qpdf, soffice, chromium) that are missing, once a run, and
    // makes the one temporary folder the tests write in, removed when the run ends.
    globalSetup: ['test/support/global-setup.ts'],
    // Both cores: many tests wait on LibreOffice, Chromium or a spawned ixaudit, so two files at a time
    // finish sooner than one (vitest's default here is one worker on a 2-core machine; three gain nothing).
    maxWorkers: 2,
    // One module cache per worker instead of one per test file: the sources (pdfkit, exceljs, the fonts,
    // Ajv's compiled schemas) were imported 50 times, 67 s of a 190 s run; shared, 19 s. Tests that change
    // globals (console, process.env) restore them (test/support/run.ts).
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
