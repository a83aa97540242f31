/**
 * Turning encryption on or off for a whole profile, and the key envelope in `settings`.
 * Every memory row and vector chunk is re-encoded and written back in one transaction.
 */
import { Dexie } from 'dexie';
import type { MnemeDatabase } from '../db';
import {
  chunkBinding,
  CLEAR_FIELDS,
  encryptedCodec,
  plainCodec,
  type RecordCodec,
  type SealedTable,
  type StoredRow,
} from '../codec';
import { createCipher, type DataKey } from './cipher';
import type { KeyEnvelope } from './envelope';
import { ENVELOPE_KEY, MARKER_KEY, sealedMarker } from './write-guard';

export async function readEnvelope(db: MnemeDatabase): Promise<KeyEnvelope | undefined> {
  return (await db.settings.get(ENVELOPE_KEY))?.value as KeyEnvelope | undefined;
}

export function codecFor(key: DataKey | undefined): RecordCodec {
  return key ? encryptedCodec(createCipher(key)) : plainCodec;
}

/**
 * Re-encodes every record from one codec to the other and stores (or removes) the envelope,
 * all in one rw transaction: a failure leaves the profile exactly as it was.
 */
export async function reencodeProfile(
  db: MnemeDatabase,
  from: RecordCodec,
  to: RecordCodec,
  envelope: KeyEnvelope | undefined,
): Promise<void> {
  await db.transaction('rw', db.tables, async () => {
    // First: the write guard (write-guard.ts) checks every row below against what these say.
    if (envelope) await db.settings.bulkPut([{ key: ENVELOPE_KEY, value: envelope }, sealedMarker(envelope)]);
    else await db.settings.bulkDelete([ENVELOPE_KEY, MARKER_KEY]);
    for (const table of Object.keys(CLEAR_FIELDS) as SealedTable[]) {
      const rows = (await db.table(table).toArray()) as StoredRow[];
      if (rows.length === 0) continue;
      const recoded = await Dexie.waitFor(
        Promise.all(rows.map(async (row) => to.encodeRow(table, await from.decodeRow<object>(table, row)))),
      );
      // Cleared first: a row's key can change with the codec (profile entries are keyed by a tag when sealed).
      await db.table(table).clear();
      await db.table(table).bulkPut(recoded);
    }
    const chunks = await db.vectorChunks.toArray();
    const rechunked = await Dexie.waitFor(
      Promise.all(
        chunks.map(async (chunk) => ({
          ...chunk,
          data: await to.sealBytes(await from.openBytes(chunk.data, chunkBinding(chunk)), chunkBinding(chunk)),
        })),
      ),
    );
    await db.vectorChunks.bulkPut(rechunked);
    // The lexical snapshot was sealed under the old codec: drop it, the next close writes a new one.
    await db.settings.delete('lexical.snapshot');
  });
}

export async function writeEnvelope(db: MnemeDatabase, envelope: KeyEnvelope): Promise<void> {
  await db.transaction('rw', db.settings, () =>
    db.settings.bulkPut([{ key: ENVELOPE_KEY, value: envelope }, sealedMarker(envelope)]),
  );
}
