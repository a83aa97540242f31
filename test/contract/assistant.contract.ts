/**
 * The assistant facade (`chat.send`) and the outbox of memory work after replies, through a
 * scripted ChatModel, over both clients: in worker mode the model stays in the calling thread and
 * its tokens, its abort and its answers cross the worker boundary.
 */
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatModel, ContextStrategy, GenerateOptions, MemoryEvent, MemoryKind } from '../../src/sdk/index';
import { MemoryError } from '../../src/sdk/index';
import type { ClientFactory } from './client.contract';
import { nextEvent } from './events';

let counter = 0;

const FACTS: Record<string, string[]> = {
  'I live in Berlin': ['The user lives in Berlin'],
  'I moved to Lisbon': ['The user lives in Lisbon'],
  'My name is Ada': ['The user is called Ada'],
  'I love jazz': ['The user likes jazz music'],
};

interface Script {
  /** Every reply prompt the model was given. */
  replies: ChatMessage[][];
  /** Extraction answers that are not JSON (the job fails and retries). */
  brokenExtraction?: boolean;
  /** Extraction never answers until the signal fires (a job cut short by closing the tab). */
  hangingExtraction?: boolean;
  /** A reply streams this many words, then waits to be stopped (a user stopping a slow model). */
  pauseAfterWords?: number;
}

/** Rejects with `ABORTED` once `signal` fires: a model waiting for its caller to stop it. */
function untilStopped(signal: AbortSignal | undefined): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (!signal) return reject(new Error('A reply that waits to be stopped needs a signal'));
    const stop = () => reject(new MemoryError('ABORTED', 'stopped'));
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
  });
}

export function assistantModel(script: Script): ChatModel {
  return {
    id: 'test/assistant',
    async generate(messages: ChatMessage[], options: GenerateOptions = {}) {
      const system = messages[0]?.content ?? '';
      const user = messages[1]?.content ?? '';
      if (system.startsWith('Extract')) {
        if (script.hangingExtraction) return untilStopped(options.signal);
        if (script.brokenExtraction) return 'Sure! Here are some facts about the user.';
        const facts = Object.keys(FACTS)
          .filter((said) => user.includes(said))
          .flatMap((said) => FACTS[said]!);
        return JSON.stringify({ facts: facts.map((text) => ({ text, importance: 0.8 })) });
      }
      if (system.startsWith('A new fact')) {
        const stored = user.split('\n').filter((line) => /^\d+\. /.test(line));
        const berlin = stored.findIndex((line) => line.includes('Berlin')) + 1;
        if (user.includes('<new_fact>\nThe user lives in Lisbon\n') && berlin) {
          return JSON.stringify({ relation: 'contradiction', candidate: berlin });
        }
        return JSON.stringify({ relation: 'complementary', candidate: 1 });
      }
      if (system.includes('structured profile')) {
        const conversation = user.slice(user.indexOf('<conversation>'));
        const patches = [];
        if (conversation.includes('My name is Ada')) patches.push({ op: 'set', field: 'name', value: 'Ada' });
        if (conversation.includes('I love jazz')) patches.push({ op: 'add', field: 'interests', value: 'jazz' });
        return JSON.stringify({ patches });
      }
      if (system.startsWith('Update the running summary')) return JSON.stringify({ summary: 'They talked.' });
      // A chat reply: streamed word by word.
      script.replies.push(messages);
      // The message being answered is the query section of the user message (the memory sections come before it).
      const query = /<user_query>\n([\s\S]*)\n<\/user_query>$/.exec(user)?.[1] ?? user;
      const words = `You said: ${query}. Noted, and I will remember it.`.split(' ');
      let text = '';
      for (const [i, word] of words.entries()) {
        if (i === script.pauseAfterWords) await untilStopped(options.signal);
        if (options.signal?.aborted) throw new MemoryError('ABORTED', 'stopped');
        const piece = i === 0 ? word : ` ${word}`;
        text += piece;
        options.onToken?.(piece);
        await Promise.resolve(); // a word at a time, as a model streams
      }
      return text;
    },
  };
}

export function describeAssistantContract(name: string, create: ClientFactory): void {
  describe(`assistant and outbox: ${name}`, () => {
    const open = (script: Script, extra: Record<string, unknown> = {}) =>
      create({
        profileId: `assistant${Date.now()}x${counter++}`,
        embedder: 'local/glove-sif-100d',
        chatModel: assistantModel(script),
        ...extra,
      });

    it('stores the message first, streams the reply, stores it, then extracts facts and profile changes after the reply', async () => {
      const script: Script = { replies: [] };
      const client = await open(script);
      const session = await client.sessions.create();
      const tokens: string[] = [];
      const reply = await client.chat.send(session.id, 'My name is Ada. I love jazz', { onToken: (t) => tokens.push(t) });

      expect(tokens.length).toBeGreaterThan(5);
      expect(tokens.join('')).toBe(reply.reply!.content);
      expect(reply).toMatchObject({ stopped: false, userTurn: { role: 'user', seq: 0 }, reply: { role: 'assistant', seq: 1 } });
      expect(reply.jobs).toHaveLength(3);
      expect(reply.context.sections.map((s) => s.tag)).toEqual(['role', 'user_query']);
      expect((await client.sessions.turns(session.id)).map((t) => t.role)).toEqual(['user', 'assistant']);

      await client.outbox.drain();
      const facts = await client.memories.search('what music does the user like', { kinds: ['fact'] });
      expect(facts[0]?.item).toMatchObject({ text: 'The user likes jazz music', metadata: { sourceTurnId: reply.userTurn.id } });
      const { profile, entries } = await client.profile.get();
      expect(profile).toMatchObject({ name: 'Ada', interests: ['jazz'] });
      expect(entries.find((e) => e.field === 'name')).toMatchObject({ setBy: 'llm', sourceTurnId: reply.userTurn.id });
      expect(await client.outbox.summary()).toMatchObject({ pending: 0, running: 0, failed: 0 });

      // The next turn's context carries what the last one taught.
      await client.chat.send(session.id, 'Any music tips for tonight?');
      const [system, memory] = script.replies.at(-1)!;
      // Memory stays out of the system role: the system message holds the instructions alone.
      expect(system).toMatchObject({ role: 'system', content: expect.stringMatching(/^<role>\n[\s\S]*\n<\/role>$/) });
      expect(system!.content).not.toContain('Ada');
      expect(memory?.role).toBe('user');
      const prompt = memory!.content;
      expect(prompt).toContain('<user_profile>');
      expect(prompt).toContain('Ada');
      expect(prompt).toContain('The user likes jazz music');
      expect(prompt).toContain('<recent_conversation>');
      await client.close();
    });

    it('moves from Berlin to Lisbon across two sessions: the next context says Lisbon, Berlin is superseded with history', async () => {
      const script: Script = { replies: [] };
      const client = await open(script);
      const first = await client.sessions.create('Spring');
      await client.chat.send(first.id, 'I live in Berlin');
      await client.outbox.drain();
      const second = await client.sessions.create('Autumn');
      await client.chat.send(second.id, 'I moved to Lisbon last week');
      await client.outbox.drain();

      const current = await client.memories.search('where does the user live', { kinds: ['fact'] });
      expect(current.map((r) => r.item.text)).toEqual(['The user lives in Lisbon']);
      const all = await client.memories.list({ kinds: ['fact'] });
      const berlin = all.find((item) => item.text.includes('Berlin'))!;
      expect(berlin).toMatchObject({ validTo: expect.any(Number), metadata: { supersededBy: current[0]!.item.id } });
      expect((await client.memories.history(berlin.id)).map((h) => h.action)).toContain('supersede');

      const third = await client.sessions.create('Winter');
      await client.chat.send(third.id, 'where do I live?');
      const memories = script.replies.at(-1)![1]!.content;
      expect(memories).toContain('The user lives in Lisbon');
      expect(memories).not.toContain('The user lives in Berlin');
      await client.close();
    });

    it('puts the most important and the most recent memories in the context even when the words differ', async () => {
      const client = await create({ profileId: `assistant${Date.now()}x${counter++}`, embedder: false });
      await client.memories.add('Allergic to penicillin', { pinned: true, importance: 1 });
      await client.memories.addMany(Array.from({ length: 20 }, (_, i) => ({ text: `Old note ${i} about gardening` })));
      await client.memories.add('Booked the dentist for Friday');
      const plain = await client.memories.search('what should I pack for the trip?');
      expect(plain).toHaveLength(0);
      const context = await client.context.build('what should I pack for the trip?');
      expect(context.prompt).toContain('Allergic to penicillin');
      expect(context.prompt).toContain('Booked the dentist for Friday');
      const mixed = await client.memories.search('trip', { candidates: { recent: 1, important: 1 } });
      expect(mixed.map((r) => [r.item.text, r.explanation.via])).toEqual(
        expect.arrayContaining([
          ['Allergic to penicillin', ['important']],
          ['Booked the dentist for Friday', ['recent']],
        ]),
      );
      await client.close();
    });

    it('recalls only the kinds asked for, and only what was true at an as-of date', async () => {
      const client = await create({ profileId: `assistant${Date.now()}x${counter++}`, embedder: false });
      const march = Date.UTC(2026, 2, 1);
      await client.memories.add('The user drinks green tea', { kind: 'preference', validFrom: march });
      await client.memories.add('The user drinks coffee with oat milk', { kind: 'note' });
      const recalled = async (options: { kinds?: MemoryKind[]; asOf?: number }) =>
        (await client.context.build('what does the user drink?', options)).retrieved?.map((result) => result.item.text).sort();
      expect(await recalled({})).toEqual(['The user drinks coffee with oat milk', 'The user drinks green tea']);
      expect(await recalled({ kinds: ['preference'] })).toEqual(['The user drinks green tea']);
      expect(await recalled({ asOf: march - 86_400_000 })).toEqual([]);
      expect(await recalled({ asOf: march, kinds: ['preference', 'fact'] })).toEqual(['The user drinks green tea']);
      await client.close();
    });

    it('builds each memory pattern alone or all combined, and full history says when it no longer fits', async () => {
      const client = await open({ replies: [] });
      const session = await client.sessions.create();
      await client.chat.send(session.id, 'My name is Ada. I love jazz');
      await client.outbox.drain();
      const task = await client.episodes.startTask('Plan a jazz evening for friends');
      await client.episodes.completeTask(task.id, true, ['Book the club a week ahead']);
      const query = 'Any jazz plans for tonight?';
      const tags = async (strategy?: ContextStrategy, extra: Record<string, number> = {}) =>
        (await client.context.build(query, { sessionId: session.id, ...(strategy ? { strategy } : {}), ...extra })).sections.map(
          (section) => section.tag,
        );
      expect(await tags()).toEqual([
        'role',
        'user_profile',
        'relevant_memories',
        'past_experiences',
        'recent_conversation',
        'user_query',
      ]);
      expect(await tags('profile')).toEqual(['role', 'user_profile', 'recent_conversation', 'user_query']);
      expect(await tags('semantic')).toEqual(['role', 'relevant_memories', 'recent_conversation', 'user_query']);
      expect(await tags('episodic')).toEqual(['role', 'past_experiences', 'recent_conversation', 'user_query']);
      expect(await tags('sliding-window')).toEqual(['role', 'recent_conversation', 'user_query']);
      expect(await tags('full-history')).toEqual(['role', 'recent_conversation', 'user_query']);

      for (let i = 0; i < 12; i++) await client.chat.send(session.id, `Tell me about jazz record number ${i}`);
      const whole = await client.context.build(query, { sessionId: session.id, strategy: 'full-history' });
      expect(whole.overflow).toBe(false);
      expect(whole.prompt).toContain('My name is Ada');
      const tight = await client.context.build(query, { sessionId: session.id, strategy: 'full-history', turnBudget: 200 });
      expect(tight.overflow).toBe(true);
      expect(tight.dropped.turns).toBeGreaterThan(10);
      await expect(client.context.build(query, { strategy: 'everything' as ContextStrategy })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      await client.close();
    });

    it('regenerates the last reply: the old one moves to the archive, the new one takes its place', async () => {
      const client = await open({ replies: [] });
      const session = await client.sessions.create();
      const first = await client.chat.send(session.id, 'I love jazz');
      const again = await client.chat.regenerate(session.id);
      expect(again.userTurn.id).toBe(first.userTurn.id);
      expect(again.reply!.id).not.toBe(first.reply!.id);
      expect((await client.sessions.turns(session.id)).map((t) => t.id)).toEqual([first.userTurn.id, again.reply!.id]);
      const archived = await client.sessions.turns(session.id, { includeArchived: true });
      expect(archived.find((t) => t.id === first.reply!.id)?.archivedAt).toEqual(expect.any(Number));
      const empty = await client.sessions.create();
      await expect(client.chat.regenerate(empty.id)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await client.close();
    });

    it('keeps what was streamed when the user stops the reply, marked as stopped', async () => {
      const client = await open({ replies: [], pauseAfterWords: 3 });
      const session = await client.sessions.create();
      const controller = new AbortController();
      const tokens: string[] = [];
      const reply = await client.chat.send(session.id, 'Tell me a long story', {
        signal: controller.signal,
        onToken: (t) => {
          tokens.push(t);
          if (tokens.length === 3) controller.abort();
        },
      });
      expect(reply.stopped).toBe(true);
      expect(tokens).toHaveLength(3);
      expect(reply.reply!.content).toBe(tokens.join(''));
      expect(await client.sessions.turns(session.id)).toHaveLength(2);
      // Kept with the reply: stopped, and the context it was made from.
      expect((await client.sessions.turns(session.id))[1]).toMatchObject({ stopped: true, context: reply.context });
      await client.close();
    });

    it('keeps with each reply the context the model was sent, for inspecting it later (an export carries it too)', async () => {
      const client = await open({ replies: [] });
      await client.memories.add('My sister Rosa lives in Porto');
      const session = await client.sessions.create();
      const reply = await client.chat.send(session.id, 'Where does Rosa live?');
      expect(reply.context.memoriesUsed.length).toBeGreaterThan(0);
      const [user, answer] = await client.sessions.turns(session.id);
      expect(user?.context).toBeUndefined();
      expect(answer?.context).toEqual(reply.context);
      expect(answer?.stopped).toBeUndefined();
      // Through an export and an import into another profile, the reply still has it.
      const target = await open({ replies: [] });
      await target.data.import(await client.data.export());
      expect((await target.sessions.turns(session.id))[1]?.context).toEqual(reply.context);
      await client.close();
      await target.close();
    });

    it('refuses to chat without a model before storing anything, and can switch models at run time', async () => {
      const client = await create({ profileId: `assistant${Date.now()}x${counter++}`, embedder: false });
      const session = await client.sessions.create();
      await expect(client.chat.send(session.id, 'hello')).rejects.toMatchObject({ code: 'NO_CHAT_MODEL' });
      expect(await client.sessions.turns(session.id)).toHaveLength(0);
      expect(await client.chat.model()).toBeUndefined();

      const events: MemoryEvent[] = [];
      client.subscribe((event) => events.push(event));
      const info = await client.chat.useModel(assistantModel({ replies: [] }));
      expect(info).toEqual({ id: 'test/assistant', engine: 'custom', remote: false });
      expect((await client.chat.send(session.id, 'hello')).reply?.content).toContain('You said: hello');
      expect(events.some((e) => e.type === 'chat-model-changed' && e.model?.id === 'test/assistant')).toBe(true);
      expect(await client.chat.useModel(null)).toBeUndefined();
      await expect(client.chat.send(session.id, 'again')).rejects.toMatchObject({ code: 'NO_CHAT_MODEL' });
      await client.close();
    });

    it('without a chat model, stores what the user said in host-managed turns so memory works before any LLM', async () => {
      const client = await create({ profileId: `assistant${Date.now()}x${counter++}`, embedder: 'local/glove-sif-100d' });
      const session = await client.sessions.create();
      await client.sessions.append(session.id, { role: 'user', content: 'My cat is called Miso' });
      await client.sessions.append(session.id, { role: 'assistant', content: 'What a lovely name.' });
      await client.outbox.drain();
      const found = await client.memories.search('name of my cat');
      expect(found.map((r) => r.item.text)).toEqual(['My cat is called Miso']);
      expect(found[0]!.item.kind).toBe('turn');
      await client.outbox.drain(); // a second run adds nothing
      expect(await client.memories.count()).toBe(1);
      await client.close();
    });

    it('gives a model that cannot follow a schema no memory work: nothing fails or retries, the user’s words are kept', async () => {
      const script: Script = { replies: [] };
      const asked: string[] = [];
      const scripted = assistantModel(script);
      const story: ChatModel = {
        id: 'test/story',
        structuredOutput: false,
        generate: (messages, options) => {
          asked.push(messages[0]?.content.split('\n')[0] ?? '');
          return scripted.generate(messages, options);
        },
      };
      const client = await open(script, { chatModel: story });
      expect(await client.chat.model()).toMatchObject({ id: 'test/story', structuredOutput: false });
      const session = await client.sessions.create();
      const reply = await client.chat.send(session.id, 'My name is Ada. I love jazz');
      expect(reply.jobs).toHaveLength(1);
      await client.outbox.drain();
      expect(await client.outbox.summary()).toMatchObject({ pending: 0, running: 0, failed: 0 });
      // Only the reply was asked of the model; the user's own words stand in for facts.
      expect(asked).toHaveLength(1);
      expect((await client.memories.list()).map((item) => [item.kind, item.text])).toEqual([
        ['turn', 'My name is Ada. I love jazz'],
      ]);
      expect((await client.profile.get()).entries).toEqual([]);
      await client.close();
    });

    it("marks a job failed after its attempts, visibly, writes no fact, keeps the user's words, and runs it again on retry", async () => {
      const script: Script = { replies: [], brokenExtraction: true };
      const client = await open(script, { outbox: { maxAttempts: 1 } });
      const events: MemoryEvent[] = [];
      client.subscribe((event) => events.push(event));
      const session = await client.sessions.create();
      await client.chat.send(session.id, 'I love jazz');
      await client.outbox.drain();

      const failed = await client.outbox.list('failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ kind: 'memory.extract', attempts: 1, lastError: { code: 'LLM_OUTPUT_INVALID' } });
      // No fact from the invalid answer; the user's own words are kept meanwhile.
      expect((await client.memories.list()).map((item) => [item.kind, item.text])).toEqual([['turn', 'I love jazz']]);
      expect(events.some((e) => e.type === 'outbox-changed' && e.summary.failed === 1)).toBe(true);

      script.brokenExtraction = false;
      await client.outbox.retry(failed[0]!.id);
      await client.outbox.drain();
      expect((await client.memories.search('music', { kinds: ['fact'] }))[0]?.item.text).toBe('The user likes jazz music');
      // The fact now stands for the exchange: the raw words left long-term memory.
      expect((await client.memories.list()).map((item) => item.kind)).toEqual(['fact']);
      expect(await client.outbox.summary()).toMatchObject({ failed: 0, pending: 0 });
      await client.close();
    });

    it('resumes memory work cut short by closing the tab when the profile opens again', async () => {
      const profileId = `assistant${Date.now()}x${counter++}`;
      const stuck = await create({
        profileId,
        embedder: 'local/glove-sif-100d',
        chatModel: assistantModel({ replies: [], hangingExtraction: true }),
      });
      const session = await stuck.sessions.create();
      const running = nextEvent(stuck, (event) => event.type === 'outbox-changed' && event.summary.running > 0);
      await stuck.chat.send(session.id, 'I love jazz');
      await running;
      expect((await stuck.outbox.summary()).running).toBe(1);
      await stuck.close();

      const next = await create({ profileId, embedder: 'local/glove-sif-100d', chatModel: assistantModel({ replies: [] }) });
      await next.outbox.drain();
      expect((await next.memories.search('music', { kinds: ['fact'] }))[0]?.item.text).toBe('The user likes jazz music');
      expect((await next.outbox.list('done')).length).toBeGreaterThanOrEqual(3);
      await next.close();
    });
  });
}
