/**
 * `mneme/langgraph`: LangGraph.js and LangChain.js memory kept in the browser. `MnemeStore` is a
 * LangGraph `BaseStore` (long-term memory: `compile({ store })`) in a Mneme profile, searched with
 * Mneme's hybrid ranking; `MnemeChatMessageHistory` is a LangChain chat history over a Mneme
 * conversation. `@langchain/langgraph-checkpoint` and `@langchain/core` are optional peer dependencies.
 */
export { MnemeStore, type MnemeStoreOptions, type Item, type SearchItem } from './store';
export { MnemeChatMessageHistory, type MnemeChatMessageHistoryOptions } from './history';
