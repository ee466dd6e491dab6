import type { Queryable } from '../db/index.js';
import { checkName } from './names.js';

export interface Namespace {
  name: string;
  createdAt: string;
}

export interface Page {
  offset: number;
  limit: number;
}

/** The namespace exists already (HTTP 409). */
export class NamespaceExistsError extends Error {
  override name = 'NamespaceExistsError';
  constructor(readonly namespace: string) {
    super(`namespace ${JSON.stringify(namespace)} already exists`);
  }
}

/** The namespace does not exist (HTTP 404). */
export class NamespaceNotFoundError extends Error {
  override name = 'NamespaceNotFoundError';
  constructor(readonly namespace: string) {
    super(`namespace ${JSON.stringify(namespace)} does not exist`);
  }
}

interface Row {
  name: string;
  created_at: Date;
}

const toNamespace = (r: Row): Namespace => ({ name: r.name, createdAt: r.created_at.toISOString() });

/** Creates a namespace; InvalidNameError for a bad name, NamespaceExistsError when taken. */
export async function create(q: Queryable, name: string): Promise<Namespace> {
  checkName('namespace', name);
  // ON CONFLICT DO NOTHING: a duplicate is an answer, not an aborted transaction.
  const r = await q.query<Row>(
    'INSERT INTO namespaces (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING name, created_at',
    [name],
  );
  if (r.rows.length === 0) throw new NamespaceExistsError(name);
  return toNamespace(r.rows[0]!);
}

/** Namespaces in name order. */
export async function list(q: Queryable, page: Page): Promise<{ items: Namespace[]; total: number }> {
  const rows = await q.query<Row>('SELECT name, created_at FROM namespaces ORDER BY name LIMIT $1 OFFSET $2', [
    page.limit,
    page.offset,
  ]);
  const count = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM namespaces');
  return { items: rows.rows.map(toNamespace), total: count.rows[0]!.n };
}

export async function get(q: Queryable, name: string): Promise<Namespace | null> {
  const r = await q.query<Row>('SELECT name, created_at FROM namespaces WHERE name = $1', [name]);
  return r.rows[0] ? toNamespace(r.rows[0]) : null;
}

export async function exists(q: Queryable, name: string): Promise<boolean> {
  const r = await q.query('SELECT 1 FROM namespaces WHERE name = $1', [name]);
  return r.rows.length > 0;
}

/** Throws NamespaceNotFoundError unless the namespace exists. */
export async function requireNamespace(q: Queryable, name: string): Promise<void> {
  if (!(await exists(q, name))) throw new NamespaceNotFoundError(name);
}
