import { createHash } from 'node:crypto';

/**
 * Name-based UUIDs (RFC 4122 version 5: SHA-1 of a namespace and a name). OSCAL requires RFC 4122
 * UUIDs of version 4 or 5; deriving them from content instead of drawing random ones keeps the output
 * byte-identical for the same inputs and gives the same subject the same UUID in every run.
 */

/** RFC 4122 appendix C: the namespace for names that are URLs. */
export const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The namespace of every UUID ixaudit writes into OSCAL. */
export const IXAUDIT_NAMESPACE = uuidV5('https://ixaudit.dev/ns/oscal', URL_NAMESPACE);

/** The UUID of one kind of thing with a stable key, e.g. ixauditUuid('party', 'jp-sakura'). */
export function ixauditUuid(kind: string, ...key: string[]): string {
  return uuidV5([kind, ...key].join('\u0000'), IXAUDIT_NAMESPACE);
}
