/**
 * Bring your own server: a {@link ChatModel} over any OpenAI-compatible chat endpoint (Ollama,
 * LM Studio, llama.cpp's server, vLLM). Off unless a host or the user turns it on, because the
 * prompt, with the memories in it, then leaves this tab: `remote` is true so the UI can say so.
 * Streams server-sent events; an abort cancels the request.
 */
import { MemoryError, throwIfAborted } from '../sdk/errors';
import type { ChatMessage, GenerateOptions } from '../core/ports';
import type { LoadableChatModel } from './chat-engine';

export interface OpenAIChatOptions {
  /** Base URL of the API, e.g. `http://localhost:11434/v1` (Ollama) or `http://localhost:1234/v1` (LM Studio). */
  baseUrl: string;
  /** The server's model name, e.g. `llama3.2:3b`. */
  model: string;
  /** Sent as a bearer token when given. Kept in memory only. */
  apiKey?: string;
  /** Replaces the global `fetch` (tests, proxies). */
  fetch?: typeof fetch;
}

export function createOpenAIChat(options: OpenAIChatOptions): LoadableChatModel {
  let base: URL;
  try {
    base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  } catch {
    throw new MemoryError('INVALID_ARGUMENT', `Not a URL: ${options.baseUrl}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new MemoryError('INVALID_ARGUMENT', 'The endpoint must be an http(s) URL');
  }
  // A key sent in the clear can be read by anyone on the way; only this machine's own server is exempt.
  if (options.apiKey && base.protocol === 'http:' && !isLoopback(base.hostname)) {
    throw new MemoryError(
      'INVALID_ARGUMENT',
      `An API key is only sent over https (or to this machine over http): ${base.origin} would send it unencrypted`,
    );
  }
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;

  const call = async (path: string, init: RequestInit): Promise<Response> => {
    let response: Response;
    try {
      response = await doFetch(new URL(path, base), { ...init, headers });
    } catch (error) {
      throwIfAborted(init.signal ?? undefined);
      throw new MemoryError('MODEL_LOAD_FAILED', `The endpoint ${base.origin} could not be reached: ${String(error)}`, {
        cause: error,
      });
    }
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 300);
      throw new MemoryError(
        response.status === 404 ? 'MODEL_NOT_FOUND' : 'MODEL_LOAD_FAILED',
        `The endpoint answered ${response.status} for ${options.model}: ${detail}`,
        { details: { status: response.status, model: options.model } },
      );
    }
    return response;
  };

  return {
    id: options.model,
    engine: 'openai',
    remote: true,
    async load(onProgress) {
      const response = await call('models', { method: 'GET' });
      const listed = (await response.json().catch(() => undefined)) as { data?: { id?: string }[] } | undefined;
      const ids = listed?.data?.map((model) => model.id) ?? [];
      if (ids.length > 0 && !ids.includes(options.model)) {
        throw new MemoryError(
          'MODEL_NOT_FOUND',
          `The endpoint has no model ${options.model} (it has ${ids.slice(0, 8).join(', ')})`,
        );
      }
      onProgress?.({ phase: 'ready', loaded: 1, total: 1, text: options.model });
    },
    async generate(messages: ChatMessage[], generateOptions: GenerateOptions = {}) {
      const { signal, onToken } = generateOptions;
      throwIfAborted(signal);
      const body = {
        model: options.model,
        messages,
        stream: true,
        ...(generateOptions.temperature !== undefined ? { temperature: generateOptions.temperature } : {}),
        ...(generateOptions.maxTokens !== undefined ? { max_tokens: generateOptions.maxTokens } : {}),
        ...(generateOptions.jsonSchema
          ? { response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: generateOptions.jsonSchema } } }
          : {}),
      };
      const response = await call('chat/completions', {
        method: 'POST',
        body: JSON.stringify(body),
        ...(signal ? { signal } : {}),
      });
      let text = '';
      try {
        for await (const data of serverSentEvents(response)) {
          // A stop ends the reply at once, also among events already read in the same chunk.
          if (data === '[DONE]' || signal?.aborted) break;
          const piece = parseDelta(data);
          if (!piece) continue;
          text += piece;
          onToken?.(piece);
        }
      } catch (error) {
        throwIfAborted(signal);
        throw new MemoryError('MODEL_LOAD_FAILED', `The endpoint's stream broke off: ${String(error)}`, { cause: error });
      }
      throwIfAborted(signal);
      return text;
    },
  };
}

/** localhost, *.localhost, 127.0.0.0/8 and ::1: hosts that never leave this machine. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function parseDelta(data: string): string {
  try {
    const event = JSON.parse(data) as { choices?: { delta?: { content?: string | null } }[] };
    return event.choices?.[0]?.delta?.content ?? '';
  } catch {
    return '';
  }
}

/** The `data:` payloads of a text/event-stream body, one per event. */
async function* serverSentEvents(response: Response): AsyncGenerator<string> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += value;
      let end: number;
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
        const data = event
          .split(/\r?\n/)
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        if (data) yield data;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
