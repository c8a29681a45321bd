import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { SEVERITIES, STATUSES, type Severity, type Status } from '../../model/types.js';
import { renderYaml, TemplateError, type TemplateSet } from './templates.js';

/**
 * Branding (theme.yaml.hbs) and the short labels (labels.yaml.hbs): both templates, so a consultant changes
 * colours, logo, organisation and wording without code. Both are checked: a colour must be #rrggbb, a logo
 * must be a PNG or JPEG that exists, and every label the shipped file defines must be defined (a missing
 * label would otherwise print as nothing).
 */

export interface Theme {
  organisation: string;
  language: string;
  classification: string;
  /** Bytes of the logo image, or null for none. */
  logo: Buffer | null;
  colours: {
    primary: string;
    accent: string;
    text: string;
    muted: string;
    rule: string;
    shade: string;
    highlight: string;
    severity: Record<Severity, string>;
    status: Record<Status, string>;
  };
}

export type Labels = Record<string, string>;

const HEX = /^#[0-9a-fA-F]{6}$/;

function fail(set: TemplateSet, name: 'theme.yaml.hbs' | 'labels.yaml.hbs', message: string): never {
  throw new TemplateError(`${set.templates[name].file}: ${message}`);
}

function text(set: TemplateSet, value: unknown, key: string): string {
  if (typeof value !== 'string' && typeof value !== 'number')
    fail(set, 'theme.yaml.hbs', `${key}: expected text, found ${JSON.stringify(value)}`);
  return String(value);
}

function colour(set: TemplateSet, value: unknown, key: string): string {
  if (typeof value !== 'string' || !HEX.test(value))
    fail(set, 'theme.yaml.hbs', `${key}: expected a colour written #rrggbb, found ${JSON.stringify(value)}`);
  return value;
}

function record(set: TemplateSet, value: unknown, key: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    fail(set, 'theme.yaml.hbs', `${key}: expected a mapping`);
  return value as Record<string, unknown>;
}

function logoBytes(set: TemplateSet, value: unknown): Buffer | null {
  if (value === undefined || value === null || value === '') return null;
  const path = text(set, value, 'logo');
  const full = isAbsolute(path) ? path : join(set.templates['theme.yaml.hbs'].dir, path);
  if (!existsSync(full))
    fail(set, 'theme.yaml.hbs', `logo: no file ${path} (relative paths start at the template's own folder)`);
  const bytes = readFileSync(full);
  const png = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  if (!png && !jpeg) fail(set, 'theme.yaml.hbs', `logo: ${path} is neither a PNG nor a JPEG image`);
  return bytes;
}

export function loadTheme(set: TemplateSet, context: object): Theme {
  const raw = renderYaml(set, 'theme.yaml.hbs', context);
  const colours = record(set, raw.colours, 'colours');
  const severity = record(set, colours.severity, 'colours.severity');
  const status = record(set, colours.status, 'colours.status');
  const language = text(set, raw.language, 'language');
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(language))
    fail(
      set,
      'theme.yaml.hbs',
      `language: expected a language tag such as en or en-GB, found ${JSON.stringify(language)}`,
    );
  return {
    organisation: text(set, raw.organisation, 'organisation'),
    language,
    classification: text(set, raw.classification, 'classification'),
    logo: logoBytes(set, raw.logo),
    colours: {
      primary: colour(set, colours.primary, 'colours.primary'),
      accent: colour(set, colours.accent, 'colours.accent'),
      text: colour(set, colours.text, 'colours.text'),
      muted: colour(set, colours.muted, 'colours.muted'),
      rule: colour(set, colours.rule, 'colours.rule'),
      shade: colour(set, colours.shade, 'colours.shade'),
      highlight: colour(set, colours.highlight, 'colours.highlight'),
      severity: Object.fromEntries(
        SEVERITIES.map((s) => [s, colour(set, severity[s], `colours.severity.${s}`)]),
      ) as Record<Severity, string>,
      status: Object.fromEntries(STATUSES.map((s) => [s, colour(set, status[s], `colours.status.${s}`)])) as Record<
        Status,
        string
      >,
    },
  };
}

/** Nested label mappings flattened to dotted keys: sections.findings, status.not-evidenced. */
export function flattenLabels(value: Record<string, unknown>, prefix = ''): Labels {
  const out: Labels = {};
  for (const [key, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      Object.assign(out, flattenLabels(v as Record<string, unknown>, path));
    else out[path] = v === null || v === undefined ? '' : String(v);
  }
  return out;
}

/**
 * The labels in force. `required` are the keys of the shipped labels file: an override must define each
 * of them (it may add others).
 */
export function loadLabels(set: TemplateSet, context: object, required: readonly string[]): Labels {
  const labels = flattenLabels(renderYaml(set, 'labels.yaml.hbs', context));
  const missing = required.filter((k) => !(k in labels) || labels[k].trim() === '');
  if (missing.length > 0)
    fail(set, 'labels.yaml.hbs', `missing label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  return labels;
}

/** A label by key; asking for one that does not exist is a bug in the reporter, so it throws. */
export function label(labels: Labels, key: string): string {
  const value = labels[key];
  if (value === undefined) throw new Error(`ixaudit: the PDF asked for an undefined label ${key}`);
  return value;
}
