import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { TemplateError } from '../pdf/templates.js';
import { BASELINE_STATES } from '../../model/finding.js';
import type { Verdict } from '../../model/report.js';
import type { Presentation } from '../view/index.js';
import { compareText } from '../../model/order.js';
import { packageRoot } from '../../paths.js';
import { reportId } from '../manifest.js';
import type { Reporter, ReportOptions } from '../types.js';
import { writeFileAtomic } from '../write-atomic.js';
import { htmlText, mapStrings } from '../../model/text.js';
import { percentText } from '../number-text.js';

const TEMPLATE = 'index.html.hbs';

/**
 * Friendly names for the files other reporters write (anything else is listed by its file name): here an
 * operator's own files, listed beside its name.
 */
const OPERATOR_LABELS: Record<string, string> = {
  'report.pdf': 'PDF report',
  'findings.xlsx': 'workbook',
};

/** The run's files, listed on their own: each says what it is, as an operator's files need not. */
const LABELS: Record<string, string> = {
  'findings.xlsx': 'findings.xlsx — all findings of the run (workbook)',
  'findings.json': 'findings.json — all findings (JSON)',
  'findings.csv': 'findings.csv — findings by cause, with their occurrence counts (CSV)',
  'occurrences.csv': 'occurrences.csv — every occurrence of every finding, one row per subject (CSV)',
  'routes.csv': 'routes.csv — every route audited, with the controls it fails (CSV)',
  'findings.sarif': 'findings.sarif — SARIF 2.1.0 for code-scanning viewers',
  'assessment-results.json': 'assessment-results.json — OSCAL assessment results',
  'assessment-plan.json': 'assessment-plan.json — OSCAL assessment plan',
  'hdf.json': 'hdf.json — Heimdall / MITRE SAF (HDF)',
  'sector.pdf': 'sector.pdf — sector report',
  'sector.xlsx': 'sector.xlsx — sector workbook',
  'manifest.json': 'manifest.json — evidence manifest (SHA-256 of every input and output)',
};

function templateSource(options: ReportOptions): string {
  const override = options.templateDir ? join(options.templateDir, TEMPLATE) : undefined;
  return readFileSync(
    override && existsSync(override) ? override : join(packageRoot, 'src', 'report', 'html', TEMPLATE),
    'utf8',
  );
}

/** A verdict as a CSS class of the page: fail, error, incomplete, not-gated, pass. */
function verdictClass(verdict: Verdict): string {
  return verdict.toLowerCase().replace(/ /g, '-');
}

/** The files of one folder among the run's artifacts ('' for the top of --out), in code-point order. */
function artifactsIn(artifacts: readonly string[], folder: string): string[] {
  const prefix = folder === '' ? '' : `${folder}/`;
  return artifacts
    .filter((a) => a.startsWith(prefix) && !a.slice(prefix.length).includes('/'))
    .map((a) => a.slice(prefix.length))
    .sort(compareText);
}

/**
 * The index page: the sector view and a link to every report written. It runs after the other reporters
 * and links exactly the files they wrote (the presentation's artifacts), plus the manifest, written last.
 * Handlebars escapes markup but passes control and bidi characters through, so every string of the
 * model goes through htmlText(): a U+202E in an operator name is shown as `\u202e` rather than
 * reversing the rest of its table row, and XML-forbidden characters never reach the page.
 */
export function indexModel(presentation: Presentation) {
  return mapStrings(pageModel(presentation), htmlText);
}

function pageModel(presentation: Presentation) {
  const { sector, artifacts, run } = presentation;
  const { result } = presentation.report;
  const byId = new Map(sector.operators.map((o) => [o.id, o]));
  // The counts are per subject; the findings are causes, each standing for its occurrences.
  const c = run.totals.byStatus;
  const attention = run.totals.attentionCauses;
  return {
    run: {
      auditDate: result.run.auditDate,
      profile: result.run.profile.id,
      tool: result.run.tool.version,
      catalog: result.run.catalog.version,
      reportId: reportId(result),
    },
    summary: {
      result: verdictClass(run.verdict),
      resultText: run.verdict,
      failed: c.fail,
      notEvidenced: c['not-evidenced'],
      waived: c.waived,
      errors: result.errors.length,
      /** Findings (causes) behind the failed, not-evidenced, error and waived subjects. */
      attention,
    },
    // With --baseline: the count of each state (new, regressed, improved, changed, unchanged, resolved), and
    // `states` to list them in that order.
    baseline: result.baseline
      ? {
          previousAuditDate: result.baseline.previousAuditDate,
          ...result.baseline.counts,
          states: BASELINE_STATES.map((state) => ({ state, count: result.baseline!.counts[state] ?? 0 })),
        }
      : (false as const),
    operators: sector.rankedByExposure.map((id) => {
      const o = byId.get(id)!;
      return {
        ...o,
        result: verdictClass(o.result),
        resultText: o.result,
        maxExposure: percentText(o.maxExposure),
        links: artifactsIn(artifacts, o.reportDir).map((f) => ({
          href: `${encodeURIComponent(o.reportDir)}/${encodeURIComponent(f)}`,
          label: OPERATOR_LABELS[f] ?? f,
        })),
      };
    }),
    matrix: sector.exposureMatrix.map((cell) => ({ ...cell, share: percentText(cell.share) })),
    carriers: sector.carriers.map((carrier) => ({
      ...carrier,
      count: carrier.operators.length,
      operatorList: carrier.operators.join(', '),
    })),
    // Pass rates are over the operators a control applies to: "k of n where it applies".
    controls: sector.controls.map((control) => ({
      ...control,
      operators: sector.operators.length,
      appliesNowhere: control.applicable === 0,
      passRate: percentText(control.passRate),
    })),
    changes: sector.changes ?? (false as const),
    files: [...new Set([...artifactsIn(artifacts, ''), 'manifest.json'])]
      .filter((f) => f !== 'index.html' && f !== 'manifest.sig')
      .sort(compareText)
      .map((f) => ({ href: encodeURIComponent(f), label: LABELS[f] ?? f })),
  };
}

/** Handlebars with `lookup` restricted to the model's own values: `{{lookup this "constructor"}}` is an error, not blank. */
function strictHandlebars(): typeof Handlebars {
  const env = Handlebars.create();
  env.registerHelper('lookup', (value: unknown, field: unknown) => {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, String(field))) {
      throw new Error(`lookup: "${String(field)}" is not a value of the report model`);
    }
    return (value as Record<string, unknown>)[String(field)];
  });
  return env;
}

/**
 * A template problem as a located usage error: Handlebars' `"json" not defined in [object Object] - 1:8`
 * becomes `index.html.hbs:1:8: "json" is neither a value of the report model nor a helper`.
 */
export function templateError(file: string, message: string): TemplateError {
  const located = /^(.*?)(?: - (\d+):(\d+))?$/.exec(message)!;
  const [line, column] = located[2] ? [located[2], String(Number(located[3]) + 1)] : ['1', '1'];
  const missing = /^"([^"]+)" not defined in /.exec(located[1]);
  const text = missing
    ? `"${missing[1]}" is neither a value of the report model nor a helper (a template may name only what the model has: see docs/pdf.md)`
    : located[1];
  return new TemplateError(`${file}:${line}:${column}: ${text}`);
}

export const htmlIndexReporter: Reporter = {
  name: 'html',
  async write(presentation, outDir, options) {
    // Strict: a template naming a variable the model lacks is an error, never blank text. Prototype
    // access stays disabled (Handlebars' default), so a template can read only the model's own data.
    const source = templateSource(options);
    let html: string;
    try {
      html = strictHandlebars().compile(source, { strict: true })(indexModel(presentation));
    } catch (err) {
      throw templateError(
        options.templateDir ? join(options.templateDir, TEMPLATE) : TEMPLATE,
        (err as Error).message.split('\n')[0],
      );
    }
    const path = join(outDir, 'index.html');
    writeFileAtomic(path, html);
    return [path];
  },
};
