/** The one Content-Security-Policy: its chat servers, its header file, and the README's copy of it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chatOriginsFrom,
  contentSecurityPolicy,
  headersFile,
  parseHeadersFile,
  securityHeaders,
  syncOriginsFrom,
} from '../../../tooling/csp';

const directive = (policy: string, name: string) => policy.split('; ').find((part) => part.startsWith(`${name} `));

describe('the Content-Security-Policy', () => {
  it('allows no chat server by default, not even a localhost port, and cannot be framed', () => {
    const policy = contentSecurityPolicy();
    expect(directive(policy, 'connect-src')).not.toMatch(/localhost|127\.0\.0\.1|\*:|:\*/);
    expect(directive(policy, 'frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(directive(policy, 'script-src')).toBe("script-src 'self' 'wasm-unsafe-eval'");
  });

  it('allows exactly the chat servers named in MNEME_CHAT_ORIGIN', () => {
    const origins = chatOriginsFrom(' http://localhost:11434, https://llm.example.com/  ');
    expect(origins).toEqual(['http://localhost:11434', 'https://llm.example.com']);
    expect(directive(contentSecurityPolicy({ chatOrigins: origins }), 'connect-src')).toMatch(
      / http:\/\/localhost:11434 https:\/\/llm\.example\.com$/,
    );
    expect(chatOriginsFrom(undefined)).toEqual([]);
    expect(chatOriginsFrom('')).toEqual([]);
  });

  it('allows exactly the sync servers named in MNEME_SYNC_ORIGIN, beside the chat servers', () => {
    const sync = syncOriginsFrom('http://127.0.0.1:5984 https://couch.example.org');
    expect(sync).toEqual(['http://127.0.0.1:5984', 'https://couch.example.org']);
    const connect = directive(
      contentSecurityPolicy({ chatOrigins: ['http://localhost:11434'], syncOrigins: sync }),
      'connect-src',
    );
    expect(connect).toMatch(/ http:\/\/localhost:11434 http:\/\/127\.0\.0\.1:5984 https:\/\/couch\.example\.org$/);
    expect(syncOriginsFrom(undefined)).toEqual([]);
    expect(directive(contentSecurityPolicy(), 'connect-src')).not.toContain('5984');
    expect(() => syncOriginsFrom('http://127.0.0.1:5984/db')).toThrow(/MNEME_SYNC_ORIGIN/);
  });

  it.each([
    'localhost:11434',
    'http://localhost:11434/v1',
    'http://*:11434',
    'ftp://files.example.com',
    "http://a.b 'unsafe-eval'",
  ])('refuses %s as a chat server origin', (value) => {
    expect(() => chatOriginsFrom(value)).toThrow(/MNEME_CHAT_ORIGIN/);
  });

  it('reads back the _headers file a build wrote, the way the preview serves it', () => {
    const options = { chatOrigins: ['http://localhost:11434'], syncOrigins: ['http://127.0.0.1:5984'] };
    expect(parseHeadersFile(headersFile(options))).toEqual(securityHeaders(options));
    expect(parseHeadersFile(headersFile())).toEqual(securityHeaders());
  });

  it('writes the same policy into the static hosts’ _headers file, and the README shows the default', () => {
    const origins = ['http://127.0.0.1:8080'];
    expect(headersFile({ chatOrigins: origins })).toContain(
      `\n  Content-Security-Policy: ${contentSecurityPolicy({ chatOrigins: origins })}\n`,
    );
    expect(headersFile().startsWith('/*\n')).toBe(true);
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`\n${contentSecurityPolicy()}\n`);
  });
});
