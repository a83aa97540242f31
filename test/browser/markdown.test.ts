/** Model output rendered as markdown can never run script: the renderer on a suite of hostile inputs, in real Chromium. */
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/app/lib/markdown';

const HOSTILE = [
  '<script>window.__md = 1</script>',
  '<img src=x onerror="window.__md = 2">',
  '<svg onload="window.__md = 3"></svg>',
  '[click](javascript:window.__md=4)',
  '[data](data:text/html,<script>window.__md=5</script>)',
  '<a href="javascript:window.__md=6">a</a>',
  '<iframe src="javascript:window.__md=7"></iframe>',
  '![x](x" onerror="window.__md=8)',
  '<details open ontoggle="window.__md=9">d</details>',
  '`<script>window.__md=10</script>`',
];

/**
 * Resolves once the browser has run what mounting and clicking queued: trusted markup mounted
 * after the hostile one queues the same kinds of task (a script URL followed on click, an image's
 * error event, a details element's toggle event), and each calls back when it runs. Those tasks
 * run in the order they were queued, so by then any handler or script URL that slipped through
 * the renderer would have run too.
 */
async function queuedTasksRan(host: HTMLElement): Promise<void> {
  const kinds = ['link', 'error', 'toggle'];
  const ran = new Set<string>();
  await new Promise<void>((resolve) => {
    (window as { __ran?: (kind: string) => void }).__ran = (kind) => {
      ran.add(kind);
      if (ran.size === kinds.length) resolve();
    };
    const canaries = document.createElement('div');
    canaries.innerHTML =
      '<a href="javascript:void window.__ran(\'link\')">canary</a>' +
      '<img src="x" alt="" onerror="window.__ran(\'error\')">' +
      '<details open ontoggle="window.__ran(\'toggle\')">canary</details>';
    host.append(canaries);
    canaries.querySelector('a')!.click();
  });
  delete (window as { __ran?: unknown }).__ran;
}

describe('markdown of model output', () => {
  it('renders formatting, code and safe links', () => {
    const html = renderMarkdown('**bold** and _it_\n\n- one\n- two\n\n```js\nlet a = 1 < 2;\n```\n\n[docs](https://example.org)');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('let a = 1 &lt; 2;');
    expect(html).toMatch(/<a href="https:\/\/example.org" target="_blank" rel="noopener noreferrer nofollow">docs<\/a>/);
  });

  it('shows raw HTML as text and drops script URLs and handlers, so nothing runs when mounted and clicked', async () => {
    const host = document.createElement('div');
    document.body.append(host);
    for (const input of HOSTILE) {
      const rendered = document.createElement('div');
      rendered.innerHTML = renderMarkdown(input);
      host.append(rendered);
      const elements = [...rendered.querySelectorAll('*')];
      expect(elements.map((element) => element.localName)).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/^(script|iframe|svg|img|details|object|embed)$/)]),
      );
      for (const element of elements) {
        expect([...element.attributes].map((attribute) => attribute.name).filter((name) => name.startsWith('on'))).toEqual([]);
        expect(element.getAttribute('href') ?? '').not.toMatch(/^\s*(javascript|data|vbscript):/i);
      }
      rendered.querySelectorAll('a').forEach((link) => link.click());
    }
    await queuedTasksRan(host);
    expect((window as { __md?: number }).__md).toBeUndefined();
    // The words stay visible to the reader.
    host.innerHTML = renderMarkdown(HOSTILE[0]!);
    expect(host.textContent).toContain('<script>window.__md = 1</script>');
    host.remove();
  });
});
