import type { ASTNode } from '@marcbachmann/cel-js';
import { ROUTE_FIELDS } from '../enrich/route-view.js';
import type { CelProgram, CompiledControl } from './compile.js';

/**
 * Which route fields a control reads, taken from the parsed CEL (cel-js keeps each program's AST as
 * `program.ast`), not from its text: `route.primary.carrier`, `route["primary"]`, `route.?firewall` and
 * `has(route.firewall)` read `primary` or `firewall`, also inside macros (`route.backups.filter(h, ...)`
 * reads `backups`). The route read as a whole (`route`, `route[name]`, a macro variable named `route`),
 * or an expression whose AST cannot be had, reads every field, identity included: a read-set may be too
 * large (less sharing), never too small.
 */
export type ReadSet = ReadonlySet<string>;

/** What a route control reads: for its verdict, its details (evidence and messages) and its location. */
export interface ControlReads {
  verdict: ReadSet;
  details: ReadSet;
  location: ReadSet;
}

/** The names a route control's expressions reach the route by (evaluateControl's scope). */
const ROUTE_NAMES: ReadonlySet<string> = new Set(['route', 'subject']);

/** Read by the engine itself before any expression (protocol and status filters, undefined carriers). */
const ENGINE_READS = ['protocol', 'status', 'undefinedCarriers'];

export function controlReads(control: CompiledControl): ControlReads {
  const d = control.definition;
  const verdict = new Set<string>(ENGINE_READS);
  for (const program of [control.applies, control.evidenced, control.pass, ...control.lets.map(([, p]) => p)])
    if (program) addProgramReads(program, verdict);
  const details = new Set<string>();
  for (const [, program] of control.evidence) addProgramReads(program, details);
  for (const template of [d.messages.pass, d.messages.fail, d.check.notApplicable, d.check.notEvidenced])
    addTemplateReads(template, details);
  const location = new Set<string>();
  if (control.location) addProgramReads(control.location, location);
  return { verdict, details, location };
}

/** The route fields one compiled expression reads. */
export function programReads(program: CelProgram): ReadSet {
  const out = new Set<string>();
  addProgramReads(program, out);
  return out;
}

function addProgramReads(program: CelProgram, out: Set<string>): void {
  const ast = (program as { ast?: unknown }).ast;
  if (!isNode(ast) || !walk(ast, out)) for (const f of ROUTE_FIELDS) out.add(f);
}

/**
 * Message placeholders name scope paths (`{{route.primary.carrier}}`, `{{hops}}`): a path from the route
 * reads its first field, `{{route}}` the whole route. Other names are lets and evidence, read above.
 */
function addTemplateReads(template: string | undefined, out: Set<string>): void {
  for (const m of (template ?? '').matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
    const [root, field] = m[1].split('.').map((p) => p.trim());
    if (!ROUTE_NAMES.has(root)) continue;
    if (field) out.add(field);
    else for (const f of ROUTE_FIELDS) out.add(f);
  }
}

/**
 * Adds the route fields a node reads to `out`; false when it reads the route as a whole (the caller then
 * adds everything). Unknown node kinds are searched through all their operands, so a route inside one
 * still counts as read (as a whole, if not under a field access).
 */
function walk(node: ASTNode, out: Set<string>): boolean {
  switch (node.op) {
    case 'id':
      return !ROUTE_NAMES.has(node.args);
    case 'value':
      return true;
    case '.':
    case '.?': {
      const [object, field] = node.args;
      if (isRoute(object)) {
        out.add(field);
        return true;
      }
      return walk(object, out);
    }
    case '[]':
    case '[?]': {
      const [object, index] = node.args;
      if (isRoute(object) && index.op === 'value' && typeof index.args === 'string') {
        out.add(index.args);
        return true;
      }
      return walk(object, out) && walk(index, out);
    }
    default:
      return walkOperands(node.args, out);
  }
}

function walkOperands(value: unknown, out: Set<string>): boolean {
  if (isNode(value)) return walk(value, out);
  if (Array.isArray(value)) {
    let ok = true;
    for (const item of value) ok = walkOperands(item, out) && ok;
    return ok;
  }
  return true;
}

function isRoute(node: ASTNode): boolean {
  return node.op === 'id' && ROUTE_NAMES.has(node.args);
}

function isNode(value: unknown): value is ASTNode {
  return value !== null && typeof value === 'object' && typeof (value as { op?: unknown }).op === 'string';
}
