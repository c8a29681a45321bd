import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditReport, InventoryRoute } from '../src/model/report.js';
import { directCsv, occurrencesCsv, routesCsv } from '../src/report/csv/index.js';
import { presentationOf } from '../src/report/view/index.js';
import { auditReport } from './support/audit.js';
import { mergedByCause, nationalScale } from './support/causes.js';
import { REGULATOR } from './support/run.js';

// occurrences.csv and routes.csv are written as text record by record (directCsv in src/report/csv/index.ts),
// with what records share escaped once. That is a performance device only: with it on or off, both files
// must be the same text.

afterEach(() => {
  directCsv.enabled = true;
});

/** Both files' whole text, with the switch as given. */
function csvTexts(report: AuditReport, direct: boolean): { occurrences: string; routes: string } {
  directCsv.enabled = direct;
  try {
    return {
      occurrences: [...occurrencesCsv(report)].join(''),
      routes: [...routesCsv(presentationOf(report))].join(''),
    };
  } finally {
    directCsv.enabled = true;
  }
}

function expectSameBothWays(report: AuditReport): void {
  const direct = csvTexts(report, true);
  const plain = csvTexts(report, false);
  expect(direct.occurrences).toBe(plain.occurrences);
  expect(direct.routes).toBe(plain.routes);
}

const samples = mergedByCause(auditReport(['inputs'], REGULATOR));

/** Text a CSV field has to guard: separators, quotes, line ends, formula starts, non-Latin-1 letters. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '',
    'a,b',
    'a;=1+1',
    '"quoted"',
    '=SUM(A1)',
    '+cmd|calc',
    '-1',
    '@x',
    '\tx',
    'a\r\nb',
    'さくら, モバイル',
  ),
);

describe('occurrences.csv and routes.csv written directly', () => {
  it('are the same text with the switch on and off, for the samples and a 600-route table', () => {
    const national = nationalScale(samples, 600);
    for (const report of [samples, national]) {
      const direct = csvTexts(report, true);
      // Not empty on either side: every occurrence and route has its record.
      const occurrences = report.result.findings.reduce((n, f) => n + f.occurrences.length, 0);
      expect(direct.occurrences.split('\r\n').length - 2).toBe(occurrences);
      expect(direct.routes.split('\r\n').length - 2).toBe(report.inventory.routes.length);
      expectSameBothWays(report);
    }
  });

  it('escape hostile subjects, files, evidence, routes and hops as the plain path does, with a baseline too', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(hostileText, hostileText, fc.option(hostileText)), { minLength: 1, maxLength: 8 }),
        fc.array(fc.tuple(hostileText, hostileText, hostileText), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (occurrences, routes, withBaseline) => {
          const report: AuditReport = structuredClone(samples);
          const finding = report.result.findings.find((f) => f.occurrences.length > 1)!;
          // Runs of one file and changes of file, as a finding over several tables has.
          finding.occurrences = occurrences.map(([subject, file, note], i) => ({
            subject,
            location: { file: i % 3 === 0 ? file : finding.location.file, line: i + 1, column: 2 },
            fingerprint: `${i}`.padStart(32, '0'),
            ...(note === null ? {} : { evidence: { note } }),
            ...(withBaseline
              ? { baseline: { state: i % 2 ? 'regressed' : 'unchanged', previousStatus: note ?? undefined } }
              : {}),
          })) as typeof finding.occurrences;
          if (withBaseline)
            report.result.baseline = {
              source: 'previous',
              previousAuditDate: '2026-01-01',
              counts: { new: 0, regressed: 0, improved: 0, unchanged: 0, changed: 0, resolved: 0 },
              removed: [],
            };
          // Routes that share one hop list (as routes of one shape do) but not their own cells.
          const template = report.inventory.routes[0];
          const hops = template.hops.map((h, i) => ({ ...h, carrier: routes[i % routes.length][2] }));
          report.inventory.routes = routes.map(
            ([id, match, carrier], i): InventoryRoute => ({
              ...template,
              id,
              ref: i % 2 === 0 ? template.ref : `RoutingTable/x#${id}`,
              match,
              firewall: carrier,
              hops: i % 2 === 0 ? hops : template.hops,
              location: { file: i % 2 === 0 ? carrier : template.location.file, line: i + 1, column: 1 },
            }),
          );
          expectSameBothWays(report);
        },
      ),
      { numRuns: 50 },
    );
  });
});
