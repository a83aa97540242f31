import { describe, expect, it } from 'vitest';
import { describeError } from '../../../src/app/state/messages';
import { MemoryError } from '../../../src/sdk/errors';
import { syncFailure } from '../../../src/sync/remote';

/** A PouchDB HTTP error as the sync code meets it: a message and the server's status. */
const answered = (status: number, message: string) => Object.assign(new Error(message), { status });

describe('describeError: a sync server that answered is not said to be silent', () => {
  it('keeps "did not answer" for a request that never reached the server', () => {
    const sentence = describeError('sync', syncFailure(new TypeError('Failed to fetch'))).sentence;
    expect(sentence).toBe(
      'Sync did not change: the sync server did not answer. Check its address, that it is running, and this device’s connection.',
    );
  });

  it('names what the server said, by its status', () => {
    const say = (status: number) => describeError('sync', syncFailure(answered(status, 'refused'))).sentence;
    expect(say(401)).toContain('refused this device’s login');
    expect(say(403)).toContain('refused this device’s login');
    expect(say(404)).toContain('no database at that address');
    expect(say(413)).toContain('client_max_body_size');
    expect(say(500)).toContain('the sync server failed (error 500)');
    expect(say(503)).toContain('(error 503)');
    expect(say(409)).toContain('refused the request (error 409)');
    for (const status of [401, 404, 413, 500, 409]) expect(say(status)).not.toContain('did not answer');
  });

  it('keeps the code and the SDK message for a bug report', () => {
    const error = syncFailure(answered(500, 'Internal Server Error'));
    expect(describeError('sync', error)).toMatchObject({
      code: 'SYNC_FAILED',
      detail: 'The sync server: 500 Internal Server Error',
    });
  });

  it('leaves other codes with a status alone', () => {
    const other = new MemoryError('INVALID_ARGUMENT', 'No profile', { details: { reason: 'no-profile', status: 404 } });
    expect(describeError('sync', other).sentence).toBe('Sync did not change: no profile.');
  });
});
