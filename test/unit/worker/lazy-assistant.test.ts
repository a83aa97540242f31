/**
 * The assistant loaded on first use (src/worker/lazy-assistant.ts), over a stand-in control that
 * records what reaches it: the outbox starts at open only when jobs wait in it, calls that race
 * share one load, a lock while it loads keeps the outbox stopped, and a failed load is tried again.
 */
import { describe, expect, it } from 'vitest';
import type { AssistantControl } from '../../../src/worker/assistant-control';
import type { OutboxStore } from '../../../src/core/pipeline/outbox-types';
import type { OutboxSummary } from '../../../src/sdk/types';
import type { MemoryEvent } from '../../../src/sdk/types';
import { createLazyAssistant, type AssistantModules, type OutboxPlace } from '../../../src/worker/lazy-assistant';
import { systemClock } from '../../../src/core/clock';

const SUMMARY = { pending: 0, running: 0, failed: 0, unhandled: 0, unhandledKinds: [] } as unknown as OutboxSummary;

/** A profile's outbox place whose table holds `waiting` unfinished jobs. */
const placeWith = (waiting: number, name = 'profile'): OutboxPlace =>
  ({
    db: { name, outbox: { where: () => ({ anyOf: () => ({ count: async () => waiting }) }) } },
    codec: {},
  }) as unknown as OutboxPlace;

function setUp({ failFirst = false } = {}) {
  const calls: string[] = [];
  const events: MemoryEvent[] = [];
  let loads = 0;
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  let outboxOpen = false;
  const control = {
    model: () => undefined,
    ready: async () => undefined,
    attach: (model: unknown) => void calls.push(`attach ${model ? 'model' : 'none'}`),
    open: (store: OutboxStore & { place: string }) => {
      outboxOpen = true;
      calls.push(`open ${store.place}`);
    },
    stop: async () => {
      outboxOpen = false;
      calls.push('stop');
    },
    dispose: async () => void calls.push('dispose'),
    outbox: {
      summary: async () => {
        if (!outboxOpen) throw Object.assign(new Error('locked'), { code: 'LOCKED' });
        calls.push('summary');
        return SUMMARY;
      },
    },
  } as unknown as AssistantControl;
  const assistant = createLazyAssistant({
    initial: undefined,
    modelsBaseUrl: undefined,
    emit: (event) => events.push(event),
    views: async () => {
      throw new Error('not used here');
    },
    memory: () => {
      throw new Error('not used here');
    },
    clock: systemClock,
    outbox: undefined,
    load: async (): Promise<AssistantModules> => {
      loads++;
      await gate;
      if (failFirst && loads === 1) throw new TypeError('Failed to fetch dynamically imported module');
      return {
        control: { createAssistantControl: () => control },
        outbox: { createOutboxRepository: (db) => ({ place: db.name }) as unknown as OutboxStore },
      };
    },
  });
  const holdLoads = () => (gate = new Promise((resolve) => (release = resolve)));
  return { assistant, calls, events, loads: () => loads, holdLoads, release: () => release?.() };
}

describe('the assistant loaded on first use', () => {
  it('does not load for a profile whose outbox is empty, nor for a model set to none', async () => {
    const { assistant, calls, events, loads } = setUp();
    await assistant.ready();
    assistant.open(placeWith(0));
    await assistant.attach(undefined);
    expect(await assistant.chat.model()).toBeUndefined();
    expect(assistant.model()).toBeUndefined();
    await assistant.stop();
    await assistant.dispose();
    expect(loads()).toBe(0);
    expect(calls).toEqual([]);
    expect(events).toEqual([{ type: 'chat-model-changed' }]);
  });

  it('starts the outbox when the profile opens with jobs waiting in it', async () => {
    const { assistant, calls, loads } = setUp();
    assistant.open(placeWith(2, 'with jobs'));
    await expect.poll(() => calls).toEqual(['open with jobs']);
    expect(await assistant.outbox.summary()).toEqual(SUMMARY);
    expect(loads()).toBe(1);
  });

  it('loads once for calls that race, and starts the outbox once over the open profile', async () => {
    const { assistant, calls, loads, holdLoads, release } = setUp();
    assistant.open(placeWith(0));
    holdLoads();
    const racing = Promise.all([assistant.outbox.summary(), assistant.outbox.summary(), assistant.attach({} as never)]);
    release();
    await racing;
    expect(loads()).toBe(1);
    expect(calls.filter((call) => call.startsWith('open'))).toEqual(['open profile']);
    expect(calls).toContain('attach model');
  });

  it('answers LOCKED while locked, also when the lock comes while it loads, and starts again after unlock', async () => {
    const { assistant, calls, loads, holdLoads, release } = setUp();
    await expect(assistant.outbox.summary()).rejects.toMatchObject({ code: 'LOCKED' });
    expect(loads()).toBe(0);
    assistant.open(placeWith(0, 'unlocked'));
    holdLoads();
    const asked = assistant.outbox.summary();
    await assistant.stop();
    release();
    await expect(asked).rejects.toMatchObject({ code: 'LOCKED' });
    expect(calls.filter((call) => call.startsWith('open'))).toEqual([]);
    assistant.open(placeWith(0, 'unlocked again'));
    expect(await assistant.outbox.summary()).toEqual(SUMMARY);
    expect(calls.filter((call) => call.startsWith('open'))).toEqual(['open unlocked again']);
  });

  it('tries a failed load again on the next call', async () => {
    const { assistant, loads } = setUp({ failFirst: true });
    assistant.open(placeWith(0));
    await expect(assistant.outbox.summary()).rejects.toThrow('Failed to fetch');
    expect(await assistant.outbox.summary()).toEqual(SUMMARY);
    expect(loads()).toBe(2);
  });
});
