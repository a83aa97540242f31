/**
 * The xss suite's import file: every payload in every table an export holds (memories and their
 * metadata, conversations and turns, summaries, profile keys and values, episodes, the audit
 * trail), one record per payload in each, so whatever a screen shows of it names its payload.
 */
import type { Payload } from './xss-payloads';

const KINDS = ['note', 'fact', 'preference', 'turn', 'summary', 'episode'] as const;

export function importFile(payloads: Payload[], now: number): string {
  const at = (p: Payload, back = 0) => now - p.n * 60_000 - back;
  const memories = payloads.map((p) => ({
    id: `xss-m${p.n}`,
    text: p.text,
    kind: KINDS[p.n % KINDS.length],
    importance: 0.5,
    pinned: p.n % 5 === 0,
    createdAt: at(p),
    updatedAt: at(p),
    validFrom: at(p),
    metadata: {
      source: p.text,
      [`note ${p.text}`.slice(0, 200)]: p.text,
      ...(p.n % 6 === 0 ? { supersededBy: `xss-m${p.n + 1}` } : {}),
    },
    ...(p.n % 6 === 0 ? { validTo: now - 1000 } : {}),
    ...(p.n % 7 === 0 ? { archivedAt: now - 500, archiveReason: 'decayed' } : {}),
  }));
  const sessions = payloads.map((p) => ({
    id: `xss-s${p.n}`,
    title: p.text,
    createdAt: at(p),
    updatedAt: at(p),
    turnCount: 2,
  }));
  const turns = payloads.flatMap((p) =>
    (['user', 'assistant'] as const).map((role, seq) => ({
      id: `xss-t${p.n}-${seq}`,
      sessionId: `xss-s${p.n}`,
      role,
      content: p.text,
      createdAt: at(p) + seq,
      seq,
    })),
  );
  const summaries = payloads.map((p) => ({
    id: `xss-s${p.n}`,
    sessionId: `xss-s${p.n}`,
    text: p.text,
    turnsCovered: 2,
    createdAt: at(p),
    updatedAt: at(p),
  }));
  const entry = (id: string, p: Payload) => ({
    id,
    setBy: p.n % 2 ? 'user' : 'llm',
    pinned: p.n % 3 === 0,
    rejected: false,
    sourceTurnId: p.text.slice(0, 40),
    createdAt: at(p),
    updatedAt: at(p),
  });
  const lists = ['interests', 'goals', 'facts'] as const;
  const scalars = ['name', 'preferredName', 'communicationStyle'] as const;
  const profileFields = [
    ...scalars.map((field, i) => ({ ...entry(field, payloads[i % payloads.length]!), field, value: payloads[i]!.text })),
    ...payloads.flatMap((p) => [
      { ...entry(`${lists[p.n % 3]}:${p.n}`, p), field: lists[p.n % 3], value: p.text },
      { ...entry(`preferences:${p.n}`, p), field: 'preferences', key: p.text.slice(0, 60), value: p.text },
    ]),
  ];
  const episodes = payloads.map((p) => ({
    id: `xss-e${p.n}`,
    task: p.text,
    status: (['open', 'succeeded', 'failed'] as const)[p.n % 3],
    actions: [{ action: p.text, outcome: p.text, at: at(p) }],
    lessons: [p.text, `again: ${p.text}`],
    startedAt: at(p, 1000),
    ...(p.n % 3 ? { endedAt: at(p) } : {}),
    memoryId: `xss-m${p.n}`,
  }));
  const audit = payloads.flatMap((p) => [
    {
      at: at(p),
      actor: (['user', 'llm', 'policy'] as const)[p.n % 3],
      action: 'update',
      entity: 'memory',
      entityId: `xss-m${p.n}`,
      before: { text: p.text },
      after: { text: `${p.text} (edited)` },
      reason: p.text,
    },
    {
      at: at(p),
      actor: 'llm',
      action: 'create',
      entity: 'profile',
      entityId: `preferences:${p.n}`,
      after: { key: p.text.slice(0, 20), value: p.text },
      reason: p.text,
    },
  ]);
  return JSON.stringify({
    format: 'mneme-export',
    version: 1,
    exportedAt: now,
    profile: { id: 'default', name: payloads[0]!.text.slice(0, 80) },
    memories,
    vectors: [],
    tables: { sessions, turns, summaries, profileFields, episodes, audit },
  });
}
