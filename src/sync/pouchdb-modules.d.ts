// PouchDB's packages ship no types; src/sync/pouch-replica.ts declares the part of the API it uses.
declare module 'pouchdb-core';
declare module 'pouchdb-adapter-http';
declare module 'pouchdb-adapter-indexeddb';
declare module 'pouchdb-replication';
