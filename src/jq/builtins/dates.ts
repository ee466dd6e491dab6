/**
 * jq's date builtins. Broken-down times are jq's arrays
 * `[year, month 0-11, mday, hours, minutes, seconds, wday, yday]`; everything is UTC except
 * `localtime`, `strflocaltime` and strptime's `%s`, which use the process time zone.
 */
import type { BuiltinModule, NativeTable } from './types.js';
import type { Value } from '../values.js';
import { fail } from '../errors.js';
import type { Tm } from './date-calendar.js';
import { UTC, gmtime, localZone, localtime, mktimeLocal, timegm } from './date-calendar.js';
import { strftime, strptime } from './date-format.js';

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

function toInt(d: number): number {
  return d < INT_MIN ? INT_MIN : d > INT_MAX ? INT_MAX : Math.trunc(d);
}

function tmToArray(tm: Tm): Value[] {
  return [tm.year, tm.mon, tm.mday, tm.hour, tm.min, tm.sec, tm.wday, tm.yday];
}

/**
 * jq's jv2tm: up to eight numbers (missing ones are zero) truncated to C ints, or null if one
 * is not a number. The calendar fields are then normalised as timegm/mktime would, so that
 * wday and yday are right even for a short array.
 */
function arrayToTm(a: Value[], local: boolean): Tm | null {
  const f = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 8 && i < a.length; i++) {
    const n = a[i];
    if (typeof n !== 'number' || Number.isNaN(n)) return null;
    f[i] = toInt(i === 0 ? n - 1900 : n);
  }
  const raw: Tm = {
    year: f[0]! + 1900,
    mon: f[1]!,
    mday: f[2]!,
    hour: f[3]!,
    min: f[4]!,
    sec: f[5]!,
    wday: f[6]!,
    yday: f[7]!,
  };
  return local ? localtime(mktimeLocal(raw)) : gmtime(timegm(raw));
}

function secondsToTm(x: number, local: boolean): Tm {
  // C's `time_t secs = fsecs` truncates toward zero; the fraction is added back to the seconds.
  const secs = Math.trunc(x);
  const tm = local ? localtime(secs) : gmtime(secs);
  if (!Number.isFinite(x) || tm.year - 1900 > INT_MAX || tm.year - 1900 < INT_MIN) {
    fail('error converting number of seconds since epoch to datetime');
  }
  tm.sec += x - Math.floor(x);
  return tm;
}

function gmtimeNative(input: Value): Value {
  if (typeof input !== 'number') fail('gmtime() requires a number');
  return tmToArray(secondsToTm(input, false));
}

function localtimeNative(input: Value): Value {
  if (typeof input !== 'number') fail('localtime() requires a number');
  return tmToArray(secondsToTm(input, true));
}

function mktimeNative(input: Value): Value {
  if (!Array.isArray(input)) fail('mktime requires array of 6 numbers');
  const tm = arrayToTm(input, false);
  if (tm === null) fail('mktime requires parsed datetime inputs');
  return timegm(tm);
}

function format(input: Value, fmt: Value, local: boolean): Value {
  const name = local ? 'strflocaltime/1' : 'strftime/1';
  let a: Value[];
  if (typeof input === 'number') {
    a = tmToArray(secondsToTm(input, local));
  } else if (Array.isArray(input)) {
    a = input;
  } else {
    fail(`${name} requires parsed datetime inputs`);
  }
  if (typeof fmt !== 'string') fail(`${name} requires a string format`);
  const tm = arrayToTm(a, local);
  if (tm === null) fail(`${name} requires parsed datetime inputs`);
  if (!local) return strftime(fmt, tm, { zone: UTC, epoch: timegm });
  const t = mktimeLocal(tm);
  return strftime(fmt, tm, { zone: localZone(t), epoch: mktimeLocal });
}

function strptimeNative(input: Value, fmt: Value): Value {
  if (typeof input !== 'string' || typeof fmt !== 'string') {
    fail('strptime/1 requires string inputs and arguments');
  }
  const { tm, rest } = strptime(input, fmt);
  if (rest === null || (rest !== '' && !/^[ \t\n\v\f\r]/.test(rest))) {
    fail(`date "${input}" does not match format "${fmt}"`);
  }
  const out = tmToArray(tm);
  // jq keeps unparsed trailing text (it can only start with whitespace) as a ninth element.
  if (rest !== '') out.push(rest);
  return out;
}

const natives: NativeTable = {
  'mktime/0': mktimeNative,
  'gmtime/0': gmtimeNative,
  'localtime/0': localtimeNative,
  'strftime/1': (input, fmt) => format(input, fmt!, false),
  'strflocaltime/1': (input, fmt) => format(input, fmt!, true),
  'strptime/1': (input, fmt) => strptimeNative(input, fmt!),
  'now/0': () => Date.now() / 1000,
};

const jq = `
def todateiso8601: strftime("%Y-%m-%dT%H:%M:%SZ");
def fromdateiso8601: strptime("%Y-%m-%dT%H:%M:%SZ") | mktime;
def todate: todateiso8601;
def fromdate: fromdateiso8601;
def date: todate;
def dateadd(u; n): . + n;
def datesub(u; n): . - n;
`;

export const dateBuiltins: BuiltinModule = { natives, jq };
