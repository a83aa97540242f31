/**
 * Pinning hub models to what was reviewed: a model repository's commit (transformers.js
 * `revision`, WebLLM's `…/resolve/<revision>/` weights URL) and Subresource-Integrity hashes: for
 * WebLLM the ones it checks itself (`mlc-chat-config.json`, the WebGPU library, the tokenizer), for
 * transformers.js any file of the model, checked here ({@link pinnedFetch}) before the library sees
 * it. A model without a pin loads the hub's `main` branch, as before.
 *
 * The table is empty on purpose: pins must be real commits and hashes read from the hub, and this
 * project's build machine cannot reach it. See the README ("Model provenance") for what is and is
 * not pinned, and how to add a pin.
 */
import type { ModelRecord } from '@mlc-ai/web-llm';
import { MemoryError } from '../sdk/errors';

export interface ModelPin {
  /** The 40-hex commit of the model's hub repository. */
  revision?: string;
  /** SRI strings (`sha256-…`) WebLLM verifies after download; a mismatch fails the load. */
  integrity?: { config?: string; model_lib?: string; tokenizer?: Record<string, string> };
  /** transformers.js: SRI strings by file path in the model's folder (`onnx/model_quantized.onnx`). */
  files?: Record<string, string>;
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

/** The pinned hash of the file `url` fetches (hub `…/<id>/resolve/<rev>/<file>` or a folder `…/<id>/<file>`). */
function pinnedHash(url: string, pins: Readonly<Record<string, ModelPin>>): { model: string; hash: string } | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'http://local.invalid/').pathname);
  } catch {
    return undefined;
  }
  for (const [model, pin] of Object.entries(pins)) {
    if (!pin.files) continue;
    const at = path.indexOf(`/${model}/`);
    if (at < 0) continue;
    const file = path.slice(at + model.length + 2).replace(/^resolve\/[^/]+\//, '');
    if (pin.files[file] !== undefined) return { model, hash: pin.files[file] };
  }
  return undefined;
}

async function sri(algorithm: string, bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest(algorithm, bytes));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const refusals = new Map<string, MemoryError>();

/** The pins' refusal of one of `model`'s files since the last call, if any (then forgotten). */
export function takeRefusal(model: string): MemoryError | undefined {
  const refusal = refusals.get(model);
  refusals.delete(model);
  return refusal;
}

/**
 * A fetch for transformers.js that enforces the pins: a file with a pinned hash is read whole and
 * checked, and one that differs (or a malformed pin) fails the load with `MODEL_LOAD_FAILED` and
 * `details.file`, before the library parses a byte of it. Other requests pass through unchanged.
 */
export function pinnedFetch(
  base: (input: string, init?: RequestInit) => Promise<Response>,
  pins: Readonly<Record<string, ModelPin>> = MODEL_PINS,
): (input: string, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const response = await base(input, init);
    const pinned = pinnedHash(String(input), pins);
    if (pinned === undefined || !response.ok) return response;
    const expected = pinned.hash;
    const bytes = await response.arrayBuffer();
    const match = SRI.exec(expected);
    const actual = match ? `sha${match[1]}-${await sri(`SHA-${match[1]}`, bytes)}` : undefined;
    if (actual !== expected) {
      const refusal = new MemoryError('MODEL_LOAD_FAILED', `A model file does not match its pinned hash: ${String(input)}`, {
        details: { file: String(input), expected, ...(actual ? { actual } : {}) },
      });
      // transformers.js reports a file it could not fetch as missing: the loader asks for the reason.
      refusals.set(pinned.model, refusal);
      throw refusal;
    }
    return new Response(bytes, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
