/**
 * Time-aware ranking: when a question names a time ("in May 2023", "last year", "on 3 June"), what
 * was said then matters more. A memory's time is its `metadata.date` (a date text such as "8 May,
 * 2023" or "1:56 pm on 8 May, 2023", an ISO date, or ms since the epoch) when it has one, else the
 * time it became true (`validFrom`). A memory whose time falls in a span the query names gets
 * `weight` × its score on top; nothing changes for a query that names no time.
 */
import type { MemoryItem } from '../../sdk/types';
import { byScore, withContribution, type Ranked } from './hybrid';
import { inSpan, timeOf, type TimeSpan } from './time-expressions';

/**
 * The memories' times, worked out once per memory and forgotten after changes. A date text is read once
 * until then, whichever memory carries it: the turns of a conversation's session share theirs.
 */
export class MemoryTimes {
  #times = new Map<string, number>();
  #read = new Map<string, number | undefined>();

  invalidate(): void {
    this.#times.clear();
    this.#read.clear();
  }

  of(item: MemoryItem, now: number): number {
    let time = this.#times.get(item.id);
    if (time === undefined) {
      const date = item.metadata.date;
      const stated =
        typeof date === 'number' && Number.isFinite(date)
          ? date
          : typeof date === 'string'
            ? this.#readText(date, now)
            : undefined;
      time = stated ?? item.validFrom;
      this.#times.set(item.id, time);
    }
    return time;
  }

  #readText(date: string, now: number): number | undefined {
    if (this.#read.has(date)) return this.#read.get(date);
    const time = timeOf(date, now);
    this.#read.set(date, time);
    return time;
  }
}

/** `sort` false: the results come back in no particular order (refine.ts sorts once after every boost). */
export function boostByTime(
  ranked: Ranked[],
  spans: TimeSpan[],
  weight: number,
  timeOfItem: (item: MemoryItem) => number,
  sort = true,
): Ranked[] {
  if (weight <= 0 || spans.length === 0) return ranked;
  const out = ranked.map((result) => {
    const time = timeOfItem(result.item);
    if (!spans.some((span) => inSpan(time, span))) return result;
    const extra = weight * Math.max(0, result.score);
    return withContribution(result, 'time', extra);
  });
  return sort ? out.sort(byScore) : out;
}
