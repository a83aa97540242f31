/** The OpenAI-compatible adapter against a local HTTP server that speaks the same protocol. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIChat } from '../../../src/models/openai-chat';

let server: Server;
let base: string;
const seen: { path: string; body: Record<string, unknown>; auth?: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      seen.push({ path: req.url ?? '', body, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
      if (req.url === '/v1/models') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data: [{ id: 'llama3.2:3b' }, { id: 'qwen2.5:1.5b' }] }));
        return;
      }
      if (req.url !== '/v1/chat/completions') {
        res.statusCode = 404;
        res.end('no such route');
        return;
      }
      if (body.model === 'missing') {
        res.statusCode = 404;
        res.end('{"error":"model not found"}');
        return;
      }
      res.setHeader('content-type', 'text/event-stream');
      const words = ['Hello', ' from', ' a', ' local', ' server', '.'];
      const slow = body.model === 'slow';
      if (body.model === 'burst') {
        // Every event in one write: the client reads them from one chunk.
        const events = words.map((word) => `data: ${JSON.stringify({ choices: [{ delta: { content: word } }] })}\n\n`);
        res.end(`${events.join('')}data: [DONE]\n\n`);
        return;
      }
      let i = 0;
      const send = () => {
        if (res.destroyed) return;
        if (i === words.length) {
          res.end('data: [DONE]\n\n');
          return;
        }
        // Events split across writes, as real servers do.
        const event = `data: ${JSON.stringify({ choices: [{ delta: { content: words[i++] } }] })}\n\n`;
        res.write(event.slice(0, 10));
        res.write(event.slice(10));
        setTimeout(send, slow ? 200 : 1);
      };
      send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('OpenAI-compatible endpoint adapter', () => {
  it('says that prompts leave the device, checks the model exists, and streams the reply', async () => {
    const model = createOpenAIChat({ baseUrl: base, model: 'llama3.2:3b', apiKey: 'secret' });
    expect(model).toMatchObject({ remote: true, engine: 'openai' });
    await model.load();
    const pieces: string[] = [];
    const reply = await model.generate([{ role: 'user', content: 'hi' }], {
      onToken: (piece) => pieces.push(piece),
      jsonSchema: { type: 'object' },
      maxTokens: 20,
    });
    expect(reply).toBe('Hello from a local server.');
    expect(pieces).toEqual(['Hello', ' from', ' a', ' local', ' server', '.']);
    const request = seen.find((entry) => entry.path === '/v1/chat/completions')!;
    expect(request.auth).toBe('Bearer secret');
    expect(request.body).toMatchObject({
      model: 'llama3.2:3b',
      stream: true,
      max_tokens: 20,
      response_format: { type: 'json_schema', json_schema: { schema: { type: 'object' } } },
    });
  });

  it('names a model the server lacks, and maps a 404 to MODEL_NOT_FOUND', async () => {
    await expect(createOpenAIChat({ baseUrl: base, model: 'gpt-9' }).load()).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
      message: expect.stringContaining('llama3.2:3b'),
    });
    await expect(
      createOpenAIChat({ baseUrl: base, model: 'missing' }).generate([{ role: 'user', content: 'x' }]),
    ).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  // `slow`: one word at a time; `burst`: the whole reply in one write, so the client reads every event from one chunk.
  it.each([
    ['cancels the request when the signal aborts', 'slow'],
    ['delivers no token after the signal aborts, even from the chunk that was being read', 'burst'],
  ])('%s', async (_title, served) => {
    const controller = new AbortController();
    const pieces: string[] = [];
    const reply = createOpenAIChat({ baseUrl: base, model: served }).generate([{ role: 'user', content: 'x' }], {
      signal: controller.signal,
      onToken: (piece) => {
        pieces.push(piece);
        controller.abort();
      },
    });
    await expect(reply).rejects.toMatchObject({ code: 'ABORTED' });
    expect(pieces).toEqual(['Hello']);
  });

  it('reports an unreachable server and rejects a non-http URL', async () => {
    await expect(createOpenAIChat({ baseUrl: 'http://127.0.0.1:9/v1', model: 'x' }).load()).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
    });
    expect(() => createOpenAIChat({ baseUrl: 'file:///etc/passwd', model: 'x' })).toThrow(/http/);
  });

  it('sends an API key over plain http only to this machine', () => {
    const fetched: string[] = [];
    const fetch = (input: RequestInfo | URL) => {
      fetched.push(String(input));
      return Promise.resolve(new Response('{}'));
    };
    for (const baseUrl of ['http://192.168.1.20:11434/v1', 'http://llm.example.com/v1', 'http://127.0.0.1.example.com/v1']) {
      expect(() => createOpenAIChat({ baseUrl, model: 'x', apiKey: 'secret', fetch })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/unencrypted/) }),
      );
    }
    expect(fetched).toEqual([]);
    // Without a key, a server on the network over http is the person's call; with https, or on this machine, a key is fine.
    for (const baseUrl of [
      'http://192.168.1.20:11434/v1',
      'https://llm.example.com/v1',
      'http://localhost:11434/v1',
      'http://127.0.0.1:1234/v1',
      'http://[::1]:8080/v1',
      'http://ollama.localhost/v1',
    ]) {
      const apiKey = baseUrl.startsWith('http://192') ? undefined : 'secret';
      expect(createOpenAIChat({ baseUrl, model: 'x', ...(apiKey ? { apiKey } : {}), fetch }).remote).toBe(true);
    }
  });
});
