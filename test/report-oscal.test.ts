import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv, type AnySchemaObject } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../src/model/report.js';
import { packageRoot } from '../src/paths.js';
import { hdfJson } from '../src/report/hdf/index.js';
import { REPORTERS } from '../src/report/index.js';
import { jsonReporter } from '../src/report/json/index.js';
import { sarifJson } from '../src/report/sarif/index.js';
import {
  ASSESSMENT_PLAN_FILE,
  ASSESSMENT_RESULTS_FILE,
  assessmentPlan,
  assessmentPlanJson,
  assessmentResults,
  assessmentResultsJson,
  assessmentResultsJsonChunks,
  oscalReporter,
} from '../src/report/oscal/index.js';
import type {
  OscalAssessmentPlan,
  OscalAssessmentResults,
  OscalObservation,
  OscalResult,
  OscalRisk,
} from '../src/report/oscal/types.js';
import { IXAUDIT_NAMESPACE, ixauditUuid, uuidV5 } from '../src/report/oscal/uuid.js';
import { isUri, isUriReference } from '../src/report/uri.js';
import { auditReport } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { REGULATOR, SAMPLES } from './support/run.js';
import { presentationOf } from '../src/report/view/index.js';
import { isDateTime } from './support/consumers.mjs';

// Vendored byte for byte from the project's reference schemas (test/fixtures/README.md).
const SCHEMA = join(packageRoot, 'test', 'fixtures', 'schemas', 'oscal_assessment-results_schema.json');

/** Ajv for the OSCAL schema (draft-07), every format it uses checked rather than ignored. */
function oscalAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true });
  ajv.addFormat('date-time', isDateTime);
  ajv.addFormat('uri', isUri);
  ajv.addFormat('uri-reference', isUriReference);
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
  return ajv;
}

/**
 * Only the assessment-results schema is vendored (test/fixtures/schemas). The plan is checked against the
 * same OSCAL 1.2.1 definitions it shares with the results (metadata, import-ssp, local objectives,
 * reviewed controls, subjects, assets, back-matter) under the assessment plan's top level: required
 * uuid, metadata, import-ssp, reviewed-controls and nothing unknown.
 */
function planSchema(resultsSchema: AnySchemaObject): AnySchemaObject {
  const ref = (name: string) => ({ $ref: `#/definitions/${name}` });
  const list = (items: object) => ({ type: 'array', minItems: 1, items });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    definitions: resultsSchema.definitions,
    type: 'object',
    required: ['assessment-plan'],
    additionalProperties: false,
    properties: {
      'assessment-plan': {
        type: 'object',
        required: ['uuid', 'metadata', 'import-ssp', 'reviewed-controls'],
        additionalProperties: false,
        properties: {
          uuid: ref('UUIDDatatype'),
          metadata: ref('oscal-ar-oscal-metadata:metadata'),
          'import-ssp': ref('oscal-ar-oscal-assessment-common:import-ssp'),
          'local-definitions': {
            type: 'object',
            additionalProperties: false,
            properties: {
              'objectives-and-methods': list(ref('oscal-ar-oscal-assessment-common:local-objective')),
              activities: list(ref('oscal-ar-oscal-assessment-common:activity')),
              remarks: ref('oscal-ar-oscal-metadata:remarks'),
            },
          },
          'reviewed-controls': ref('oscal-ar-oscal-assessment-common:reviewed-controls'),
          'assessment-subjects': list(ref('oscal-ar-oscal-assessment-common:assessment-subject')),
          'assessment-assets': ref('oscal-ar-oscal-assessment-common:assessment-assets'),
          tasks: list(ref('oscal-ar-oscal-assessment-common:task')),
          'back-matter': ref('oscal-ar-oscal-metadata:back-matter'),
        },
      },
    },
  };
}

let samples: AuditReport;
let ar: OscalAssessmentResults;
let ap: OscalAssessmentPlan;
let result: OscalResult;
let validateResults: ReturnType<Ajv['compile']>;
let validatePlan: ReturnType<Ajv['compile']>;

beforeAll(() => {
  samples = auditReport(['inputs'], REGULATOR);
  ar = assessmentResults(samples);
  ap = assessmentPlan(samples);
  result = ar['assessment-results'].results[0];
  const schema = JSON.parse(readFileSync(SCHEMA, 'utf8'));
  validateResults = oscalAjv().compile(schema);
  validatePlan = oscalAjv().compile(planSchema(schema));
});

function observationOf(control: string, subject: string, operator = 'jp-sakura'): OscalObservation {
  const prop = (o: OscalObservation, name: string) => o.props.find((p) => p.name === name)?.value;
  const found = result.observations!.filter(
    (o) => prop(o, 'control') === control && prop(o, 'subject') === subject && prop(o, 'operator') === operator,
  );
  expect(found, `${control} ${subject}`).toHaveLength(1);
  return found[0];
}

function riskOf(observation: OscalObservation): OscalRisk {
  const found = result.risks!.filter((r) =>
    r['related-observations'].some((o) => o['observation-uuid'] === observation.uuid),
  );
  expect(found).toHaveLength(1);
  return found[0];
}

describe('OSCAL 1.2.1 assessment results (assessment-results.json)', () => {
  it('validates against the official schema, which rejects a broken document', () => {
    const parsed = JSON.parse(assessmentResultsJson(samples));
    expect(validateResults(parsed), JSON.stringify(validateResults.errors?.slice(0, 5), null, 1)).toBe(true);
    const badUuid = structuredClone(parsed);
    badUuid['assessment-results'].results[0].observations[0].uuid = 'obs-1';
    expect(validateResults(badUuid)).toBe(false);
    const emptyList = structuredClone(parsed);
    emptyList['assessment-results'].results[0].observations[0].props = [];
    expect(validateResults(emptyList)).toBe(false);
    const badTarget = structuredClone(parsed);
    badTarget['assessment-results'].results[0].findings[0].target.status.state = 'partially-satisfied';
    expect(validateResults(badTarget)).toBe(false);
  });

  it('names the audit in its metadata and imports the plan', () => {
    const doc = ar['assessment-results'];
    expect(doc.metadata).toMatchObject({
      'last-modified': '2026-07-01T00:00:00Z',
      version: samples.result.run.tool.version,
      'oscal-version': '1.2.1',
    });
    expect(doc.metadata.title).toBe('ixaudit assessment results: profile sample-2026h1, audit date 2026-07-01');
    expect(doc['import-ap']).toEqual({ href: 'assessment-plan.json' });
    expect(doc.metadata.parties!.map((p) => p['short-name'])).toEqual([
      'jp-sakura',
      'kr-hanbit',
      'no-nordlys',
      'nz-aotearoa',
    ]);
    expect(result.start).toBe('2026-07-01T00:00:00Z');
    expect(
      result['reviewed-controls']['control-selections'][0]['include-controls'].map((c) => c['control-id']),
    ).toEqual(samples.result.controls.map((c) => c.id));
  });

  it('records every finding that needs attention as an observation whose evidence is the input file, its SHA-256 and the line', () => {
    const problems = samples.result.findings.filter((f) =>
      ['fail', 'waived', 'not-evidenced', 'error'].includes(f.status),
    );
    const summaries = new Set(
      samples.result.findings
        .filter((f) => f.status === 'pass' || f.status === 'not-applicable')
        .map((f) => `${f.operator} ${f.control} ${f.status}`),
    );
    expect(result.observations).toHaveLength(problems.length + summaries.size);
    const observation = observationOf('ICX-RT-02', 'RoutingTable/rt-jp-ss7-2026q2#r-0003');
    expect(observation).toMatchObject({ methods: ['TEST'], types: ['finding'], collected: '2026-07-01T00:00:00Z' });
    expect(observation.description).toMatch(/^This standby route fails over to high-risk carrier\(s\) backup 1 ctg/);
    const [evidence] = observation['relevant-evidence']!;
    expect(evidence.description).toBe('inputs/jp-sakura/routing-ss7.yaml, line 45, column 27');
    const input = samples.result.run.inputs.find((i) => i.file === 'inputs/jp-sakura/routing-ss7.yaml')!;
    expect(evidence.props).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'line', value: '45' }),
        expect.objectContaining({ name: 'column', value: '27' }),
        expect.objectContaining({ name: 'sha256', value: input.sha256 }),
      ]),
    );
    expect(evidence.remarks).toContain('      backups: [{carrier: ctg}]');
    // The link resolves to the file's back-matter resource, which carries the same hash.
    const resource = ar['assessment-results']['back-matter']!.resources.find((r) => `#${r.uuid}` === evidence.href)!;
    expect(resource.rlinks).toEqual([
      {
        href: 'inputs/jp-sakura/routing-ss7.yaml',
        'media-type': 'application/yaml',
        hashes: [{ algorithm: 'SHA-256', value: input.sha256 }],
      },
    ]);
    const finding = samples.result.findings.find(
      (f) => f.control === 'ICX-RT-02' && f.subject === 'RoutingTable/rt-jp-ss7-2026q2#r-0003',
    )!;
    expect(observation.subjects).toEqual([
      {
        'subject-uuid': ixauditUuid('party', 'jp-sakura'),
        type: 'party',
        title: 'jp-sakura RoutingTable/rt-jp-ss7-2026q2#r-0003',
        props: [
          expect.objectContaining({ name: 'subject', value: 'RoutingTable/rt-jp-ss7-2026q2#r-0003' }),
          expect.objectContaining({ name: 'location', value: 'inputs/jp-sakura/routing-ss7.yaml:45:27' }),
          expect.objectContaining({ name: 'fingerprint', value: finding.fingerprint }),
        ],
      },
    ]);
    // Passing subjects make no observation of their own and no risk: one summary per operator, control and status.
    const passing = samples.result.findings.find((f) => f.status === 'pass')!;
    const summary = result.observations!.filter(
      (o) =>
        o.props.some((p) => p.name === 'control' && p.value === passing.control) &&
        o.props.some((p) => p.name === 'operator' && p.value === passing.operator) &&
        o.props.some((p) => p.name === 'status' && p.value === 'pass'),
    );
    expect(summary).toHaveLength(1);
    expect(summary[0].types).toEqual(['control-objective']);
    const passed = samples.result.findings
      .filter((f) => f.control === passing.control && f.operator === passing.operator && f.status === 'pass')
      .reduce((n, f) => n + f.occurrences.length, 0);
    expect(summary[0].props.find((p) => p.name === 'count')!.value).toBe(String(passed));
    expect(result.risks!.some((r) => r['related-observations'][0]['observation-uuid'] === summary[0].uuid)).toBe(false);
  });

  it('judges each operator’s control objective, targeting the objective the plan defines', () => {
    const findings = result.findings!;
    const operatorsTimesControls = new Set(samples.result.findings.map((f) => `${f.operator} ${f.control}`));
    expect(findings).toHaveLength(operatorsTimesControls.size);
    const of = (operator: string, control: string) =>
      findings.find(
        (f) =>
          f.props.some((p) => p.name === 'operator' && p.value === operator) &&
          f.props.some((p) => p.name === 'control' && p.value === control),
      )!;
    const failing = of('jp-sakura', 'ICX-RT-02');
    expect(failing.target).toMatchObject({
      type: 'objective-id',
      'target-id': 'ICX-RT-02_obj',
      status: { state: 'not-satisfied', reason: 'fail' },
    });
    expect(failing.description).toContain(
      '- RoutingTable/rt-jp-ss7-2026q2#r-0003 (fail): This standby route fails over',
    );
    const clean = of('no-nordlys', 'ICX-RT-02');
    expect(clean.target.status).toEqual({ state: 'satisfied', reason: 'pass' });
    expect(clean['related-risks']).toBeUndefined();
    // Every related observation and risk exists, and each target is an objective of the plan.
    const observationIds = new Set(result.observations!.map((o) => o.uuid));
    const riskIds = new Set(result.risks!.map((r) => r.uuid));
    const objectives = new Set(
      ap['assessment-plan']['local-definitions']['objectives-and-methods']
        .flatMap((o) => o.parts.map((p) => p.id))
        .filter(Boolean),
    );
    for (const f of findings) {
      expect(objectives.has(f.target['target-id']), f.target['target-id']).toBe(true);
      for (const o of f['related-observations']) expect(observationIds.has(o['observation-uuid'])).toBe(true);
      for (const r of f['related-risks'] ?? []) expect(riskIds.has(r['risk-uuid'])).toBe(true);
    }
  });

  it('makes a risk of every failure, with a waiver as deviation-approved until its expiry', () => {
    const attention = samples.result.findings.filter((f) =>
      ['fail', 'waived', 'not-evidenced', 'error'].includes(f.status),
    );
    expect(result.risks).toHaveLength(attention.length);

    const waived = riskOf(observationOf('ICX-RT-01', 'RoutingTable/rt-jp-ss7-2026q2#r-0001'));
    expect(waived).toMatchObject({ status: 'deviation-approved', deadline: '2026-12-31T23:59:59Z' });
    // The risk log records the approved deviation with the waiver's own justification, approver and ticket.
    expect(waived['risk-log']!.entries).toHaveLength(1);
    expect(waived['risk-log']!.entries[0]).toMatchObject({
      'status-change': 'deviation-approved',
      start: '2026-07-01T00:00:00Z',
      title: 'Deviation approved by waiver w-jp-001 until 2026-12-31',
    });
    expect(waived['risk-log']!.entries[0].description).toContain(
      'approved by 相互接続セキュリティ室 (Interconnect Security Office); ticket SEC-2291',
    );
    expect(waived.props).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'waiver', value: 'w-jp-001' }),
        expect.objectContaining({ name: 'waiver-status', value: 'applied' }),
      ]),
    );
    expect(waived.characterizations[0].facets).toEqual([
      { name: 'severity', system: 'https://ixaudit.dev/ns/oscal', value: 'critical' },
    ]);

    // Expired the day before the audit: an open risk again, without a deadline.
    const expired = riskOf(observationOf('ICX-RT-02', 'RoutingTable/rt-jp-ss7-2026q2#r-0003'));
    expect(expired.status).toBe('open');
    expect(expired.deadline).toBeUndefined();
    expect(expired.props).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'waiver-status', value: 'expired' }),
        expect.objectContaining({ name: 'waiver-expires', value: '2026-06-30' }),
      ]),
    );
    expect(expired.statement).toBe(
      'The requirement is not met for RoutingTable/rt-jp-ss7-2026q2#r-0003 of operator jp-sakura (high severity): No route fails over (backups) to a high-risk carrier.',
    );
    expect(expired.remediations![0]).toMatchObject({ lifecycle: 'recommendation', title: 'Remediate ICX-RT-02' });

    const notEvidenced = samples.result.findings.filter((f) => f.status === 'not-evidenced');
    expect(notEvidenced.length).toBeGreaterThan(0);
    for (const f of notEvidenced)
      expect(riskOf(observationOf(f.control, f.subject, f.operator)).status).toBe('investigating');
  });

  it('derives RFC 4122 version-5 UUIDs from content: unique, resolvable, stable', () => {
    // Vectors computed with Python's uuid.uuid5.
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
    expect(IXAUDIT_NAMESPACE).toBe('f304750b-b4ca-57c7-954d-e102532ae9e7');
    expect(ixauditUuid('party', 'jp-sakura')).toBe('c1f82fa3-8763-572e-8dab-f959d2f4ba49');

    const text = assessmentResultsJson(samples);
    const uuids = [...text.matchAll(/"uuid": "([^"]+)"/g)].map((m) => m[1]);
    // The tool component is defined once per document; everything else once.
    expect(new Set(uuids).size).toBe(uuids.length);
    expect(text).toBe(assessmentResultsJson(auditReport(['inputs'], REGULATOR)));
    const defined = new Set([...uuids, ...ar['assessment-results'].metadata.parties!.map((p) => p.uuid)]);
    for (const m of text.matchAll(
      /"(?:subject-uuid|actor-uuid|observation-uuid|risk-uuid|component-uuid)": "([^"]+)"/g,
    ))
      expect(defined.has(m[1]), m[0]).toBe(true);
    for (const m of text.matchAll(/"href": "#([^"]+)"/g)) expect(defined.has(m[1]), m[0]).toBe(true);
  });

  it('is written piece by piece, one observation or risk at a time, byte-identical to the whole document', () => {
    const chunks = [...assessmentResultsJsonChunks(samples)];
    expect(chunks.join('')).toBe(`${JSON.stringify(assessmentResults(samples), null, 2)}\n`);
    const perChunk = (key: string) => Math.max(...chunks.map((c) => c.split(key).length - 1));
    expect(perChunk('"collected"')).toBe(1); // observations
    expect(perChunk('"statement"')).toBe(1); // risks
  });

  it('records a comparison with a previous run on each observation', () => {
    const compared: AuditReport = structuredClone(samples);
    const problem = compared.result.findings.find((f) => f.status === 'fail')!;
    problem.baseline = { state: 'changed', previousStatus: 'pass' };
    const doc = assessmentResults(compared);
    const props = doc['assessment-results'].results[0].observations!.find((o) =>
      o.props.some((p) => p.name === 'fingerprint' && p.value === problem.fingerprint),
    )!.props;
    expect(props).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'baseline-state', value: 'changed' }),
        expect.objectContaining({ name: 'previous-status', value: 'pass' }),
      ]),
    );
    expect(validateResults(JSON.parse(JSON.stringify(doc)))).toBe(true);
  });
});

describe('OSCAL results of operators whose passing route findings are counted, not listed', () => {
  it('judge every objective as the fully listed run does, and sum up the same passing subjects', () => {
    const counted = auditReport(['inputs'], { ...REGULATOR, listRouteFindingsUpTo: 3 });
    const groups = counted.result.summarised ?? [];
    expect(groups.length).toBeGreaterThan(0);
    const doc = assessmentResults(counted);
    expect(
      validateResults(JSON.parse(JSON.stringify(doc))),
      JSON.stringify(validateResults.errors?.slice(0, 5), null, 1),
    ).toBe(true);
    const countedResult = doc['assessment-results'].results[0];
    const targets = (r: OscalResult) => new Map(r.findings!.map((f) => [f.uuid, f.target.status.state]));
    expect(targets(countedResult)).toEqual(targets(result));
    // Listed or counted, a summary observation has the same uuid and count: the subjects that passed.
    const summaries = (r: OscalResult) =>
      new Map(
        r
          .observations!.filter((o) => o.props.some((p) => p.name === 'count'))
          .map((o) => [o.uuid, o.props.find((p) => p.name === 'count')!.value]),
      );
    expect(summaries(countedResult)).toEqual(summaries(result));
    const group = groups.find((g) => g.status === 'pass')!;
    const observation = countedResult.observations!.find(
      (o) =>
        o.props.some((p) => p.name === 'count') &&
        o.props.some((p) => p.name === 'status' && p.value === 'pass') &&
        o.props.some((p) => p.name === 'control' && p.value === group.control) &&
        o.props.some((p) => p.name === 'operator' && p.value === group.operator),
    )!;
    expect(observation.description).toMatch(
      new RegExp(`^\\d+ subject\\(s\\) of ${group.operator} passed; they are counted rather than listed one by one`),
    );
    expect(Number(observation.props.find((p) => p.name === 'count')!.value)).toBeGreaterThanOrEqual(group.count);
    const finding = countedResult.findings!.find(
      (f) => f.uuid === ixauditUuid('finding', group.operator, group.control),
    )!;
    expect(finding['related-observations'].map((o) => o['observation-uuid'])).toContain(observation.uuid);
  });
});

describe('OSCAL assessment plan (assessment-plan.json)', () => {
  it('validates against the OSCAL definitions it shares with the results, and names controls, objectives and subjects', () => {
    const parsed = JSON.parse(assessmentPlanJson(samples));
    expect(validatePlan(parsed), JSON.stringify(validatePlan.errors?.slice(0, 5), null, 1)).toBe(true);
    const broken = structuredClone(parsed);
    delete broken['assessment-plan']['reviewed-controls'];
    expect(validatePlan(broken)).toBe(false);

    const plan = ap['assessment-plan'];
    expect(plan.metadata['oscal-version']).toBe('1.2.1');
    const objective = plan['local-definitions']['objectives-and-methods'].find((o) => o['control-id'] === 'ICX-RT-02')!;
    expect(objective.parts[0]).toMatchObject({
      id: 'ICX-RT-02_obj',
      name: 'assessment-objective',
      prose: 'No route fails over (backups) to a high-risk carrier.',
    });
    expect(plan['assessment-subjects']![0]['include-subjects'].map((s) => s['subject-uuid'])).toEqual(
      plan.metadata.parties!.map((p) => p.uuid),
    );
    // import-ssp points into the plan's own back-matter.
    expect(plan['back-matter'].resources.map((r) => `#${r.uuid}`)).toContain(plan['import-ssp'].href);
  });

  it('is written beside the results by the registered reporter, byte-identical for the same inputs', async () => {
    const out = tempFiles({});
    const paths = await oscalReporter.write(presentationOf(samples), out, {});
    expect(paths).toEqual([join(out, ASSESSMENT_PLAN_FILE), join(out, ASSESSMENT_RESULTS_FILE)]);
    expect(readFileSync(paths[0], 'utf8')).toBe(assessmentPlanJson(auditReport(['inputs'], REGULATOR)));
    expect(readFileSync(paths[1], 'utf8')).toBe(assessmentResultsJson(samples, { documentDir: out }));
    expect(JSON.parse(readFileSync(paths[1], 'utf8'))['assessment-results']['import-ap'].href).toBe(
      ASSESSMENT_PLAN_FILE,
    );
    expect(REPORTERS).toContain(oscalReporter);
  });

  it('derives the same UUIDs from the findings.json written before it as from findings generated again', async () => {
    const alone = tempFiles({});
    const afterJson = tempFiles({});
    const model = presentationOf(samples);
    await oscalReporter.write(model, alone, {});
    const [findingsFile] = await jsonReporter.write(model, afterJson, {});
    await oscalReporter.write({ ...model, artifacts: ['findings.json'] }, afterJson, { publishedDir: alone });
    const written = readFileSync(join(afterJson, ASSESSMENT_RESULTS_FILE), 'utf8');
    expect(written).toBe(readFileSync(join(alone, ASSESSMENT_RESULTS_FILE), 'utf8'));
    // It really reads the file: other bytes there give other UUIDs.
    writeFileSync(findingsFile, '{}\n');
    await oscalReporter.write({ ...model, artifacts: ['findings.json'] }, afterJson, { publishedDir: alone });
    const changed = JSON.parse(readFileSync(join(afterJson, ASSESSMENT_RESULTS_FILE), 'utf8'));
    expect(changed['assessment-results'].uuid).not.toBe(JSON.parse(written)['assessment-results'].uuid);
  });
});

describe('interchange files from the command line', () => {
  it('ixaudit audit --format sarif,oscal,hdf writes the OSCAL pair, SARIF and HDF into --out, as the model gives them, with the plan beside the results', () => {
    const out = join(tempFiles({}), 'out');
    const run = spawnSync(
      process.execPath,
      ['bin/ixaudit.js', 'audit', ...SAMPLES, '--out', out, '--quiet', '--format', 'sarif,oscal,hdf'],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(1); // the samples fail on purpose
    const written = (file: string) => readFileSync(join(out, file), 'utf8');
    expect(written(ASSESSMENT_RESULTS_FILE)).toBe(assessmentResultsJson(samples, { documentDir: out }));
    expect(written(ASSESSMENT_PLAN_FILE)).toBe(assessmentPlanJson(samples));
    expect(written('findings.sarif')).toBe(sarifJson(samples));
    expect(written('hdf.json')).toBe(hdfJson(samples));
    const doc = JSON.parse(written(ASSESSMENT_RESULTS_FILE))['assessment-results'];
    const documentUrl = pathToFileURL(join(out, ASSESSMENT_RESULTS_FILE));
    expect(existsSync(fileURLToPath(new URL(doc['import-ap'].href, documentUrl)))).toBe(true);
    // Every input's link resolves, relative to the document in --out, to the file audited (same SHA-256).
    for (const resource of doc['back-matter'].resources) {
      const [rlink] = resource.rlinks;
      const file = fileURLToPath(new URL(rlink.href, documentUrl));
      expect(createHash('sha256').update(readFileSync(file)).digest('hex'), rlink.href).toBe(rlink.hashes[0].value);
    }
    // A submission file is linked by its path relative to --out (here a folder outside the working directory).
    expect(doc['back-matter'].resources.map((r: { rlinks: Array<{ href: string }> }) => r.rlinks[0].href)).toContain(
      relative(out, resolve('inputs/jp-sakura/routing-ss7.yaml')).split(sep).join('/'),
    );
  }, 120_000); // a whole audit in a child process, on a loaded 2-core machine
});
