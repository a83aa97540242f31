// IndexedDB for Node: the same Dexie code runs over fake-indexeddb in unit tests.
import 'fake-indexeddb/auto';
