/** What the event tests share: structured CloudEvents with fresh ids, and waiting for a wait to begin. */
import { parseEvent } from '../../src/events/index.js';
import type { ParsedEvent } from '../../src/events/index.js';
import type { TestEngine } from '../helpers/engine.js';

/** A maker of events whose ids (`<prefix><n>`) never repeat within the file; source `/test`. */
export function eventMaker(prefix: string): (type: string, extra?: Record<string, unknown>, data?: unknown) => ParsedEvent {
  let counter = 0;
  return (type, extra = {}, data = { n: counter }) =>
    parseEvent(
      { 'content-type': 'application/cloudevents+json' },
      Buffer.from(JSON.stringify({ specversion: '1.0', id: `${prefix}${++counter}`, source: '/test', type, data, ...extra })),
    );
}

/** Resolves once the instance has registered its wait (the step that began it committed). */
export async function untilWaiting(e: TestEngine, id: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await e.logLines(id)).some((l) => l.startsWith('Registered to receive events'))) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${id} never waited`);
}
