/// <reference types="svelte" />
/// <reference types="vite/client" />
/// <reference types="vite-plugin-pwa/client" />

interface ImportMetaEnv {
  /** The chat servers' origins the Content-Security-Policy allows, separated by spaces (from `MNEME_CHAT_ORIGIN`). */
  readonly MNEME_CHAT_ORIGINS?: string;
  /** The sync servers' origins the Content-Security-Policy allows, separated by spaces (from `MNEME_SYNC_ORIGIN`). */
  readonly MNEME_SYNC_ORIGINS?: string;
}
