import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Names the external programs (pdftotext, qpdf, soffice, chromium) that are missing, once a run.
    globalSetup: ['test/support/tools-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
