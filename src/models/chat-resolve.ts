/**
 * A chat model from what a host passes: its own {@link ChatModel}, or a {@link ChatModelSpec} the
 * SDK creates (and, being its creator, unloads when it is replaced). Small on purpose: the page
 * imports it, and the engines load only when a spec asks for one.
 */
import { MemoryError } from '../sdk/errors';
import type { ChatModelSpec } from '../sdk/options';
import type { ChatModelInfo } from '../sdk/types';
import type { ChatModel } from '../core/ports';
import type { LoadableChatModel } from './chat-engine';

export function infoOf(model: ChatModel): ChatModelInfo {
  const loadable = model as Partial<LoadableChatModel>;
  return {
    id: model.id,
    engine: loadable.engine ?? 'custom',
    remote: loadable.remote === true,
    ...(model.structuredOutput === false ? { structuredOutput: false } : {}),
  };
}

const isSpec = (value: ChatModel | ChatModelSpec): value is ChatModelSpec =>
  typeof (value as ChatModel).generate !== 'function' && typeof (value as ChatModelSpec).engine === 'string';

/** Models the SDK made from a spec: it unloads them when they are replaced; a host's own model is the host's to dispose. */
const owned = new WeakSet<ChatModel>();

export const isOwned = (model: ChatModel): boolean => owned.has(model);

export async function resolveChatModel(value: ChatModel | ChatModelSpec, modelsBaseUrl: string | undefined): Promise<ChatModel> {
  if (!isSpec(value)) {
    if (typeof value?.id !== 'string' || typeof value.generate !== 'function') {
      throw new MemoryError('INVALID_ARGUMENT', 'chatModel must be a ChatModel (id, generate) or a model spec');
    }
    return value;
  }
  const { createChatModel } = await import('./llm-client');
  const model = createChatModel(value, modelsBaseUrl ? { modelsBaseUrl } : {});
  owned.add(model);
  return model;
}
