/**
 * Pinning hub models to what was reviewed: a model repository's commit (transformers.js
 * `revision`, WebLLM's `…/resolve/<revision>/` weights URL) and, for WebLLM, Subresource-Integrity
 * hashes it checks itself (`mlc-chat-config.json`, the WebGPU library, the tokenizer). A model
 * without a pin loads the hub's `main` branch, as before.
 *
 * The table is empty on purpose: pins must be real commits and hashes read from the hub, and this
 * project's build machine cannot reach it. See the README ("Model provenance") for what is and is
 * not pinned, and how to add a pin.
 */
import type { ModelRecord } from '@mlc-ai/web-llm';

export interface ModelPin {
  /** The 40-hex commit of the model's hub repository. */
  revision?: string;
  /** SRI strings (`sha256-…`) WebLLM verifies after download; a mismatch fails the load. */
  integrity?: { config?: string; model_lib?: string; tokenizer?: Record<string, string> };
}

/** Pins by model id (transformers.js `org/name`, WebLLM `model_id`). */
export const MODEL_PINS: Readonly<Record<string, ModelPin>> = {};

const COMMIT = /^[0-9a-f]{40}$/;
const SRI = /^sha(256|384|512)-[A-Za-z0-9+/]+={0,2}$/;

/** The revision transformers.js should load: the pinned commit, or `main`. */
export function revisionOf(model: string, pins: Readonly<Record<string, ModelPin>> = MODEL_PINS): string {
  const revision = pins[model]?.revision;
  return revision !== undefined && COMMIT.test(revision) ? revision : 'main';
}

/** WebLLM's records with each pin applied: weights from the pinned commit, integrity hashes attached. */
export function pinnedRecords(records: ModelRecord[], pins: Readonly<Record<string, ModelPin>> = MODEL_PINS): ModelRecord[] {
  return records.map((record) => {
    const pin = pins[record.model_id];
    if (!pin) return record;
    const pinned: ModelRecord = { ...record };
    if (pin.revision !== undefined && COMMIT.test(pin.revision)) {
      pinned.model = `${record.model.replace(/\/+$/, '').replace(/\/resolve\/[^/]+$/, '')}/resolve/${pin.revision}/`;
    }
    const integrity = Object.fromEntries(
      Object.entries(pin.integrity ?? {}).filter(([, value]) =>
        typeof value === 'string' ? SRI.test(value) : Object.values(value).every((hash) => SRI.test(hash)),
      ),
    );
    if (Object.keys(integrity).length > 0) pinned.integrity = { ...integrity, onFailure: 'error' };
    return pinned;
  });
}
