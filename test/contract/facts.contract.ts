/** Semantic facts and conflict resolution through a scripted ChatModel, over both clients. */
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatModel } from '../../src/sdk/index';
import type { ClientFactory } from './client.contract';

let counter = 0;

/** Deterministic answers per prompt: what an instruction-tuned model would say for these exchanges. */
const EXTRACTED: Record<string, string[]> = {
  'I live in Berlin': ['The user lives in Berlin'],
  'I just moved to Lisbon': ['The user lives in Lisbon'],
  'Lisbon is home now': ['the user lives in Lisbon.'],
  'I love jazz': ['The user likes jazz music'],
  'I also love blues': ['The user likes blues music'],
  'My sister Ana is a doctor': ['The user has a sister'],
  'I work at Acme': ['The user works at Acme'],
  'new prescription': ['The user takes a new medication for sleep', 'The user sleeps badly in summer'],
};

export function scriptedChat(calls: string[]): ChatModel {
  return {
    id: 'test/scripted',
    async generate(messages: ChatMessage[]) {
      const system = messages[0]?.content ?? '';
      const user = messages[1]?.content ?? '';
      if (system.startsWith('Extract')) {
        calls.push('extract');
        if (user.includes('break the model')) return 'Sorry, I cannot do JSON today.';
        const said = Object.keys(EXTRACTED).find((key) => user.includes(key));
        return JSON.stringify({ facts: (said ? EXTRACTED[said]! : []).map((text) => ({ text, importance: 0.8 })) });
      }
      calls.push('relate');
      const stored = user.split('\n').filter((line) => /^\d+\. /.test(line));
      const fresh = user.slice(user.indexOf('<new_fact>'));
      const find = (word: string) => stored.findIndex((line) => line.includes(word)) + 1;
      if (fresh.includes('Lisbon') && find('Berlin'))
        return JSON.stringify({ relation: 'contradiction', candidate: find('Berlin') });
      if (fresh.includes('sister') && find('sister'))
        return JSON.stringify({
          relation: 'clarification',
          candidate: find('sister'),
          merged: 'The user has a sister, Ana, who is a doctor',
        });
      if (fresh.includes('Acme')) return JSON.stringify({ relation: 'complementary', candidate: 9 }); // an id that was never shown
      return JSON.stringify({ relation: 'complementary', candidate: 1 });
    },
  };
}

const say = (content: string): ChatMessage[] => [
  { role: 'user', content },
  { role: 'assistant', content: 'Noted.' },
];

export function describeFactsContract(name: string, create: ClientFactory): void {
  describe(`semantic facts and conflicts: ${name}`, () => {
    const fresh = (calls: string[]) =>
      create({ profileId: `facts${Date.now()}x${counter++}`, embedder: 'local/glove-sif-100d', chatModel: scriptedChat(calls) });

    it('moves from Berlin to Lisbon: one current fact, one superseded with history, and the context says Lisbon', async () => {
      const client = await fresh([]);
      const first = await client.memories.remember(say('I live in Berlin'), { sourceTurnId: 'turn-1' });
      const berlin = first.added[0]!;
      // "Before the move" is the instant Berlin was stored; the move must come at a later one, so the
      // clock has to pass it first (within a millisecond: this waits for the clock, not for a delay).
      const beforeMove = (await client.memories.get(berlin))!.validFrom;
      while (Date.now() <= beforeMove) {
        // the clock is all this waits for
      }
      const second = await client.memories.remember(say('I just moved to Lisbon'), { sourceTurnId: 'turn-2' });
      const lisbon = second.added[0]!;
      expect(second.superseded).toEqual([{ id: berlin, by: lisbon }]);

      const now = (await client.memories.search('where does the user live', { kinds: ['fact'] })).map((r) => r.item.text);
      expect(now).toEqual(['The user lives in Lisbon']);
      const then = await client.memories.search('where does the user live', { kinds: ['fact'], asOf: beforeMove });
      expect(then.map((r) => r.item.text)).toEqual(['The user lives in Berlin']);
      expect(await client.memories.get(berlin)).toMatchObject({
        validTo: expect.any(Number),
        metadata: { supersededBy: lisbon, sourceTurnId: 'turn-1' },
      });
      const history = await client.memories.history(berlin);
      expect(history.map((h) => [h.actor, h.action])).toEqual([
        ['llm', 'create'],
        ['llm', 'supersede'],
      ]);
      expect(history[1]?.reason).toContain('Lisbon');

      const context = await client.context.build('where do I live?');
      expect(context.prompt).toContain('The user lives in Lisbon');
      expect(context.prompt).not.toContain('Berlin');
      await client.close();
    });

    it('keeps complementary facts, merges a clarification, and skips a duplicate before asking the model', async () => {
      const calls: string[] = [];
      const client = await fresh(calls);
      await client.memories.remember(say('I live in Berlin'));
      const jazz = await client.memories.remember(say('I love jazz'));
      const blues = await client.memories.remember(say('I also love blues'));
      expect(blues.added).toHaveLength(1);
      const sister = await client.memories.remember(say('My sister Ana is a doctor'));
      expect(sister.added).toHaveLength(1);
      const clarified = await client.memories.remember(say('My sister Ana is a doctor'));
      expect(clarified).toMatchObject({ skipped: 1, added: [] });

      calls.length = 0;
      await client.memories.remember(say('I just moved to Lisbon'));
      const duplicate = await client.memories.remember(say('Lisbon is home now'));
      expect(duplicate).toEqual({ added: [], superseded: [], merged: [], skipped: 1 });
      expect(calls).toEqual(['extract', 'relate', 'extract']);

      const texts = (await client.memories.list({ kinds: ['fact'], limit: 20 })).map((m) => m.text);
      expect(texts).toEqual(expect.arrayContaining(['The user likes jazz music', 'The user likes blues music']));
      expect(jazz.added).toHaveLength(1);
      await client.close();
    });

    it('rejects an answer with an invented id or no JSON after one retry, and writes nothing', async () => {
      const calls: string[] = [];
      const client = await fresh(calls);
      await client.memories.remember(say('I live in Berlin'));
      const count = await client.memories.count();
      await expect(client.memories.remember(say('I work at Acme'))).rejects.toMatchObject({ code: 'LLM_OUTPUT_INVALID' });
      await expect(client.memories.remember(say('please break the model'))).rejects.toMatchObject({ code: 'LLM_OUTPUT_INVALID' });
      expect(await client.memories.count()).toBe(count);
      expect(calls.slice(-4)).toEqual(['relate', 'relate', 'extract', 'extract']);
      await client.close();
    });

    it('never stores what falls under a "do not remember" rule, from the user or from extraction', async () => {
      const client = await create({
        profileId: `facts${Date.now()}x${counter++}`,
        embedder: 'local/glove-sif-100d',
        chatModel: scriptedChat([]),
        doNotRemember: { rules: ['health', 'card-number'], patterns: ['project\\s+bluebird'] },
      });
      await expect(client.memories.add('Card 4111 1111 1111 1111 expires soon')).rejects.toMatchObject({
        code: 'DO_NOT_REMEMBER',
      });
      await expect(client.memories.add('Project   Bluebird ships in May')).rejects.toMatchObject({ code: 'DO_NOT_REMEMBER' });
      const report = await client.memories.remember(say('I got a new prescription'));
      expect(report.skipped).toBe(1);
      expect((await client.memories.list()).map((m) => m.text)).toEqual(['The user sleeps badly in summer']);
      await client.close();
    });

    it('without a chat model stores what the user said, so memory works before any model loads', async () => {
      const client = await create({ profileId: `facts${Date.now()}x${counter++}`, embedder: 'local/glove-sif-100d' });
      const report = await client.memories.remember(say('My passport expires in March'));
      expect(report.added).toHaveLength(1);
      expect((await client.memories.get(report.added[0]!))?.kind).toBe('turn');
      expect((await client.memories.search('passport renewal'))[0]?.item.text).toBe('My passport expires in March');
      await client.close();
    });
  });
}
