/** Episodic memory, run over both clients. */
import { describe, expect, it } from 'vitest';
import type { ClientFactory } from './client.contract';

let counter = 0;

export function describeEpisodesContract(name: string, create: ClientFactory): void {
  describe(`episodes: ${name}`, () => {
    it('records a task step by step, resumes it after a reload, and completes it with lessons', async () => {
      const profileId = `episodes${Date.now()}x${counter++}`;
      const client = await create({ profileId, embedder: 'local/glove-sif-100d' });
      const episode = await client.episodes.startTask('Book a table for a birthday dinner');
      await client.episodes.recordAction(episode.id, 'Called the Italian place', 'Fully booked on Saturday');
      await client.close();

      const reopened = await create({ profileId, embedder: 'local/glove-sif-100d' });
      const [open] = await reopened.episodes.list('open');
      expect(open?.id).toBe(episode.id);
      expect(open?.actions.map((a) => a.outcome)).toEqual(['Fully booked on Saturday']);
      await reopened.episodes.recordAction(episode.id, 'Booked the Thai restaurant', 'Table for six at 8 pm');
      const done = await reopened.episodes.completeTask(episode.id, true, ['Book restaurants a week ahead for weekends']);
      expect(done).toMatchObject({ status: 'succeeded', lessons: ['Book restaurants a week ahead for weekends'] });
      expect(done.actions).toHaveLength(2);
      expect(await reopened.episodes.list('open')).toEqual([]);
      await expect(reopened.episodes.recordAction(episode.id, 'late', 'late')).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      await reopened.close();
    });

    it('finds the most similar past episodes for a new task, by meaning and keywords', async () => {
      const client = await create({ profileId: `episodes${Date.now()}x${counter++}`, embedder: 'local/glove-sif-100d' });
      const dinner = await client.episodes.startTask('Reserve a restaurant for an anniversary dinner');
      await client.episodes.completeTask(dinner.id, true, ['Ask for a window table']);
      const car = await client.episodes.startTask('Fix the flat bicycle tyre');
      await client.episodes.completeTask(car.id, false, ['Buy a spare inner tube']);
      const matches = await client.episodes.similar('book a table at a restaurant for a birthday meal', 2);
      expect(matches[0]?.episode.id).toBe(dinner.id);
      expect(matches[0]?.explanation.similarity).toBeDefined();
      expect(matches.map((m) => m.episode.id)).not.toContain(undefined);
      await expect(client.episodes.recordAction('missing', 'a', 'b')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await client.close();
    });
  });
}
