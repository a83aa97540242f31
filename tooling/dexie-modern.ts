/**
 * Dexie's ES2018 build instead of its ES5 one, behind Dexie's own import wrapper. `import 'dexie'`
 * resolves to `dexie/import-wrapper.mjs`, which imports the ES5 UMD file (`dist/dexie.js`) and
 * keeps one Dexie per global (`Symbol.for('Dexie')`), so that two copies loaded in one page (a
 * host's and ours, with `inWorker: false`) share one class, and two versions fail loudly instead of
 * patching `Promise` against each other. This plugin points only the wrapper's import at
 * `dist/modern/dexie.mjs`, the same library compiled for current browsers (about 1.3 KB gzip less
 * once minified): the wrapper, and with it the sharing and the version check, stay as they are.
 * Both files carry the same version and exports; the module build also names its default export.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

/** The wrapper's import of the ES5 build (see the package's import-wrapper.mjs). */
const LEGACY = './dist/dexie.js';

export function dexieModern(root = process.cwd()): Plugin {
  const folder = dirname(createRequire(join(root, 'package.json')).resolve('dexie/package.json'));
  const wrapper = join(folder, 'import-wrapper.mjs');
  return {
    name: 'mneme-dexie-modern',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source !== LEGACY || !importer || importer.replace(/\?.*$/, '') !== wrapper) return null;
      return join(folder, 'dist/modern/dexie.mjs');
    },
  };
}
