/**
 * Vite plugin: serves the models folder named by `MNEME_MODELS` at `/models/` in the dev server
 * and in `vite preview`, plus `/models/manifest.json` listing the model ids found there
 * (`<org>/<name>` folders with a config.json). With `MNEME_MODELS` unset the manifest is a 404,
 * and the app downloads models from the hub instead.
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import type { Connect, Plugin } from 'vite';

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

export function listModels(root: string): string[] {
  const models: string[] = [];
  for (const org of readdirSync(root, { withFileTypes: true })) {
    if (!org.isDirectory()) continue;
    for (const name of readdirSync(join(root, org.name), { withFileTypes: true })) {
      if (name.isDirectory() && existsSync(join(root, org.name, name.name, 'config.json')))
        models.push(`${org.name}/${name.name}`);
    }
  }
  return models.sort();
}

export function modelsFolderMiddleware(folder: string | undefined): Connect.NextHandleFunction {
  const root = folder ? resolve(folder) : undefined;
  if (root && !existsSync(root)) throw new Error(`MNEME_MODELS points at ${root}, which does not exist`);
  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/models/')) return next();
    const relative = decodeURIComponent(url.pathname.slice('/models/'.length));
    if (!root) {
      res.statusCode = 404;
      res.end('No local models folder (MNEME_MODELS is unset)');
      return;
    }
    if (relative === 'manifest.json') {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Cache-Control', 'no-cache');
      res.end(JSON.stringify({ models: listModels(root) }));
      return;
    }
    const file = resolve(root, relative);
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end('Not found');
      return;
    }
    res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(statSync(file).size));
    createReadStream(file).pipe(res);
  };
}

export function modelsFolder(folder = process.env.MNEME_MODELS): Plugin {
  const middleware = modelsFolderMiddleware(folder);
  return {
    name: 'mneme-models-folder',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}
