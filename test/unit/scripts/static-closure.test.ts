/** How `npm run pack:sdk` and `npm run bench` count what an entry loads before it runs. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { gzipTotal, staticClosure } from '../../../scripts/static-closure.mjs';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function chunks(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'mneme-closure-'));
  for (const [name, code] of Object.entries(files)) writeFileSync(join(dir, name), code);
  return dir;
}

describe('staticClosure', () => {
  it('follows static imports, side-effect imports and re-exports, minified or not, and leaves dynamic imports out', () => {
    const at = chunks({
      'worker.js': 'import { a } from "./engine-1.js";\nimport"./side-2.js";const x=1;export{a};',
      'engine-1.js': 'import{b as c}from"./dexie-3.js";export{d}from"./schemas-4.js";const e=()=>import("./export-5.js");',
      'side-2.js': 'globalThis.ready = true;',
      'dexie-3.js': 'export const b = 1;',
      'schemas-4.js': 'export const d = 2;',
      'export-5.js': 'import{z}from"./zod-6.js";export const f = z;',
      'zod-6.js': 'export const z = 3;',
    });
    expect([...staticClosure(at, 'worker.js')].sort()).toEqual([
      'dexie-3.js',
      'engine-1.js',
      'schemas-4.js',
      'side-2.js',
      'worker.js',
    ]);
    expect([...staticClosure(at, 'export-5.js')].sort()).toEqual(['export-5.js', 'zod-6.js']);
  });

  it('visits a chunk imported twice (or in a cycle) once', () => {
    const at = chunks({
      'a.js': 'import"./b.js";import"./c.js";',
      'b.js': 'import"./c.js";',
      'c.js': 'import"./a.js";',
    });
    expect([...staticClosure(at, 'a.js')].sort()).toEqual(['a.js', 'b.js', 'c.js']);
  });
});

describe('gzipTotal', () => {
  it('adds the files gzipped one by one', () => {
    const code = { 'a.js': 'export const a = "'.concat('x'.repeat(500), '";'), 'b.js': 'export const b = 2;' };
    const at = chunks(code);
    expect(gzipTotal(at, ['a.js', 'b.js'])).toBe(gzipSync(code['a.js']).length + gzipSync(code['b.js']).length);
  });
});
