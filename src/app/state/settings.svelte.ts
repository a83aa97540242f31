/**
 * The person's choices, kept in this browser (localStorage) so the next visit opens the same way:
 * which profile, which models, retention, "do not remember" rules, the optional external endpoint.
 * Nothing here is secret: an API key for the external endpoint is kept in memory only.
 */
import { RETENTION_MAX_DAYS, type ChatModelSpec, type MemoryClientOptions } from '../../sdk/index';
import { AUTO_LOCK_CHOICES, DEFAULT_AUTO_LOCK_MINUTES } from '../lib/idle-lock';

export interface ExternalEndpoint {
  baseUrl: string;
  model: string;
  /** It was used without an API key (a local server): it can reconnect on the next visit by itself. */
  keyless?: boolean;
}

export interface SettingsData {
  /** The first-run screen was completed or skipped. */
  welcomed: boolean;
  profileId: string;
  /** The chat model to load on start; undefined: memory without a chat model. */
  chatModel?: ChatModelSpec;
  /** The embedding model id, or false for keyword search only; undefined: the app's default. */
  embedder?: string | false;
  retention: NonNullable<MemoryClientOptions['retention']>;
  doNotRemember: { rules: string[]; patterns: string[] };
  /** The opt-in OpenAI-compatible server; only used when `chatModel.engine` is `openai`. */
  external?: ExternalEndpoint;
  /**
   * The person chose to download a model: from then on the app may fetch models from the hub.
   * Until then no request leaves this app's origin (models the server offers at /models/ are its own).
   */
  downloadsAllowed?: boolean;
  /** An encrypted profile locks after this many minutes without activity; 0 never. Undefined: the default (15). */
  autoLockMinutes?: number;
}

const KEY = 'mneme:settings';

const DEFAULT_SETTINGS: SettingsData = {
  welcomed: false,
  profileId: 'default',
  retention: {},
  doNotRemember: { rules: [], patterns: [] },
};

export class Settings {
  data = $state<SettingsData>(load());

  /**
   * The chat model to load again on start: a local model, or an external server that needs no
   * key (a key lives in memory only, so a server that needs one waits to be chosen again).
   */
  get restorableChat(): ChatModelSpec | undefined {
    const spec = this.data.chatModel;
    return spec && (spec.engine !== 'openai' || this.data.external?.keyless) ? spec : undefined;
  }

  /** Minutes of idle before an encrypted profile locks (0: never). */
  get autoLockMinutes(): number {
    const minutes = this.data.autoLockMinutes;
    return (AUTO_LOCK_CHOICES as readonly number[]).includes(minutes ?? -1) ? minutes! : DEFAULT_AUTO_LOCK_MINUTES;
  }

  /** The same in milliseconds; a test may shorten a chosen time with `localStorage['mneme:auto-lock-ms']`. */
  get autoLockMs(): number {
    if (this.autoLockMinutes === 0) return 0;
    const chosen = Number(globalThis.localStorage?.getItem('mneme:auto-lock-ms'));
    return Number.isFinite(chosen) && chosen > 0 ? chosen : this.autoLockMinutes * 60_000;
  }

  update(patch: Partial<SettingsData>): void {
    this.data = { ...this.data, ...patch };
    // Welcomed without choosing a download ("Skip"): recorded, so it does not read as an older visit's.
    if (this.data.welcomed && this.data.downloadsAllowed === undefined) this.data.downloadsAllowed = false;
    save(this.data);
  }
}

function load(): SettingsData {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return structuredClone(DEFAULT_SETTINGS);
    const parsed = JSON.parse(raw) as Partial<SettingsData>;
    // Welcomed before downloads needed a choice: the app had already fetched its models then.
    if (parsed.welcomed && parsed.downloadsAllowed === undefined) parsed.downloadsAllowed = true;
    return { ...structuredClone(DEFAULT_SETTINGS), ...parsed, ...usablePrivacy(parsed) };
  } catch {
    return structuredClone(DEFAULT_SETTINGS);
  }
}

const RULES = ['card-number', 'password', 'health', 'government-id'];

/**
 * The privacy choices of an earlier visit that the client accepts (an older version saved any
 * number): a value it would refuse must not keep the profile from opening, so it is dropped.
 */
function usablePrivacy(parsed: Partial<SettingsData>): Pick<SettingsData, 'retention' | 'doNotRemember'> {
  const retention: SettingsData['retention'] = {};
  for (const [kind, days] of Object.entries(parsed.retention ?? {})) {
    if (Number.isInteger(days) && days > 0 && days <= RETENTION_MAX_DAYS) retention[kind as keyof typeof retention] = days;
  }
  const given = parsed.doNotRemember;
  const rules = Array.isArray(given?.rules) ? given.rules.filter((rule) => RULES.includes(rule)) : [];
  const patterns = Array.isArray(given?.patterns) ? given.patterns.filter(validPattern) : [];
  return { retention, doNotRemember: { rules, patterns } };
}

function validPattern(pattern: unknown): pattern is string {
  try {
    return typeof pattern === 'string' && new RegExp(pattern, 'i') instanceof RegExp;
  } catch {
    return false;
  }
}

function save(data: SettingsData): void {
  try {
    // An API key is never written down: it stays in this tab's memory.
    const { chatModel, ...rest } = $state.snapshot(data) as SettingsData;
    const storedModel = chatModel && chatModel.engine === 'openai' ? { ...chatModel, apiKey: undefined } : chatModel;
    localStorage.setItem(KEY, JSON.stringify({ ...rest, ...(storedModel ? { chatModel: storedModel } : {}) }));
  } catch {
    // Private mode or a full disk: the choices last for this visit.
  }
}
