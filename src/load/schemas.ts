import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { schemaDir } from '../paths.js';
import type { DocPath, Kind, PositionLookup, SourcePos } from '../model/types.js';
import { nearestName } from '../model/nearest.js';

const SCHEMA_FILE_BY_KIND: Record<Kind, string> = {
  Operator: 'operator',
  Owner: 'owner',
  Carrier: 'carrier',
  InterconnectAgreement: 'interconnect-agreement',
  RoutingTable: 'routing-table',
  FirewallPolicy: 'firewall-policy',
  Waiver: 'waiver',
  AuditProfile: 'audit-profile',
};

let ajvInstance: Ajv | undefined;

/** One Ajv with every schema in src/model/schemas, compiled once per process. */
export function sharedAjv(): Ajv {
  if (ajvInstance) return ajvInstance;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  // The date pattern admits 2026-02-30; this format rejects days a calendar does not have.
  ajv.addFormat('calendar-date', isCalendarDate);
  for (const name of readdirSync(schemaDir)
    .filter((f) => f.endsWith('.schema.json'))
    .sort()) {
    ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, name), 'utf8')));
  }
  ajvInstance = ajv;
  return ajv;
}

export function schemaValidator(name: string): ValidateFunction {
  const validate = sharedAjv().getSchema(`https://ixaudit.dev/schemas/${name}.schema.json`);
  if (!validate) throw new Error(`ixaudit: schema ${name} is missing from ${schemaDir}`);
  return validate;
}

export function kindValidator(kind: Kind): ValidateFunction {
  return schemaValidator(SCHEMA_FILE_BY_KIND[kind]);
}

export interface LocatedMessage extends SourcePos {
  message: string;
}

/**
 * Turns Ajv's errors into plain sentences located in the source: the field, what was expected and
 * what was found. Errors that only restate a deeper one (allOf wrappers) are dropped.
 */
export function describeSchemaErrors(errors: ErrorObject[], positions: PositionLookup): LocatedMessage[] {
  const out: LocatedMessage[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const path = pointerToPath(error.instancePath);
    const described = describe(error, path);
    if (!described) continue;
    const where = described.atKey ? positions.locateKey(described.path) : positions.locate(described.path);
    const key = `${where.line}:${where.column}:${described.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...where, message: described.message });
  }
  return out;
}

function pointerToPath(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

export function fieldName(path: DocPath): string {
  return path.length === 0
    ? 'document'
    : path
        .map((p) => (typeof p === 'number' ? `[${p}]` : p))
        .join('.')
        .replace(/\.\[/g, '[');
}

/** The YAML tag a value came from when it is not plain data (the `yaml` parser turns these into objects). */
function unsupportedTag(value: unknown): string | undefined {
  if (value instanceof Date) return '!!timestamp';
  if (value instanceof Uint8Array) return '!!binary';
  if (value instanceof Map) return '!!omap';
  if (value instanceof Set) return '!!set';
  return undefined;
}

function found(value: unknown): string {
  const tag = unsupportedTag(value);
  if (tag) return `a ${tag} value (the tag is not supported: write the value as plain text)`;
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  const text = typeof value === 'string' ? JSON.stringify(clipped(value)) : String(value);
  return `${typeof value === 'string' ? 'the text' : `a ${typeof value}`} ${text}`;
}

/** A value as a message shows it: at most 60 characters, so that a 5,000-character value is not echoed. */
function clipped(value: string | number): string {
  const text = String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a map of fields',
  array: 'a list',
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
};

type SchemaNode = {
  type?: unknown;
  $ref?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
};

/** A placeholder for one field's value in a shape: `<id>`, `<date>`, `ss7 | diameter`, `[...]`. */
function placeholder(schema: SchemaNode | undefined): string {
  if (!schema) return '<value>';
  if (schema.$ref) {
    const name = schema.$ref.slice(schema.$ref.lastIndexOf('/') + 1);
    const common: Record<string, string> = {
      id: '<id>',
      country: '<country code>',
      countries: '[<country code>, ...]',
      date: '<date>',
      dateTime: '<date-time>',
      plmn: '"<mcc-mnc>"',
      percent: '<percent>',
    };
    return common[name] ?? `<${name}>`;
  }
  if (schema.enum) return schema.enum.length <= 4 ? schema.enum.map(String).join(' | ') : '<one of the listed values>';
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.type === 'array') return '[...]';
  if (schema.type === 'object') return '{...}';
  if (schema.type === 'boolean') return 'true | false';
  if (schema.type === 'number' || schema.type === 'integer') return '<number>';
  return '<text>';
}

/**
 * The shape a map must have, from its schema: the required fields with placeholders, so that
 * `primary: pearl-ipx` is told `expected {carrier: <id>}` rather than "a map of fields".
 * Without required fields, up to three of the fields it may have, followed by "...".
 */
export function shapeOf(schema: SchemaNode | undefined): string | undefined {
  const properties = schema?.properties;
  if (!properties || Object.keys(properties).length === 0) return undefined;
  const required = (schema.required ?? []).filter((name) => name in properties);
  const shown = required.length > 0 ? required : Object.keys(properties).slice(0, 3);
  const more = Object.keys(properties).length > shown.length ? ', ...' : '';
  return `{${shown.map((name) => `${name}: ${placeholder(properties[name])}`).join(', ')}${more}}`;
}

/** For a plain value where a one-field map belongs: the map to write, `{carrier: pearl-ipx}`. */
function rewriteHint(schema: SchemaNode | undefined, data: unknown): string {
  const required = schema?.required ?? [];
  if (required.length !== 1 || (typeof data !== 'string' && typeof data !== 'number')) return '';
  return ` (write {${required[0]}: ${clipped(data)}})`;
}

/**
 * What a value was expected to be, from its schema's description. "(quote them)" tells a YAML writer that
 * bare digits become a number; said of a value that already is text (quoted, or from a CSV cell), it
 * points at the wrong fix, so it is left out there.
 */
function valueExpectation(description: string | undefined, data: unknown): string | undefined {
  return typeof data === 'string' ? description?.replace(/ \(quote them\)/, '') : description;
}

/** For text that would match in capitals (`no` for a country, `swenk` for a TADIG code): the capitals. */
function caseHint(pattern: string, data: unknown): string {
  if (typeof data !== 'string' || data === data.toUpperCase()) return '';
  try {
    return new RegExp(pattern, 'u').test(data.toUpperCase()) ? ` (did you mean "${clipped(data.toUpperCase())}"?)` : '';
  } catch {
    return '';
  }
}

/**
 * For a one-field map where a plain value belongs (`transit: [{carrier: cmi}]`, whose items are ids): the
 * value to write alone, the converse of rewriteHint. Only when that value is of a type the field takes:
 * `{percent: high}` where a number belongs, or `{carrier: cmi}` where a list belongs, would be told a
 * fix that is still wrong.
 */
function unwrapHint(types: string[], data: unknown): string {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return '';
  const entries = Object.entries(data);
  if (entries.length !== 1) return '';
  const [key, value] = entries[0]!;
  const fits =
    (typeof value === 'string' && types.includes('string')) ||
    (typeof value === 'number' && (types.includes('number') || (types.includes('integer') && Number.isInteger(value))));
  return fits ? ` (write ${clipped(value as string | number)} alone, without "${clipped(key)}:")` : '';
}

interface Described {
  path: DocPath;
  message: string;
  atKey?: boolean;
}

function describe(error: ErrorObject, path: DocPath): Described | undefined {
  const field = fieldName(path);
  // A `description` reads as the expectation only when it describes a value ("an ISO 3166-1 alpha-2
  // country code such as JP"); a map's or list's description documents the schema and is not shown.
  const parent = error.parentSchema as { description?: string; type?: unknown } | undefined;
  const describesValue =
    parent?.type !== 'object' &&
    parent?.type !== 'array' &&
    !(Array.isArray(parent?.type) && (parent.type.includes('object') || parent.type.includes('array')));
  const expectedHint = describesValue && path.length > 0 ? parent?.description : undefined;
  const tagged = unsupportedTag(error.data);
  if (tagged && (error.keyword === 'type' || error.keyword === 'pattern' || error.keyword === 'format')) {
    return {
      path,
      message: `${field}: the tag ${tagged} is not supported: write the value as plain text (quote it if it must stay text)`,
    };
  }
  switch (error.keyword) {
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      return { path, message: `${fieldName([...path, missing])}: required field is missing` };
    }
    case 'additionalProperties': {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      const suggestion = nearestName(extra, allowed);
      const hint = suggestion
        ? ` (did you mean "${suggestion}"?)`
        : allowed.length
          ? ` (expected one of: ${allowed.join(', ')})`
          : '';
      return { path: [...path, extra], atKey: true, message: `${fieldName([...path, extra])}: unknown field${hint}` };
    }
    case 'type': {
      const types = String((error.params as { type: string }).type).split(',');
      const wanted = types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
      if (path.length === 0)
        return {
          path,
          message: `document: expected a mapping with apiVersion, kind, metadata and spec, found ${found(error.data)}`,
        };
      const shape = wanted === TYPE_WORDS.object ? shapeOf(parent as SchemaNode) : undefined;
      if (shape)
        return {
          path,
          message: `${field}: expected ${shape}, found ${found(error.data)}${rewriteHint(parent as SchemaNode, error.data)}`,
        };
      return {
        path,
        message: `${field}: expected ${valueExpectation(expectedHint, error.data) ?? wanted}, found ${found(error.data)}${unwrapHint(types, error.data)}`,
      };
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String).join(' | ');
      return { path, message: `${field}: expected one of ${allowed}, found ${found(error.data)}` };
    }
    case 'const':
      return {
        path,
        message: `${field}: expected ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}, found ${found(error.data)}`,
      };
    case 'pattern':
      return {
        path,
        message: `${field}: expected ${valueExpectation(expectedHint, error.data) ?? `text matching ${(error.params as { pattern: string }).pattern}`}, found ${found(error.data)}${caseHint((error.params as { pattern: string }).pattern, error.data)}`,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const { comparison, limit } = error.params as { comparison: string; limit: number };
      return { path, message: `${field}: expected a number ${comparison} ${limit}, found ${found(error.data)}` };
    }
    case 'format':
      return {
        path,
        message: `${field}: expected a real calendar date such as 2026-06-30, found ${found(error.data)}`,
      };
    case 'minItems':
      return { path, message: `${field}: expected at least ${(error.params as { limit: number }).limit} item(s)` };
    case 'minLength':
      return { path, message: `${field}: expected non-empty text` };
    case 'maxLength':
      return { path, message: `${field}: expected at most ${(error.params as { limit: number }).limit} characters` };
    case 'uniqueItems':
      return {
        path,
        message: `${field}: items must be unique (items ${(error.params as { i: number; j: number }).j + 1} and ${(error.params as { i: number }).i + 1} are the same)`,
      };
    case 'propertyNames':
      return undefined; // reported by the nested pattern error on the name itself
    case 'allOf':
    case 'anyOf':
    case 'oneOf':
    case 'if':
      return undefined;
    default:
      return { path, message: `${field}: ${error.message ?? 'is invalid'}` };
  }
}

export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
