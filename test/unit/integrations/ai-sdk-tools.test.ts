/**
 * `mnemeTools` in an AI SDK tool loop (`ai` 7, mock model): the model remembers and searches, and
 * `forget` deletes only after the user approved it.
 */
import { describe, expect, it } from 'vitest';
import { generateText, isStepCount, type ModelMessage } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { mnemeTools } from '../../../src/integrations/ai-sdk/index';
import { callTool, openClient, replyWith } from './ai-sdk-support';

describe('mneme/ai-sdk tools', () => {
  it('remembers and searches in a tool loop; a malformed call is refused without storing', async () => {
    const client = await openClient();
    const model = new MockLanguageModelV4({
      doGenerate: [
        callTool('remember', { text: 'The user is allergic to peanuts', kind: 'fact' }),
        callTool('remember', { text: '', kind: 'secret' }),
        callTool('searchMemory', { query: 'peanuts allergy' }),
        replyWith('I will keep that in mind.'),
      ],
    });
    const result = await generateText({
      model,
      tools: mnemeTools(client),
      stopWhen: isStepCount(5),
      prompt: 'Remember my allergy',
    });

    expect(result.text).toBe('I will keep that in mind.');
    const stored = await client.memories.list();
    expect(stored.map((item) => ({ text: item.text, kind: item.kind, source: item.metadata.source }))).toEqual([
      { text: 'The user is allergic to peanuts', kind: 'fact', source: 'ai-sdk-tool' },
    ]);
    const outputs = result.steps.flatMap((step) => step.content).filter((part) => part.type.startsWith('tool-'));
    expect(outputs.find((part) => part.type === 'tool-error')).toBeDefined();
    const search = outputs.find((part) => part.type === 'tool-result' && part.toolName === 'searchMemory');
    expect(search).toMatchObject({
      output: { memories: [{ id: stored[0]!.id, text: 'The user is allergic to peanuts', kind: 'fact' }] },
    });
    await client.close();
  });

  it('forgets only after the user approves', async () => {
    const client = await openClient();
    const memory = await client.memories.add('The user’s old address is 1 Elm Street');
    const model = new MockLanguageModelV4({
      doGenerate: [callTool('forget', { id: memory.id }), replyWith('Done, I forgot it.')],
    });
    const tools = mnemeTools(client);
    const messages: ModelMessage[] = [{ role: 'user', content: 'Forget my old address' }];

    const asked = await generateText({ model, tools, stopWhen: isStepCount(5), messages });
    const request = asked.content.find((part) => part.type === 'tool-approval-request');
    expect(request).toMatchObject({ toolCall: { toolName: 'forget', input: { id: memory.id } } });
    expect(await client.memories.get(memory.id)).toBeDefined();

    messages.push(...asked.responseMessages, {
      role: 'tool',
      content: [{ type: 'tool-approval-response', approvalId: request!.approvalId, approved: true }],
    });
    const done = await generateText({ model, tools, stopWhen: isStepCount(5), messages });
    expect(done.text).toBe('Done, I forgot it.');
    expect(await client.memories.get(memory.id)).toBeUndefined();
    await client.close();
  });
});
