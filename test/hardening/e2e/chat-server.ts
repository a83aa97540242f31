/**
 * A chat server speaking the OpenAI chat format on 127.0.0.1, for the app's "external server"
 * setting: the e2e hardening suites script the model's answers with it. `respond` gets each chat
 * request's body and returns the text to stream back, in pieces whose sizes `pieceSizes(text)`
 * gives (a fresh sequence per reply, so a seeded one cuts a given reply the same way every run,
 * whatever order the app's requests arrive in). `respond`'s `signal` aborts when the client goes
 * away before the answer (a closed page), and nothing is sent. `beforePiece(at)`, when given, is
 * awaited before the piece that starts at character `at` (a test can hold a reply half-streamed).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inject } from 'vitest';

export interface ChatServer {
  /**
   * The base URL to type into Settings (ends in `/v1`): through the run's chat relay, the one chat
   * origin the built app's Content-Security-Policy allows (see test/e2e/chat-relay.ts).
   */
  url: string;
  close(): Promise<void>;
}

export type ChatRequest = Record<string, unknown> & {
  messages?: unknown;
  response_format?: { json_schema?: { schema?: { properties?: Record<string, unknown> } } };
};

export async function startChatServer(
  model: string,
  respond: (request: ChatRequest, signal: AbortSignal) => string | Promise<string>,
  pieceSizes: (text: string) => () => number = () => () => 8,
  beforePiece?: (at: number) => Promise<void> | void,
): Promise<ChatServer> {
  const server = createServer((request, response) => {
    response.setHeader('access-control-allow-origin', '*');
    response.setHeader('access-control-allow-headers', 'content-type, authorization');
    response.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    if (request.method === 'OPTIONS') return void response.writeHead(204).end();
    if (request.url?.endsWith('/models')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      return void response.end(JSON.stringify({ data: [{ id: model }] }));
    }
    const gone = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) gone.abort();
    });
    void readJson(request).then(async (body) => {
      const text = await respond(body, gone.signal);
      if (gone.signal.aborted) return;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const pieceSize = pieceSizes(text);
      for (let at = 0; at < text.length;) {
        if (beforePiece) await beforePiece(at);
        const size = Math.max(1, pieceSize());
        response.write(`data: ${JSON.stringify({ choices: [{ delta: { content: text.slice(at, at + size) } }] })}\n\n`);
        at += size;
      }
      response.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `${inject('chatRelay')}/${(server.address() as AddressInfo).port}/v1`,
    // Connections a page left open (a held request, keep-alive) must not keep the server up.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readJson(request: IncomingMessage): Promise<ChatRequest> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return JSON.parse(body || '{}') as ChatRequest;
}
