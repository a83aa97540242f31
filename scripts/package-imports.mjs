/**
 * What the packed `mneme` code imports from outside itself. scripts/pack-sdk.mjs refuses to pack
 * when a bare import of dist/*.js names a package the manifest does not declare: a host installs
 * only the declared ones, so its bundler would fail on the rest (the repository's own node_modules
 * hides such a miss from every test run inside it).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const COMMENTS = String.raw`(?:\s|\/\*[\s\S]*?\*\/)*`;
const QUOTED = String.raw`["']([^"'\n]+)["']`;
const PATTERNS = [
  // import x from "a"; export { x } from "a"; import "a"
  new RegExp(String.raw`(?:^|[\s;}])(?:import|export)\b[^"'();]*?\bfrom${COMMENTS}${QUOTED}`, 'g'),
  new RegExp(String.raw`(?:^|[\s;}])import${COMMENTS}${QUOTED}`, 'g'),
  // import("a"), with or without a bundler comment inside the parentheses
  new RegExp(String.raw`\bimport${COMMENTS}\(${COMMENTS}${QUOTED}`, 'g'),
  // createRequire(...).resolve("a") and require("a")
  new RegExp(String.raw`(?:\.resolve|\brequire)${COMMENTS}\(${COMMENTS}${QUOTED}`, 'g'),
];

/** The package a bare specifier names (`@scope/name` or `name`), or undefined for a relative, absolute or URL one. */
export function packageOf(specifier) {
  if (/^(?:\.{1,2}\/|\/|[a-z][a-z0-9+.-]*:)/i.test(specifier)) return undefined;
  const parts = specifier.split('?')[0].split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every specifier a module's code imports, in the order found, without repeats. */
export function importedSpecifiers(code) {
  const found = new Set();
  for (const pattern of PATTERNS) for (const match of code.matchAll(pattern)) found.add(match[1]);
  return [...found];
}

/**
 * `file: specifier` for each import in `dir`/*.js of a package not in `declared` (a name → range
 * map), and for each Node built-in the build replaced by an empty browser stub (that code path
 * would break in Node: load such a module by a name the bundler cannot see instead).
 */
export function undeclaredImports(dir, declared) {
  const problems = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.js'))) {
    if (file.startsWith('__vite-browser-external')) {
      problems.push(`${file}: a Node built-in stubbed out for the browser`);
      continue;
    }
    for (const specifier of importedSpecifiers(readFileSync(join(dir, file), 'utf8'))) {
      const name = packageOf(specifier);
      if (name !== undefined && !(name in declared)) problems.push(`${file}: ${specifier}`);
    }
  }
  return problems;
}
