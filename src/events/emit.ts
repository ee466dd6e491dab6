/**
 * Events made inside the system (the generateEvent state, instance logs as events): built and
 * validated like received ones, so they are stored and delivered the same way.
 */
import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import type { Value } from '../jq/index.js';
import { EventInvalidError, describe, isJsonType } from './parse.js';
import type { ParsedEvent } from './parse.js';

export interface NewEvent {
  type: string;
  source: string;
  /** JSON content types: any value. Others: a string (text for text/*, else the base64 of the bytes) */
  data: Value;
  /** default application/json */
  datacontenttype?: string | undefined;
  /** extension attributes (and the optional core ones, such as subject) */
  context?: Record<string, Value>;
}

/** Attributes the event sets itself; a context entry may not replace them. */
const OWN = new Set(['id', 'source', 'type', 'specversion', 'datacontenttype', 'data', 'data_base64']);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The payload workflows will see: the value for JSON, else the base64 of the bytes sent. */
function payloadOf(data: Value, ct: string): Value {
  if (isJsonType(ct)) return data;
  if (typeof data !== 'string') return Buffer.from(JSON.stringify(data), 'utf8').toString('base64');
  if (/^text\//i.test(ct)) return Buffer.from(data, 'utf8').toString('base64');
  const compact = data.replace(/\s+/g, '');
  if (!BASE64.test(compact)) throw new EventInvalidError(`data of content type ${ct} must be the base64 of the bytes to send`);
  return compact;
}

export function buildEvent(e: NewEvent): ParsedEvent {
  const ct = e.datacontenttype ?? 'application/json';
  const context: Record<string, string | number | boolean> = {};
  for (const [key, v] of Object.entries(e.context ?? {})) {
    const k = key.toLowerCase();
    if (OWN.has(k)) throw new EventInvalidError(`context attribute "${key}" cannot be set: the event sets it itself`);
    if (v === null) continue;
    context[k] = typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v)) ? v : JSON.stringify(v);
  }
  const attrs = { id: randomUUID(), source: e.source, type: e.type, specversion: '1.0', time: new Date().toISOString(), datacontenttype: ct, ...context };
  try {
    // Validates names and values of every attribute (strict mode refuses bad extension names).
    new CloudEvent(attrs, true);
  } catch (err) {
    throw new EventInvalidError(`the event is not a valid CloudEvent: ${describe(err)}`);
  }
  return { id: attrs.id, source: e.source, type: e.type, specversion: '1.0', time: attrs.time, attributes: attrs, payload: payloadOf(e.data, ct) };
}
