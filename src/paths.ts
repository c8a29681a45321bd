import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding ixaudit's package.json, whether run from src/ (tests) or dist/ (CLI). */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('ixaudit: cannot find its own package.json');
    dir = parent;
  }
  return dir;
}

export const packageRoot = findPackageRoot();
export const schemaDir = join(packageRoot, 'src', 'model', 'schemas');
export const controlsDir = join(packageRoot, 'controls');
export const profilesDir = join(packageRoot, 'profiles');
export const registryDir = join(packageRoot, 'registry');

/** Files shipped with the tool are shown with this prefix, so findings do not depend on the install path. */
export const BUILTIN_PREFIX = 'ixaudit:';
