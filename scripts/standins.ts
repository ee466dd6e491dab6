/**
 * Local stand-ins for the function images the users' examples (../shared/examples) name, built
 * offline with buildNodeImage under the same names and tags, so the examples run on a machine
 * without a registry. Sources: functions/standins/<dir>/index.mjs (docs: functions/README.md).
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { buildNodeImage } from '../src/actions/node-image.js';

/** The stand-ins' sources, one directory each. */
export const STANDINS_DIR = fileURLToPath(new URL('../functions/standins/', import.meta.url));

/** Image (as the examples name it) → its stand-in's directory under STANDINS_DIR. */
export const STANDINS: Readonly<Record<string, string>> = {
  'vorteil/cruncher:v2': 'cruncher',
  'vorteil/delete:v2': 'delete',
  'vorteil/gcplog:v2': 'gcplog',
  'vorteil/google-sentiment-check:v2': 'google-sentiment-check',
  'vorteil/greeting:v2': 'greeting',
  'vorteil/imap:v1': 'imap',
  'vorteil/insert:v2': 'insert',
  'vorteil/notifier:v2': 'notifier',
  'vorteil/request:v10': 'request',
  'vorteil/request:v6': 'request',
  'vorteil/select:v2': 'select',
  'vorteil/smtp:v3': 'smtp',
  'vorteil/solve:v2': 'solve',
};

/** The stand-in that reads redirects.json (the one that reaches for the network). */
const REDIRECTING = 'request';

export interface StandinOptions {
  /** images (`vorteil/request:v6`) or stand-in directories (`request`) to build; default all */
  only?: string[];
  /**
   * URL prefixes to send elsewhere, baked into the request images as /function/redirects.json:
   * `{"https://jsonplaceholder.typicode.com": "http://192.0.2.2:8000"}`
   */
  redirects?: Record<string, string>;
}

/**
 * Builds the stand-in images, one after another (side by side saved only ~15% on a 2-CPU machine,
 * for a staged copy of Node.js each); resolves with the tags built.
 */
export async function buildStandins(docker: Dockerode, opts: StandinOptions = {}): Promise<string[]> {
  const known = new Set([...Object.keys(STANDINS), ...Object.values(STANDINS)]);
  const unknown = (opts.only ?? []).filter((o) => !known.has(o));
  if (unknown.length > 0) throw new Error(`no stand-in for ${unknown.join(', ')}; known: ${Object.keys(STANDINS).join(', ')}`);
  const tags = Object.keys(STANDINS).filter((tag) => !opts.only || opts.only.includes(tag) || opts.only.includes(STANDINS[tag]!));
  for (const tag of tags) {
    const dir = STANDINS[tag]!;
    if (dir === REDIRECTING && opts.redirects) await buildWithRedirects(docker, tag, join(STANDINS_DIR, dir), opts.redirects);
    else await buildNodeImage(docker, { tag, sourceDir: join(STANDINS_DIR, dir) });
  }
  return tags;
}

/** A copy of the source with redirects.json beside index.mjs, so the source tree stays as committed. */
async function buildWithRedirects(docker: Dockerode, tag: string, source: string, redirects: Record<string, string>): Promise<void> {
  const staged = await mkdtemp(join(tmpdir(), 'direktiv-standin-'));
  try {
    await cp(source, staged, { recursive: true });
    await writeFile(join(staged, 'redirects.json'), `${JSON.stringify(redirects, null, 2)}\n`);
    await buildNodeImage(docker, { tag, sourceDir: staged });
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
}
