/**
 * Settings → Devices & sync while a server that needs a login waits for its admin: it names the
 * user and database to create, says the changes wait here, and shows the admin's commands (with the
 * password) only when asked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, tick, unmount } from 'svelte';
import SyncServerSetup from '../../src/app/components/settings/SyncServerSetup.svelte';
import type { SyncServerAccount, SyncServerSetup as Setup } from '../../src/sdk/index';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

const account: SyncServerAccount = {
  url: 'https://couch.example.org/',
  database: 'm0123456789abcdef0123456789abcdef',
  username: 'mfedcba9876543210',
  password: 'c2VjcmV0LXBhc3N3b3JkLWZvci10ZXN0cw',
};

function render(setup: Setup, pending: number) {
  const target = document.createElement('div');
  document.body.append(target);
  let asked = 0;
  const shown = mount(SyncServerSetup, {
    target,
    props: { setup, pending, account: async () => (asked++, account) },
  });
  flushSync();
  cleanup = () => {
    unmount(shown);
    target.remove();
  };
  const text = () => target.textContent?.replace(/\s+/g, ' ').trim() ?? '';
  return { target, text, asked: () => asked };
}

describe('waiting for the sync server’s admin', () => {
  it('names the user and database to create, keeps the password hidden until asked, then shows commands that hold it', async () => {
    const setup: Setup = { database: account.database, username: account.username, status: 401, since: Date.UTC(2026, 11, 6) };
    const { target, text, asked } = render(setup, 3);
    expect(text()).toContain('Waiting for the server’s admin');
    expect(text()).toContain('user does not exist there yet');
    expect(text()).toContain(`User ${account.username}`);
    expect(text()).toContain(`Database ${account.database}, with that user as its only member`);
    expect(text()).toContain('3 changes waiting here. Nothing is lost');
    expect(text()).not.toContain(account.password);
    expect(asked()).toBe(0);

    const button = target.querySelector('button')!;
    expect(button.getAttribute('aria-expanded')).toBe('false');
    button.click();
    await expect.poll(() => target.querySelector('pre')?.textContent ?? '').toContain(account.password);
    const commands = target.querySelector('pre')!.textContent!;
    expect(commands).toContain(`'https://couch.example.org/_users/org.couchdb.user:${account.username}'`);
    expect(commands).toContain(`'https://couch.example.org/${account.database}/_security'`);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    button.click();
    await tick();
    await expect.poll(() => target.querySelector('pre')).toBeNull();
    expect(text()).not.toContain(account.password);
  });

  it('says when the user exists and only the database is missing', () => {
    const { text } = render({ database: account.database, username: account.username, status: 404, since: 1 }, 1);
    expect(text()).toContain('database does not exist there yet');
    expect(text()).toContain('1 change waiting here');
  });
});
