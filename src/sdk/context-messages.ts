/**
 * A built context as chat messages, with memory out of the system role. The system message holds
 * only instructions: the `<role>` section (the host's role text and the note that every tagged
 * section is data). Memory (profile, memories, experiences, summary, recent turns) and the query
 * go in one user message, in their escaped, tagged sections, where a model gives them the weight
 * of something the user brought, not of its own rules: a memory that reads like an instruction,
 * or one a hostile page planted through an earlier reply, cannot speak with the system's voice.
 * One user message rather than a separate one for memory, because several chat templates refuse
 * two user messages in a row. `chat.send` sends exactly these messages; a host that calls
 * `context.build` can send them to its own model (or still use `bundle.prompt`, the same text).
 */
import type { ContextBundle } from './types';

export interface ContextMessage {
  role: 'system' | 'user';
  content: string;
}

export function contextMessages(bundle: Pick<ContextBundle, 'sections'>): ContextMessage[] {
  const role = bundle.sections.filter((section) => section.tag === 'role');
  const data = bundle.sections.filter((section) => section.tag !== 'role');
  const messages: ContextMessage[] = [];
  if (role.length > 0) messages.push({ role: 'system', content: role.map((section) => section.content).join('\n') });
  if (data.length > 0) messages.push({ role: 'user', content: data.map((section) => section.content).join('\n') });
  return messages;
}
