/**
 * Vite plugin: a strict Content-Security-Policy for the built app, as a `<meta>` in index.html
 * (a static host needs no header configuration). Scripts come only from the app itself, no
 * inline script, no eval, no plugins, no frames. Network: the app, the model hub and its CDNs
 * (models are downloaded by the browser), and a chat server on this machine (the opt-in
 * OpenAI-compatible adapter). Styles allow inline attributes (Svelte's `style:` directives).
 * The dev server has none: Vite injects inline scripts there.
 */
import type { Plugin } from 'vite';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self' https://huggingface.co https://*.huggingface.co https://*.hf.co https://raw.githubusercontent.com http://localhost:* http://127.0.0.1:*",
  "manifest-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export function contentSecurityPolicy(): Plugin {
  return {
    name: 'mneme-csp',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
        injectTo: 'head-prepend',
      },
    ],
  };
}
