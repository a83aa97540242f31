/** The public API of the `mneme` package. Anything not exported here is private. */
export { createMemoryClient } from '../client/index';
export type {
  MemoryClient,
  MemoriesApi,
  EncryptionApi,
  ProfilesApi,
  DataApi,
  StorageApi,
  MaintenanceApi,
  SessionsApi,
  EpisodesApi,
  ChatApi,
  OutboxApi,
  ContextApi,
  ContextBuildOptions,
  ContextStrategy,
} from './client';
export type { MemoryClientOptions, RankingWeights, ChatModelSpec } from './options';
export { DEFAULT_RANKING } from './options';
export type { PreferencesApi, PrivacyApi, PrivacySettings, PrivacyState, PrivacyRuleName } from './privacy';
export { RETENTION_MAX_DAYS, withheldIn, withheldMarker } from './privacy';
export { contextMessages, type ContextMessage } from './context-messages';
export type {
  SyncApi,
  SyncDevice,
  SyncEnableOptions,
  SyncErrorInfo,
  SyncProgress,
  SyncServerAccount,
  SyncServerSetup,
  SyncState,
  SyncStatus,
} from './sync';
export { MemoryError, isMemoryError, MEMORY_ERROR_CODES, type MemoryErrorCode } from './errors';
export { PASSPHRASE_MIN_LENGTH, passphraseStrength, type PassphraseStrength } from './passphrase';
export type * from './types';
export type * from './maintenance';
export type { Embedder, EmbedOptions, ChatModel, ChatMessage, GenerateOptions } from '../core/ports';
export { EMBEDDER_CATALOG, type EmbedderCatalogEntry } from '../models/catalog';
export { CHAT_CATALOG, findChatModel, type ChatCatalogEntry, type DeviceClass } from '../models/chat-catalog';
export { detectCapabilities, type Capabilities, type AssessedChatModel, type GpuFacts } from '../models/capabilities';
export { createChatModel, listCachedModels, deleteCachedModel, type CreateChatModelOptions } from '../models/llm-client';
export type { LoadableChatModel, CachedModel } from '../models/chat-engine';
