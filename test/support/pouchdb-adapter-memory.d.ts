declare module 'pouchdb-adapter-memory';
