/** The import check `npm run pack:sdk` runs over the packed code before it packs. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importedSpecifiers, packageOf, undeclaredImports } from '../../../scripts/package-imports.mjs';

describe('packageOf', () => {
  it('names the package of a bare specifier and nothing for the rest', () => {
    expect(packageOf('voy-search/voy_search_bg.js')).toBe('voy-search');
    expect(packageOf('@huggingface/transformers')).toBe('@huggingface/transformers');
    expect(packageOf('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url')).toBe('onnxruntime-web');
    expect(packageOf('./engine-x.js')).toBeUndefined();
    expect(packageOf('../x.js')).toBeUndefined();
    expect(packageOf('/abs.js')).toBeUndefined();
    expect(packageOf('node:fs/promises')).toBeUndefined();
    expect(packageOf('data:application/wasm;base64,AGFz')).toBeUndefined();
  });
});

describe('importedSpecifiers', () => {
  it('finds static, side-effect, re-export, dynamic (with bundler comments) and require-resolved imports', () => {
    const code = [
      'import { a as e } from "./errors-1.js";',
      'import{MLCEngine as s}from"@mlc-ai/web-llm";',
      'import "./side.js";',
      'export { x } from "svelte/internal/client";',
      'let t = await import(\n\t\t/* @vite-ignore */\n\t\t"voy-search/voy_search_bg.js"\n);',
      'const r = createRequire(import.meta.url).resolve("voy-search/voy_search_bg.wasm");',
      'const text = "imported from the shop";',
    ].join('\n');
    expect(importedSpecifiers(code)).toEqual(
      expect.arrayContaining([
        './errors-1.js',
        '@mlc-ai/web-llm',
        './side.js',
        'svelte/internal/client',
        'voy-search/voy_search_bg.js',
        'voy-search/voy_search_bg.wasm',
      ]),
    );
    expect(importedSpecifiers(code)).toHaveLength(6);
  });

  it('sees nothing in a computed specifier', () => {
    expect(importedSpecifiers('function n(e){return import(/* @vite-ignore */ e)}')).toEqual([]);
  });
});

describe('undeclaredImports', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists each undeclared package import and each stubbed Node built-in, file by file', () => {
    dir = mkdtempSync(join(tmpdir(), 'mneme-imports-'));
    writeFileSync(join(dir, 'engine.js'), 'import "./x.js"; import("voy-search/voy_search_bg.js"); import("dexie");');
    writeFileSync(join(dir, 'env.js'), 'import("@huggingface/transformers")');
    writeFileSync(join(dir, '__vite-browser-external-abc.js'), 'module.exports = {}');
    writeFileSync(join(dir, 'notes.txt'), 'import "left-pad"');
    expect(undeclaredImports(dir, { '@huggingface/transformers': '~4.3', dexie: '~4.4' }).sort()).toEqual([
      '__vite-browser-external-abc.js: a Node built-in stubbed out for the browser',
      'engine.js: voy-search/voy_search_bg.js',
    ]);
    expect(undeclaredImports(dir, { '@huggingface/transformers': '~4.3', dexie: '~4.4', 'voy-search': '^0.6.3' })).toHaveLength(
      1,
    );
  });
});
