/**
 * What the xss suite watches on the page: the canary (installed before the app's scripts), CSP
 * violations, requests to the payloads' host, dialogs, page errors, and a scan of the DOM for
 * what only hostile text could have put there. Each finding is charged to the payloads the step
 * that saw it showed (see `Watch.check`).
 */
import type { Page } from 'playwright-core';
import { within } from '../harness';
import { payloadNumbers } from './xss-payloads';

/**
 * How long one step (its work, then the check of what it showed) may take. The slowest step took
 * 5.7 s beside two CPU hogs at load 9 (a whole quick run 145 s); a step that has not finished
 * within ten times that is stuck, and fails naming itself instead of holding the run.
 */
export const STEP_TIMEOUT = 60_000;
/** How long a single wait inside a step may take (the page's default timeout): less than the step. */
export const WAIT_TIMEOUT = 45_000;
/**
 * Failed steps after which the run stops, in a row or in all: the page did not come back, and every
 * later step would only wait out its own timeout (a stuck page once held the run for 30 minutes).
 */
const FAILED_IN_A_ROW = 3;
const FAILED_IN_ALL = 6;

/** One line on stderr as the run goes, so a run that stops or times out says where it was. */
export const progress = (line: string) =>
  // eslint-disable-next-line no-control-regex -- a payload's line breaks and control characters stay out of the log
  void process.stderr.write(`xss ${line.replace(/[\s\0-\x1f]+/g, ' ')}\n`);

/** Installed before the app's scripts: the canary, and a log of CSP violations. */
export function installCanary(): void {
  const log = { hits: [] as number[], violations: [] as string[] };
  Object.defineProperty(window, '__xss', { value: log });
  Object.defineProperty(window, 'xssCanary', {
    value: (n: unknown) => {
      log.hits.push(Number(n));
      (window as unknown as { xssCanaryBinding?: (n: unknown) => void }).xssCanaryBinding?.(n);
    },
  });
  // The event's target is the element that asked (an image, a link), which names its payload.
  document.addEventListener(
    'securitypolicyviolation',
    (event) => {
      const element = event.target instanceof Element ? ` by ${event.target.outerHTML.slice(0, 200)}` : '';
      log.violations.push(
        `${event.effectiveDirective} blocked ${event.blockedURI}${element} (sample ${event.sample}, ${event.sourceFile}:${event.lineNumber})`,
      );
    },
    true,
  );
}

/** Run in the page: what the DOM holds that hostile text could only have put there. */
function scanDom(): string[] {
  const allowed = new Set(
    'p br strong em del code pre blockquote ul ol li a h3 h4 h5 hr table thead tbody tr th td span'.split(' '),
  );
  const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background', 'to']);
  const found: string[] = [];
  const describe = (el: Element) => el.outerHTML.slice(0, 200);
  for (const el of document.body.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) found.push(`event attribute ${name}: ${describe(el)}`);
      if (name === 'srcdoc') found.push(`srcdoc: ${describe(el)}`);
      // eslint-disable-next-line no-control-regex -- control characters are part of the hostile text
      if (urlAttributes.has(name) && /^[\s\0-\x1f]*(javascript|vbscript|data:text)/i.test(attr.value))
        found.push(`script URL in ${name}: ${describe(el)}`);
    }
    if (el.matches('script, iframe, frame, object, embed, base, meta, link, form[action], template, math, style'))
      found.push(`<${el.localName}> in the page: ${describe(el)}`);
    if (el.closest('.markdown') && el !== el.closest('.markdown')) {
      if (!allowed.has(el.localName)) found.push(`<${el.localName}> in a reply: ${describe(el)}`);
      for (const attr of el.attributes)
        if (!['href', 'target', 'rel', 'class', 'aria-hidden'].includes(attr.name))
          found.push(`attribute ${attr.name} in a reply: ${describe(el)}`);
    }
  }
  return found;
}

export class Watch {
  readonly problems = new Map<number, string[]>();
  #errors = 0;
  #dialogs: string[] = [];
  #bound: number[] = [];
  #requests: string[] = [];

  constructor(
    readonly page: Page,
    readonly errors: string[],
  ) {
    page.on('dialog', (dialog) => {
      this.#dialogs.push(`${dialog.type()} "${dialog.message()}"`);
      void dialog.dismiss();
    });
    page.on('request', (request) => {
      if (/xss\.invalid/.test(request.url())) this.#requests.push(request.url());
    });
  }

  async bind(): Promise<void> {
    await this.page.exposeBinding('xssCanaryBinding', (_source, n: unknown) => void this.#bound.push(Number(n)));
  }

  blame(numbers: number[], problem: string): void {
    for (const n of numbers) {
      const list = this.problems.get(n) ?? [];
      if (list.length < 5) list.push(problem);
      this.problems.set(n, list);
    }
  }

  /**
   * Charges what happened since the last check to the payloads a finding names, else to those
   * the step showed. A number that only begins a shown one is a cut-off one (a reply streamed up
   * to `xss.invalid/1` of `xss.invalid/12`) and counts as the shown one. Steps that render a
   * payload as markup show that payload alone, so nothing is charged to a payload that merely
   * shared a screen with the guilty one. The canary names its own payload.
   */
  async check(where: string, shown: number[]): Promise<void> {
    const blameText = (text: string) => {
      const cutOff = (n: number) => !shown.includes(n) && shown.some((s) => String(s).startsWith(String(n)));
      const named = [...new Set(payloadNumbers(text).filter((n) => !cutOff(n)))];
      this.blame(named.length > 0 ? named : shown, `${text.slice(0, 300)} (${where})`);
    };
    // What the step put on screen has finished loading (or was refused): its CSP reports and
    // requests are in before they are read, never charged to the next step.
    await this.page
      .waitForFunction(() => [...document.images].every((image) => image.complete), undefined, {
        polling: 'raf',
        timeout: 10_000,
      })
      .catch(() => undefined);
    await this.page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    const { hits, violations } = await this.page.evaluate(() => {
      const log = (window as unknown as { __xss: { hits: number[]; violations: string[] } }).__xss;
      return { hits: log.hits.splice(0), violations: log.violations.splice(0) };
    });
    for (const n of [...hits, ...this.#bound.splice(0)]) this.blame([n], `the canary ran (${where})`);
    for (const violation of violations) blameText(`CSP violation: ${violation}`);
    for (const url of this.#requests.splice(0)) blameText(`the page requested ${url}`);
    for (const dialog of this.#dialogs.splice(0)) blameText(`a dialog opened: ${dialog}`);
    for (const error of this.errors.slice(this.#errors)) blameText(`page error: ${error}`);
    this.#errors = this.errors.length;
    for (const finding of await this.page.evaluate(scanDom)) blameText(finding);
  }

  /** The step under way (or the last one), for a failure message. */
  current = 'opening the app';
  /** Brings the page back to a known state after a failed step (the test sets it: the app opened again). */
  recover?: () => Promise<void>;
  #steps = 0;
  #failedInARow = 0;
  #failedInAll = 0;
  readonly #began = Date.now();

  /**
   * Runs one step of the visit; a step that fails is blamed on the payloads it shows, and
   * {@link Watch.recover} brings the page back to a known state before the next step. The work and
   * the check are each bounded by {@link STEP_TIMEOUT}; a run whose page does not come back stops
   * with an error naming the step instead of waiting out every later step.
   */
  async step(where: string, shown: number[], work: () => Promise<unknown>): Promise<void> {
    const t0 = Date.now();
    this.current = where;
    progress(`step ${++this.#steps} at ${((t0 - this.#began) / 1000).toFixed(1)} s: ${where.slice(0, 80)}`);
    const working = work();
    // A step given up on may still reject later: that is no unhandled rejection.
    working.catch(() => undefined);
    let failure: string | undefined;
    try {
      await within(working, STEP_TIMEOUT, `step “${where}”`);
    } catch (error) {
      failure = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      this.blame(shown, `${where} failed: ${failure}`);
    }
    const checking = this.check(where, shown);
    checking.catch(() => undefined);
    await within(checking, STEP_TIMEOUT, `the check after step “${where}”`);
    if (process.env.XSS_TIMING) console.log(`${Date.now() - t0} ms ${where.slice(0, 50)}`);
    if (failure === undefined) {
      this.#failedInARow = 0;
      return;
    }
    progress(`step ${this.#steps} failed: ${failure.slice(0, 200)}`);
    this.#failedInARow++;
    this.#failedInAll++;
    if (this.#failedInARow >= FAILED_IN_A_ROW || this.#failedInAll >= FAILED_IN_ALL)
      throw new Error(
        `xss stopped at step ${this.#steps} “${where}”: ${this.#failedInARow} failed steps in a row, ` +
          `${this.#failedInAll} in all; the last: ${failure}`,
      );
    if (!this.recover) return;
    const again = `opening the app again after step “${where}”`;
    await within(this.recover(), STEP_TIMEOUT, again);
    // What the page did while it opened again is charged to the failed step's payloads, not the next step's.
    await within(this.check(again, shown), STEP_TIMEOUT, `the check after ${again}`);
  }
}
