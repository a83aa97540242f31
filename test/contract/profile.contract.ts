/** The structured profile, run over both clients. */
import { describe, expect, it } from 'vitest';
import type { ClientFactory } from './client.contract';

let counter = 0;

export function describeProfileContract(name: string, create: ClientFactory): void {
  describe(`profile: ${name}`, () => {
    const fresh = () => create({ profileId: `profile${Date.now()}x${counter++}`, embedder: false });

    it('applies model proposals with their source turn, and the model never overrides a user edit', async () => {
      const client = await fresh();
      const first = await client.profile.propose(
        [
          { op: 'set', field: 'name', value: 'Alexandra' },
          { op: 'add', field: 'interests', value: 'rock climbing' },
          { op: 'set', field: 'preferences', key: 'units', value: 'metric' },
        ],
        'turn-1',
      );
      expect(first.applied).toHaveLength(3);
      await client.profile.update([{ op: 'set', field: 'preferredName', value: 'Alex' }]);
      await client.profile.update([{ op: 'set', field: 'name', value: 'Alexandra Silva' }]);

      const second = await client.profile.propose(
        [
          { op: 'set', field: 'name', value: 'Sandra' },
          { op: 'set', field: 'preferredName', value: 'Sandy' },
          { op: 'add', field: 'interests', value: 'jazz' },
        ],
        'turn-2',
      );
      expect(second.refused.map((r) => r.reason)).toEqual(['the user set this entry', 'the user set this entry']);
      const { profile, entries } = await client.profile.get();
      expect(profile).toMatchObject({
        name: 'Alexandra Silva',
        preferredName: 'Alex',
        interests: ['rock climbing', 'jazz'],
        preferences: { units: 'metric' },
      });
      expect(entries.find((e) => e.value === 'jazz')).toMatchObject({ setBy: 'llm', sourceTurnId: 'turn-2' });
      await client.close();
    });

    it('keeps pinned entries and never re-proposes a rejected value', async () => {
      const client = await fresh();
      await client.profile.propose(
        [
          { op: 'add', field: 'goals', value: 'Run a marathon' },
          { op: 'set', field: 'communicationStyle', value: 'brief' },
        ],
        't1',
      );
      const { entries } = await client.profile.get();
      const goal = entries.find((e) => e.field === 'goals')!;
      const style = entries.find((e) => e.field === 'communicationStyle')!;
      await client.profile.pin(style.id, true);
      await client.profile.reject(goal.id);
      const again = await client.profile.propose(
        [
          { op: 'add', field: 'goals', value: 'run a marathon' },
          { op: 'set', field: 'communicationStyle', value: 'chatty' },
        ],
        't2',
      );
      expect(again.refused.map((r) => r.reason)).toEqual(['the user rejected this value', 'the entry is pinned']);
      const { profile } = await client.profile.get();
      expect(profile.goals).toEqual([]);
      expect(profile.communicationStyle).toBe('brief');
      const history = await client.profile.history();
      expect(history.map((h) => [h.actor, h.action, h.entityId])).toEqual([
        ['llm', 'create', 'goals:run a marathon'],
        ['llm', 'create', 'communicationStyle'],
        ['user', 'update', 'communicationStyle'],
        ['user', 'update', 'goals:run a marathon'],
      ]);
      expect(history[0]?.reason).toBe('from turn t1');
      await client.close();
    });

    it('builds the prompt for a query from profile, memories, episodes and the session, within budget', async () => {
      const client = await create({ profileId: `context${Date.now()}x${counter++}`, embedder: 'local/glove-sif-100d' });
      await client.profile.update([{ op: 'set', field: 'preferredName', value: 'Alex' }]);
      const lisbon = await client.memories.add('I live in Lisbon, near the river');
      await client.memories.add('My sister plays the violin');
      const trip = await client.episodes.startTask('Plan a weekend trip to Porto');
      await client.episodes.completeTask(trip.id, true, ['Book the train early']);
      const session = await client.sessions.create();
      await client.sessions.append(session.id, { role: 'user', content: 'I am thinking about moving' });
      const bundle = await client.context.build('which city do I live in?', { sessionId: session.id });
      expect(bundle.sections.map((s) => s.tag)).toEqual([
        'role',
        'user_profile',
        'relevant_memories',
        'past_experiences',
        'recent_conversation',
        'user_query',
      ]);
      expect(bundle.memoriesUsed[0]).toBe(lisbon.id);
      expect(bundle.prompt).toContain('preferred name: Alex');
      expect(bundle.prompt).toContain('I live in Lisbon, near the river');
      expect(bundle.prompt).toContain('Book the train early');
      expect(bundle.prompt).toContain('user: I am thinking about moving');
      expect(bundle.memoryTokens).toBeLessThanOrEqual(1500);
      const tight = await client.context.build('which city do I live in?', { budget: 40 });
      expect(tight.memoryTokens).toBeLessThanOrEqual(40);
      await client.close();
    });

    it('never lets the model remove an entry the user set or pinned, and lets it remove its own', async () => {
      const client = await fresh();
      await client.profile.update([
        { op: 'add', field: 'interests', value: 'Sailing' },
        { op: 'set', field: 'preferences', key: 'units', value: 'metric' },
      ]);
      await client.profile.propose(
        [
          { op: 'add', field: 'goals', value: 'Learn Portuguese' },
          { op: 'add', field: 'facts', value: 'Has a cat' },
        ],
        't1',
      );
      const goal = (await client.profile.get()).entries.find((e) => e.field === 'goals')!;
      await client.profile.pin(goal.id, true);

      const result = await client.profile.propose(
        [
          { op: 'remove', field: 'interests', value: 'sailing' },
          { op: 'remove', field: 'preferences', key: 'units' },
          { op: 'remove', field: 'goals', value: 'Learn Portuguese' },
          { op: 'remove', field: 'facts', value: 'Has a cat' },
        ],
        't2',
      );
      expect(result.refused.map((r) => [r.patch.field, r.reason])).toEqual([
        ['interests', 'the user set this entry'],
        ['preferences', 'the user set this entry'],
        ['goals', 'the entry is pinned'],
      ]);
      expect(result.applied).toEqual([{ op: 'remove', field: 'facts', value: 'Has a cat' }]);
      const { profile } = await client.profile.get();
      expect(profile).toMatchObject({
        interests: ['Sailing'],
        preferences: { units: 'metric' },
        goals: ['Learn Portuguese'],
        facts: [],
      });
      const history = await client.profile.history();
      expect(history.filter((h) => h.action === 'delete').map((h) => [h.actor, h.entityId])).toEqual([
        ['llm', 'facts:has a cat'],
      ]);
      await client.close();
    });

    it('rejects malformed model patches with LLM_OUTPUT_INVALID and writes nothing', async () => {
      const client = await fresh();
      for (const bad of [
        { op: 'set', field: 'password', value: 'x' },
        { op: 'set', field: 'technicalLevel', value: 'wizard' },
        { op: 'add', field: 'interests', value: 'x'.repeat(301) },
        { op: 'add', field: 'interests', value: 'ok', extra: true },
      ]) {
        await expect(client.profile.propose([{ op: 'add', field: 'facts', value: 'fine' }, bad], 't')).rejects.toMatchObject({
          code: 'LLM_OUTPUT_INVALID',
        });
      }
      expect((await client.profile.get()).entries).toEqual([]);
      await client.close();
    });
  });
}
