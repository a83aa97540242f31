/** Where the tests find Chromium and the local models. Shared by every test project's config. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export { chromiumArgs, chromiumPath } from '../../tooling/chromium.js';

/**
 * The models folder the tests serve at /models/: MNEME_MODELS, or ../shared/models beside the
 * clone (where CI has it). Tests need real local models; there is no network to the hub.
 */
export function testModelsFolder(): string {
  const folder = resolve(process.env.MNEME_MODELS ?? '../shared/models');
  if (!existsSync(folder)) {
    throw new Error(`No models folder at ${folder}: set MNEME_MODELS to the shared models folder`);
  }
  return folder;
}
