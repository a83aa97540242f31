/**
 * Recovery phrases: the 256-bit sync key as 24 BIP39 words (English list, checksum included), for a
 * person to write down. The phrase carries the key only, never the server: a device joining with
 * it is also told the server's address (the app asks for it). Loaded on first use (the word list
 * stays out of the worker until then).
 */
import { entropyToMnemonic, mnemonicToEntropy } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { MemoryError } from '../sdk/errors';
import { SYNC_KEY_BYTES } from './keys';

/** Words in a recovery phrase (256 bits of key and 8 of checksum, 11 bits a word). */
export const PHRASE_WORDS = 24;

export function recoveryPhrase(syncKey: Uint8Array): string {
  if (syncKey.length !== SYNC_KEY_BYTES) throw new MemoryError('INTERNAL', `A sync key is ${SYNC_KEY_BYTES} bytes`);
  return entropyToMnemonic(syncKey, wordlist);
}

const known = new Set(wordlist);

/**
 * A typed word as the list spells it: case and accents aside, and its first four letters are
 * enough (BIP39 words differ within their first four letters). Undefined when no word matches.
 */
function spell(typed: string): string | undefined {
  if (known.has(typed)) return typed;
  if (typed.length < 4) return undefined;
  const matches = wordlist.filter((word) => word.startsWith(typed));
  return matches.length === 1 ? matches[0] : undefined;
}

const refuse = (reason: string, message: string, details: Record<string, unknown> = {}) =>
  new MemoryError('INVALID_ARGUMENT', message, { details: { reason, ...details } });

/**
 * The sync key of a typed phrase. Numbers, punctuation, line breaks and case are ignored (a list
 * copied as "1. abandon 2. ability" reads as well). Rejects with `INVALID_ARGUMENT` and
 * `details.reason`: `length` (not 24 words), `unknown-word` (`details.positions`, 1-based), or
 * `checksum` (24 real words that are not a phrase: a word mistyped as another or out of order).
 */
export function parseRecoveryPhrase(text: unknown): Uint8Array {
  if (typeof text !== 'string') throw refuse('length', `A recovery phrase is ${PHRASE_WORDS} words`);
  const typed = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
  if (typed.length !== PHRASE_WORDS) {
    throw refuse('length', `A recovery phrase is ${PHRASE_WORDS} words; this has ${typed.length}`, { count: typed.length });
  }
  const words = typed.map(spell);
  const positions = words.flatMap((word, index) => (word === undefined ? [index + 1] : []));
  if (positions.length > 0) {
    throw refuse('unknown-word', `Not a recovery phrase word: number ${positions.join(', ')}`, { positions });
  }
  try {
    return mnemonicToEntropy(words.join(' '), wordlist);
  } catch {
    throw refuse('checksum', 'These words are not a recovery phrase (a word is wrong or out of place): check them');
  }
}
