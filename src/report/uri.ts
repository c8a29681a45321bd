import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILTIN_PREFIX, packageRoot } from '../paths.js';

/**
 * Input files are named relative to the working directory (`inputs/jp-sakura/routing-ss7.yaml`), files
 * shipped with ixaudit with the `ixaudit:` prefix, and files outside the working directory by their
 * absolute path (see displayName in src/load/index.ts). Interchange formats need RFC 3986 URI
 * references instead: spaces, `#`, `%` and non-ASCII names (operators name files in Japanese) must be
 * percent-encoded, and a first segment holding a colon must not read as a scheme.
 */

/** SARIF base id for the working directory ixaudit ran in: every relative input path hangs off it. */
export const WORKING_DIR_BASE = '%SRCROOT%';
/** SARIF base id for files shipped with ixaudit (reference registry, shipped profiles). */
export const IXAUDIT_BASE = 'IXAUDIT';

/** Percent-encodes each segment of a `/`-separated relative path; the separators stay. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Where a displayed file name lives, as a SARIF artifactLocation (uri + the base it is relative to). */
export function artifactUri(file: string): { uri: string; uriBaseId?: string } {
  if (file.startsWith(BUILTIN_PREFIX))
    return { uri: encodePath(file.slice(BUILTIN_PREFIX.length)), uriBaseId: IXAUDIT_BASE };
  if (isAbsolute(file)) return { uri: pathToFileURL(file).href };
  return { uri: encodePath(file), uriBaseId: WORKING_DIR_BASE };
}

/**
 * A displayed file name as one URI reference (no base ids, as OSCAL links have none): relative paths
 * stay relative to the working directory, built-in files keep the `ixaudit:` scheme that findings.json
 * uses, absolute paths become file: URLs.
 */
export function fileHref(file: string): string {
  if (file.startsWith(BUILTIN_PREFIX)) return BUILTIN_PREFIX + encodePath(file.slice(BUILTIN_PREFIX.length));
  if (isAbsolute(file)) return pathToFileURL(file).href;
  return encodePath(file);
}

/**
 * A displayed file name as a URI reference that resolves from a document written in `documentDir`
 * (OSCAL links are resolved against the document that holds them): a file under the working directory
 * `cwd` as a path relative to that folder (`../inputs/jp-sakura/routing-ss7.yaml` from OUT/), a file
 * outside it or shipped with ixaudit as its absolute file: URL.
 */
export function documentHref(file: string, documentDir: string, cwd: string = process.cwd()): string {
  if (file.startsWith(BUILTIN_PREFIX))
    return pathToFileURL(join(packageRoot, ...file.slice(BUILTIN_PREFIX.length).split('/'))).href;
  if (isAbsolute(file)) return pathToFileURL(file).href;
  const target = resolve(cwd, file);
  const path = relative(resolve(documentDir), target);
  // On another drive (Windows) there is no relative path.
  if (isAbsolute(path)) return pathToFileURL(target).href;
  return encodePath(path.split(sep).join('/'));
}

const URI_CHAR = String.raw`(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})`;
const URI_REFERENCE = new RegExp(`^${URI_CHAR}*$`);
const ABSOLUTE_URI = new RegExp(`^[A-Za-z][A-Za-z0-9+.\\-]*:${URI_CHAR}*$`);

/** RFC 3986 URI-reference by its character set: what the "uri-reference" JSON Schema format means. */
export function isUriReference(text: string): boolean {
  return URI_REFERENCE.test(text);
}

/** RFC 3986 URI (with a scheme): what the "uri" JSON Schema format means. */
export function isUri(text: string): boolean {
  return ABSOLUTE_URI.test(text);
}
