/**
 * Calendar arithmetic on C's `struct tm`, proleptic Gregorian, for any integer year (no Date
 * range limits): timegm, gmtime, and the local-time variants through the process time zone.
 */

/** C's `struct tm` with the year in full (tm_year + 1900). */
export interface Tm {
  year: number;
  mon: number;
  mday: number;
  hour: number;
  min: number;
  sec: number;
  wday: number;
  yday: number;
}

/** A zone as strftime's %z and %Z print it. */
export interface Zone {
  offset: number;
  name: string;
}

export const UTC: Zone = { offset: 0, name: 'UTC' };

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

export function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

export function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MON_YDAY = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

/** Day of the year (0-based) of the first of month `mon` (0-11). */
export function monYday(year: number, mon: number): number {
  return MON_YDAY[mon]! + (mon > 1 && isLeap(year) ? 1 : 0);
}

/** Days from 1970-01-01 to the given date (month 1-12); Howard Hinnant's days_from_civil. */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = floorDiv(yy, 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = floorDiv(153 * mp + 2, 5) + d - 1;
  const doe = yoe * 365 + floorDiv(yoe, 4) - floorDiv(yoe, 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z0: number): [number, number, number] {
  const z = z0 + 719468;
  const era = floorDiv(z, 146097);
  const doe = z - era * 146097;
  const yoe = floorDiv(doe - floorDiv(doe, 1460) + floorDiv(doe, 36524) - floorDiv(doe, 146096), 365);
  const doy = doe - (365 * yoe + floorDiv(yoe, 4) - floorDiv(yoe, 100));
  const mp = floorDiv(5 * doy + 2, 153);
  const d = doy - floorDiv(153 * mp + 2, 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d];
}

/** Days since the epoch of a possibly out-of-range year/month/day, normalised as timegm does. */
function daysOf(year: number, mon: number, mday: number): number {
  const y = year + floorDiv(mon, 12);
  const m = mod(mon, 12);
  return daysFromCivil(y, m + 1, 1) + mday - 1;
}

/** timegm(3): seconds since the epoch, out-of-range fields carried over. */
export function timegm(tm: Tm): number {
  return daysOf(tm.year, tm.mon, tm.mday) * 86400 + tm.hour * 3600 + tm.min * 60 + tm.sec;
}

export function weekday(year: number, mon: number, mday: number): number {
  return mod(daysOf(year, mon, mday) + 4, 7);
}

/** gmtime(3) of whole seconds. */
export function gmtime(secs: number): Tm {
  const days = floorDiv(secs, 86400);
  let rem = secs - days * 86400;
  const [year, m, d] = civilFromDays(days);
  const hour = floorDiv(rem, 3600);
  rem -= hour * 3600;
  const min = floorDiv(rem, 60);
  return {
    year,
    mon: m - 1,
    mday: d,
    hour,
    min,
    sec: rem - min * 60,
    wday: mod(days + 4, 7),
    yday: monYday(year, m - 1) + d - 1,
  };
}

/** The process time zone's offset from UTC (seconds east) at an instant. */
export function localOffset(secs: number): number {
  const ms = secs * 1000;
  // Date covers ±8.64e15 ms; beyond it the zone rules are unknown anyway, so clamp.
  const clamped = Math.max(-8.64e15, Math.min(8.64e15, ms));
  const off = new Date(clamped).getTimezoneOffset();
  return Number.isNaN(off) ? 0 : -off * 60;
}

let zoneFormatter: Intl.DateTimeFormat | null = null;

/** The process time zone's abbreviation at an instant ("UTC", "CET", or "GMT+2"). */
export function localZoneName(secs: number): string {
  zoneFormatter ??= new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });
  const ms = Math.max(-8.64e15, Math.min(8.64e15, secs * 1000));
  const part = zoneFormatter.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'UTC';
}

export function localZone(secs: number): Zone {
  return { offset: localOffset(secs), name: localZoneName(secs) };
}

/** localtime(3) of whole seconds. */
export function localtime(secs: number): Tm {
  return gmtime(secs + localOffset(secs));
}

/** mktime(3) without DST hints: the instant whose local time is `tm`. */
export function mktimeLocal(tm: Tm): number {
  const wall = timegm(tm);
  let t = wall - localOffset(wall);
  // A second pass settles instants next to an offset change.
  t = wall - localOffset(t);
  return t;
}
