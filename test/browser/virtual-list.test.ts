/** The windowed list keeps 10k memories cheap: only the rows in view are in the DOM, at any scroll position. */
import { describe, expect, it } from 'vitest';
import { createRawSnippet, flushSync, mount, unmount } from 'svelte';
import VirtualList from '../../src/app/components/VirtualList.svelte';

describe('virtual list', () => {
  it('renders only the visible rows of 10,000 and follows the scroll to the end', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({ id: `m${i}`, text: `Memory number ${i}` }));
    const target = document.createElement('div');
    document.body.append(target);
    type Item = (typeof items)[number];
    const row = createRawSnippet<[Item, number]>((item) => ({
      render: () => `<p class="row-text">${item().text}</p>`,
    }));
    const list = mount(VirtualList, {
      target,
      props: { items, rowHeight: 40, height: '400px', key: (item: Item) => item.id, row, label: 'Memories' } as never,
    });
    flushSync();
    const viewport = target.querySelector<HTMLElement>('[role="region"]')!;
    const rendered = () => [...target.querySelectorAll('.row-text')].map((element) => element.textContent);
    expect(rendered().length).toBeLessThan(40);
    expect(rendered()[0]).toBe('Memory number 0');

    viewport.scrollTop = 40 * 9_990;
    viewport.dispatchEvent(new Event('scroll'));
    await new Promise((resolve) => requestAnimationFrame(resolve));
    flushSync();
    expect(rendered()).toContain('Memory number 9999');
    expect(rendered().length).toBeLessThan(40);
    expect(target.querySelectorAll('li').length).toBe(rendered().length);
    unmount(list);
    target.remove();
  });
});
