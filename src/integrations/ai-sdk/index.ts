/**
 * `mneme/ai-sdk`: Mneme for the Vercel AI SDK (`ai` 6 or 7, an optional peer dependency). A thin
 * adapter over the public client: `mnemeMemory` is a language-model middleware for
 * `wrapLanguageModel` (recall before a call, record after a finished turn), `mnemeTools` gives an
 * agentic model `remember`, `searchMemory` and `forget`.
 */
export { mnemeMemory, type MnemeMemoryOptions, type MnemeCallOptions } from './middleware';
export { MEMORY_NOTE, type MemoryPlacement } from './prompt';
export {
  mnemeTools,
  type MnemeTools,
  type MnemeToolsOptions,
  type RememberInput,
  type SearchMemoryInput,
  type ForgetInput,
  type ForgetOutput,
  type RecalledMemory,
} from './tools';
