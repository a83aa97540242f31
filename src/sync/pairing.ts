/**
 * Pairing codes: what a new device needs to join a profile's sync, as one line of text (to show
 * as a QR code or paste): `mneme-sync1.<sync key>.<auth flag>.<server URL>`, each part base64url.
 */
import { MemoryError } from '../sdk/errors';
import { deriveSyncKeys, fromBase64Url, SYNC_KEY_BYTES, toBase64Url, type SyncKeys } from './keys';

const PREFIX = 'mneme-sync1';

export interface Pairing {
  syncKey: Uint8Array;
  url: string;
  auth: boolean;
}

/** A server URL sync accepts: http or https, without credentials in it. */
export function checkServerUrl(url: unknown): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new MemoryError('INVALID_ARGUMENT', `Not a server URL: ${String(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new MemoryError('INVALID_ARGUMENT', 'The sync server URL must start with http:// or https://');
  }
  if (parsed.username || parsed.password) {
    throw new MemoryError('INVALID_ARGUMENT', 'Put no credentials in the sync server URL (see the `auth` option)');
  }
  return parsed.href.endsWith('/') ? parsed.href : `${parsed.href}/`;
}

export function pairingCode(pairing: Pairing): string {
  const url = toBase64Url(new TextEncoder().encode(pairing.url));
  return `${PREFIX}.${toBase64Url(pairing.syncKey)}.${pairing.auth ? 1 : 0}.${url}`;
}

export function parsePairingCode(code: unknown): Pairing {
  const bad = () => new MemoryError('INVALID_ARGUMENT', 'This is not a Mneme pairing code (copy it again from the other device)');
  if (typeof code !== 'string') throw bad();
  const [prefix, key, auth, url, ...rest] = code.trim().split('.');
  if (prefix !== PREFIX || rest.length > 0 || (auth !== '0' && auth !== '1')) throw bad();
  const syncKey = fromBase64Url(key ?? '');
  const urlBytes = fromBase64Url(url ?? '');
  if (!syncKey || syncKey.length !== SYNC_KEY_BYTES || !urlBytes) throw bad();
  return { syncKey, url: checkServerUrl(new TextDecoder().decode(urlBytes)), auth: auth === '1' };
}

/** Whether a text given to join is a pairing code (else it is read as a recovery phrase). */
export function isPairingCode(text: unknown): boolean {
  return typeof text === 'string' && text.trim().startsWith(`${PREFIX.slice(0, -1)}`);
}

/**
 * A recovery phrase carries the key only: the server comes beside it (`no-server` without one),
 * and `check` asks it, reading only, whether it holds a profile the phrase opens.
 */
export async function phrasePairing(
  phrase: string,
  server: { url?: string; auth?: boolean } | undefined,
  checkRemote: (remote: { url: string; auth: boolean; keys: SyncKeys }) => Promise<void>,
): Promise<{ pairing: Pairing; check: () => Promise<void> }> {
  const { parseRecoveryPhrase } = await import('./recovery-phrase');
  const syncKey = parseRecoveryPhrase(phrase);
  if (!server?.url) {
    throw new MemoryError('INVALID_ARGUMENT', 'A recovery phrase holds no server address: give the sync server URL too', {
      details: { reason: 'no-server' },
    });
  }
  const pairing: Pairing = { syncKey, url: checkServerUrl(server.url), auth: server.auth === true };
  return { pairing, check: async () => checkRemote({ ...pairing, keys: await deriveSyncKeys(syncKey) }) };
}
