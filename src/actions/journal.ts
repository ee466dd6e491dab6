/**
 * The calls this action service has taken and not yet reported, one small file each, so that
 * a restart can tell the flow what became of them: the result when it was known, else that the
 * call was lost (a catchable error, never an instance left waiting).
 */
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionRequest, CallResult } from './types.js';

export interface Entry {
  req: ActionRequest;
  result?: CallResult;
}

export class Journal {
  constructor(private readonly dir: string) {}

  async open(): Promise<Entry[]> {
    await mkdir(this.dir, { recursive: true });
    const entries: Entry[] = [];
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.json')) continue;
      try {
        const e = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as Entry;
        e.req.deadline = new Date(e.req.deadline);
        entries.push(e);
      } catch {
        await rm(join(this.dir, name), { force: true });
      }
    }
    return entries;
  }

  async write(e: Entry): Promise<void> {
    const file = join(this.dir, `${e.req.actionId}.json`);
    // Written aside and renamed, so a crash leaves the old entry or the new one, never half of one.
    await writeFile(`${file}.tmp`, JSON.stringify(e));
    await rename(`${file}.tmp`, file);
  }

  async remove(actionId: string): Promise<void> {
    await rm(join(this.dir, `${actionId}.json`), { force: true });
  }
}
