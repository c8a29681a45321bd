import type { ParseProgress } from '../model/progress.js';
import { parseLargeYaml } from './large.js';
import { DEFAULT_YAML_LIMITS, type YamlLimits } from './limits.js';
import { prescan } from './prescan.js';
import { type ParsedFile, parseYamlDocuments } from './yaml-document.js';

// The loader's one entry point for YAML text: cheap checks first (prescan.ts), then the parser that
// suits the size.
// The two parsers live in yaml-document.ts (the text held whole) and large.ts (positions found lazily);
// large.ts parses its small head with yaml-document.ts, so neither imports this file.

export { DEFAULT_YAML_LIMITS, parseLimits, type YamlLimits } from './limits.js';
export { prescan } from './prescan.js';
export { aliasWork, type ParsedDocument, type ParsedFile } from './yaml-document.js';

/**
 * Parses every YAML document of one file into plain data plus a position index.
 * A document with syntax errors is reported and skipped; the other documents of the file still load.
 * `threads`: 2 or more lets a large table's pieces be parsed on a helper thread too (parse-helper.ts).
 */
export function parseYaml(
  file: string,
  text: string,
  limits: YamlLimits = DEFAULT_YAML_LIMITS,
  progress: ParseProgress = {},
  threads = 1,
): ParsedFile {
  const refused = prescan(file, text, limits, progress.onScanned);
  if (refused) return { documents: [], diagnostics: [refused] };
  if (text.length >= limits.largeFileBytes) return parseLargeYaml(file, text, limits, progress, threads);
  return parseYamlDocuments(file, text, limits);
}
