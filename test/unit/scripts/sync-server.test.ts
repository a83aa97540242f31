/**
 * `npm run sync-server` is how a person tries sync with two browser windows of the app: the server
 * must answer the app's pages (CORS for its dev and preview origins) and no other origin.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_ORIGINS } from '../../../scripts/sync-server.mjs';

const script = fileURLToPath(new URL('../../../scripts/sync-server.mjs', import.meta.url));

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** The headers of a CORS preflight for a PUT from `origin`, as a browser sends it. */
const preflight = async (url: string, origin: string) => {
  const response = await fetch(new URL('somedb/somedoc', url), {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'content-type',
    },
  });
  return response.headers;
};

describe('npm run sync-server', () => {
  it("answers the app's dev and preview origins, and no other", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [script, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const printed = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk) => {
          output += String(chunk);
          if (output.includes('It answers pages')) resolve(output);
        });
        child.once('exit', (code) => reject(new Error(`sync-server exited (${code}): ${output}`)));
      });
      const url = `http://127.0.0.1:${port}/`;
      expect(printed).toContain(url);
      expect(APP_ORIGINS).toContain('http://localhost:4173');
      for (const origin of APP_ORIGINS) {
        const headers = await preflight(url, origin);
        expect(headers.get('access-control-allow-origin'), origin).toBe(origin);
        expect(headers.get('access-control-allow-methods') ?? '', origin).toContain('PUT');
      }
      const stranger = await preflight(url, 'http://evil.example');
      expect(stranger.get('access-control-allow-origin')).toBeNull();
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.exitCode === null) process.kill(child.pid!, 'SIGTERM');
      await exited;
    }
  });
});
