/**
 * Events arriving while their workflow is being updated and toggled, on PostgreSQL with real
 * concurrency: no request fails, and every instance an event started runs a revision that was
 * listening for that event (never the revision that replaced it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptEvents, installEventHooks, parseEvent } from '../../src/events/index.js';
import * as workflows from '../../src/workflows/index.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';

installEventHooks();

const revision = (listensFor: 'race.a' | 'race.b') => `id: flip
start:
  type: event
  event:
    type: ${listensFor}
states:
- id: listening-${listensFor === 'race.a' ? 'a' : 'b'}
  type: noop
`;

describe('events during workflow updates (postgres)', () => {
  let e: TestEngine;
  const NS = 'race';
  beforeAll(async () => {
    e = await startTestEngine('postgres');
    await e.deploy(NS, revision('race.a'));
  });
  afterAll(async () => {
    await e.stop();
  });

  it('each event starts the revision that listened for it, or nothing', async () => {
    let n = 0;
    const send = () =>
      acceptEvents(e.t.db, e.engine, NS, [
        parseEvent(
          { 'content-type': 'application/cloudevents+json' },
          Buffer.from(JSON.stringify({ specversion: '1.0', id: `r-${++n}`, source: '/race', type: 'race.a', data: { n } })),
        ),
      ]);
    let updating = true;
    const changes = (async () => {
      for (let i = 0; i < 30; i++) {
        await e.t.db.tx(async (q) => {
          if (i % 3 === 2) await workflows.changeSettings(q, NS, 'flip', { active: i % 2 === 0 });
          else await workflows.update(q, NS, 'flip', revision(i % 2 === 0 ? 'race.b' : 'race.a'));
        });
        await new Promise((r) => setTimeout(r, 5));
      }
      updating = false;
    })();
    const senders = Array.from({ length: 8 }, async () => {
      const started: string[] = [];
      while (updating) started.push(...(await send()).started);
      return started;
    });
    await changes;
    const started = (await Promise.all(senders)).flat();

    const finished = await Promise.all(started.map((id) => e.engine.waitForEnd(id, 20_000)));
    for (const inst of finished) {
      expect(inst!.status).toBe('complete');
      expect(inst!.flow).toEqual(['listening-a']);
    }
    const listeners = await e.t.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM event_listeners l JOIN workflows w ON w.uid = l.workflow_uid WHERE w.namespace = $1`,
      [NS],
    );
    expect(Number(listeners.rows[0]!.n)).toBeLessThanOrEqual(1);
    expect(n).toBeGreaterThan(30);
  });
});
