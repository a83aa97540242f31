/** The public contract: the assistant's chat turn and its model (re-exported by types.ts). */
import type { ContextBundle, Turn } from './types';

/** Options of `chat.send`: the context budget (as for `context.build`), the reply's stream and its stop. */
export interface SendOptions {
  /** Called with each piece of the reply as it is generated. */
  onToken?: (text: string) => void;
  /** Stops the reply; what was generated so far is kept as the reply, with `stopped: true`. */
  signal?: AbortSignal;
  /** Tokens for the memory sections; default 1,500. */
  budget?: number;
  /** Tokens for the recent turns; default 1,000. */
  turnBudget?: number;
  /** Memories retrieved before the budget is applied; default 8. */
  limit?: number;
  /** The memory pattern the context uses; default `combined` (see `ContextBuildOptions`). */
  strategy?: 'combined' | 'full-history' | 'sliding-window' | 'semantic' | 'profile' | 'episodic';
  /** Longest reply, in tokens. Default: the engine's (512 on the CPU engine). */
  maxTokens?: number;
  /** Sampling temperature; default 0.7. */
  temperature?: number;
}

/** What `chat.send` did. */
export interface ChatReply {
  /** The user's message, stored before anything else happened. */
  userTurn: Turn;
  /** The assistant's reply; absent only when it was stopped before its first word. */
  reply?: Turn;
  /** The exact context the model saw, with its token counts per section. */
  context: ContextBundle;
  /** True when the signal stopped the reply early. */
  stopped: boolean;
  /** Ids of the outbox jobs queued for this exchange (facts, profile, summary). */
  jobs: string[];
}

/** The chat model a client uses. */
export interface ChatModelInfo {
  id: string;
  /** `webllm`, `transformers`, `openai`, or `custom` for a host's own {@link ChatModel}. */
  engine: string;
  /** True when prompts leave this device (an OpenAI-compatible server). */
  remote: boolean;
  /** False when the model cannot follow a JSON schema: no facts, profile or summary come from it. */
  structuredOutput?: boolean;
}
