/**
 * ISO-8601 durations, as the workflow language writes every time span: `PT30S`, `PT1.5S`, `PT5M`,
 * `PT1H`, `P1D`, `P1W`, `P1DT12H`. Only seconds may carry a fraction. Years and months have no fixed
 * length, so they are taken as 365 and 30 days: a timer needs a number of milliseconds, not a
 * calendar date.
 */

/**
 * The grammar, shared with `schema/workflow.schema.json` (`definitions.duration.pattern`; a test
 * keeps the two equal), so editors flag a bad duration while it is typed.
 */
export const DURATION_PATTERN =
  '^P(?=\\d|T\\d)(?:(\\d+)Y)?(?:(\\d+)M)?(?:(\\d+)W)?(?:(\\d+)D)?(?:T(?=\\d)(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+(?:\\.\\d+)?)S)?)?$';

const DURATION = new RegExp(DURATION_PATTERN);

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Milliseconds per unit, in the order of the pattern's capture groups. */
const UNITS = [365 * DAY, 30 * DAY, 7 * DAY, DAY, HOUR, MINUTE, SECOND];

/** Milliseconds in an ISO-8601 duration (rounded to the millisecond); a RangeError when it is not one. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text);
  if (m === null) throw new RangeError(`invalid ISO-8601 duration ${JSON.stringify(text)} (examples: PT30S, PT1H, P1D)`);
  let ms = 0;
  for (let i = 0; i < UNITS.length; i++) {
    const amount = m[i + 1];
    if (amount !== undefined) ms += Number(amount) * UNITS[i]!;
  }
  ms = Math.round(ms);
  if (!Number.isSafeInteger(ms)) throw new RangeError(`duration ${JSON.stringify(text)} is too long`);
  return ms;
}
