/**
 * ISO-8601 durations (`PT15M`, `P7D`, `PT0.5S`) as milliseconds, for the config file only.
 * Years count as 365 days and months as 30 days. Fractions (`.` or `,`) are allowed on any part.
 */

const NUM = String.raw`(\d+(?:[.,]\d+)?)`;
const DURATION = new RegExp(
  `^P(?:${NUM}Y)?(?:${NUM}M)?(?:${NUM}W)?(?:${NUM}D)?(?:T(?:${NUM}H)?(?:${NUM}M)?(?:${NUM}S)?)?$`,
  'i',
);

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Milliseconds per unit, in the order of the regular expression's groups. */
const UNITS = [365 * DAY, 30 * DAY, 7 * DAY, DAY, HOUR, MINUTE, SECOND];

/** The duration in whole milliseconds, or `undefined` when `text` is not an ISO-8601 duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  // `P` alone and `P1DT` (a T with nothing after it) are not durations.
  if (!m || m.slice(1).every((g) => g === undefined) || /T$/i.test(text.trim())) return undefined;
  let ms = 0;
  for (let i = 0; i < UNITS.length; i++) {
    const g = m[i + 1];
    if (g !== undefined) ms += Number(g.replace(',', '.')) * UNITS[i]!;
  }
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** A short ISO-8601 spelling of a millisecond count (for messages): `PT15M`, `P7D`, `PT0.5S`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return 'PT0S';
  const days = Math.floor(ms / DAY);
  let rest = ms - days * DAY;
  const hours = Math.floor(rest / HOUR);
  rest -= hours * HOUR;
  const minutes = Math.floor(rest / MINUTE);
  rest -= minutes * MINUTE;
  const seconds = rest / SECOND;
  let time = '';
  if (hours) time += `${hours}H`;
  if (minutes) time += `${minutes}M`;
  if (seconds) time += `${seconds}S`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}
