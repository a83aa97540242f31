/** A host page with the SDK in its worker, exposed to the test as `window.mneme` once open. */
import { createMemoryClient, type MemoryClient, type SyncStatus } from '../../../src/sdk/index';

declare global {
  interface Window {
    mneme?: MemoryClient;
    /** Every `sync` event the page received, oldest first. */
    syncEvents: SyncStatus[];
  }
}

window.syncEvents = [];
const client = await createMemoryClient({ embedder: false });
client.subscribe((event) => {
  if (event.type === 'sync') window.syncEvents.push(event.status);
});
window.mneme = client;
document.body.dataset.ready = 'true';
