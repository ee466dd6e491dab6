import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/index.js';

describe('parseDuration', () => {
  it.each([
    ['PT15M', 15 * 60_000],
    ['PT1S', 1000],
    ['PT0.5S', 500],
    ['PT0,25S', 250],
    ['P7D', 7 * 86_400_000],
    ['P1W', 7 * 86_400_000],
    ['P1DT1H1M1S', 86_400_000 + 3_661_000],
    ['PT1H30M', 5_400_000],
    ['P1M', 30 * 86_400_000],
    ['P1Y', 365 * 86_400_000],
    ['pt10s', 10_000],
    ['PT0S', 0],
  ])('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'P', 'PT', 'P1DT', '15m', 'PT-1S', 'PT1.S', 'P1H', 'T1S', 'PT1M1H'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('formatDuration', () => {
    expect(formatDuration(15 * 60_000)).toBe('PT15M');
    expect(formatDuration(7 * 86_400_000)).toBe('P7D');
    expect(formatDuration(86_400_000 + 3_661_500)).toBe('P1DT1H1M1.5S');
    expect(formatDuration(0)).toBe('PT0S');
  });
});
