/**
 * A call's temporary directory (function-protocol.md): the `files:` variables are placed in it
 * before the call, and what the function leaves in `out/instance/`, `out/workflow/` and
 * `out/namespace/` is stored as variables of that scope afterwards (a directory as tar.gz).
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import type { FileDef, VariableScope } from '../language/index.js';
import type { ActionRequest, FlowLink } from './types.js';

const SCOPES: VariableScope[] = ['instance', 'workflow', 'namespace'];

export class FilesError extends Error {}

/** A call's directory with its empty `out/<scope>/` directories, writable by any user the image runs as. */
export async function makeCallDir(dir: string): Promise<void> {
  await Promise.all(SCOPES.map((s) => mkdir(join(dir, 'out', s), { recursive: true, mode: 0o777 })));
}

/** A file or directory the function left under `out/<scope>/`. */
export interface OutEntry {
  scope: VariableScope;
  name: string;
  path: string;
}

/** What is under the `out/<scope>/` directories (one directory read per scope, in parallel). */
export async function outEntries(dir: string): Promise<OutEntry[]> {
  const per = await Promise.all(
    SCOPES.map(async (scope) => {
      const base = join(dir, 'out', scope);
      const names = await readdir(base).catch(() => [] as string[]);
      return names.map((name) => ({ scope, name, path: join(base, name) }));
    }),
  );
  return per.flat();
}

/**
 * Empties a call's directory for the next call of a warm container (its `out/<scope>/`
 * directories stay): nothing of one call is seen by another. `out` are the entries found there.
 */
export async function clearCallDir(dir: string, out: OutEntry[]): Promise<void> {
  const gone = (p: string) => rm(p, { recursive: true, force: true });
  const others = (await readdir(dir)).filter((n) => n !== 'out').map((n) => join(dir, n));
  await Promise.all([...others, ...out.map((e) => e.path)].map(gone));
}

/** Writes the `files:` variables into the call's directory `dir`. */
export async function prepareFiles(link: FlowLink, req: ActionRequest, dir: string): Promise<void> {
  for (const f of req.files) {
    const target = inside(dir, f.as || f.key);
    const v = await link.getVariable(req, f.scope, f.key);
    await writeFileDef(f, target, v?.data ?? Buffer.alloc(0));
  }
}

async function writeFileDef(f: FileDef, target: string, data: Buffer): Promise<void> {
  switch (f.type) {
    case 'plain':
      await writeFile(target, data, { mode: 0o666 });
      return;
    case 'base64':
      await writeFile(target, Buffer.from(data.toString('utf8').trim(), 'base64'), { mode: 0o666 });
      return;
    case 'tar':
    case 'tar.gz':
      await mkdir(target, { recursive: true, mode: 0o777 });
      if (data.length === 0) return;
      try {
        await pipeline(Readable.from([data]), tar.x({ cwd: target, gzip: f.type === 'tar.gz' ? true : undefined, strict: true }));
      } catch (e) {
        throw new FilesError(`variable '${f.key}' (${f.scope}) is not a ${f.type} archive: ${(e as Error).message}`);
      }
  }
}

/** A path under `dir`; a name that climbs out of it is refused. */
function inside(dir: string, name: string): string {
  const p = resolve(dir, name);
  if (!p.startsWith(resolve(dir) + sep)) throw new FilesError(`file name '${name}' leaves the call's directory`);
  return p;
}

/** Stores what the function left under `out/` as variables: files as they are, directories as tar.gz. */
export async function storeOut(link: FlowLink, req: ActionRequest, out: OutEntry[]): Promise<void> {
  for (const { scope, name, path } of out) {
    const st = await stat(path);
    if (st.isDirectory()) {
      const chunks: Buffer[] = [];
      for await (const c of tar.c({ gzip: true, cwd: path, portable: true }, ['.'])) chunks.push(c as Buffer);
      await link.setVariable(req, scope, name, { data: Buffer.concat(chunks), mimeType: 'application/tar+gzip' });
    } else if (st.isFile()) {
      await link.setVariable(req, scope, name, { data: await readFile(path), mimeType: 'application/octet-stream' });
    }
  }
}
