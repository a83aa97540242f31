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
      host.innerHTML = renderMarkdown(input);
      const elements = [...host.querySelectorAll('*')];
      expect(elements.map((element) => element.localName)).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/^(script|iframe|svg|img|details|object|embed)$/)]),
      );
      for (const element of elements) {
        expect([...element.attributes].map((attribute) => attribute.name).filter((name) => name.startsWith('on'))).toEqual([]);
        expect(element.getAttribute('href') ?? '').not.toMatch(/^\s*(javascript|data|vbscript):/i);
      }
      host.querySelectorAll('a').forEach((link) => link.click());
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((window as { __md?: number }).__md).toBeUndefined();
    // The words stay visible to the reader.
    host.innerHTML = renderMarkdown(HOSTILE[0]!);
    expect(host.textContent).toContain('<script>window.__md = 1</script>');
    host.remove();
  });
});
