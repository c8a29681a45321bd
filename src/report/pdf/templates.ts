import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import Handlebars from 'handlebars';
import { parseDocument } from 'yaml';
import { packageRoot } from '../../paths.js';
import { escapeMarkup } from './markup.js';
import { countText } from '../number-text.js';

/**
 * Every word of narrative in the PDF comes from a Handlebars template in templates/pdf/. A consultant's
 * --template-dir mirrors that layout: DIR/pdf/<name> replaces the shipped file of the same name, and any
 * other file there is refused (a misspelt override must not be silently ignored). Templates run in strict
 * mode, so a variable that does not exist is an error with the template's file, line and column, never
 * blank text; prototype properties and methods are not reachable from a template.
 */

/** Narrative templates render to the markup of markup.ts; YAML templates render to settings. */
export const MARKUP_TEMPLATES = [
  'cover.hbs',
  'executive-summary.hbs',
  'exposure.hbs',
  'charts.hbs',
  'findings-intro.hbs',
  'controls-intro.hbs',
  'methodology.hbs',
  'profile-intro.hbs',
  'waivers-intro.hbs',
  'carriers-intro.hbs',
  'inputs-intro.hbs',
  'glossary.hbs',
  'sector-cover.hbs',
  'sector-summary.hbs',
  'sector-matrix.hbs',
  'sector-rankings.hbs',
  'sector-carriers.hbs',
  'sector-controls.hbs',
  'sector-changes.hbs',
  'sector-methodology.hbs',
  'sector-inputs.hbs',
  'changes.hbs',
] as const;
export const YAML_TEMPLATES = ['theme.yaml.hbs', 'labels.yaml.hbs'] as const;
export const TEMPLATE_NAMES = [...MARKUP_TEMPLATES, ...YAML_TEMPLATES] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export const SHIPPED_TEMPLATE_DIR = join(packageRoot, 'templates', 'pdf');

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export interface LoadedTemplate {
  name: TemplateName;
  /** Path shown in errors: relative to the working directory. */
  file: string;
  /** The folder a template's relative paths (a logo) are resolved against. */
  dir: string;
  source: string;
}

export interface TemplateSet {
  templates: Record<TemplateName, LoadedTemplate>;
  /** SHA-256 over every template's name and text: part of what the PDF's document id is derived from. */
  digest: string;
  render(name: TemplateName, context: object): string;
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/** The shipped templates, with any of the same name in templateDir/pdf/ in their place. */
export function loadTemplates(templateDir?: string): TemplateSet {
  const overrideDir = templateDir === undefined ? undefined : join(templateDir, 'pdf');
  if (overrideDir !== undefined && existsSync(overrideDir) && statSync(overrideDir).isDirectory()) {
    const unknown = readdirSync(overrideDir)
      .filter((f) => f.endsWith('.hbs') && !(TEMPLATE_NAMES as readonly string[]).includes(f))
      .sort();
    if (unknown.length > 0) {
      throw new TemplateError(
        `${displayPath(join(overrideDir, unknown[0]))}: not a PDF template; the templates that can be overridden are ${TEMPLATE_NAMES.join(', ')}`,
      );
    }
  }
  const templates = {} as Record<TemplateName, LoadedTemplate>;
  for (const name of TEMPLATE_NAMES) {
    const override = overrideDir === undefined ? undefined : join(overrideDir, name);
    const path = override !== undefined && existsSync(override) ? override : join(SHIPPED_TEMPLATE_DIR, name);
    templates[name] = { name, file: displayPath(path), dir: dirname(path), source: readFileSync(path, 'utf8') };
  }
  const digest = createHash('sha256');
  for (const name of TEMPLATE_NAMES) digest.update(`${name}\u0000${templates[name].source}\u0000`);

  const env = handlebarsEnvironment();
  const compiled = new Map<TemplateName, Handlebars.TemplateDelegate>();
  return {
    templates,
    digest: digest.digest('hex'),
    render(name, context) {
      const template = templates[name];
      let fn = compiled.get(name);
      if (!fn) {
        fn = env.compile(template.source, { strict: true, noEscape: true });
        compiled.set(name, fn);
      }
      const data = (MARKUP_TEMPLATES as readonly string[]).includes(name) ? escapeDeep(context) : context;
      try {
        return fn(data, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
      } catch (err) {
        throw located(template.file, err);
      }
    },
  };
}

/** A Handlebars error as `file:line:column: message` (Handlebars columns are 0-based). */
function located(file: string, err: unknown): TemplateError {
  const e = err as Error & { lineNumber?: number; column?: number };
  const message = e.message
    .replace(/ - \d+:\d+$/, '')
    .replace(/ in (\[object Object\]|undefined|null)$/, '')
    .replace(/\n/g, ' ');
  if (typeof e.lineNumber === 'number')
    return new TemplateError(`${file}:${e.lineNumber}:${(e.column ?? 0) + 1}: ${message}`);
  const line = /line (\d+)/.exec(e.message)?.[1];
  return new TemplateError(`${file}:${line ?? 1}:1: ${message}`);
}

/** Values reach narrative templates escaped for the markup, so data never becomes formatting. */
function escapeDeep(value: unknown): unknown {
  if (typeof value === 'string') return escapeMarkup(value);
  if (Array.isArray(value)) return value.map(escapeDeep);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDeep(v)]));
  return value;
}

/** An isolated Handlebars with the few helpers the templates need (no global registrations). */
function handlebarsEnvironment(): typeof Handlebars {
  const env = Handlebars.create();
  // A number as the tables write it (20,000); anything else as it is.
  const numberText = (value: unknown) => (typeof value === 'number' ? countText(value) : String(value ?? ''));
  env.registerHelper('plural', (count: number, singular: string, plural?: unknown) => {
    const many = typeof plural === 'string' ? plural : `${singular}s`;
    return `${numberText(count)} ${count === 1 ? singular : many}`;
  });
  env.registerHelper('count', numberText);
  env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  env.registerHelper('gt', (a: number, b: number) => a > b);
  env.registerHelper('join', (list: unknown[], separator: unknown) =>
    Array.isArray(list) ? list.join(typeof separator === 'string' ? separator : ', ') : '',
  );
  env.registerHelper('json', (value: unknown) => JSON.stringify(value ?? null));
  env.registerHelper('concat', (...args: unknown[]) =>
    args
      .slice(0, -1)
      .map((a) => String(a ?? ''))
      .join(''),
  );
  env.registerHelper('upper', (value: unknown) => String(value).toUpperCase());
  return env;
}

/** Renders a YAML template and parses it; a YAML error points at the line of the rendered text. */
export function renderYaml(
  set: TemplateSet,
  name: (typeof YAML_TEMPLATES)[number],
  context: object,
): Record<string, unknown> {
  const text = set.render(name, context);
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0].line ?? 1;
    throw new TemplateError(
      `${set.templates[name].file}:${line}:${e.linePos?.[0].col ?? 1}: the rendered text is not valid YAML: ${e.message.split('\n')[0]}`,
    );
  }
  const value = doc.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TemplateError(`${set.templates[name].file}:1:1: expected a YAML mapping of settings`);
  }
  return value as Record<string, unknown>;
}
