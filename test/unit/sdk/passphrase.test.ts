import { describe, expect, it } from 'vitest';
import { PASSPHRASE_MIN_LENGTH, passphraseStrength } from '../../../src/sdk/index';

describe('passphrase strength', () => {
  it('refuses what an offline attacker tries first, each with its reason', () => {
    expect(PASSPHRASE_MIN_LENGTH).toBe(12);
    const reasons: Record<string, RegExp> = {
      '': /^Too short/,
      elevenchars: /^Too short/,
      password1234: /most used/,
      'Password2024!': /most used/,
      iloveyouiloveyou: /most used/,
      'correct horse battery staple': /most used/,
      aaaaaaaaaaaaaaaa: /repeats/,
      abcabcabcabcabc: /repeats/,
      abcdefghijklmn: /run of keys/,
      qwertyuiopasdf: /run of keys/,
      '123456789012': /(run of keys|digits only)/,
      '902184756302': /digits only/,
    };
    for (const [passphrase, reason] of Object.entries(reasons)) {
      const strength = passphraseStrength(passphrase);
      expect(strength.level, passphrase).toBe('weak');
      expect(strength.reason, passphrase).toMatch(reason);
    }
  });

  it('says fair or strong, in words, for what it accepts', () => {
    expect(passphraseStrength('amber lanterns over the harbour')).toEqual({
      level: 'strong',
      reason: 'Strong: four or more words.',
    });
    expect(passphraseStrength('x7#Kq9!mZ2@pL4$w').level).toBe('strong');
    expect(passphraseStrength('blue whale at noon')).toMatchObject({ level: 'strong' });
    expect(passphraseStrength('harbourlights')).toMatchObject({ level: 'fair', reason: expect.stringMatching(/^Fair: /) });
    expect(passphraseStrength('old passphrase').level).not.toBe('weak');
  });
});
