/**
 * The config file's TOML, with one extension: a table may be opened more than once.
 *
 * The seed's example configs repeat `[flowAPI]` (and put `[flowAPI.Registry]` after the second
 * one), which strict TOML rejects. Before parsing, the document is split into blocks at its
 * table headers (found by a small scanner that skips strings, multi-line strings, comments and
 * multi-line arrays) and the bodies of a repeated table are moved up behind its first header.
 * smol-toml then parses the result; its error positions are mapped back to the file's lines.
 * A key given twice, even in two openings of one table, stays an error.
 *
 * The scanner also records the line of every key, for messages about values.
 */
import { parse, TomlError } from 'smol-toml';
import { ConfigError } from './errors.js';

export type TomlTable = Record<string, unknown>;

export interface TomlDocument {
  readonly data: TomlTable;
  /** The line (1-based) of a key or table header, by its path as spelled in the file. */
  lineOf(path: readonly string[]): number | undefined;
}

interface Block {
  /** 0-based index of the header line (or 0 for the part before the first header). */
  readonly start: number;
  /** Grouping key: blocks with the same key are one table. */
  readonly group: string;
  readonly hasHeader: boolean;
}

/**
 * Parses `text`; `source` names the file in messages (`config /my.conf`). Throws ConfigError with
 * the file's line and column on a syntax error.
 */
export function parseConfigToml(text: string, source: string): TomlDocument {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const { blocks, lines: keyLines } = scan(text);
  const lines = text.split('\n');

  // Order the blocks by the first opening of their table; later openings lose their header line.
  const order: string[] = [];
  const byGroup = new Map<string, Block[]>();
  for (const b of blocks) {
    let list = byGroup.get(b.group);
    if (!list) {
      byGroup.set(b.group, (list = []));
      order.push(b.group);
    }
    list.push(b);
  }
  const ends = new Map<Block, number>(blocks.map((b, i) => [b, blocks[i + 1]?.start ?? lines.length]));
  const out: string[] = [];
  const origin: number[] = []; // output line index → file line (1-based)
  for (const group of order) {
    byGroup.get(group)!.forEach((b, n) => {
      const from = n > 0 && b.hasHeader ? b.start + 1 : b.start;
      for (let l = from; l < ends.get(b)!; l++) {
        out.push(lines[l]!);
        origin.push(l + 1);
      }
    });
  }

  let data: TomlTable;
  try {
    data = parse(out.join('\n') + '\n') as TomlTable;
  } catch (e) {
    if (!(e instanceof TomlError)) throw e;
    const line = origin[e.line - 1] ?? e.line;
    const reason = e.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
    const shown = (lines[line - 1] ?? '').replace(/\r$/, '');
    throw new ConfigError(
      `${source}: line ${line}, column ${e.column}: invalid TOML: ${reason}\n  ${line} | ${shown}`,
      { source, line },
    );
  }
  return {
    data,
    lineOf: (path) => keyLines.get(JSON.stringify(path)),
  };
}

interface ScanResult {
  readonly blocks: Block[];
  /** JSON of a key path (table path + key parts) → 1-based line. */
  readonly lines: Map<string, number>;
}

/** Finds the table headers and key lines of a TOML document (tolerant: smol-toml judges syntax). */
function scan(text: string): ScanResult {
  const blocks: Block[] = [{ start: 0, group: '[]', hasHeader: false }];
  const lines = new Map<string, number>();
  const arrayCounts = new Map<string, number>(); // array-of-tables path → openings so far
  let table: string[] = [];
  let i = 0;
  let line = 0; // 0-based

  const record = (path: string[], at: number) => {
    const k = JSON.stringify(path);
    if (!lines.has(k)) lines.set(k, at + 1);
  };
  const skipToEol = () => {
    while (i < text.length && text[i] !== '\n') i++;
  };
  /** Skips a string starting at i (any of the four kinds); counts the lines it spans. */
  const skipString = () => {
    const q = text[i]!;
    const multi = text.startsWith(q.repeat(3), i);
    i += multi ? 3 : 1;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '\\' && q === '"') {
        if (text[i + 1] === '\n') line++;
        i += 2;
        continue;
      }
      if (c === '\n') {
        if (!multi) return; // unterminated: leave it to the parser
        line++;
      }
      if (c === q && (!multi || text.startsWith(q.repeat(3), i))) {
        i += multi ? 3 : 1;
        // `""""` / `"""""`: up to two quotes before the closing three belong to the string.
        if (multi) for (let extra = 0; extra < 2 && text[i] === q; extra++) i++;
        return;
      }
      i++;
    }
  };
  /** Reads a dotted key up to `stop` (or the end of the line); undefined when malformed. */
  const readKey = (stop: string): string[] | undefined => {
    const parts: string[] = [];
    let ok = true;
    for (;;) {
      while (text[i] === ' ' || text[i] === '\t') i++;
      const c = text[i];
      if (c === '"' || c === "'") {
        const from = i;
        skipString();
        const raw = text.slice(from, i);
        parts.push(c === "'" ? raw.slice(1, -1) : decodeBasic(raw));
      } else {
        const from = i;
        while (i < text.length && /[A-Za-z0-9_-]/.test(text[i]!)) i++;
        if (i === from) ok = false;
        parts.push(text.slice(from, i));
      }
      while (text[i] === ' ' || text[i] === '\t') i++;
      if (text[i] === '.') {
        i++;
        continue;
      }
      if (text[i] === stop) return ok ? parts : undefined;
      return undefined;
    }
  };

  while (i < text.length) {
    // At the start of a line.
    while (text[i] === ' ' || text[i] === '\t' || text[i] === '\r') i++;
    const c = text[i];
    if (c === undefined) break;
    if (c === '\n') {
      i++;
      line++;
      continue;
    }
    if (c === '#') {
      skipToEol();
      continue;
    }
    if (c === '[') {
      const isArray = text[i + 1] === '[';
      const at = line;
      i += isArray ? 2 : 1;
      const path = readKey(']');
      if (path && isArray && text[i + 1] !== ']') {
        // `[[a]` is malformed; let the parser say so.
        blocks.push({ start: at, group: `!${at}`, hasHeader: true });
      } else if (path) {
        i += isArray ? 2 : 1;
        table = path;
        record(path, at);
        const p = JSON.stringify(path);
        if (isArray) {
          arrayCounts.set(p, (arrayCounts.get(p) ?? 0) + 1);
          blocks.push({ start: at, group: `!${at}`, hasHeader: true }); // never merged
        } else {
          // A sub-table of an array of tables belongs to the array's current element.
          let context = '';
          for (let n = path.length - 1; n > 0 && !context; n--) {
            const prefix = JSON.stringify(path.slice(0, n));
            const count = arrayCounts.get(prefix);
            if (count !== undefined) context = `#${prefix}#${count}`;
          }
          blocks.push({ start: at, group: p + context, hasHeader: true });
        }
      } else {
        blocks.push({ start: at, group: `!${at}`, hasHeader: true });
      }
      skipToEol();
      continue;
    }
    // A key/value pair.
    const at = line;
    const key = readKey('=');
    if (!key) {
      skipToEol();
      continue;
    }
    record([...table, ...key], at);
    i++; // '='
    let depth = 0;
    while (i < text.length) {
      const v = text[i]!;
      if (v === '"' || v === "'") {
        skipString();
        continue;
      }
      if (v === '#') {
        skipToEol();
        continue;
      }
      if (v === '\n') {
        if (depth <= 0) break;
        line++;
      } else if (v === '[' || v === '{') depth++;
      else if (v === ']' || v === '}') depth--;
      i++;
    }
  }
  return { blocks, lines };
}

function decodeBasic(raw: string): string {
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}
