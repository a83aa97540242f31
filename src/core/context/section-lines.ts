/**
 * How each kind of input becomes the lines of its section: compact (tokens matter), one item per
 * line, every text from the user or the model escaped. The builder budgets these lines whole.
 */
import type { Episode, SearchResult, Turn, UserProfile } from '../../sdk/types';
import { escapeBlock, escapeLine } from './escape';

/** A section: `<tag>`, its lines, `</tag>`, each on a line of its own. */
export function wrapSection(tag: string, lines: readonly string[]): string {
  return `<${tag}>\n${lines.join('\n')}\n</${tag}>`;
}

/** `2026-11-25`, or nothing for a time that is not a date. */
function day(time: number | undefined): string | undefined {
  if (time === undefined || !Number.isFinite(time)) return undefined;
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().slice(0, 10);
}

/** `[label · 2026-11-25]`, `[label · 2025-01-01 to 2026-03-01]`, or `[label]` without a valid date. */
function tagOf(label: string, from: number | undefined, to?: number): string {
  const start = day(from);
  const end = day(to);
  if (!start) return `[${label}]`;
  return end ? `[${label} · ${start} to ${end}]` : `[${label} · ${start}]`;
}

/**
 * The profile, one entry per line: scalar fields first (who the user is and how to talk to them),
 * then interests, goals, facts and preferences. Blank values are left out.
 */
export function profileLines(profile: UserProfile | undefined): string[] {
  if (!profile) return [];
  const lines: string[] = [];
  const add = (label: string, value: string | undefined) => {
    const text = value === undefined ? '' : escapeLine(value);
    if (text) lines.push(`${label}: ${text}`);
  };
  add('name', profile.name);
  add('preferred name', profile.preferredName);
  add('communication style', profile.communicationStyle);
  add('technical level', profile.technicalLevel);
  for (const value of profile.interests ?? []) add('interest', value);
  for (const value of profile.goals ?? []) add('goal', value);
  for (const value of profile.facts ?? []) add('fact', value);
  for (const [key, value] of Object.entries(profile.preferences ?? {})) {
    const name = escapeLine(key);
    add(name ? `preference ${name}` : 'preference', value);
  }
  return lines;
}

/** `[fact · 2026-03-14]`: a memory's kind and the date it became true (and stopped being, if it did). */
export function memoryHeader({ item }: SearchResult): string {
  return tagOf(item.kind, item.validFrom, item.validTo);
}

/** `- Lives in Lisbon`: one memory, under its header. */
export function memoryLine({ item }: SearchResult): string {
  return `- ${escapeLine(item.text)}`.trimEnd();
}

const startOf = ({ item }: SearchResult) => (Number.isFinite(item.validFrom) ? item.validFrom : Infinity);
/** Older first; ties (and times that are not numbers) keep the given order (`sort` is stable). */
const byCreation = (a: SearchResult, b: SearchResult) =>
  a.item.createdAt < b.item.createdAt ? -1 : a.item.createdAt > b.item.createdAt ? 1 : 0;

/**
 * The memories grouped by header: each header (kind and dates) on a line of its own, once, with
 * the memories it applies to below it, so ten memories of one day say that day once:
 *
 * ```
 * [fact · 2026-03-14]
 * - Lives in Lisbon
 * - Works at a bakery
 * [turn · 2026-03-20]
 * - user: we adopted a cat
 * ```
 *
 * Groups run oldest first (undated ones last), and so do the memories inside a group (by when
 * they were stored; ties keep the rank order), so turns of one conversation read as it went. A header is built from the kind and
 * dates alone and every memory line starts with `- `, so no memory text can pose as a header.
 */
export function memoryGroupLines(results: readonly SearchResult[]): string[] {
  const groups = new Map<string, SearchResult[]>();
  for (const result of results) {
    const header = memoryHeader(result);
    const group = groups.get(header);
    if (group) group.push(result);
    else groups.set(header, [result]);
  }
  return [...groups.entries()]
    .map(([header, members], order) => ({ header, members, order, start: Math.min(...members.map(startOf)) }))
    .sort((a, b) => (a.start === b.start ? a.order - b.order : a.start < b.start ? -1 : 1))
    .flatMap(({ header, members }) => [header, ...members.sort(byCreation).map(memoryLine)]);
}

const STATUS: Record<Episode['status'], string> = { open: 'in progress', succeeded: 'succeeded', failed: 'failed' };

/**
 * `- [failed · 2026-05-02] Book a table; 3 steps, last: called at 6pm → no answer; lessons: call
 * before noon`: the task, how it went, its last action and outcome, and what was learned.
 */
export function experienceLine(episode: Episode): string {
  const parts = [`- ${tagOf(STATUS[episode.status] ?? 'unknown', episode.startedAt)} ${escapeLine(episode.task)}`.trimEnd()];
  const last = episode.actions.at(-1);
  if (last) {
    const steps = episode.actions.length === 1 ? '1 step' : `${episode.actions.length} steps`;
    const outcome = escapeLine(last.outcome);
    parts.push(`${steps}, last: ${escapeLine(last.action)}${outcome ? ` → ${outcome}` : ''}`);
  }
  const lessons = episode.lessons.map(escapeLine).filter(Boolean);
  if (lessons.length > 0) parts.push(`lessons: ${lessons.join('; ')}`);
  return parts.join('; ');
}

/**
 * The rolling summary as one item (line breaks kept), or nothing when it is blank. Every line is
 * indented, the first one too: the summary is model-written text with no marker of its own, so
 * none of its lines may start like one (`assistant: …`, `### System:`).
 */
export function summaryLines(summary: string | undefined): string[] {
  const text = summary === undefined ? '' : escapeBlock(summary);
  return text ? [`  ${text}`] : [];
}

/** `user: …` / `assistant: …`; later lines of a turn are indented so they cannot pose as a turn. */
export function turnLine(turn: Turn): string {
  return `${turn.role}: ${escapeBlock(turn.content)}`.trimEnd();
}
