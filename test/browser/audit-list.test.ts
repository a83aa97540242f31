/** The change history speaks plainly: who did what, and why in words rather than record ids. */
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import AuditList from '../../src/app/components/memory/AuditList.svelte';
import type { AuditEntry } from '../../src/sdk/types';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function render(entries: AuditEntry[]): string[] {
  const target = document.createElement('div');
  document.body.append(target);
  const list = mount(AuditList, { target, props: { entries } });
  flushSync();
  cleanup = () => {
    unmount(list);
    target.remove();
  };
  return [...target.querySelectorAll('li')].map((item) => item.textContent?.replace(/\s+/g, ' ').trim() ?? '');
}

const at = Date.UTC(2026, 11, 5, 9, 30);

describe('change history', () => {
  it('says a profile entry the model made came from a conversation, without the turn id', () => {
    const [line] = render([
      {
        at,
        actor: 'llm',
        action: 'create',
        entity: 'profile',
        entityId: 'interests:jazz',
        after: { value: 'jazz', setBy: 'llm', pinned: false, rejected: false },
        reason: 'from turn 01JE9K3Q5ZTURN',
      },
    ]);
    expect(line).toMatch(/^The model created · /);
    expect(line).toContain('jazz');
    expect(line).toContain('from something you said in a conversation');
    expect(line).not.toContain('01JE9K3Q5ZTURN');
  });

  it('keeps a reason a person wrote as it is', () => {
    const [line] = render([
      {
        at,
        actor: 'user',
        action: 'update',
        entity: 'profile',
        entityId: 'name',
        before: { value: 'Ada', setBy: 'llm', pinned: false, rejected: false },
        after: { value: 'Ada L.', setBy: 'user', pinned: false, rejected: false },
        reason: 'corrected by hand',
      },
    ]);
    expect(line).toMatch(/^You edited · /);
    expect(line).toContain('Ada → Ada L.');
    expect(line).toContain('corrected by hand');
  });

  it('says how many memories a bulk addition created, in one line', () => {
    const lines = render([
      { at, actor: 'user', action: 'create', entity: 'memory', entityId: 'batch:b1', entityIds: ['m1', 'm2', 'm3'] },
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^You created 3 memories · /);
  });
});
