/**
 * Cron expressions of `scheduled` starts: five fields (minute hour day-of-month month
 * day-of-week) or one of the descriptors @yearly, @annually, @monthly, @weekly, @daily,
 * @midnight, @hourly. Fields are parsed by croner, the library the timers use, so what is
 * accepted here is what fires; a sixth (seconds) or seventh (year) field is refused because the
 * language schedules by the minute.
 */
import { Cron } from 'croner';

const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** Why a cron expression is not accepted, or undefined when it is. */
export function cronProblem(expression: string): string | undefined {
  const trimmed = expression.trim();
  if (trimmed.startsWith('@')) {
    return DESCRIPTORS.includes(trimmed)
      ? undefined
      : `unknown cron descriptor "${trimmed}"; use 5 fields or one of ${DESCRIPTORS.join(', ')}`;
  }
  const fields = trimmed === '' ? 0 : trimmed.split(/\s+/).length;
  if (fields !== 5) {
    const extra = fields > 5 ? ' (seconds and years are not supported)' : '';
    return `a cron expression has 5 fields (minute hour day-of-month month day-of-week), this one has ${fields}${extra}`;
  }
  let cron: Cron;
  try {
    cron = new Cron(trimmed);
  } catch (e) {
    return `invalid cron expression: ${(e as Error).message.replace(/^CronPattern: /, '')}`;
  }
  return cron.nextRun() === null ? 'this cron expression never fires' : undefined;
}
