/** Where the tests find Chromium and the local models. Shared by every test project's config. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Debian's Chromium (`apt-get install chromium`); override with CHROMIUM_PATH. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for a closed network (background services otherwise stall start-up) and for a real
 * WebGPU adapter in headless mode (SwiftShader).
 */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--enable-unsafe-webgpu',
];

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
