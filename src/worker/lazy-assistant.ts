/**
 * The assistant half of the engine (chat model, `chat.send`, the outbox of memory work; see
 * assistant-control.ts), loaded on first use: the control, the outbox and its repository stay off
 * the memory worker's start path, as a host that only adds and searches memories never needs them.
 * The outbox still starts with the profile when jobs wait in it (left by a closed tab or a crash),
 * so no queued work waits for the next chat; otherwise it starts with the first call that uses it.
 */
import { MemoryError } from '../sdk/errors';
import type { ChatModel } from '../core/ports';
import type { ChatModelInfo } from '../sdk/types';
import type { MnemeDatabase } from '../storage/db';
import type { RecordCodec } from '../storage/codec';
import type { AssistantControl, AssistantControlDeps } from './assistant-control';
import { loadOnce } from './lazy-paths';

/** Where the open profile's outbox lives. */
export interface OutboxPlace {
  db: MnemeDatabase;
  codec: RecordCodec;
}

/** {@link AssistantControl} as the engine drives it before and after its code has loaded. */
export interface LazyAssistant extends Omit<AssistantControl, 'open' | 'attach'> {
  /** The profile opened (again) over this place: its outbox starts now when jobs wait in it, else on first use. */
  open(place: OutboxPlace): void;
  /** Sets the model without loading it (worker mode: the host loaded it). */
  attach(model: ChatModel | undefined, info?: ChatModelInfo): Promise<void>;
}

export interface AssistantModules {
  control: Pick<typeof import('./assistant-control'), 'createAssistantControl'>;
  outbox: Pick<typeof import('../storage/outbox-repository'), 'createOutboxRepository'>;
}

export interface LazyAssistantDeps extends AssistantControlDeps {
  /** Loads the assistant's code (tests count the loads or make one fail). */
  load?: () => Promise<AssistantModules>;
}

const loadModules = async (): Promise<AssistantModules> => {
  const [control, outbox] = await Promise.all([import('./assistant-control'), import('../storage/outbox-repository')]);
  return { control, outbox };
};

const locked = () => new MemoryError('LOCKED', 'This profile is encrypted and locked: unlock it with its passphrase');

export function createLazyAssistant({ load = loadModules, ...deps }: LazyAssistantDeps): LazyAssistant {
  let control: AssistantControl | undefined;
  let modules: AssistantModules | undefined;
  /** Whether anything asked for the control (a load may be under way). */
  let asked = false;
  const loadControl = loadOnce(async () => {
    const loaded = await load();
    control ??= loaded.control.createAssistantControl(deps);
    modules = loaded;
    return control;
  });
  const loaded = () => {
    asked = true;
    return loadControl();
  };
  /** The open profile's outbox place, and the one the loaded control's outbox runs over. */
  let place: OutboxPlace | undefined;
  let started: OutboxPlace | undefined;
  /** The control, its outbox running over the open profile (none while it is locked or closed). */
  const running = async () => {
    const loadedControl = await loaded();
    if (place && started !== place) {
      started = place;
      loadedControl.open(modules!.outbox.createOutboxRepository(place.db, place.codec));
    }
    return loadedControl;
  };
  const withOutbox = async () => {
    if (!place) throw locked();
    return running();
  };
  /** Jobs that wait to run (or were running when a tab closed): the only reason to start the outbox at open. */
  const jobsWait = async ({ db }: OutboxPlace) => (await db.outbox.where('state').anyOf('pending', 'running').count()) > 0;

  return {
    model: () => control?.model(),
    ready: async () => {
      if (deps.initial || asked) await (await loaded()).ready();
    },
    async attach(model, info) {
      // No model where none was ever loaded: nothing to load, only the event to send.
      if (!model && !asked) return void deps.emit({ type: 'chat-model-changed' });
      (await loaded()).attach(model, info);
    },
    open(next) {
      place = next;
      const start = async () => {
        const now = control !== undefined || (await jobsWait(next));
        if (now && place === next) await running();
      };
      void start().catch((error: unknown) => console.warn('[mneme] memory jobs did not start:', error));
    },
    async stop() {
      place = undefined;
      started = undefined;
      await control?.stop();
    },
    remember: async (messages, options) => (await loaded()).remember(messages, options),
    async afterAppend(turn, sessionTurns) {
      if (turn.role !== 'assistant' || !place) return;
      await (await running()).afterAppend(turn, sessionTurns);
    },
    chat: {
      send: async (sessionId, text, options) => (await running()).chat.send(sessionId, text, options),
      regenerate: async (sessionId, options) => (await running()).chat.regenerate(sessionId, options),
      useModel: async (value, options) => (await loaded()).chat.useModel(value, options),
      model: async () => (deps.initial || asked ? (await loaded()).chat.model() : undefined),
    },
    outbox: {
      list: async (state) => (await withOutbox()).outbox.list(state),
      retry: async (id) => (await withOutbox()).outbox.retry(id),
      summary: async () => (await withOutbox()).outbox.summary(),
      drain: async () => (await withOutbox()).outbox.drain(),
    },
    async dispose() {
      place = undefined;
      started = undefined;
      const loadedControl = asked ? await loadControl().catch(() => undefined) : control;
      await loadedControl?.dispose();
    },
  };
}
