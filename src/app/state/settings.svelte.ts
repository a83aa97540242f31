/**
 * The person's choices. What opens the app is kept in this browser (localStorage): which profile,
 * which local models, whether downloads were allowed, the auto-lock time. What they typed about
 * themselves is kept inside the profile (sealed when it is encrypted) and known only once it is open
 * or unlocked: retention, "do not remember" rules and patterns, the external chat server (see
 * {@link Settings.fromProfile}). An API key for the external endpoint is kept in memory only.
 */
import { RETENTION_MAX_DAYS, type ChatModelSpec, type MemoryClientOptions, type PrivacyState } from '../../sdk/index';
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

/** The choices kept inside the profile (never in localStorage, except unmoved from an older version). */
export type ProfileChoices = Partial<Pick<SettingsData, 'retention' | 'doNotRemember' | 'external' | 'chatModel'>>;

const DEFAULT_SETTINGS: SettingsData = {
  welcomed: false,
  profileId: 'default',
  retention: {},
  doNotRemember: { rules: [], patterns: [] },
};

export class Settings {
  data = $state<SettingsData>(load());
  /**
   * Choices an older version kept in localStorage, until they are moved into the profile (the
   * first time one opens unlocked): kept there as they were until then, removed after.
   */
  unmoved: ProfileChoices | undefined = legacyChoices();

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
    save(this.data, this.unmoved);
  }

  /** The older version's choices are now in the profile: localStorage keeps none of them. */
  moved(): void {
    this.unmoved = undefined;
    save(this.data, undefined);
  }

  /**
   * The open profile's choices: its privacy settings and the preferences the app keeps in it
   * (`external`: the server; `chat: 'external'`: it was the chat model in use).
   */
  fromProfile(privacy: PrivacyState, preferences: Record<string, unknown>): void {
    const external = usableExternal(preferences.external);
    const { chatModel, ...rest } = this.data;
    const local = chatModel?.engine === 'openai' ? undefined : chatModel;
    const chat: ChatModelSpec | undefined =
      preferences.chat === 'external' && external
        ? { engine: 'openai', baseUrl: external.baseUrl, model: external.model }
        : local;
    const { retention, doNotRemember } = usablePrivacy(privacy);
    this.data = { ...rest, retention, doNotRemember, ...(external ? { external } : {}), ...(chat ? { chatModel: chat } : {}) };
    if (!external) delete this.data.external;
  }

  /** The profile locked or closed: what was read from it leaves the page. */
  forgetProfile(): void {
    const { chatModel, external: _external, ...rest } = this.data;
    const local = chatModel?.engine === 'openai' ? undefined : chatModel;
    this.data = { ...rest, ...structuredClone(PROFILE_DEFAULTS), ...(local ? { chatModel: local } : {}) };
  }
}

const PROFILE_DEFAULTS = { retention: {}, doNotRemember: { rules: [], patterns: [] } };

function usableExternal(value: unknown): ExternalEndpoint | undefined {
  const given = value as Partial<ExternalEndpoint> | undefined;
  if (typeof given?.baseUrl !== 'string' || typeof given.model !== 'string') return undefined;
  return { baseUrl: given.baseUrl, model: given.model, ...(given.keyless ? { keyless: true } : {}) };
}

/** The profile choices an older version left in localStorage, if any. */
function legacyChoices(): ProfileChoices | undefined {
  try {
    const parsed = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<SettingsData>;
    const choices: ProfileChoices = {};
    if (parsed.retention !== undefined || parsed.doNotRemember !== undefined) Object.assign(choices, usablePrivacy(parsed));
    const external = usableExternal(parsed.external);
    if (external) choices.external = external;
    if (parsed.chatModel?.engine === 'openai') {
      const { apiKey: _key, ...spec } = parsed.chatModel;
      choices.chatModel = spec;
    }
    return Object.keys(choices).length > 0 ? choices : undefined;
  } catch {
    return undefined;
  }
}

function load(): SettingsData {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return structuredClone(DEFAULT_SETTINGS);
    const parsed = JSON.parse(raw) as Partial<SettingsData>;
    // Welcomed before downloads needed a choice: the app had already fetched its models then.
    if (parsed.welcomed && parsed.downloadsAllowed === undefined) parsed.downloadsAllowed = true;
    // The profile's choices come from the profile (Settings.fromProfile), not from here.
    const { retention: _r, doNotRemember: _d, external: _e, chatModel, ...rest } = parsed;
    return {
      ...structuredClone(DEFAULT_SETTINGS),
      ...rest,
      ...(chatModel && chatModel.engine !== 'openai' ? { chatModel } : {}),
    };
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

/** Writes what opens the app; the profile's choices only while an older version's are not moved yet. */
function save(data: SettingsData, unmoved: ProfileChoices | undefined): void {
  try {
    const { chatModel, retention: _r, doNotRemember: _d, external: _e, ...rest } = $state.snapshot(data) as SettingsData;
    const local = chatModel && chatModel.engine !== 'openai' ? { chatModel } : {};
    localStorage.setItem(KEY, JSON.stringify({ ...rest, ...unmoved, ...local }));
  } catch {
    // Private mode or a full disk: the choices last for this visit.
  }
}
