/**
 * Every property test replays the same trials in the same order: fast-check draws from one fixed seed
 * (`FC_SEED` in Node to explore others; a failure prints the seed and path that replay it).
 */
import fc from 'fast-check';

const chosen = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.FC_SEED;
fc.configureGlobal({ seed: chosen === undefined ? 20_261_206 : Number(chosen) });
