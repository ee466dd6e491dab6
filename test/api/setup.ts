/** One app per test file and backend, on a fresh database, with the fake engine. */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/index.js';
import type { ApiConfig } from '../../src/api/index.js';
import type { Db } from '../../src/db/index.js';
import { createTestDb } from '../helpers/db.js';
import type { Backend, TestDb } from '../helpers/db.js';
import { FakeEngine } from './fake-engine.js';

export const MiB = 1024 * 1024;

export const baseConfig: ApiConfig = {
  bodyLimit: 32 * MiB,
  maxWaitMs: 60_000,
  defaultWaitMs: 5_000,
  components: { w: true, i: false, s: false },
  unavailable: [],
};

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  engine: FakeEngine;
  close(): Promise<void>;
}

export async function createTestApp(backend: Backend, config: Partial<ApiConfig> = {}, shared?: TestDb): Promise<TestApp> {
  const t = shared ?? (await createTestDb(backend));
  const engine = new FakeEngine(t.db);
  const app = buildApp({ db: t.db, engine, config: { ...baseConfig, ...config } });
  await app.ready();
  return {
    app,
    db: t.db,
    engine,
    async close() {
      await app.close();
      if (!shared) await t.drop();
    },
  };
}

export const HELLO = `id: hello
description: says hello
states:
- id: a
  type: noop
  transform:
    result: hello
`;

export const yaml = (id: string, extra = '') => `id: ${id}
${extra}states:
- id: a
  type: noop
`;

let counter = 0;
/** A namespace name no other test of the file uses. */
export const uniqueName = (prefix = 'ns') => `${prefix}-${process.pid}-${++counter}`;
