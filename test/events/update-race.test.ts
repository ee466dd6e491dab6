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

  it('an event that waited for a change of its workflow is matched against the listener the change left', async () => {
    const held = (type: string, state: string) => `id: held
start:
  type: event
  event:
    type: ${type}
states:
- id: ${state}
  type: noop
`;
    const event = (id: string) =>
      parseEvent(
        { 'content-type': 'application/cloudevents+json' },
        Buffer.from(JSON.stringify({ specversion: '1.0', id, source: '/held', type: 'held.a', data: {} })),
      );
    await e.deploy(NS, held('held.a', 'first'));
    const changeAndSend = async (yaml: string, id: string) => {
      let commit!: () => void;
      let locked!: () => void;
      const holding = new Promise<void>((r) => (locked = r));
      const change = e.t.db.tx(async (q) => {
        await workflows.update(q, NS, 'held', yaml);
        locked();
        await new Promise<void>((r) => (commit = r));
      });
      await holding;
      let answered = false;
      const accepted = acceptEvents(e.t.db, e.engine, NS, [event(id)]).finally(() => (answered = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(answered).toBe(false); // it waits for the workflow row
      commit();
      await change;
      return accepted;
    };
    // The new revision listens for the event too: the event starts it, not the one it replaced.
    const r = await changeAndSend(held('held.a', 'second'), 'held-1');
    expect(r.started).toHaveLength(1);
    const inst = await e.engine.waitForEnd(r.started[0]!, 20_000);
    expect(inst!.flow).toEqual(['second']);
    // The new revision no longer listens for the event's type: nothing starts.
    expect((await changeAndSend(held('held.b', 'third'), 'held-2')).started).toEqual([]);
  });
});
