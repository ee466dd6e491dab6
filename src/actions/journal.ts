/**
 * The calls this action service has taken and not yet reported, so that a restart can tell the
 * flow what became of them: the result when it was known, else that the call was lost (a
 * catchable error, never an instance left waiting).
 *
 * An append-only file of one line per change (`+` taken, `=` result known, `-` done), cheap
 * enough for every call; it is compacted to the live entries when opened and when it grows.
 */
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallRef, CallResult } from './types.js';

/** Only what a report needs: never the input (it may hold secrets). */
export interface Entry {
  call: CallRef;
  /** ISO time until which a report is worth trying */
  deadline: string;
  result?: CallResult;
}

const COMPACT_AFTER = 10_000;

export class Journal {
  private readonly file: string;
  private fd: FileHandle | undefined;
  private readonly live = new Map<string, Entry>();
  private lines = 0;
  /** appends in order, one at a time */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {
    this.file = join(dir, 'calls.journal');
  }

  /** The entries a previous run left; the file is compacted to them. */
  async open(): Promise<Entry[]> {
    await mkdir(this.dir, { recursive: true });
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      text = '';
    }
    for (const line of text.split('\n')) {
      try {
        if (line.startsWith('-')) this.live.delete(line.slice(1));
        else if (line.startsWith('+') || line.startsWith('=')) {
          const e = JSON.parse(line.slice(1)) as Entry;
          this.live.set(e.call.actionId, e);
        }
      } catch {
        // A line torn by a crash during its write: its call had not started.
      }
    }
    const left = [...this.live.values()];
    await this.compact();
    return left;
  }

  write(e: Entry): Promise<void> {
    this.live.set(e.call.actionId, e);
    return this.append(`${e.result ? '=' : '+'}${JSON.stringify(e)}\n`);
  }

  remove(actionId: string): Promise<void> {
    if (!this.live.delete(actionId)) return Promise.resolve();
    return this.append(`-${actionId}\n`);
  }

  async close(): Promise<void> {
    await this.queue;
    await this.fd?.close();
    this.fd = undefined;
  }

  private append(line: string): Promise<void> {
    const next = this.queue.then(async () => {
      await this.fd?.appendFile(line);
      if (++this.lines >= COMPACT_AFTER) await this.compact();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Rewrites the file with the live entries only (aside, then renamed: a crash leaves one or the other). */
  private async compact(): Promise<void> {
    await this.fd?.close();
    const text = [...this.live.values()].map((e) => `${e.result ? '=' : '+'}${JSON.stringify(e)}\n`).join('');
    await writeFile(`${this.file}.tmp`, text);
    await rename(`${this.file}.tmp`, this.file);
    this.fd = await open(this.file, 'a');
    this.lines = this.live.size;
  }
}
