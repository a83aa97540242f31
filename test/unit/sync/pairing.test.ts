import { describe, expect, it } from 'vitest';
import { checkServerUrl, pairingCode, parsePairingCode } from '../../../src/sync/pairing';
import { generateSyncKey } from '../../../src/sync/keys';

describe('pairing codes', () => {
  it('carry the sync key, the server and the auth choice, and nothing else readable', () => {
    const syncKey = generateSyncKey();
    const code = pairingCode({ syncKey, url: 'https://couch.example.org/mneme/', auth: true });
    expect(code).toMatch(/^mneme-sync1\.[A-Za-z0-9_-]+\.1\.[A-Za-z0-9_-]+$/);
    expect(parsePairingCode(`  ${code}\n`)).toEqual({ syncKey, url: 'https://couch.example.org/mneme/', auth: true });
  });

  it.each(['', 'hello', 'mneme-sync1.AAAA.0.aHR0cDovLzEyNy4wLjAuMTo1OTg0Lw', 'mneme-sync2.x.0.y', undefined, 42])(
    'refuses %j with INVALID_ARGUMENT',
    (code) => {
      expect(() => parsePairingCode(code)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    },
  );

  it('refuses a code whose server is not http(s), and normalises server URLs', () => {
    const code = pairingCode({ syncKey: generateSyncKey(), url: 'javascript:alert(1)', auth: false });
    expect(() => parsePairingCode(code)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(checkServerUrl('http://127.0.0.1:5984')).toBe('http://127.0.0.1:5984/');
    expect(() => checkServerUrl('http://user:pw@127.0.0.1:5984/')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => checkServerUrl('not a url')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
