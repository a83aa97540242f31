/**
 * Privacy settings at run time (`client.privacy`), "do not remember" in every layer of a
 * conversation (turns, titles, summaries, memories, audit, export, the raw database, the prompt),
 * and questions kept out of long-term memory, over both clients.
 */
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatModel, GenerateOptions } from '../../src/sdk/index';
import { withheldIn } from '../../src/sdk/index';
import type { ClientFactory } from './client.contract';
import { dumpDatabase } from './raw-dump';

let counter = 0;
const SECRET = 'My password is tulip42 and my card number is 4111 1111 1111 1111';

/** A chat model that records every prompt; its summary repeats a card number it was never shown. */
function recordingModel(prompts: ChatMessage[][]): ChatModel {
  return {
    id: 'test/privacy',
    async generate(messages: ChatMessage[], options: GenerateOptions = {}) {
      prompts.push(messages);
      const system = messages[0]?.content ?? '';
      if (system.startsWith('Extract')) return JSON.stringify({ facts: [] });
      if (system.includes('structured profile')) return JSON.stringify({ patches: [] });
      if (system.startsWith('Update the running summary')) {
        return JSON.stringify({ summary: 'They chatted; the card 4111 1111 1111 1111 came up.' });
      }
      const reply = 'Thanks, noted.';
      options.onToken?.(reply);
      return reply;
    },
  };
}

export function describePrivacyContract(name: string, create: ClientFactory): void {
  describe(`privacy: ${name}`, () => {
    it('changes the rules at run time without losing the chat model, and keeps blocked text out of every layer', async () => {
      const profileId = `privacy${Date.now()}x${counter++}`;
      const prompts: ChatMessage[][] = [];
      const client = await create({ profileId, embedder: 'local/glove-sif-100d', chatModel: recordingModel(prompts) });
      expect(await client.privacy.get()).toEqual({ retention: {}, doNotRemember: { rules: [], patterns: [] } });

      const applied = await client.privacy.set({
        retention: { turn: 90 },
        doNotRemember: { rules: ['password', 'card-number'], patterns: [] },
      });
      expect(applied).toEqual({ retention: { turn: 90 }, doNotRemember: { rules: ['password', 'card-number'], patterns: [] } });
      expect((await client.chat.model())?.id).toBe('test/privacy');

      const session = await client.sessions.create();
      const reply = await client.chat.send(session.id, SECRET);
      const stored = 'My password is [withheld: password] and my card number is [withheld: card-number]';
      expect(reply.userTurn.content).toBe(stored);
      expect(withheldIn(reply.userTurn.content)).toEqual(['password', 'card-number']);
      // The model saw the message as stored, never the secret.
      expect(JSON.stringify(prompts)).not.toContain('tulip42');
      expect((await client.sessions.turns(session.id)).map((turn) => turn.content)).toEqual([stored, 'Thanks, noted.']);
      expect((await client.sessions.get(session.id))?.title).toBe(stored.slice(0, 59).trimEnd() + '…');
      await client.outbox.drain();

      // A summary that repeats a secret is stored without it.
      const summary = await client.sessions.summarise(session.id, { threshold: 1, batch: 2 });
      expect(summary?.text).toBe('They chatted; the card [withheld: card-number] came up.');
      expect((await client.sessions.summary(session.id))?.text).toBe(summary?.text);
      // A title given by hand is held to the same rules.
      const renamed = await client.sessions.rename(session.id, 'pin: 4321');
      expect(renamed.title).toBe('pin: [withheld: password]');

      const everywhere = [
        JSON.stringify(await client.memories.list()),
        JSON.stringify(await client.memories.audit()),
        await client.data.export(),
        await dumpDatabase(`mneme-${profileId}`),
      ];
      for (const text of everywhere) {
        expect(text).not.toContain('tulip42');
        expect(text).not.toContain('4111 1111 1111 1111');
        expect(text).not.toContain('4321');
      }
      // Rules off again: the next message is stored as said.
      await client.privacy.set({ doNotRemember: { rules: [] } });
      expect((await client.privacy.get()).retention).toEqual({ turn: 90 });
      expect((await client.chat.send(session.id, 'pin: 1234')).userTurn.content).toBe('pin: 1234');
      await client.close();
    });

    it('withholds a health sentence or a custom pattern whole, and keeps the rest of the message', async () => {
      const client = await create({
        profileId: `privacy${Date.now()}x${counter++}`,
        embedder: false,
        doNotRemember: { rules: ['health'], patterns: ['salary'] },
      });
      const session = await client.sessions.create();
      const turn = await client.sessions.append(session.id, {
        role: 'user',
        content: 'I live in Porto. I was diagnosed with asthma last year. My salary is 85000 a year.',
      });
      expect(turn.content).toBe('I live in Porto. [withheld: health] [withheld: pattern]');
      await client.sessions.append(session.id, { role: 'assistant', content: 'Good to know.' });
      await client.outbox.drain();
      expect((await client.memories.list()).map((item) => item.text)).toEqual(['I live in Porto.']);

      // The profile holds to the same rules: refused from the model, an error for the user, nothing stored.
      const proposed = await client.profile.propose([
        { op: 'add', field: 'facts', value: 'Was diagnosed with asthma' },
        { op: 'add', field: 'facts', value: 'Lives in Porto' },
      ]);
      expect(proposed.refused.map((r) => r.reason)).toEqual(['it falls under the "do not remember" rule health']);
      await expect(client.profile.update([{ op: 'set', field: 'name', value: 'Ana, salary 85000' }])).rejects.toMatchObject({
        code: 'DO_NOT_REMEMBER',
      });
      expect((await client.profile.get()).profile).toMatchObject({ facts: ['Lives in Porto'] });
      expect((await client.profile.get()).profile.name).toBeUndefined();
      await client.close();
    });

    it('refuses absurd settings, naming them, and changes nothing', async () => {
      const client = await create({ profileId: `privacy${Date.now()}x${counter++}`, embedder: false });
      const before = await client.privacy.set({ retention: { note: 30 }, doNotRemember: { rules: ['health'] } });
      const refused = [
        { retention: { turn: -5 } },
        { retention: { turn: 0 } },
        { retention: { turn: 36_501 } },
        { retention: { turn: Number.NaN } },
        { retention: { turn: '90' as unknown as number } },
        { retention: { turns: 90 } as never },
        { doNotRemember: { rules: ['salary' as never] } },
        { doNotRemember: { patterns: ['(unclosed'] } },
        { retention: { fact: 10 }, doNotRemember: { patterns: ['[z-a]'] } },
      ];
      for (const settings of refused) {
        await expect(client.privacy.set(settings)).rejects.toMatchObject({ name: 'MemoryError', code: 'INVALID_ARGUMENT' });
      }
      expect(await client.privacy.get()).toEqual(before);
      await client.close();
      await expect(create({ profileId: `privacy${Date.now()}x${counter++}`, retention: { turn: -1 } })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    });

    it('keeps its rules and the host app preferences inside the profile, sealed when it is encrypted, and only there', async () => {
      const profileId = `privacy${Date.now()}x${counter++}`;
      const pattern = 'zanzibar-\\d+';
      const server = 'chat.example-private.test';
      const first = await create({ profileId, embedder: false, encryption: { passphrase: 'quiet lantern over moss' } });
      await first.privacy.set({ retention: { turn: 45 }, doNotRemember: { rules: ['health'], patterns: [pattern] } });
      expect(await first.preferences.set({ chat: { baseUrl: `https://${server}/v1`, model: 'm' } })).toEqual({
        chat: { baseUrl: `https://${server}/v1`, model: 'm' },
      });
      await first.close();
      const raw = await dumpDatabase(`mneme-${profileId}`);
      expect(raw).not.toContain('zanzibar');
      expect(raw).not.toContain(server);
      expect(raw).not.toContain('health');

      // Opened again without any privacy option: locked, the rules are not known; unlocked, they apply.
      const again = await create({ profileId, embedder: false });
      await expect(again.preferences.get()).rejects.toMatchObject({ code: 'LOCKED' });
      expect((await again.privacy.get()).doNotRemember.patterns).toEqual([]);
      await again.encryption.unlock('quiet lantern over moss');
      expect(await again.privacy.get()).toEqual({
        retention: { turn: 45 },
        doNotRemember: { rules: ['health'], patterns: [pattern] },
      });
      await expect(again.memories.add('Locker zanzibar-42 is mine')).rejects.toMatchObject({ code: 'DO_NOT_REMEMBER' });
      expect(await again.preferences.set({ chat: null, theme: 'dark' })).toEqual({ theme: 'dark' });
      await expect(again.preferences.set([] as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      // A lock drops what was read from the profile.
      await again.encryption.lock();
      expect((await again.privacy.get()).doNotRemember.patterns).toEqual([]);
      await again.close();
    });

    it('runs a new retention at once: what is older than it is deleted, the rest stays', async () => {
      const client = await create({ profileId: `privacy${Date.now()}x${counter++}`, embedder: false });
      await client.memories.add('An old note about the boat');
      await client.memories.add('A new note about the boat');
      // Ten days ago, by way of an export edited and brought back.
      const file = JSON.parse(await client.data.export()) as {
        memories: { text: string; createdAt: number; updatedAt: number }[];
      };
      const old = file.memories.find((memory) => memory.text.startsWith('An old'))!;
      old.createdAt = old.updatedAt = Date.now() - 10 * 86_400_000;
      await client.data.import(JSON.stringify(file), { mode: 'replace' });
      expect(await client.memories.count()).toBe(2);

      await client.privacy.set({ retention: { note: 5 } });
      await expect.poll(() => client.memories.count()).toBe(1);
      expect((await client.memories.list()).map((item) => item.text)).toEqual(['A new note about the boat']);
      await client.close();
    });

    it('keeps questions out of long-term memory: the fact, not the question, answers "Where do I live?"', async () => {
      const client = await create({ profileId: `privacy${Date.now()}x${counter++}`, embedder: 'local/glove-sif-100d' });
      const session = await client.sessions.create();
      const say = async (content: string) => {
        await client.sessions.append(session.id, { role: 'user', content });
        await client.sessions.append(session.id, { role: 'assistant', content: 'I see.' });
      };
      await say('I live in Lisbon, near the river.');
      await say('What is my name and where do I live?');
      await say('I moved here for work. How long have I lived here');
      await client.outbox.drain();

      const results = await client.memories.search('Where do I live?');
      expect(results[0]?.item.text).toBe('I live in Lisbon, near the river.');
      const texts = (await client.memories.list()).map((item) => item.text).sort();
      expect(texts).toEqual(['I live in Lisbon, near the river.', 'I moved here for work.']);
      // The conversation keeps every word.
      expect((await client.sessions.turns(session.id)).map((turn) => turn.content)).toContain(
        'What is my name and where do I live?',
      );
      // The same without a session: remember() keeps statements only.
      const report = await client.memories.remember([{ role: 'user', content: 'Where do I work?' }]);
      expect(report.added).toEqual([]);
      await client.close();
    });
  });
}
