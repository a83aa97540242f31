import memoryAdapter from 'pouchdb-adapter-memory';
import { createMemoryEngine } from '../../../src/worker/engine';
import { describeSyncContract } from '../../contract/sync.contract';
import { useSyncServer } from '../../support/sync-server';

const server = useSyncServer();

// fake-indexeddb does not keep PouchDB's IndexedDB transactions alive: the replica lives in memory.
describeSyncContract(
  'in-process (Node, fake-indexeddb, pouchdb-server)',
  (options) =>
    createMemoryEngine({ ...options, modelsBaseUrl: process.env.MNEME_MODELS! }, 'in-process', {
      syncReplica: { adapter: 'memory', plugins: [memoryAdapter] },
    }),
  server,
);
