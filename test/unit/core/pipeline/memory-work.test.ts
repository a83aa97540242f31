/** Which memory work a reply queues, by the chat model that answered it. */
import { describe, expect, it } from 'vitest';
import { queueMemoryWork } from '../../../../src/core/pipeline/assistant';
import type { JsonValue, OutboxJob } from '../../../../src/core/pipeline/outbox-types';
import type { ChatModel } from '../../../../src/core/ports';
import type { Turn } from '../../../../src/sdk/types';

const turns = [
  { id: 't1', sessionId: 's1', role: 'user', content: 'I keep bees', seq: 0 },
  { id: 't2', sessionId: 's1', role: 'assistant', content: 'Once upon a time', seq: 1 },
] as Turn[];

async function queued(model: ChatModel | undefined) {
  const jobs: { kind: string; payload: JsonValue }[] = [];
  const enqueue = async (kind: string, payload: JsonValue) => {
    jobs.push({ kind, payload });
    return { id: `job${jobs.length}` } as OutboxJob;
  };
  const ids = await queueMemoryWork(enqueue, 's1', turns, { model });
  return { ids, jobs };
}

const generate = async () => '';

describe('memory work after a reply', () => {
  it('queues facts, profile and summary for a model that follows schemas, waiting for it after a reload', async () => {
    const { ids, jobs } = await queued({ id: 'chat', generate });
    expect(ids).toHaveLength(3);
    expect(jobs.map((job) => job.kind)).toEqual(['memory.extract', 'profile.update', 'session.summary']);
    expect(jobs.every((job) => (job.payload as { needsModel?: boolean }).needsModel === true)).toBe(true);
  });

  it('gives a model that cannot follow a schema no work it cannot do: only the user’s words are kept, with no wait', async () => {
    const { ids, jobs } = await queued({ id: 'story', structuredOutput: false, generate });
    expect(ids).toEqual(['job1']);
    expect(jobs).toEqual([{ kind: 'memory.extract', payload: { sessionId: 's1', turnIds: ['t1', 't2'] } }]);
  });

  it('without a model, queues the no-model handling that ends at once', async () => {
    const { jobs } = await queued(undefined);
    expect(jobs.map((job) => job.kind)).toEqual(['memory.extract', 'profile.update', 'session.summary']);
    expect(jobs.some((job) => 'needsModel' in (job.payload as object))).toBe(false);
  });
});
