/** Working memory (sessions and turns), run over both clients. */
import { describe, expect, it } from 'vitest';
import type { ChatModel } from '../../src/sdk/index';
import type { ClientFactory } from './client.contract';
import { dumpDatabase } from './raw-dump';

let counter = 0;

export function describeSessionsContract(name: string, create: ClientFactory): void {
  describe(`working memory: ${name}`, () => {
    it('stores every turn as it is appended and survives a reopen, newest session first', async () => {
      const profileId = `sessions${Date.now()}x${counter++}`;
      const client = await create({ profileId, embedder: false });
      const first = await client.sessions.create();
      await client.sessions.append(first.id, { role: 'user', content: 'Help me plan a trip to Kyoto in April' });
      await client.sessions.append(first.id, { role: 'assistant', content: 'Happy to. How many days?' });
      const second = await client.sessions.create('Budget');
      await client.sessions.append(second.id, { role: 'user', content: 'Monthly budget review' });
      await client.close();

      const reopened = await create({ profileId, embedder: false });
      const sessions = await reopened.sessions.list();
      expect(sessions.map((s) => s.title)).toEqual(['Budget', 'Help me plan a trip to Kyoto in April']);
      expect(sessions[1]?.turnCount).toBe(2);
      const turns = await reopened.sessions.turns(first.id);
      expect(turns.map((t) => [t.role, t.content])).toEqual([
        ['user', 'Help me plan a trip to Kyoto in April'],
        ['assistant', 'Happy to. How many days?'],
      ]);
      expect(turns.map((t) => t.seq)).toEqual([0, 1]);
      await reopened.close();
    });

    it('renames and deletes sessions with their turns, and rejects bad input', async () => {
      const client = await create({ profileId: `sessions${Date.now()}x${counter++}`, embedder: false });
      const session = await client.sessions.create('Draft');
      await client.sessions.append(session.id, { role: 'user', content: 'hello' });
      expect((await client.sessions.rename(session.id, 'Final')).title).toBe('Final');
      await expect(client.sessions.append(session.id, { role: 'robot' as 'user', content: 'x' })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      await expect(client.sessions.append('missing', { role: 'user', content: 'x' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await client.sessions.delete(session.id);
      expect(await client.sessions.get(session.id)).toBeUndefined();
      expect(await client.sessions.turns(session.id)).toEqual([]);
      await client.close();
    });

    it('slides the window: past 20 turns the oldest 10 fold into a rolling summary and move to the archive', async () => {
      const prompts: string[] = [];
      const summariser: ChatModel = {
        id: 'test/summariser',
        async generate(messages) {
          const user = messages[1]?.content ?? '';
          // The outbox also asks for facts and profile changes after each reply: nothing to add.
          if (messages[0]?.content.startsWith('Extract')) return '{"facts": []}';
          if (messages[0]?.content.includes('structured profile')) return '{"patches": []}';
          prompts.push(user);
          const covered = (user.match(/^<(user_message|assistant_reply)>$/gm) ?? []).length;
          const previous = user.includes('(none yet)') ? '' : ' Earlier: the user planned a trip.';
          return JSON.stringify({ summary: `The user planned a trip over ${covered} turns.${previous}` });
        },
      };
      const client = await create({ profileId: `sessions${Date.now()}x${counter++}`, embedder: false, chatModel: summariser });
      const session = await client.sessions.create('Trip');
      for (let i = 0; i < 21; i++)
        await client.sessions.append(session.id, { role: i % 2 ? 'assistant' : 'user', content: `message ${i}` });
      const first = await client.sessions.summarise(session.id);
      const summary = first ?? (await client.sessions.summary(session.id));
      expect(summary).toMatchObject({ turnsCovered: 10, text: 'The user planned a trip over 10 turns.' });
      const working = await client.sessions.turns(session.id);
      expect(working.map((t) => t.content)).toEqual(Array.from({ length: 11 }, (_, i) => `message ${i + 10}`));
      expect(await client.sessions.turns(session.id, { includeArchived: true })).toHaveLength(21);

      for (let i = 21; i < 31; i++)
        await client.sessions.append(session.id, { role: i % 2 ? 'assistant' : 'user', content: `message ${i}` });
      await client.sessions.summarise(session.id);
      const rolled = await client.sessions.summary(session.id);
      expect(rolled?.turnsCovered).toBe(20);
      expect(prompts.at(-1)).toContain('<previous_summary>\nThe user planned a trip over 10 turns.\n</previous_summary>');
      const context = await client.context.build('what did we plan?', { sessionId: session.id });
      expect(context.sections.map((s) => s.tag)).toContain('conversation_summary');
      expect(context.prompt).toContain('Earlier: the user planned a trip.');
      await client.close();
    });

    it('seals turns and titles when the profile is encrypted', async () => {
      const profileId = `sessions${Date.now()}x${counter++}`;
      const client = await create({ profileId, embedder: false, encryption: { passphrase: 'turns passphrase' } });
      const session = await client.sessions.create('Quokka-secret title');
      await client.sessions.append(session.id, { role: 'user', content: 'My Quokka-secret diagnosis' });
      expect((await client.sessions.turns(session.id))[0]?.content).toBe('My Quokka-secret diagnosis');
      await client.close();
      expect(await dumpDatabase(`mneme-${profileId}`)).not.toContain('Quokka');
    });
  });
}
