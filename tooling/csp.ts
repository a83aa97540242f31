/**
 * Vite plugin: the app's Content-Security-Policy, one policy served every way the app is served.
 *
 * - As an HTTP header on every response of the dev server and of `vite preview` (which serves the
 *   policy the build wrote into `_headers`, so what it serves is what was built). A header is what
 *   protects the workers and the service worker: a worker takes its policy from its own script's
 *   response, never from the page's `<meta>`; and `frame-ancestors` works only as a header.
 * - As `_headers` in the build output (Netlify, Cloudflare Pages and hosts that read that file);
 *   for nginx or another server, README.md shows the `add_header` lines with the same policy.
 * - As a `<meta>` in the built index.html too, so a host that sets no header still protects the page.
 *
 * Scripts come only from the app itself: no inline script, no eval (WebAssembly compiles), no
 * plugins, no frames, not framed. Network: the app, the model hub and its CDNs (models download only
 * after the person agrees), the chat servers named in `MNEME_CHAT_ORIGIN` (the opt-in
 * OpenAI-compatible adapter; none by default) and the sync servers named in `MNEME_SYNC_ORIGIN`
 * (CouchDB-compatible; none by default). Styles allow inline attributes (Svelte's `style:`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Connect, Plugin } from 'vite';

/** Where models come from when the server offers none: the Hugging Face hub and its CDNs; WebLLM's model libraries. */
const MODEL_SOURCES = [
  'https://huggingface.co',
  'https://*.huggingface.co',
  'https://*.hf.co',
  'https://raw.githubusercontent.com',
];

export interface PolicyOptions {
  /** Origins of OpenAI-compatible chat servers the app may call, e.g. `http://localhost:11434`. */
  chatOrigins?: readonly string[];
  /** Origins of CouchDB-compatible sync servers the app may replicate with, e.g. `http://127.0.0.1:5984`. */
  syncOrigins?: readonly string[];
}

/** The policy as one header value. */
export function contentSecurityPolicy(options: PolicyOptions = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${[...new Set(["'self'", ...MODEL_SOURCES, ...(options.chatOrigins ?? []), ...(options.syncOrigins ?? [])])].join(' ')}`,
    "manifest-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The headers every response carries (the policy, no MIME sniffing, no referrer to model hosts). */
export function securityHeaders(options: PolicyOptions = {}): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

/**
 * `MNEME_CHAT_ORIGIN`: the chat servers' origins, separated by spaces or commas, each
 * `http(s)://host[:port]` with nothing after it and no wildcard. Anything else stops the build.
 */
export function chatOriginsFrom(value: string | undefined): string[] {
  return originsFrom(value, 'MNEME_CHAT_ORIGIN', 'http://localhost:11434');
}

/** `MNEME_SYNC_ORIGIN`: the sync servers' origins, written and checked like `MNEME_CHAT_ORIGIN`. */
export function syncOriginsFrom(value: string | undefined): string[] {
  return originsFrom(value, 'MNEME_SYNC_ORIGIN', 'http://127.0.0.1:5984');
}

function originsFrom(value: string | undefined, variable: string, example: string): string[] {
  const origins: string[] = [];
  for (const item of (value ?? '').split(/[\s,]+/).filter(Boolean)) {
    let url: URL | undefined;
    try {
      url = new URL(item);
    } catch {
      url = undefined;
    }
    const plainHost = url !== undefined && /^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/i.test(url.hostname);
    if (!url || !plainHost || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== item.replace(/\/$/, '')) {
      throw new Error(`${variable}: "${item}" is not an origin such as ${example} (scheme, host, port; no path)`);
    }
    origins.push(url.origin);
  }
  return origins;
}

/** The `_headers` file for static hosts that read one: the same headers on every path. */
export function headersFile(options: PolicyOptions = {}): string {
  const lines = Object.entries(securityHeaders(options)).map(([name, value]) => `  ${name}: ${value}`);
  return `/*\n${lines.join('\n')}\n`;
}

/** The headers of a `_headers` file written by {@link headersFile} (its one `/*` block). */
export function parseHeadersFile(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n').slice(1)) {
    const at = line.indexOf(': ');
    if (line.startsWith('  ') && at > 0) headers[line.slice(2, at)] = line.slice(at + 2);
  }
  return headers;
}

function headerMiddleware(headers: Record<string, string>): Connect.NextHandleFunction {
  return (_req, res, next) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    next();
  };
}

export function contentSecurityHeaders(
  chatOrigins = chatOriginsFrom(process.env.MNEME_CHAT_ORIGIN),
  syncOrigins = syncOriginsFrom(process.env.MNEME_SYNC_ORIGIN),
): Plugin {
  const options = { chatOrigins, syncOrigins };
  const headers = securityHeaders(options);
  return {
    name: 'mneme-csp',
    // First, so its middleware runs before any other that answers a request itself (the models folder).
    enforce: 'pre',
    // The app's Settings say when a typed chat server is not one of these (the policy would block it).
    // Likewise for a typed sync server.
    config: () => ({
      define: {
        'import.meta.env.MNEME_CHAT_ORIGINS': JSON.stringify(chatOrigins.join(' ')),
        'import.meta.env.MNEME_SYNC_ORIGINS': JSON.stringify(syncOrigins.join(' ')),
      },
    }),
    // Before Vite's own middlewares, so every file, the HMR client and the workers carry it.
    configureServer: (server) => void server.middlewares.use(headerMiddleware(headers)),
    // The preview serves a build: the origins it allows are the ones given to that build (a later
    // `npm run preview` without MNEME_SYNC_ORIGIN must not drop them from the workers' policy).
    configurePreviewServer: (server) => {
      const built = resolve(server.config.root, server.config.build.outDir, '_headers');
      const headersOfBuild = existsSync(built) ? parseHeadersFile(readFileSync(built, 'utf8')) : undefined;
      server.middlewares.use(headerMiddleware(headersOfBuild?.['Content-Security-Policy'] ? headersOfBuild : headers));
    },
    transformIndexHtml: {
      order: 'post',
      handler: (_html, context) =>
        context.server
          ? []
          : [
              {
                tag: 'meta',
                // frame-ancestors is ignored (with a console warning) in a <meta>: the header carries it.
                attrs: {
                  'http-equiv': 'Content-Security-Policy',
                  content: contentSecurityPolicy(options).replace("; frame-ancestors 'none'", ''),
                },
                injectTo: 'head-prepend',
              },
            ],
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: '_headers', source: headersFile(options) });
    },
  };
}
