/**
 * `mneme/mem0`: mem0's open-source `Memory` API, kept in the browser. A thin facade over the public
 * client: `new Memory(options)` takes `createMemoryClient`'s options, and each user, agent or run
 * gets a Mneme profile of its own.
 */
export { Memory, type AddOptions, type SearchOptions, type GetAllOptions, type Mem0Message } from './memory';
export type { Mem0Memory, Mem0Event, Mem0HistoryEntry, Mem0Results, MemoryEvent } from './shapes';
export type { Mem0Filter, Mem0Filters } from './filters';
export type { ScopeIds } from './scopes';
