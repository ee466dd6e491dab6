/**
 * Where values come from: the config file's tables and the environment, collected into one
 * entry per key (the environment wins), and read back typed with messages that name the key,
 * the file and line or the variable.
 */
import { ConfigError } from './errors.js';
import { CONFIG_KEYS, CONFIG_SECTIONS, type ConfigKey } from './keys.js';
import type { TomlDocument, TomlTable } from './toml.js';
import { Invalid } from './values.js';

/** A value as found: in the file (with its line) or in an environment variable. */
export interface Entry {
  readonly value: unknown;
  /** `config <file>` or `environment variable <NAME>`. */
  readonly origin: string;
  readonly line: number | undefined;
}

const KEY_BY_NAME = new Map(CONFIG_KEYS.map((k) => [`${k.section}\0${k.key}`.toLowerCase(), k]));
const SECTION_PATHS = new Set(
  CONFIG_SECTIONS.flatMap((s) => s.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.').toLowerCase())),
);

function isTable(v: unknown): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Walks the file's tables: known keys become entries, anything else a warning. */
export function collectFile(
  doc: TomlDocument,
  origin: string,
  entries: Map<ConfigKey, Entry>,
  warnings: string[],
): void {
  const walk = (table: TomlTable, path: string[], section: string) => {
    for (const [name, value] of Object.entries(table)) {
      const at = [...path, name];
      const line = doc.lineOf(at);
      const where = line === undefined ? '' : ` (line ${line})`;
      const key = section ? KEY_BY_NAME.get(`${section}\0${name}`.toLowerCase()) : undefined;
      const sub = (section ? `${section}.${name}` : name).toLowerCase();
      if (key) {
        const before = entries.get(key);
        if (before) {
          const lines = [before.line, line].filter((l) => l !== undefined).join(' and ');
          const label = `[${key.section}] ${key.key}`;
          throw new ConfigError(`${origin}: ${label} is given twice${lines ? ` (lines ${lines})` : ''}`, {
            key: label,
            source: origin,
            ...(line === undefined ? {} : { line }),
          });
        }
        entries.set(key, { value, origin, line });
      } else if (SECTION_PATHS.has(sub)) {
        if (!isTable(value)) {
          throw new ConfigError(`${origin}: [${at.join('.')}]${where}: must be a table`, {
            source: origin,
            ...(line === undefined ? {} : { line }),
          });
        }
        walk(value, at, sub);
      } else if (isTable(value) && !section) {
        warnings.push(`${origin}: unknown section [${at.join('.')}]${where}, ignored`);
      } else {
        const label = section ? `[${path.join('.')}] ${name}` : name;
        warnings.push(`${origin}: unknown ${isTable(value) ? 'table' : 'key'} ${label}${where}, ignored`);
      }
    }
  };
  walk(doc.data, [], '');
}

/** Environment variables override the file; the first set name of a key wins. */
export function collectEnv(env: NodeJS.ProcessEnv, entries: Map<ConfigKey, Entry>, warnings: string[]): void {
  for (const key of CONFIG_KEYS) {
    const set = key.env.filter((name) => env[name] !== undefined && env[name] !== '');
    const first = set[0];
    if (first === undefined) continue;
    const value = env[first]!;
    const other = set.find((name) => env[name] !== value);
    if (other !== undefined) {
      warnings.push(`environment variables ${first} and ${other} disagree; ${first} is used`);
    }
    entries.set(key, { value, origin: `environment variable ${first}`, line: undefined });
  }
}

/** Typed access to the entries; errors name the key, the origin and the line. */
export class Reader {
  constructor(
    private readonly entries: Map<ConfigKey, Entry>,
    private readonly fileOrigin: string | undefined,
  ) {}

  /** The value read by `read`, or undefined when unset (missing or empty). */
  get<T>(section: string, name: string, read: (v: unknown) => T): T | undefined {
    const key = this.key(section, name);
    const entry = this.entries.get(key);
    if (entry === undefined || entry.value === '') return undefined;
    try {
      return read(entry.value);
    } catch (e) {
      if (e instanceof Invalid) throw this.error(key, entry, e.message);
      throw e;
    }
  }

  isSet(section: string, name: string): boolean {
    return this.entries.has(this.key(section, name));
  }

  /** Throws the error for a value that is set but wrong in combination with others. */
  fail(section: string, name: string, reason: string): never {
    const key = this.key(section, name);
    const entry = this.entries.get(key);
    if (entry === undefined) throw new ConfigError(`[${key.section}] ${key.key}: ${reason}`);
    throw this.error(key, entry, reason);
  }

  /** Throws the error for a missing value. */
  require(section: string, name: string, when: string): never {
    const key = this.key(section, name);
    const label = `[${key.section}] ${key.key}`;
    const envName = [...key.env].sort((a, b) => a.length - b.length)[0]!;
    const where = this.fileOrigin
      ? `${this.fileOrigin}: ${label} is required ${when} (or set ${envName})`
      : `config: ${label} is required ${when}: give it in the config file (-c) or set ${envName}`;
    throw new ConfigError(where, { key: label, ...(this.fileOrigin ? { source: this.fileOrigin } : {}) });
  }

  private key(section: string, name: string): ConfigKey {
    const key = KEY_BY_NAME.get(`${section}\0${name}`.toLowerCase());
    if (!key) throw new Error(`config: no key [${section}] ${name} in CONFIG_KEYS`);
    return key;
  }

  private error(key: ConfigKey, entry: Entry, reason: string): ConfigError {
    const label = `[${key.section}] ${key.key}`;
    const value = key.secret ? '' : ` = ${show(entry.value)}`;
    const line = entry.line === undefined ? '' : ` (line ${entry.line})`;
    return new ConfigError(`${entry.origin}: ${label}${value}${line}: ${reason}`, {
      key: label,
      source: entry.origin,
      ...(entry.line === undefined ? {} : { line: entry.line }),
    });
  }
}

function show(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = JSON.stringify(v);
  else if (v instanceof Date) s = v.toISOString();
  else if (typeof v === 'object' && v !== null) s = JSON.stringify(v);
  else s = String(v as string | number | boolean | bigint | undefined);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

