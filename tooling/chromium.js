// Debian's Chromium and the flags it needs here, shared by the tests (TypeScript) and the
// benchmark runner (plain Node): a closed network stalls start-up without the background-service
// flags, and `--enable-unsafe-webgpu` gives headless Chromium a real (SwiftShader) WebGPU adapter.

/** `apt-get install chromium` puts it here; override with CHROMIUM_PATH. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--enable-unsafe-webgpu',
];
