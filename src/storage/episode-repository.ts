/** The {@link EpisodeStore} port over Dexie; everything but id, status and start time is sealed when encrypted. */
import { toMemoryError } from '../sdk/errors';
import type { Episode } from '../sdk/types';
import type { EpisodeStore } from '../core/ports';
import type { LayerRow, MnemeDatabase } from './db';
import { plainCodec, readable, type RecordCodec, type StoredRow } from './codec';

export function createEpisodeRepository(db: MnemeDatabase, codec: RecordCodec = plainCodec): EpisodeStore {
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toMemoryError(error, 'STORAGE_FAILED');
    }
  };
  const decode = (row: LayerRow) => codec.decodeRow<Episode>('episodes', row as StoredRow);
  return {
    put: (episode) =>
      guard(async () => {
        const row = (await codec.encodeRow('episodes', episode)) as LayerRow;
        await db.episodes.put(row);
      }),
    get: (id) =>
      guard(async () => {
        const row = await db.episodes.get(id);
        return row && decode(row);
      }),
    list: (status) =>
      guard(async () => {
        const rows = status ? await db.episodes.where('status').equals(status).toArray() : await db.episodes.toArray();
        const episodes = await readable(rows, decode);
        return episodes.sort((a, b) => b.startedAt - a.startedAt);
      }),
    delete: (id) => guard(() => db.episodes.delete(id).then(() => undefined)),
  };
}
