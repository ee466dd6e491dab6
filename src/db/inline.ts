/**
 * Values written into a statement's text as quoted literals, for `EXECUTE name(…)` of a
 * prepared statement through the simple query protocol: the only one through which `pg` sends
 * several statements in one round trip (a transaction's BEGIN with its first statement,
 * statements with its COMMIT). Values are converted to text as `pg` converts parameters and
 * quoted by its `escapeLiteral`; the prepared statement's parameter types apply to them.
 */
import utils from 'pg/lib/utils.js';

/** What PostgreSQL answers for a NUL in a text parameter; in a literal it would end the query. */
export class NulInTextError extends Error {
  readonly code = '22021';
  constructor() {
    super('invalid byte sequence for encoding "UTF8": 0x00');
  }
}

export function literal(v: unknown): string {
  const raw = utils.prepareValue(v);
  if (raw === null || raw === undefined) return 'NULL';
  const text = Buffer.isBuffer(raw) ? `\\x${raw.toString('hex')}` : String(raw);
  if (text.includes('\0')) throw new NulInTextError();
  return utils.escapeLiteral(text);
}
