/**
 * Readers for single values of the config file or the environment. Each takes what TOML or the
 * environment gave (`unknown`) and returns the typed value or throws Invalid with the reason;
 * load.ts adds the key, the file and the line.
 */
import { parseDuration } from './durations.js';
import type { Bind } from './types.js';

export class Invalid extends Error {}

function describeType(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a date';
  if (typeof v === 'object' && v !== null) return 'a table';
  return `a ${typeof v}`;
}

export function readString(v: unknown): string {
  if (typeof v !== 'string') throw new Invalid(`must be a string, not ${describeType(v)}`);
  return v;
}

/** `host:port`, `:port` (all interfaces), `[::1]:port`. */
export function readBind(v: unknown): Bind {
  const s = readString(v).trim();
  const m = /^(?:\[([^\]]*)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(s);
  if (!m) throw new Invalid('must be "host:port" or ":port" (all interfaces)');
  const port = Number(m[3]);
  if (port > 65535) throw new Invalid('port must be 0-65535 (0: any free port)');
  const host = m[1] ?? m[2]!;
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** `host:port` or an http(s) URL; kept as written. */
export function readEndpoint(v: unknown): string {
  const s = readString(v).trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    let url: URL | undefined;
    try {
      url = new URL(s);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || !url.hostname) {
      throw new Invalid('must be "host:port" or an http:// or https:// URL');
    }
    return s;
  }
  const m = /^(?:\[[0-9A-Fa-f:.]+\]|[^:[\]\s/]+):(\d{1,5})$/.exec(s);
  if (!m || Number(m[1]) > 65535 || Number(m[1]) === 0) {
    throw new Invalid('must be "host:port" or an http:// or https:// URL');
  }
  return s;
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/** TOML booleans, 0/1, or the strings true/false/1/0/yes/no/on/off. */
export function readBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (TRUE.includes(s)) return true;
    if (FALSE.includes(s)) return false;
  }
  throw new Invalid('must be true or false (or 1 or 0)');
}

export function readInt(v: unknown, min: number): number {
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new Invalid('must be a whole number');
  if (n < min) throw new Invalid(`must be at least ${min}`);
  return n;
}

/** An ISO-8601 duration (`PT15M`, `P7D`), in milliseconds, more than zero. */
export function readDuration(v: unknown): number {
  const ms = parseDuration(readString(v));
  if (ms === undefined) throw new Invalid('must be an ISO-8601 duration such as PT30S, PT15M or P7D');
  if (ms <= 0) throw new Invalid('must be longer than zero');
  return ms;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
};

/** Bytes: a whole number, or a size such as `512KiB`, `32MiB`, `1GB` (K/M/G alone are binary). */
export function readSize(v: unknown): number {
  if (typeof v === 'number') return readInt(v, 1);
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(readString(v));
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new Invalid('must be a size in bytes, or with a unit: KiB, MiB, GiB, KB, MB, GB');
  }
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes < 1) throw new Invalid('must be at least 1 byte');
  return bytes;
}

/** One of `values`, case-insensitive; returns the spelling of `values`. */
export function readEnum(v: unknown, values: readonly string[]): string {
  const s = readString(v).trim().toLowerCase();
  const found = values.find((x) => x.toLowerCase() === s);
  if (found === undefined) {
    const list = values.map((x) => `"${x}"`);
    throw new Invalid(`must be ${list.slice(0, -1).join(', ')} or ${list.at(-1)!}`);
  }
  return found;
}
