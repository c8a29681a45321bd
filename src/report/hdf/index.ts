import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { WaiverOutcome } from '../../model/finding.js';
import type { AuditReport } from '../../model/report.js';
import { compareText } from '../../model/order.js';
import type { Reporter } from '../types.js';
import { materialize, prettyJsonChunks, type JsonPath } from '../json-stream.js';
import { writeChunksAtomic } from '../write-atomic.js';
import { fileProgress } from '../progress.js';
import { controlFor, FAMILY_TITLES, type LazyHdfControl, occurrencesPerResult } from './mapping.js';
import type { HdfExecJson, HdfProfile } from './types.js';
import { unlistedControl } from '../unlisted-control.js';

export const HDF_FILE = 'hdf.json';

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(key(item));
    if (list) list.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/**
 * The checksum HDF asks of a profile: here, of what defines the assessment — the catalog version, the
 * controls in force (after the profile's tailoring) and the parameters they were held against.
 */
function profileSha256(report: AuditReport): string {
  const { run, controls } = report.result;
  return createHash('sha256')
    .update(JSON.stringify({ catalog: run.catalog.version, controls, parameters: run.profile.parameters }))
    .digest('hex');
}

/** An HDF document whose results are built one at a time as they are written (see json-stream.ts). */
type LazyHdfExecJson = Omit<HdfExecJson, 'profiles'> & {
  profiles: Array<Omit<HdfProfile, 'controls'> & { controls: LazyHdfControl[] }>;
};

/** Lists that can be huge: each control's results, written element by element. */
const STREAMED: JsonPath[] = [['profiles', '*', 'controls', '*', 'results']];

/** The run as one HDF document: one profile (the catalog as tailored), one control per control in force. */
function hdfLazyDocument(report: AuditReport): LazyHdfExecJson {
  const { result } = report;
  const startTime = `${result.run.auditDate}T00:00:00Z`;
  const notEvidencedIsFailure = result.run.profile.parameters.notEvidencedIsFailure === true;
  const findingsByControl = groupBy(result.findings, (f) => f.control);
  const waiversByControl = groupBy<WaiverOutcome>(result.waivers, (w) => w.control);
  const summarisedByControl = groupBy(result.summarised ?? [], (g) => g.control);

  const summaries = [...result.controls];
  const listed = new Set(summaries.map((c) => c.id));
  for (const f of result.findings) {
    if (listed.has(f.control)) continue;
    listed.add(f.control);
    summaries.push(unlistedControl(f));
  }
  // The document's occurrence lists are bounded as a whole, not per result: a sector run has thousands of causes.
  const perResult = occurrencesPerResult(result.findings.length);
  const built = summaries.map((c) =>
    controlFor(
      c,
      findingsByControl.get(c.id) ?? [],
      summarisedByControl.get(c.id) ?? [],
      waiversByControl.get(c.id) ?? [],
      { startTime, notEvidencedIsFailure, occurrencesPerResult: perResult },
    ),
  );
  const controls = built.map((b) => b.control);
  const outcomes = built.map((b) => b.outcome);
  const count = (outcome: string) => ({ total: outcomes.filter((o) => o === outcome).length });
  const families = [...groupBy(summaries, (c) => c.family).entries()].sort(([a], [b]) => compareText(a, b));
  const operators = result.summary.operators.map((o) => o.id);

  return {
    platform: { name: 'ixaudit', release: result.run.tool.version, target_id: operators.join(', ') },
    profiles: [
      {
        name: 'ixaudit',
        title: `ixaudit interconnect control catalog ${result.run.catalog.version}, profile ${result.run.profile.id}`,
        maintainer: 'ixaudit',
        license: 'Apache-2.0',
        summary: `Audit of the interconnect arrangements of ${operators.length} operator(s) (${operators.join(', ')}) on ${result.run.auditDate}.`,
        version: result.run.catalog.version,
        sha256: profileSha256(report),
        status: 'loaded',
        supports: [],
        attributes: Object.entries(result.run.profile.parameters).map(([name, value]) => ({
          name,
          options: { value },
        })),
        groups: families.map(([family, members]) => ({
          id: `controls/${family}`,
          title: FAMILY_TITLES[family] ?? family,
          controls: members.map((c) => c.id),
        })),
        controls,
      },
    ],
    statistics: {
      controls: { total: controls.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped') },
    },
    version: result.run.tool.version,
    // Not read by Heimdall; keeps what the audit rested on next to its results (SAF converters use the same key).
    passthrough: {
      auditDate: result.run.auditDate,
      profile: { id: result.run.profile.id, chain: result.run.profile.chain, failOn: result.run.profile.failOn },
      inputs: result.run.inputs.map((i) => ({ file: i.file, sha256: i.sha256, bytes: i.bytes })),
      errors: result.errors,
    },
  };
}

/** The run as one HDF document, every list an array. */
export function hdfDocument(report: AuditReport): HdfExecJson {
  return materialize<HdfExecJson>(hdfLazyDocument(report));
}

/** hdf.json piece by piece: exactly JSON.stringify(hdfDocument(report), null, 2) and a newline. */
export function* hdfJsonChunks(report: AuditReport): Generator<string> {
  yield* prettyJsonChunks(hdfLazyDocument(report), STREAMED);
  yield '\n';
}

export function hdfJson(report: AuditReport): string {
  return [...hdfJsonChunks(report)].join('');
}

export const hdfReporter: Reporter = {
  name: 'hdf',
  async write({ report }, outDir, options) {
    const path = join(outDir, HDF_FILE);
    writeChunksAtomic(path, hdfJsonChunks(report), fileProgress(options, outDir, path, 'bytes'));
    return [path];
  },
};
