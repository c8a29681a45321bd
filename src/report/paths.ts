import { join, resolve, sep } from 'node:path';

/**
 * The folder for one operator's reports, OUT/<operator>. Operator ids are validated as
 * [a-z0-9][a-z0-9._-]* on input; this refuses anything else anyway, so no id can write outside --out.
 */
export function operatorDir(outDir: string, operatorId: string): string {
  const safe = /^[a-z0-9][a-z0-9._-]*$/.test(operatorId) && !operatorId.includes('..') ? operatorId : operatorId.replace(/[^a-z0-9._-]/g, '_').replace(/\.\.+/g, '_');
  const dir = resolve(join(outDir, safe));
  if (!dir.startsWith(resolve(outDir) + sep)) throw new Error(`refusing to write outside ${outDir}: ${operatorId}`);
  return dir;
}
