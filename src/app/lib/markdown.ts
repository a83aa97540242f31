/**
 * Model output as safe HTML: markdown through `marked` (raw HTML in the text is shown as text,
 * never parsed), then DOMPurify with a short allow-list as a second line of defence: no event
 * handlers, no `javascript:`/`data:` links; links open in a new tab without access to this page.
 * Memory text elsewhere in the app is never rendered as HTML at all (plain text nodes).
 */
import { Marked } from 'marked';
import DOMPurify from 'dompurify';

const ALLOWED_TAGS = [
  'p',
  'br',
  'strong',
  'em',
  'del',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'a',
  'h3',
  'h4',
  'h5',
  'hr',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
];

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const markdown: Marked = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    // A model that writes `<script>` or `<img onerror>` gets it displayed, not run.
    html: (token) => escapeHtml(token.text),
    // Headings stay small inside a chat bubble.
    heading({ tokens, depth }): string {
      const level = Math.max(3, Math.min(depth + 2, 5));
      return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>`;
    },
  },
});

let hooked = false;

export function renderMarkdown(text: string): string {
  if (!hooked) {
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName !== 'A') return;
      const href = node.getAttribute('href') ?? '';
      if (!/^(https?:|mailto:)/i.test(href)) node.removeAttribute('href');
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    });
    hooked = true;
  }
  const html = markdown.parse(text, { async: false });
  return DOMPurify.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR: ['href', 'target', 'rel'], ALLOW_DATA_ATTR: false });
}
