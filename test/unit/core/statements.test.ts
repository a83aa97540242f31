import { describe, expect, it } from 'vitest';
import { isQuestion, statementsOf } from '../../../src/core/semantic/statements';

describe('statements of a message (what the user said, not what they asked)', () => {
  it('drops questions, with or without a question mark, and keeps what was stated', () => {
    expect(statementsOf('What is my name and where do I live?')).toBe('');
    expect(statementsOf('I live in Lisbon. Where is the nearest bakery?')).toBe('I live in Lisbon.');
    expect(statementsOf('where do I live')).toBe('');
    expect(statementsOf('I moved here for work. How long have I lived here')).toBe('I moved here for work.');
    expect(statementsOf('Do you know my sister\nShe is called Ana')).toBe('She is called Ana');
  });

  it('keeps statements that only open like a question', () => {
    expect(isQuestion('When I was young I lived in Porto')).toBe(false);
    expect(isQuestion('How I met my wife is a long story.')).toBe(false);
    expect(isQuestion('Do not call me before nine.')).toBe(false);
    expect(statementsOf('Where I grew up, it snowed every winter.')).toBe('Where I grew up, it snowed every winter.');
  });

  it('leaves out a sentence a "do not remember" rule withheld a part of', () => {
    expect(statementsOf('I live in Porto. My password is [withheld: password]. [withheld: health]')).toBe('I live in Porto.');
  });
});
