#!/usr/bin/env node
// `npm run types:generate`: writes src/model/generated/<name>.ts, the TypeScript types of
// src/model/schemas/<name>.schema.json, with json-schema-to-typescript, formatted by Biome.
// `--out DIR` writes them elsewhere: test/schema-types.test.ts does that and compares the result with the
// committed files, so a schema cannot change without its types.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { compile } from 'json-schema-to-typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMAS = 'src/model/schemas';
const GENERATED = 'src/model/generated';
const SUFFIX = '.schema.json';

/**
 * The name of every type the generated files declare, per schema and JSON pointer from the schema's root;
 * `*` stands for any one property name. Definitions are named after their key unless named here. A name
 * given to several places with the same schema is declared once and used at each. Anything else stays an
 * inline type, and a type json-schema-to-typescript would have to name itself (Route1) stops the
 * generator: the names code imports never change behind its back.
 */
const TYPE_NAMES = {
  'audit-profile': {
    '': 'AuditProfileDocument',
    '/properties/spec': 'AuditProfileSpec',
    '/properties/spec/properties/parameters': 'ProfileParameters',
    '/properties/spec/properties/parameters/properties/protocolServices/properties/*/items': 'ProtocolService',
    '/properties/spec/properties/controls': 'ProfileControls',
  },
  carrier: {
    '': 'CarrierDocument',
    '/properties/spec': 'CarrierSpec',
    '/properties/spec/properties/roles/items': 'CarrierRole',
    '/properties/spec/properties/identifiers': 'CarrierIdentifiers',
    '/properties/spec/properties/certifications/items': 'Certification',
  },
  common: {
    // Not `Date` and `DateTime`: a type named Date would hide the global one wherever it is imported.
    '/definitions/date': 'IsoDate',
    '/definitions/dateTime': 'IsoDateTime',
    '/definitions/ownership/items': 'OwnershipEdge',
    '/definitions/listing/properties/scope': 'ListingScope',
  },
  control: {
    '': 'ControlDocument',
    '/properties/appliesTo': 'ControlAppliesTo',
    '/properties/parameters/additionalProperties': 'ControlParameter',
    '/properties/references/items': 'ControlReference',
    '/properties/check': 'ControlCheck',
    '/properties/messages': 'ControlMessages',
  },
  envelope: { '': 'Envelope' },
  findings: { '': 'FindingsFile' },
  'firewall-policy': {
    '': 'FirewallPolicyDocument',
    '/properties/spec': 'FirewallPolicySpec',
    '/properties/spec/properties/ss7': 'Ss7Firewall',
    '/properties/spec/properties/diameter': 'DiameterFirewall',
    '/properties/spec/properties/gtp': 'GtpFirewall',
    '/properties/spec/properties/n32': 'N32Firewall',
    '/properties/spec/properties/monitoring': 'FirewallMonitoring',
    '/properties/spec/properties/*/properties/mode': 'FirewallMode',
    '/properties/spec/properties/ss7/properties/categories/properties/*': 'FirewallMode',
  },
  'interconnect-agreement': {
    '': 'InterconnectAgreementDocument',
    '/properties/spec': 'InterconnectAgreementSpec',
    '/properties/spec/properties/services/items': 'AgreementService',
    '/properties/spec/properties/clauses': 'AgreementClauses',
    '/properties/spec/properties/documents/items': 'SignedDocument',
  },
  operator: {
    '': 'OperatorDocument',
    '/properties/spec': 'OperatorSpec',
    '/properties/spec/properties/networks/items': 'Network',
    '/properties/spec/properties/assessmentPeriod': 'AssessmentPeriod',
    '/properties/spec/properties/contact': 'OperatorContact',
  },
  owner: {
    '': 'OwnerDocument',
    '/properties/spec': 'OwnerSpec',
    '/properties/spec/properties/type': 'OwnerType',
  },
  'routing-table': {
    '': 'RoutingTableDocument',
    '/properties/spec': 'RoutingTableSpec',
    '/properties/spec/properties/routes/items': 'Route',
    '/properties/spec/properties/routes/items/properties/match': 'RouteMatch',
    '/properties/spec/properties/routes/items/properties/destination': 'RouteDestination',
    '/properties/spec/properties/routes/items/properties/primary': 'RouteCarrier',
    '/properties/spec/properties/routes/items/properties/backups/items': 'RouteCarrier',
    '/properties/spec/properties/routes/items/properties/status': 'RouteStatus',
  },
  waiver: { '': 'WaiverDocument', '/properties/spec': 'WaiverSpec' },
};

/** Keywords whose value is one schema, a list of schemas, or a map of names to schemas. */
const ONE_SCHEMA = ['items', 'additionalProperties', 'additionalItems', 'not', 'if', 'then', 'else', 'contains'];
const SCHEMA_LISTS = ['items', 'anyOf', 'oneOf', 'allOf'];
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions'];

const OPTIONS = {
  bannerComment: '',
  format: false, // Biome formats, in the house style
  // A tuple type for `minItems: 1` would make every value built in code prove its length; the schema
  // checks it when a document is loaded.
  ignoreMinAndMaxItems: true,
  unknownAny: true,
  additionalProperties: true,
};

const HEADER = '// Generated by scripts/generate-types.mjs';

const pascal = (key) => key[0].toUpperCase() + key.slice(1);
const schemaName = (file) => file.slice(0, -SUFFIX.length);
/** A property name as a JSON pointer writes it (RFC 6901). */
const pointerPart = (key) => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

function nameAt(schema, pointer) {
  const names = TYPE_NAMES[schema] ?? {};
  if (pointer in names) return names[pointer];
  for (const [pattern, name] of Object.entries(names)) {
    if (!pattern.includes('*')) continue;
    const parts = pattern.split('/');
    const actual = pointer.split('/');
    if (parts.length === actual.length && parts.every((p, i) => p === '*' || p === actual[i])) return name;
  }
  const definition = /^\/definitions\/([^/]+)$/.exec(pointer);
  return definition ? pascal(definition[1]) : undefined;
}

/** The type a `$ref` names, and the schema it is declared in: every `$ref` must point at a definition. */
function referencedType(ref, from) {
  const match = /^([a-z0-9-]*)(?:\.schema\.json)?#\/definitions\/([^/]+)$/.exec(ref);
  if (!match) throw new Error(`${from}${SUFFIX}: $ref "${ref}" does not name a definition`);
  const schema = match[1] === '' ? from : match[1];
  return { schema, type: nameAt(schema, `/definitions/${match[2]}`) };
}

/**
 * A copy of one schema that json-schema-to-typescript turns into the named types: every `$ref` becomes the
 * name of the type it points at (`tsType`), so a definition is declared once, in its own schema's file,
 * and imported where it is used, instead of copied into every file as an anonymous type.
 */
function prepare(schemaNode, schema, pointer, declared, imports) {
  if (schemaNode === null || typeof schemaNode !== 'object' || Array.isArray(schemaNode)) return schemaNode;
  const { $ref, $id: _id, $schema: _schema, ...rest } = schemaNode;
  if ($ref !== undefined) {
    const target = referencedType($ref, schema);
    if (target.schema !== schema) (imports[target.schema] ??= new Set()).add(target.type);
    return { ...rest, tsType: target.type };
  }
  const name = nameAt(schema, pointer);
  if (name !== undefined && declared.has(name)) {
    if (!isDeepStrictEqual(declared.get(name), schemaNode))
      throw new Error(`${schema}${SUFFIX}${pointer}: the type ${name} is named twice for different schemas`);
    return { tsType: name, ...(rest.description ? { description: rest.description } : {}) };
  }
  if (name !== undefined) declared.set(name, schemaNode);
  const copy = name !== undefined ? { ...rest, title: name } : { ...rest };
  for (const key of ONE_SCHEMA)
    if (copy[key] !== null && typeof copy[key] === 'object' && !Array.isArray(copy[key]))
      copy[key] = prepare(copy[key], schema, `${pointer}/${key}`, declared, imports);
  for (const key of SCHEMA_LISTS)
    if (Array.isArray(copy[key]))
      copy[key] = copy[key].map((item, i) => prepare(item, schema, `${pointer}/${key}/${i}`, declared, imports));
  for (const key of SCHEMA_MAPS) {
    if (copy[key] === null || typeof copy[key] !== 'object') continue;
    copy[key] = Object.fromEntries(
      Object.entries(copy[key]).map(([k, v]) => [
        k,
        prepare(v, schema, `${pointer}/${key}/${pointerPart(k)}`, declared, imports),
      ]),
    );
  }
  return copy;
}

/** The source of one generated file, before formatting. */
async function generateFile(schema, source) {
  const declared = new Map();
  const imports = {};
  const { definitions = {}, ...root } = prepare(source, schema, '', declared, imports);
  const parts = [];
  // The root and each definition are compiled on their own: a definition is then declared whether or not
  // the root uses it, and with no note of where it is used.
  if (root.type !== undefined || root.properties !== undefined) {
    if (root.title === undefined) throw new Error(`${schema}${SUFFIX}: name its root type in TYPE_NAMES ('')`);
    parts.push(await compile(root, root.title, OPTIONS));
  }
  for (const definition of Object.values(definitions)) parts.push(await compile(definition, definition.title, OPTIONS));

  const emitted = [...parts.join('\n').matchAll(/^export (?:type|interface|enum) (\w+)/gm)].map((m) => m[1]);
  const unnamed = emitted.filter((name) => !declared.has(name));
  if (unnamed.length > 0)
    throw new Error(`${schema}${SUFFIX}: name the types it would call ${unnamed.join(', ')} in TYPE_NAMES`);

  const header = [
    `${HEADER} from ${SCHEMAS}/${schema}${SUFFIX}: do not edit.`,
    '// Regenerate with `npm run types:generate` after changing the schema (test/schema-types.test.ts checks it).',
  ];
  const importLines = Object.keys(imports)
    .sort()
    .map((from) => `import type { ${[...imports[from]].sort().join(', ')} } from './${from}.js';`);
  return [...header, '', ...importLines, ...(importLines.length > 0 ? [''] : []), ...parts].join('\n');
}

function format(file, text) {
  const biome = join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
  const result = spawnSync(process.execPath, [biome, 'format', `--stdin-file-path=${file}`], {
    cwd: ROOT,
    input: text,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`biome format ${file} failed:\n${result.stderr}${result.stdout}`);
  // json-schema-to-typescript writes declarations without a line between them, which Biome keeps.
  return result.stdout.replace(/^}\n(?=\S)/gm, '}\n\n');
}

/** Every generated file: its name in src/model/generated and its formatted text. Same schemas, same text. */
export async function generateTypes() {
  const files = new Map();
  const schemas = readdirSync(join(ROOT, SCHEMAS))
    .filter((f) => f.endsWith(SUFFIX))
    .sort();
  for (const file of schemas) {
    const schema = schemaName(file);
    const source = JSON.parse(readFileSync(join(ROOT, SCHEMAS, file), 'utf8'));
    const name = `${schema}.ts`;
    files.set(name, format(`${GENERATED}/${name}`, await generateFile(schema, source)));
  }
  return files;
}

async function main() {
  const at = process.argv.indexOf('--out');
  const out = at >= 0 ? resolve(process.argv[at + 1]) : join(ROOT, GENERATED);
  const files = await generateTypes();
  mkdirSync(out, { recursive: true });
  // A schema that was removed takes its types with it; a file this script did not write is left alone.
  for (const old of readdirSync(out)) {
    if (!old.endsWith('.ts') || files.has(old)) continue;
    if (readFileSync(join(out, old), 'utf8').startsWith(HEADER)) rmSync(join(out, old));
  }
  for (const [name, text] of files) writeFileSync(join(out, name), text);
  console.log(`wrote ${files.size} files to ${out}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
