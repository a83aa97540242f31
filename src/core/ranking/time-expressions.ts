/**
 * Time expressions in English text, as spans of time: "on 8 May, 2023" and "May 8th 2023" (that
 * day), "in October 2023" (that month), "in 2022" (that year), "in June" (June of any year),
 * "2023-05-08" / "2023-05", and, relative to now, "today", "yesterday", "last week / month / year /
 * weekend", "this week / month / year", "last May", "three days ago". Bare "may" is a month only
 * beside a day or a year or after "in", "last", "this", "since", "early", "mid" or "late", so
 * "May I ask?" names no time. Used both ways: on a query (which times it asks about) and on a
 * memory's date text (`metadata.date`, e.g. "1:56 pm on 8 May, 2023": the first span found is its
 * time). Times are UTC calendar days; a day span has a day of slack on each side (time zones, "last
 * night"). Known misreadings, each only a boost to memories of that month or year: a person called
 * June or April, the verb "march", a count such as "2000 people".
 */

/** A span of time, `from` inclusive, `to` exclusive (ms since the epoch); or a month of any year. */
export type TimeSpan = { from: number; to: number } | { month: number };

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const DAY_MS = 86_400_000;
const NUMBERS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7 };
const UNIT_DAYS: Record<string, number> = { day: 1, week: 7, month: 30, year: 365 };

/** A month by its name or its first three or more letters ("sept", "oct"). */
const monthOf = (word: string): number | undefined => {
  const at = MONTHS.findIndex((name) => word.length >= 3 && name.startsWith(word));
  return at < 0 ? undefined : at;
};
const dayOf = (word: string | undefined): number | undefined => {
  const match = word === undefined ? null : /^(\d{1,2})(?:st|nd|rd|th)?$/.exec(word);
  const day = match ? Number(match[1]) : NaN;
  return day >= 1 && day <= 31 ? day : undefined;
};
const yearOf = (word: string | undefined): number | undefined =>
  word !== undefined && /^(19|20)\d\d$/.test(word) ? Number(word) : undefined;

const daySpan = (year: number, month: number, day: number) => {
  const start = Date.UTC(year, month, day);
  return { from: start - DAY_MS, to: start + 2 * DAY_MS };
};
const monthSpan = (year: number, month: number) => ({ from: Date.UTC(year, month, 1), to: Date.UTC(year, month + 1, 1) });
const yearSpan = (year: number) => ({ from: Date.UTC(year, 0, 1), to: Date.UTC(year + 1, 0, 1) });
const MONTH_CUES = new Set(['in', 'last', 'this', 'since', 'early', 'mid', 'late', 'during', 'of', 'next']);

/** Every time span the text names, in order; `now` resolves relative expressions. */
export function timeSpans(text: string, now: number): TimeSpan[] {
  const words = text.toLowerCase().match(/\d{4}-\d{2}(?:-\d{2})?|[a-z]+|\d+(?:st|nd|rd|th)?/g) ?? [];
  const spans: TimeSpan[] = [];
  const today = new Date(now);
  const [thisYear, thisMonth] = [today.getUTCFullYear(), today.getUTCMonth()];
  const midnight = Date.UTC(thisYear, thisMonth, today.getUTCDate());
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const iso = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(word);
    if (iso) {
      const [year, month] = [Number(iso[1]), Number(iso[2]) - 1];
      spans.push(iso[3] ? daySpan(year, month, Number(iso[3])) : monthSpan(year, month));
      continue;
    }
    const month = monthOf(word);
    if (month !== undefined) {
      const before = words[i - 1];
      let [day, year] = [dayOf(before), yearOf(words[i + 1])];
      let used = 0;
      if (day === undefined && dayOf(words[i + 1]) !== undefined) {
        [day, year, used] = [dayOf(words[i + 1]), yearOf(words[i + 2]), 1];
      }
      if (year !== undefined) used++;
      if (word === 'may' && day === undefined && year === undefined && !MONTH_CUES.has(before ?? '')) continue;
      if (before === 'last' && year === undefined) year = month < thisMonth ? thisYear : thisYear - 1;
      if (year !== undefined) spans.push(day !== undefined ? daySpan(year, month, day) : monthSpan(year, month));
      else spans.push({ month });
      i += used;
      continue;
    }
    const year = yearOf(word);
    if (year !== undefined) {
      spans.push(yearSpan(year));
      continue;
    }
    const relative = relativeSpan(word, words[i + 1], words[i + 2], { now, midnight, thisYear, thisMonth });
    if (relative) {
      spans.push(relative.span);
      i += relative.used;
    }
  }
  return spans;
}

interface Now {
  now: number;
  midnight: number;
  thisYear: number;
  thisMonth: number;
}

function relativeSpan(
  word: string,
  next: string | undefined,
  after: string | undefined,
  { midnight, thisYear, thisMonth }: Now,
): { span: TimeSpan; used: number } | undefined {
  if (word === 'today' || word === 'tonight') return { span: { from: midnight - DAY_MS, to: midnight + 2 * DAY_MS }, used: 0 };
  if (word === 'yesterday') return { span: { from: midnight - 2 * DAY_MS, to: midnight + DAY_MS }, used: 0 };
  if ((word === 'last' || word === 'this') && next !== undefined) {
    const back = word === 'last' ? 1 : 0;
    // This week: the last seven days; last week: the seven before them (a day of slack each side).
    if (next === 'week' || next === 'weekend')
      return { span: { from: midnight - (7 * back + 8) * DAY_MS, to: midnight - (7 * back - 2) * DAY_MS }, used: 1 };
    if (next === 'month') return { span: monthSpan(thisYear, thisMonth - back), used: 1 };
    if (next === 'year') return { span: yearSpan(thisYear - back), used: 1 };
  }
  // "three days ago", "2 weeks ago", "a month ago": that point, give or take half the unit (at least a day).
  const count = /^\d+$/.test(word) ? Number(word) : NUMBERS[word];
  const unit = next?.replace(/s$/, '');
  if (count !== undefined && unit !== undefined && UNIT_DAYS[unit] !== undefined && after === 'ago') {
    const days = count * UNIT_DAYS[unit]!;
    const slack = Math.max(1, UNIT_DAYS[unit]! / 2);
    return { span: { from: midnight - (days + slack) * DAY_MS, to: midnight - (days - slack - 1) * DAY_MS }, used: 2 };
  }
  return undefined;
}

/** The time a date text names (the middle of its first span), or undefined when it names none or only a month. */
export function timeOf(text: string, now: number): number | undefined {
  const span = timeSpans(text, now)[0];
  return span === undefined || 'month' in span ? undefined : (span.from + span.to) / 2;
}

/** Whether a time (ms) falls in a span. */
export function inSpan(time: number, span: TimeSpan): boolean {
  if ('month' in span) return new Date(time).getUTCMonth() === span.month;
  return time >= span.from && time < span.to;
}
