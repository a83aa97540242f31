/**
 * Settings → Devices & sync → Devices, on two devices (two Chromium contexts) against
 * pouchdb-server on a free loopback port, reached through the run's relay: both devices are
 * listed on each, this one marked; removing the other asks first, saying what happens; afterwards
 * the list holds this device, the app says the recovery phrase changed, and the removed device
 * says it was removed and keeps its memories. Every wait is for a state.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { axeViolations } from './a11y';
import { listedMemories, openApp, remember } from './browser';
import { openSettings, syncSection, useRelayedSyncServer } from './sync-settings-ui';

/** The test's server through the relay. */
const serverUrl = useRelayedSyncServer();
const devices = (page: Page) => syncSection(page).getByRole('list', { name: 'Devices' }).getByRole('listitem');

describe('Settings → Devices & sync → Devices', () => {
  it('lists both devices, removes one after a confirmation, and the removed one says so and keeps its memories', async () => {
    const a = await openApp();
    const b = await openApp();
    const memory = 'Canary-devices-ui: the user sails a small boat called Ariel';
    await remember(b.page, memory);
    await openSettings(a.page);
    const sectionA = syncSection(a.page);
    await sectionA.getByLabel('Sync server').fill(serverUrl());
    expect(await sectionA.getByLabel('The server needs a login').isChecked()).toBe(false);
    await sectionA.getByRole('button', { name: 'Turn on sync' }).click();
    await sectionA.locator('[data-state="idle"]').waitFor();
    await sectionA.getByRole('button', { name: 'Show the pairing code' }).click();
    const code = await sectionA.getByLabel('Pairing code', { exact: true }).inputValue();

    await openSettings(b.page);
    const sectionB = syncSection(b.page);
    await sectionB.getByLabel('Pairing code or recovery phrase').fill(code);
    await sectionB.getByRole('button', { name: 'Join', exact: true }).click();
    await sectionB.locator('[data-state="idle"]').waitFor();

    // Both list both devices, each marking itself.
    for (const page of [a.page, b.page]) {
      await expect.poll(() => devices(page).count()).toBe(2);
      expect(await devices(page).filter({ hasText: 'This device' }).count()).toBe(1);
      expect(await devices(page).first().innerText()).toContain('This device');
    }
    expect(await axeViolations(a.page, 'the device list')).toEqual([]);

    // Remove B from A: a confirmation says what happens; Cancel keeps it.
    const other = devices(a.page).filter({ hasNotText: 'This device' });
    await other.getByRole('button', { name: /^Remove / }).click();
    const confirm = sectionA.getByRole('alertdialog');
    expect(await confirm.innerText()).toContain('can no longer download or read anything new');
    expect(await confirm.innerText()).toContain('recovery phrase and pairing code change');
    expect(await axeViolations(a.page, 'removing a device: the confirmation')).toEqual([]);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await devices(a.page).count()).toBe(2);
    await other.getByRole('button', { name: /^Remove / }).click();
    await sectionA
      .getByRole('alertdialog')
      .getByRole('button', { name: /^Remove / })
      .click();

    await expect.poll(() => devices(a.page).count()).toBe(1);
    expect(await devices(a.page).first().innerText()).toContain('This device');
    const changed = sectionA.getByRole('status').filter({ hasText: 'Your sync key changed' });
    expect(await changed.innerText()).toContain('old recovery phrase and pairing codes no longer work');
    await changed.getByRole('button', { name: 'I have written down the new phrase' }).click();
    expect(await sectionA.getByText('Your sync key changed').count()).toBe(0);
    // The code shown before went with the old key: hidden; shown again, it is the new one.
    expect(await sectionA.getByLabel('Pairing code', { exact: true }).count()).toBe(0);
    await sectionA.getByRole('button', { name: 'Show the pairing code' }).click();
    expect(await sectionA.getByLabel('Pairing code', { exact: true }).inputValue()).not.toBe(code);

    // B finds out by itself: removed, sync off, its memory still here.
    await sectionB.getByText('removed this one from sync').waitFor();
    expect(await sectionB.getByRole('button', { name: 'Turn on sync' }).count()).toBe(1);
    expect(await devices(b.page).count()).toBe(0);
    await b.page.getByRole('link', { name: 'Memory', exact: true }).click();
    expect(await listedMemories(b.page)).toEqual([memory]);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});
