import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FINDINGS_SCHEMA_VERSION } from '../src/audit/run-audit.js';

// docs/findings.md is how a consumer learns findings.json. A newcomer found its top-level table giving
// schemaVersion "2.0" (the files say "3.0") and `run.registry` missing; this holds the tables to the schema.
const DOC = readFileSync('docs/findings.md', 'utf8');
const SCHEMA = JSON.parse(readFileSync('src/model/schemas/findings.schema.json', 'utf8'));

/** The first-column field names (without `[]`) of the table under `## heading`. */
function tableFields(heading: string): string[] {
  const start = DOC.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/findings.md has no "## ${heading}" section`);
  const section = DOC.slice(start + 1).split(/\n## /)[0];
  return [...section.matchAll(/^\| `([^`]+)`/gm)].flatMap((m) => m[1].split(/`, `/)).map((f) => f.replace(/\[\]$/, ''));
}

describe('docs/findings.md', () => {
  it('names every top-level field of the findings schema, and the schema version the files carry', () => {
    expect(tableFields('Top level').sort()).toEqual(Object.keys(SCHEMA.properties).sort());
    expect(DOC).toContain(`| \`schemaVersion\` | \`"${FINDINGS_SCHEMA_VERSION}"\` |`);
  });

  it('names every field of `run`', () => {
    const documented = new Set(tableFields('`run`').map((f) => f.split('.')[0]));
    expect(Object.keys(SCHEMA.properties.run.properties).filter((f) => !documented.has(f))).toEqual([]);
  });
});
