/**
 * Values written into a statement's text as quoted literals, for `EXECUTE name(…)` of a
 * prepared statement through the simple query protocol: the only one through which `pg` sends
 * several statements in one round trip (a transaction's BEGIN with its first statement,
 * statements with its COMMIT). Values are converted to text as `pg` converts parameters and
 * quoted by the rule of its `escapeLiteral`; the prepared statement's parameter types apply to
 * them.
 */
import utils from 'pg/lib/utils.js';

/** What PostgreSQL answers for a NUL in a text parameter; in a literal it would end the query. */
export class NulInTextError extends Error {
  readonly code = '22021';
  constructor() {
    super('invalid byte sequence for encoding "UTF8": 0x00');
  }
}

/**
 * Quotes text as pg's `escapeLiteral` does (quotes doubled; with a backslash, an E'' string with
 * backslashes doubled), through native replaces: pg's character loop takes ~120 ms per MB here.
 */
function quote(text: string): string {
  const quoted = text.includes("'") ? text.replace(/'/g, "''") : text;
  return text.includes('\\') ? ` E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

/** A value as pg sends it as a parameter: text, or null. */
function textOf(v: unknown): string | null {
  const raw = utils.prepareValue(v);
  if (raw === null || raw === undefined) return null;
  const text = Buffer.isBuffer(raw) ? `\\x${raw.toString('hex')}` : String(raw);
  if (text.includes('\0')) throw new NulInTextError();
  return text;
}

export function literal(v: unknown): string {
  const text = textOf(v);
  return text === null ? 'NULL' : quote(text);
}

/** Above this much text, values go as parameters: writing them in would cost more than a round trip. */
export const MAX_LITERALS_LENGTH = 64 * 1024;

/** The values as literals, or undefined when together they are longer than MAX_LITERALS_LENGTH. */
export function literals(params: readonly unknown[]): string[] | undefined {
  const out: string[] = [];
  let length = 0;
  for (const p of params) {
    const text = textOf(p);
    length += text?.length ?? 0;
    if (length > MAX_LITERALS_LENGTH) return undefined;
    out.push(text === null ? 'NULL' : quote(text));
  }
  return out;
}
