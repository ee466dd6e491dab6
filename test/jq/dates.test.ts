import { describe, expect, it } from 'vitest';
import { dateBuiltins } from '../../src/jq/builtins/dates.js';
import { nativeCaller, run } from './native-helpers.js';
import type { Value } from '../../src/jq/values.js';

const { call, errorOf } = nativeCaller(dateBuiltins);

// Every conversion glibc's strftime knows, and its flags; expected outputs come from glibc.
const ALL = '%a %A %b %B %c %C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %n %p %P %r %R %s %S %t %T %u %U %V %w %W %x %X %y %Y %z %Z %%';
const FLAGS = '%-d %_m %05Y %^a %#b %#p %10A %-j %3d %Q %Ey %Od %+ %-y %_H %#Z';

describe('gmtime and mktime', () => {
  it('convert between seconds and broken-down UTC time', () => {
    expect(call('gmtime/0', 1425599507)).toEqual([2015, 2, 5, 23, 51, 47, 4, 63]);
    expect(call('gmtime/0', 0)).toEqual([1970, 0, 1, 0, 0, 0, 4, 0]);
    expect(call('gmtime/0', -86400)).toEqual([1969, 11, 31, 0, 0, 0, 3, 364]);
    expect(call('gmtime/0', 951782400)).toEqual([2000, 1, 29, 0, 0, 0, 2, 59]);
    expect(call('gmtime/0', -62135596800)).toEqual([1, 0, 1, 0, 0, 0, 1, 0]);
    expect(call('mktime/0', [2015, 2, 5, 23, 51, 47, 4, 63])).toBe(1425599507);
    expect(call('mktime/0', [2038, 0, 19, 3, 14, 8, 0, 0])).toBe(2147483648);
  });

  it('keep the fraction of a second in the seconds field, as jq 1.8 does', () => {
    expect(call('gmtime/0', 1425599507.25)).toEqual([2015, 2, 5, 23, 51, 47.25, 4, 63]);
    // C truncates toward zero before adding the fraction back.
    expect(call('gmtime/0', -1.5)).toEqual([1969, 11, 31, 23, 59, 59.5, 3, 364]);
    expect(call('mktime/0', [2015, 2, 5, 23, 51, 47.9, 4, 63])).toBe(1425599507);
  });

  it('mktime accepts short arrays and normalises out-of-range fields like timegm', () => {
    expect(call('mktime/0', [2024, 8, 21])).toBe(1726876800);
    expect(call('mktime/0', [2024, 12, 1, 0, 0, 0])).toBe(call('mktime/0', [2025, 0, 1, 0, 0, 0]));
    expect(call('mktime/0', [2024, 2, 0, 24, 0, 0])).toBe(call('mktime/0', [2024, 2, 1, 0, 0, 0]));
    // Missing fields are zero, and day 0 is the last day of the month before.
    expect(call('mktime/0', [])).toBe(-2209075200);
  });

  it('fail with jq messages', () => {
    expect(errorOf('mktime/0', 'x')).toBe('mktime requires array of 6 numbers');
    expect(errorOf('mktime/0', ['a', 1, 2, 3, 4, 5, 6, 7])).toBe('mktime requires parsed datetime inputs');
    expect(errorOf('gmtime/0', 'x')).toBe('gmtime() requires a number');
    expect(errorOf('localtime/0', null)).toBe('localtime() requires a number');
    expect(errorOf('gmtime/0', 1e300)).toBe('error converting number of seconds since epoch to datetime');
  });
});

describe('strftime', () => {
  it('formats every conversion as glibc does', () => {
    expect(call('strftime/1', 0, ALL)).toBe(
      'Thu Thursday Jan January Thu Jan  1 00:00:00 1970 19 01 01/01/70  1 1970-01-01 70 1970 Jan 00 12 001  0 12 01 00 \n AM am 12:00:00 AM 00:00 0 00 \t 00:00:00 4 00 01 4 00 01/01/70 00:00:00 70 1970 +0000 UTC %',
    );
    expect(call('strftime/1', 1425599507, ALL)).toBe(
      'Thu Thursday Mar March Thu Mar  5 23:51:47 2015 20 05 03/05/15  5 2015-03-05 15 2015 Mar 23 11 064 23 11 03 51 \n PM pm 11:51:47 PM 23:51 1425599507 47 \t 23:51:47 4 09 10 4 09 03/05/15 23:51:47 15 2015 +0000 UTC %',
    );
    expect(call('strftime/1', 1425599507, FLAGS)).toBe('5  3 02015 THU MAR pm   Thursday 64 005 %Q 15 05 %+ 15 23 utc');
    // Years below 1000 are not padded; ISO week years straddle new year.
    expect(call('strftime/1', -62135596800, '%Y %C %y %G %V')).toBe('1 0 01 1 01');
    expect(call('strftime/1', 1230768000, '%G-W%V-%u %g')).toBe('2009-W01-4 09');
    expect(call('strftime/1', 1293753600, '%G-W%V-%u')).toBe('2010-W52-5');
  });

  it('takes seconds or a broken-down time, short arrays included', () => {
    expect(call('strftime/1', [2015, 2, 5, 23, 51, 47, 4, 63], '%Y-%m-%dT%H:%M:%SZ')).toBe('2015-03-05T23:51:47Z');
    expect(call('strftime/1', 1435677542.822351, '%A, %B %d, %Y')).toBe('Tuesday, June 30, 2015');
    expect(call('strftime/1', [2024, 2, 15], '%Y-%m-%dT%H:%M:%SZ %A %j')).toBe('2024-03-15T00:00:00Z Friday 075');
    expect(call('strftime/1', 0, '')).toBe('');
  });

  it('fails with jq messages', () => {
    expect(errorOf('strftime/1', ['a', 1, 2, 3, 4, 5, 6, 7], '%Y')).toBe('strftime/1 requires parsed datetime inputs');
    expect(errorOf('strflocaltime/1', ['a', 1, 2, 3, 4, 5, 6, 7], '%Y')).toBe('strflocaltime/1 requires parsed datetime inputs');
    expect(errorOf('strftime/1', 'x', '%Y')).toBe('strftime/1 requires parsed datetime inputs');
    expect(errorOf('strftime/1', 0, [])).toBe('strftime/1 requires a string format');
    expect(errorOf('strflocaltime/1', 0, {})).toBe('strflocaltime/1 requires a string format');
  });

  it('strflocaltime and localtime use the process time zone', () => {
    const t = 1425599507;
    const local = call('localtime/0', t) as number[];
    const offset = -new Date(t * 1000).getTimezoneOffset() * 60;
    expect(call('mktime/0', local)).toBe(t + offset);
    expect(call('strflocaltime/1', local, '%s')).toBe(String(t));
    expect(call('strflocaltime/1', t, '%Y-%m-%dT%H:%M:%S')).toBe(call('strftime/1', t + offset, '%Y-%m-%dT%H:%M:%S'));
  });
});

describe('strptime', () => {
  // [input, format, jq's output]; the fields are what glibc's strptime leaves in a struct tm
  // that jq zeroed with the sentinels wday 8 and yday 367.
  const CASES: [string, string, Value][] = [
    ['2015-03-05T23:51:47Z', '%Y-%m-%dT%H:%M:%SZ', [2015, 2, 5, 23, 51, 47, 4, 63]],
    ['10:15', '%H:%M', [1900, 0, 0, 10, 15, 0, 8, 367]],
    ['Tuesday, June 30, 2015', '%A, %B %d, %Y', [2015, 5, 30, 0, 0, 0, 2, 180]],
    ['Tue Jun 30 2015', '%a %b %d %Y', [2015, 5, 30, 0, 0, 0, 2, 180]],
    ['  2015 123', '%Y %j', [2015, 4, 3, 0, 0, 0, 0, 122]],
    ['15 3 pm', '%y %I %p', [2015, 0, 0, 15, 0, 0, 3, -1]],
    ['2015-03-05 extra', '%Y-%m-%d', [2015, 2, 5, 0, 0, 0, 4, 63, ' extra']],
    ['20 15', '%C %y', [2015, 0, 0, 0, 0, 0, 3, -1]],
    ['2015 10 3', '%Y %U %w', [2015, 2, 11, 0, 0, 0, 3, 69]],
    ['2015 10 3', '%Y %W %u', [2015, 2, 11, 0, 0, 0, 3, 69]],
    ['12/31/99', '%D', [1999, 11, 31, 0, 0, 0, 5, 364]],
    ['12:00:01 AM', '%r', [1900, 0, 0, 0, 0, 1, 8, 367]],
    ['2015-03-05T23:51:47+0100', '%Y-%m-%dT%H:%M:%S%z', [2015, 2, 5, 23, 51, 47, 4, 63]],
    ['2015-03-05T23:51:47 UTC', '%Y-%m-%dT%H:%M:%S %Z', [2015, 2, 5, 23, 51, 47, 4, 63]],
    ['Thu Mar  5 23:51:47 2015', '%c', [2015, 2, 5, 23, 51, 47, 4, 63]],
    ['2015-3-5', '%Y-%m-%d', [2015, 2, 5, 0, 0, 0, 4, 63]],
    ['12345', '%Y%m', [1234, 4, 0, 0, 0, 0, 0, 119]],
    ['2015-02-30', '%Y-%m-%d', [2015, 1, 30, 0, 0, 0, 1, 60]],
    ['JANUARY 5 2000', '%B %d %Y', [2000, 0, 5, 0, 0, 0, 3, 4]],
    ['2000 366', '%Y %j', [2000, 11, 31, 0, 0, 0, 0, 365]],
    ['2015-03-05T23:51:47Z', '%FT%TZ', [2015, 2, 5, 23, 51, 47, 4, 63]],
    ['13:61', '%H:%S', [1900, 0, 0, 13, 0, 61, 8, 367]],
  ];

  it('parses as glibc does', () => {
    for (const [input, fmt, expected] of CASES) expect([input, fmt, call('strptime/1', input, fmt)]).toEqual([input, fmt, expected]);
    // %s reads seconds since the epoch into local time, as localtime does.
    expect(call('strptime/1', '1425599507', '%s')).toEqual(call('localtime/0', 1425599507));
  });

  it('fails when the input does not match, or only partly', () => {
    for (const [input, fmt] of [
      ['2015-03-05xx', '%Y-%m-%d'],
      ['24:00', '%H:%M'],
      ['x', '%q'],
      ['2015', '%Y-%m'],
      ['99999', '%Y'],
    ]) {
      expect(errorOf('strptime/1', input!, fmt!)).toBe(`date "${input}" does not match format "${fmt}"`);
    }
    expect(errorOf('strptime/1', 1, '%Y')).toBe('strptime/1 requires string inputs and arguments');
    expect(errorOf('strptime/1', '1', 1)).toBe('strptime/1 requires string inputs and arguments');
  });
});

describe('date builtins written in jq', () => {
  it('round-trip ISO 8601', () => {
    expect(run('fromdate', '2015-03-05T23:51:47Z')).toEqual([1425599507]);
    expect(run('fromdateiso8601', '2038-01-19T03:14:08Z')).toEqual([2147483648]);
    expect(run('todate', 1425599507)).toEqual(['2015-03-05T23:51:47Z']);
    expect(run('todateiso8601', 1425599507.9)).toEqual(['2015-03-05T23:51:47Z']);
    expect(run('date', 0)).toEqual(['1970-01-01T00:00:00Z']);
    expect(run('[strptime("%Y-%m-%dT%H:%M:%SZ") | (., mktime)]', '2015-03-05T23:51:47Z')).toEqual([
      [[2015, 2, 5, 23, 51, 47, 4, 63], 1425599507],
    ]);
    expect(run('try fromdate catch .', '2015-03-05')).toEqual(['date "2015-03-05" does not match format "%Y-%m-%dT%H:%M:%SZ"']);
  });

  it('dateadd and datesub ignore the unit, as in jq', () => {
    expect(run('dateadd("seconds"; 10)', 100)).toEqual([110]);
    expect(run('datesub("seconds"; 10)', 100)).toEqual([90]);
  });

  it('now is the current time in fractional seconds', () => {
    const [t] = run('now', null) as number[];
    expect(Math.abs(t! - Date.now() / 1000)).toBeLessThan(5);
  });

  it('computes weekdays and days of the year over decades (jq.test)', () => {
    const program =
      'last(range(365 * 67)|("1970-03-01T01:02:03Z"|strptime("%Y-%m-%dT%H:%M:%SZ")|mktime) + (86400 * .)|strftime("%Y-%m-%dT%H:%M:%SZ")|strptime("%Y-%m-%dT%H:%M:%SZ"))';
    expect(run(program, null)).toEqual([[2037, 1, 11, 1, 2, 3, 3, 41]]);
  });
});
