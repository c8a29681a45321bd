import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadText } from '../src/load/index.js';
import { progressEvery } from '../src/model/progress.js';
import { formatDiagnostic, type LoadedDocument } from '../src/model/types.js';
import { subjectFindings } from './support/findings.js';
import { audit } from './support/audit.js';
import { tempFiles } from './support/files.js';

const HEADER = `apiVersion: ixaudit/v1
kind: RoutingTable
metadata: {id: rt-csv, operator: op-jp, name: STP export as CSV}
spec:
  protocol: ss7
  exportedAt: 2026-06-30T23:00:00Z
---
`;
const COLUMNS =
  'id,match.gtPrefix,destination.country,destination.plmn,primary,backups,transit,trafficShare,encryption,status\n';

describe('CSV route exports', () => {
  it('audits like the YAML table it stands for, with findings on the row and cell', () => {
    const csv = `${HEADER}${COLUMNS}r-1,49,DE,,clean-de,clean-ipx,,40,ipsec,active\nr-2,1,US,,clean-ipx,clean-de;risky-hub,clean-ipx,1.5,none,standby\n`;
    const dir = tempFiles({ 'rt.csv': csv });
    const result = audit(['test/controls/_base.yaml', dir]);
    expect(result.errors).toEqual([]);
    const rt02 = subjectFindings(result.findings).filter((f) => f.control === 'ICX-RT-02');
    expect(rt02.map((f) => [f.subject, f.status])).toEqual([
      ['RoutingTable/rt-csv#r-1', 'pass'],
      ['RoutingTable/rt-csv#r-2', 'fail'],
    ]);
    // Row r-2 is line 10 of the file; its backups cell starts at column 21.
    expect(rt02[1].location).toEqual({ file: join(dir, 'rt.csv'), line: 10, column: 21 });
    expect(rt02[1].excerpt?.map((l) => l.line)).toEqual([9, 10]);
  });

  it('locates schema errors by row and column', () => {
    const csv = `${HEADER}${COLUMNS}r-1,49,Germany,,clean-de,,,lots,ipsec,actve\n`;
    // The broken route is dropped, not its table (spec: "Completeness"), and every message says so.
    const dropped = ' (1 route(s) of table rt-csv could not be loaded and were not audited; the rest of the table was)';
    const loaded = loadText('rt.csv', csv);
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      `rt.csv:9:8: spec.routes[0].destination.country: expected an ISO 3166-1 alpha-2 country code such as JP, found the text "Germany"${dropped}`,
      `rt.csv:9:28: spec.routes[0].trafficShare: expected a percentage from 0 to 100, found the text "lots"${dropped}`,
      `rt.csv:9:39: spec.routes[0].status: expected one of active | standby | disabled, found the text "actve"${dropped}`,
    ]);
    expect(loaded.documents.map((d) => [d.id, (d as LoadedDocument<'RoutingTable'>).value.spec.routes.length])).toEqual(
      [['rt-csv', 0]],
    );
  });

  it('reads quoted cells (commas, quotes, CRLF) and reports unknown columns and a missing header', () => {
    const quoted = `${HEADER}id,match.realm,destination.country,primary,status\r\n"r-1","*.mcc454.3gppnetwork.org",HK,"clean-ipx",active\r\n`;
    const loaded = loadText('q.csv', quoted);
    expect(loaded.diagnostics).toEqual([]);
    expect((loaded.documents[0] as LoadedDocument<'RoutingTable'>).value.spec.routes).toEqual([
      {
        id: 'r-1',
        match: { realm: '*.mcc454.3gppnetwork.org' },
        destination: { country: 'HK' },
        primary: { carrier: 'clean-ipx' },
        status: 'active',
      },
    ]);
    expect(loadText('u.csv', `${HEADER}id,colour\n`).diagnostics.map(formatDiagnostic)[0]).toMatch(
      /^u\.csv:8:4: CSV column "colour": not a route field/,
    );
    expect(loadText('n.csv', COLUMNS).diagnostics.map(formatDiagnostic)).toEqual([
      'n.csv:1:1: a CSV route export starts with a YAML RoutingTable header, then a line "---", then the CSV rows',
    ]);
  });
});

describe('reading a national CSV export', () => {
  it('says how far through the file it is, every progressEvery.items rows', () => {
    const rows = Array.from({ length: 7 }, (_, i) => `r-${i},49,DE,,clean-de,,,1,ipsec,active`).join('\n');
    const text = `${HEADER}${COLUMNS}${rows}\n`;
    const heard: Array<[string, number, number]> = [];
    const every = progressEvery.items;
    progressEvery.items = 3;
    try {
      const loaded = loadText('routes.csv', text, {
        onFileProgress: (file, progress) => {
          if ('read' in progress && progress.read) heard.push([file, progress.read.done, progress.read.total]);
        },
      });
      expect(loaded.documents).toHaveLength(1);
    } finally {
      progressEvery.items = every;
    }
    const offsetAfter = (row: number) => text.indexOf(`r-${row + 1},`);
    expect(heard).toEqual([
      ['routes.csv', offsetAfter(2), text.length],
      ['routes.csv', offsetAfter(5), text.length],
    ]);
  });
});
