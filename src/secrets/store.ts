/**
 * The secrets service's storage, in ITS OWN database (never the main one): names and
 * ciphertexts per namespace and kind. It holds no key and sees no plaintext.
 */
import { join } from 'node:path';
import { loadMigrations, migrate } from '../db/index.js';
import type { Db, Migration, Queryable } from '../db/index.js';
import { NAME_PATTERN as NAMESPACE_PATTERN } from '../namespaces/index.js';
import { packageRoot } from '../util/paths.js';
import { KINDS, OVERHEAD } from './crypto.js';
import type { SecretKind } from './crypto.js';
import { toBuffer } from './keys.js';

export const SECRETS_MIGRATIONS_DIR = join(packageRoot, 'sql', 'secrets-migrations');
/** Largest plaintext value (64 KiB); ciphertexts are OVERHEAD bytes longer. */
export const MAX_VALUE_BYTES = 64 * 1024;
export const MAX_CIPHERTEXT_BYTES = MAX_VALUE_BYTES + OVERHEAD;
export const MAX_PAGE = 1000;

export const SECRET_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
// A registry is named by its host as in an image reference: DNS labels, optional :port,
// lower case (hosts are case-insensitive; the client lower-cases, so one host is one name).
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
export const REGISTRY_NAME_PATTERN = new RegExp(`^${LABEL}(?:\\.${LABEL})*(?::([0-9]{1,5}))?$`);

/** A bad namespace, kind or name, or a value too large (HTTP 400 / 413). */
export class InvalidSecretError extends Error {
  override name = 'InvalidSecretError';
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** What is wrong with the name for that kind, or undefined. */
export function nameProblem(kind: SecretKind, name: string): string | undefined {
  const shown = JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
  if (kind === 'secret') {
    return SECRET_NAME_PATTERN.test(name) ? undefined : `invalid secret name ${shown}: 1 to 128 letters, digits, ".", "_" and "-"`;
  }
  const m = REGISTRY_NAME_PATTERN.exec(name);
  const port = m?.[1] === undefined ? 1 : Number(m[1]);
  return m && name.length <= 253 + 6 && port >= 1 && port <= 65535
    ? undefined
    : `invalid registry ${shown}: a host name in lower case with an optional port, e.g. "docker.io" or "registry.example.com:5000"`;
}

export function checkKind(kind: string): asserts kind is SecretKind {
  if (!(KINDS as readonly string[]).includes(kind)) throw new InvalidSecretError(`invalid kind ${JSON.stringify(kind)}: "secret" or "registry"`);
}

export function checkNamespace(ns: string): void {
  if (!NAMESPACE_PATTERN.test(ns)) throw new InvalidSecretError(`invalid namespace name ${JSON.stringify(ns.slice(0, 60))}`);
}

export function checkName(kind: SecretKind, name: string): void {
  const problem = nameProblem(kind, name);
  if (problem) throw new InvalidSecretError(problem);
}

export const loadSecretsMigrations = (): Migration[] => loadMigrations(SECRETS_MIGRATIONS_DIR);

/**
 * Migrates the secrets database. Refuses the main database: keys and ciphertexts in one
 * database would make the envelope pointless (one dump would reveal both).
 */
export async function migrateSecretsDb(db: Db): Promise<number[]> {
  const { rows } = await db.query<{ t: string | null }>(`SELECT to_regclass('namespace_keys')::text AS t`);
  if (rows[0]?.t) throw new Error('the secrets database must not be the main database: configure a separate [secretsAPI] DB');
  return migrate(db, loadSecretsMigrations());
}

/** Creates or replaces one ciphertext. */
export async function put(q: Queryable, ns: string, kind: SecretKind, name: string, ciphertext: Buffer): Promise<void> {
  checkNamespace(ns);
  checkName(kind, name);
  if (ciphertext.length > MAX_CIPHERTEXT_BYTES) throw new InvalidSecretError(`the value is larger than ${MAX_VALUE_BYTES} bytes`, 413);
  if (ciphertext.length < OVERHEAD) throw new InvalidSecretError('the ciphertext is too short to be one');
  await q.query(
    `INSERT INTO secrets (namespace, kind, name, ciphertext) VALUES ($1, $2, $3, $4)
     ON CONFLICT (namespace, kind, name) DO UPDATE SET ciphertext = EXCLUDED.ciphertext, updated_at = now()`,
    [ns, kind, name, ciphertext],
  );
}

export interface NamePage {
  offset: number;
  limit: number;
}

export interface NameList {
  names: string[];
  total: number;
}

/** The names of one kind in a namespace, sorted, one page of them. */
export async function listNames(q: Queryable, ns: string, kind: SecretKind, page: NamePage): Promise<NameList> {
  const limit = Math.min(Math.max(1, Math.trunc(page.limit)), MAX_PAGE);
  const offset = Math.max(0, Math.trunc(page.offset));
  const { rows } = await q.query<{ name: string; total: number }>(
    `SELECT name, count(*) OVER () AS total FROM secrets WHERE namespace = $1 AND kind = $2
     ORDER BY name LIMIT $3 OFFSET $4`,
    [ns, kind, limit, offset],
  );
  let total = rows[0]?.total;
  if (total === undefined) {
    // An offset past the end still says how many there are.
    const c = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM secrets WHERE namespace = $1 AND kind = $2', [ns, kind]);
    total = c.rows[0]!.n;
  }
  return { names: rows.map((r) => r.name), total: Number(total) };
}

/** The ciphertexts of the names that exist (missing names are left out). */
export async function fetchCiphertexts(q: Queryable, ns: string, kind: SecretKind, names: string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (names.length === 0) return out;
  const { rows } = await q.query<{ name: string; ciphertext: Uint8Array }>(
    'SELECT name, ciphertext FROM secrets WHERE namespace = $1 AND kind = $2 AND name = ANY($3::text[])',
    [ns, kind, names],
  );
  for (const r of rows) out.set(r.name, toBuffer(r.ciphertext));
  return out;
}

export async function deleteOne(q: Queryable, ns: string, kind: SecretKind, name: string): Promise<boolean> {
  const r = await q.query('DELETE FROM secrets WHERE namespace = $1 AND kind = $2 AND name = $3', [ns, kind, name]);
  return r.rowCount > 0;
}

/** Deletes every secret and registry of the namespace; returns how many. */
export async function deleteNamespace(q: Queryable, ns: string): Promise<number> {
  const r = await q.query('DELETE FROM secrets WHERE namespace = $1', [ns]);
  return r.rowCount;
}
