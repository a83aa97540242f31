/** A host page with the SDK in its worker, exposed to the test as `window.mneme` once open. */
import { createMemoryClient, type ChatMessage, type ChatModel, type MemoryClient, type SyncStatus } from '../../../src/sdk/index';
import { EXTRACTION_PROMPT } from '../../../src/core/semantic/facts';
import { stateDigest, type DeviceState } from './device-state';

/** What the scripted model answers next: the fact it extracts and what it does to the memory holding `target`. */
export interface ModelPlan {
  fact: string;
  relation: 'clarification' | 'contradiction';
  /** A word only the target memory holds (the model picks the candidate whose text has it). */
  target: string;
  merged?: string;
}

declare global {
  interface Window {
    mneme?: MemoryClient;
    /** Every `sync` event the page received, oldest first. */
    syncEvents: SyncStatus[];
    /** What the device shows of its synced profile, and the SHA-256 digest of it (see device-state.ts). */
    stateDigest(): Promise<{ digest: string; state: DeviceState }>;
    /** Gives the client a scripted chat model that carries out `plan` at the next `memories.remember`. */
    planModel(plan: ModelPlan | undefined): Promise<void>;
  }
}

/** A chat model that extracts the planned fact and relates it to the planned memory. */
class ScriptedModel implements ChatModel {
  readonly id = 'scripted-sync-model';
  plan: ModelPlan | undefined;
  async generate(messages: ChatMessage[]): Promise<string> {
    const plan = this.plan;
    if (!plan) return JSON.stringify({ facts: [] });
    if (String(messages[0]?.content ?? '') === EXTRACTION_PROMPT) return JSON.stringify({ facts: [{ text: plan.fact }] });
    const lines = String(messages.at(-1)?.content ?? '').split('\n');
    const candidate = lines.map((line) => /^(\d+)\. (.*)$/.exec(line)).find((match) => match?.[2]?.includes(plan.target));
    if (!candidate) return JSON.stringify({ relation: 'identical', candidate: 1 });
    return JSON.stringify({
      relation: plan.relation,
      candidate: Number(candidate[1]),
      ...(plan.merged ? { merged: plan.merged } : {}),
    });
  }
}

window.syncEvents = [];
const client = await createMemoryClient({ embedder: false });
client.subscribe((event) => {
  if (event.type === 'sync') window.syncEvents.push(event.status);
});
const model = new ScriptedModel();
window.stateDigest = () => stateDigest(client);
window.planModel = async (plan) => {
  model.plan = plan;
  if ((await client.chat.model())?.id !== model.id) await client.chat.useModel(model);
};
window.mneme = client;
document.body.dataset.ready = 'true';
