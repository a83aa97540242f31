import { describe, expect, it } from 'vitest';
import {
  checkPatterns,
  describePrivacy,
  notSavedRetention,
  parseRetentionDays,
  withheldNote,
} from '../../../src/app/state/privacy-form';

describe('the privacy form', () => {
  it('takes whole days from 1 to 36,500, or empty for "until they fade", whatever the input hands over', () => {
    expect(parseRetentionDays('90')).toEqual({ ok: true, days: 90 });
    expect(parseRetentionDays(90)).toEqual({ ok: true, days: 90 });
    expect(parseRetentionDays(' 7 ')).toEqual({ ok: true, days: 7 });
    expect(parseRetentionDays('')).toEqual({ ok: true, days: undefined });
    expect(parseRetentionDays(null)).toEqual({ ok: true, days: undefined });
    expect(parseRetentionDays(undefined)).toEqual({ ok: true, days: undefined });
    expect(parseRetentionDays('36500')).toEqual({ ok: true, days: 36_500 });
    for (const bad of ['-5', '0', '36501', '1.5', 'abc', '1e3', '9'.repeat(20)]) {
      expect(parseRetentionDays(bad)).toMatchObject({ ok: false, problem: expect.any(String) });
    }
    expect(parseRetentionDays('-5')).toEqual({ ok: false, problem: '“-5” is not a whole number of days (1 to 36,500).' });
    expect(parseRetentionDays('0')).toEqual({ ok: false, problem: 'Keep for 1 to 36,500 days, or leave it empty.' });
  });

  it('keeps the valid pattern lines and names each invalid one', () => {
    const checked = checkPatterns('salary\n\n(unclosed\n  bank \\d+ \nsalary');
    expect(checked.valid).toEqual(['salary', 'bank \\d+']);
    expect(checked.invalid.map((line) => line.pattern)).toEqual(['(unclosed']);
  });

  it('says what is in force and what was not saved, in plain words', () => {
    expect(
      describePrivacy({ retention: { turn: 90, note: 1 }, doNotRemember: { rules: ['password', 'health'], patterns: ['x'] } }),
    ).toEqual([
      'Kept turns for 90 days, notes for 1 day; everything else until it fades.',
      'Not remembered: Passwords and PINs, Health conditions and medication, your pattern.',
    ]);
    expect(describePrivacy({ retention: {}, doNotRemember: { rules: [], patterns: [] } })).toEqual([
      'Every kind of memory is kept until it fades.',
      'No “do not remember” rules are on.',
    ]);
    expect(notSavedRetention('summary', 'Keep for 1 to 36,500 days, or leave it empty.', undefined)).toBe(
      'Keep summaries: Keep for 1 to 36,500 days, or leave it empty. Summaries are still kept until they fade.',
    );
    expect(withheldNote(['password', 'card-number'])).toBe(
      'Not stored and not sent to the model: a password and a card number (your “do not remember” rules).',
    );
  });
});
