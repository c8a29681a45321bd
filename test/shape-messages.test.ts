import { describe, expect, it } from 'vitest';
import { loadText } from '../src/load/index.js';
import { shapeOf } from '../src/load/schemas.js';
import { formatDiagnostic } from '../src/model/types.js';

// Issue 13: "The CSV form takes `primary` as a plain id, YAML needs `{carrier: …}`, and the error says only
// 'expected a map of fields, found the text "pearl-ipx"'". An error that expects a map shows its shape.

const errorsOf = (file: string, text: string) => loadText(file, text).diagnostics.map(formatDiagnostic);

const TABLE = (route: string) => `apiVersion: ixaudit/v1
kind: RoutingTable
metadata: {id: rt-jp, operator: jp-test}
spec:
  protocol: diameter
  routes:
    - id: r-1
      match: {realm: epc.mnc010.mcc440.3gppnetwork.org}
      destination: {country: JP, plmn: "440-10"}
${route}
      status: active
`;

describe('errors that expect a map show its shape', () => {
  it('primary written as a plain id (the CSV form) in YAML: expected {carrier: <id>}, and the map to write', () => {
    expect(errorsOf('rt.yaml', TABLE('      primary: pearl-ipx'))).toContainEqual(
      'rt.yaml:10:16: spec.routes[0].primary: expected {carrier: <id>}, found the text "pearl-ipx" (write {carrier: pearl-ipx}) (1 route(s) of table rt-jp could not be loaded and were not audited; the rest of the table was)',
    );
  });

  it('the same route with {carrier: pearl-ipx} has no shape error', () => {
    expect(errorsOf('rt.yaml', TABLE('      primary: {carrier: pearl-ipx}'))).toEqual([]);
  });

  it('a shape lists required fields with placeholders from their schema, or the first fields and "..."', () => {
    expect(
      shapeOf({
        type: 'object',
        required: ['owner', 'share'],
        properties: {
          owner: { $ref: 'common.schema.json#/definitions/id' },
          share: { $ref: '#/definitions/percent' },
          control: { type: 'boolean' },
        },
      }),
    ).toBe('{owner: <id>, share: <percent>, ...}');
    expect(
      shapeOf({
        type: 'object',
        properties: { a: { type: 'string' }, b: { enum: ['x', 'y'] }, c: { type: 'array' }, d: { type: 'number' } },
      }),
    ).toBe('{a: <text>, b: x | y, c: [...], ...}');
    expect(shapeOf({ type: 'object' })).toBeUndefined();
  });
});
