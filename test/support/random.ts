/** Deterministic pseudo-random numbers in [0, 1): the product's own seeded generator (mulberry32). */
export { createSeededRandom as random } from '../../src/core/pipeline/outbox-jobs';
