/**
 * The record kinds the `sync` suite drives, one entry each: how a device lists them (as the
 * projections the oracle compares), how a device's version of one is named and read, and the ops
 * that change them with the effect each op must have (computed from the state the oracle says the
 * device shows, never read back from the device). A new synced kind (turns, profile fields,
 * episodes, ...) is one more entry in {@link RECORD_KINDS}.
 */
import type { ChangeActor, MemoryClient, MemoryItem } from '../../../src/sdk/index';
import type { Random } from '../harness';
import type { Device } from './sync-devices';
import type { Projection } from './sync-oracle';

/** What one op did to one record: its new state (undefined: deleted), made by `actor`. */
export interface Effect {
  key: string;
  actor: ChangeActor;
  state: Projection | undefined;
}

export interface OpContext {
  device: Device;
  random: Random;
  /** Canary tag of the trial: every text holds it, the server must never. */
  canary: string;
  /** A new word no text of this trial holds yet. */
  fresh(): string;
  /** What the device must show now, by key (the oracle's view). */
  state: Map<string, Projection>;
}

export interface OpSpec {
  name: string;
  /** How often it is drawn, given the records of its kind the device shows. */
  weight: number | ((state: Map<string, Projection>) => number);
  /** Keys this op can act on in `state`; undefined: it needs none (it creates). */
  targets?(state: Map<string, Projection>): string[];
  /** Runs the op; its effects (none: it changed nothing, e.g. the model found no candidate). */
  run(context: OpContext, target: string | undefined): Promise<Effect[]>;
}

export interface RecordKind {
  name: string;
  /** Every record of this kind the device shows, by key. */
  list(client: MemoryClient): Promise<Map<string, Projection>>;
  /** The synced name of a device's version of a record (see src/sync). */
  versionName(deviceId: string, key: string): string;
  /** The state a version body carries (undefined: a delete), its stamp and who made it. */
  readVersion(body: Record<string, unknown>): { stamp: string; actor: unknown; state: Projection | undefined };
  ops: OpSpec[];
}

const memoryKey = (id: string) => `memory:${id}`;
const memoryId = (key: string) => key.slice('memory:'.length);

function memoryProjection(item: Pick<MemoryItem, 'text' | 'pinned' | 'validTo' | 'metadata'>): Projection {
  const by = item.metadata?.['supersededBy'];
  return {
    text: item.text,
    pinned: item.pinned,
    current: item.validTo === undefined,
    supersededBy: typeof by === 'string' ? by : null,
  };
}

/** Memory texts: `<canary> <marker> <words>`; the marker names the memory for the scripted model. */
const markerOf = (state: Projection) => String(state['text']).split(' ')[1]!;
const all = (state: Map<string, Projection>) => [...state.keys()];
const currentOnes = (state: Map<string, Projection>) => [...state].filter(([, item]) => item['current']).map(([key]) => key);

const memoryOps: OpSpec[] = [
  {
    name: 'add',
    // Few records, so that devices often change the same one.
    weight: (state) => (state.size < 3 ? 4 : 1),
    async run({ device, canary, fresh }) {
      const text = `${canary} ${fresh()} the user likes ${fresh()}`;
      const item = await device.client.memories.add(text, { kind: 'fact' });
      return [{ key: memoryKey(item.id), actor: 'user', state: { text, pinned: false, current: true, supersededBy: null } }];
    },
  },
  {
    name: 'edit',
    weight: 3,
    targets: all,
    async run({ device, canary, fresh, state }, key) {
      const before = state.get(key!)!;
      const text = `${canary} ${markerOf(before)} edited ${fresh()}`;
      await device.client.memories.update(memoryId(key!), { text });
      return [{ key: key!, actor: 'user', state: { ...before, text } }];
    },
  },
  {
    name: 'pin',
    weight: 2,
    targets: all,
    async run({ device, state }, key) {
      const before = state.get(key!)!;
      await device.client.memories.update(memoryId(key!), { pinned: !before['pinned'] });
      return [{ key: key!, actor: 'user', state: { ...before, pinned: !before['pinned'] } }];
    },
  },
  {
    name: 'forget',
    weight: 2,
    targets: all,
    async run({ device }, key) {
      await device.client.memories.delete(memoryId(key!));
      return [{ key: key!, actor: 'user', state: undefined }];
    },
  },
  {
    name: 'model-edit',
    weight: 3,
    targets: currentOnes,
    async run({ device, canary, fresh, state }, key) {
      const before = state.get(key!)!;
      const marker = markerOf(before);
      const merged = `${canary} ${marker} clarified ${fresh()}`;
      device.model.plan = { fact: `${canary} ${marker} also ${fresh()}`, relation: 'clarification', target: marker, merged };
      const report = await device.client.memories.remember([{ role: 'user', content: `About ${marker}: more.` }]);
      if (!report.merged.includes(memoryId(key!))) return [];
      return [{ key: key!, actor: 'llm', state: { ...before, text: merged } }];
    },
  },
  {
    name: 'supersede',
    weight: 2,
    targets: currentOnes,
    async run({ device, canary, fresh, state }, key) {
      const before = state.get(key!)!;
      const marker = markerOf(before);
      const fact = `${canary} ${fresh()} replaces ${marker} ${fresh()}`;
      device.model.plan = { fact, relation: 'contradiction', target: marker };
      const report = await device.client.memories.remember([{ role: 'user', content: `No longer ${marker}.` }]);
      const link = report.superseded.find((entry) => entry.id === memoryId(key!));
      if (!link) return [];
      return [
        { key: memoryKey(link.by), actor: 'llm', state: { text: fact, pinned: false, current: true, supersededBy: null } },
        { key: key!, actor: 'llm', state: { ...before, current: false, supersededBy: link.by } },
      ];
    },
  },
];

export const memoryKind: RecordKind = {
  name: 'memory',
  async list(client) {
    const items = await client.memories.list({ limit: 100_000 });
    return new Map(items.map((item) => [memoryKey(item.id), memoryProjection(item)]));
  },
  versionName: (deviceId, key) => `memory:${deviceId}:${memoryId(key)}`,
  readVersion(body) {
    const item = body['item'] as MemoryItem | undefined;
    return {
      stamp: String(body['hlc']),
      actor: body['actor'],
      state: body['deleted'] === true || !item ? undefined : memoryProjection(item),
    };
  },
  ops: memoryOps,
};

export const RECORD_KINDS: RecordKind[] = [memoryKind];

/** The kind a key belongs to. */
export function kindOf(key: string): RecordKind {
  const kind = RECORD_KINDS.find((candidate) => key.startsWith(`${candidate.name}:`));
  if (!kind) throw new Error(`no record kind for ${key}`);
  return kind;
}

/** Everything the device shows, over every kind. */
export async function deviceState(client: MemoryClient): Promise<Map<string, Projection>> {
  const state = new Map<string, Projection>();
  for (const kind of RECORD_KINDS) for (const [key, value] of await kind.list(client)) state.set(key, value);
  return state;
}

/** An op drawn by weight among those that have a target in `state` (with its target). */
export function drawOp(random: Random, state: Map<string, Projection>): { kind: RecordKind; op: OpSpec; target?: string } {
  const choices: { kind: RecordKind; op: OpSpec; weight: number; targets?: string[] }[] = [];
  for (const kind of RECORD_KINDS) {
    const own = new Map([...state].filter(([key]) => key.startsWith(`${kind.name}:`)));
    for (const op of kind.ops) {
      const targets = op.targets?.(own);
      const weight = typeof op.weight === 'number' ? op.weight : op.weight(own);
      if (targets === undefined || targets.length > 0) choices.push({ kind, op, weight, ...(targets ? { targets } : {}) });
    }
  }
  let roll = random.next() * choices.reduce((sum, choice) => sum + choice.weight, 0);
  const choice = choices.find((candidate) => (roll -= candidate.weight) < 0) ?? choices.at(-1)!;
  return { kind: choice.kind, op: choice.op, ...(choice.targets ? { target: random.pick(choice.targets) } : {}) };
}
