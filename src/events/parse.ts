/**
 * CloudEvents as they arrive over HTTP: structured mode (`application/cloudevents+json`),
 * binary mode (`ce-*` headers, any body) and batches (`application/cloudevents-batch+json`).
 * The `cloudevents` package parses and validates; the required attributes are checked first,
 * because the package fills in a missing `id` and `time` instead of refusing the event.
 */
import { CloudEvent, HTTP, ValidationError } from 'cloudevents';
import type { Value } from '../jq/index.js';

/** A malformed event: the request is refused (400) with this reason, and nothing is stored. */
export class EventInvalidError extends Error {
  override name = 'EventInvalidError';
}

export interface ParsedEvent {
  id: string;
  source: string;
  type: string;
  specversion: string;
  /** as given; undefined when the event has none */
  time: string | undefined;
  /** every context attribute but `data`: core ones (`source`, `subject`, …) and extensions */
  attributes: Record<string, string | number | boolean>;
  /** what a workflow sees: the parsed JSON when the content type is JSON or absent, else the base64 of the bytes */
  payload: Value;
}

const REQUIRED = ['id', 'source', 'type', 'specversion'] as const;
const SPEC_VERSIONS = ['1.0', '0.3'];
export const isJsonType = (ct: string | undefined) => !ct || /^(application|text)\/(.+\+)?json(\s*;.*)?$/i.test(ct.trim());

function checkRequired(attrs: Record<string, unknown>, where: string): void {
  for (const a of REQUIRED) {
    const v = attrs[a];
    if (typeof v !== 'string' || v === '') throw new EventInvalidError(`${where}: the required attribute "${a}" is missing or empty`);
  }
  if (!SPEC_VERSIONS.includes(attrs.specversion as string)) {
    throw new EventInvalidError(`${where}: specversion ${JSON.stringify(attrs.specversion)} is not supported (1.0 or 0.3)`);
  }
}

function toPayload(ev: CloudEvent<unknown>, where: string, given: Record<string, unknown>): Value {
  const ct = ev.datacontenttype;
  const data = ev.data;
  if (data === undefined || data === null) return null;
  // Base64 data is read from what was sent: the package decodes data_base64 into a Uint32Array
  // and keeps a 0.3 event's base64 `data` as it is.
  const base64 =
    typeof given.data_base64 === 'string' ? given.data_base64 : given.datacontentencoding === 'base64' && typeof data === 'string' ? data : undefined;
  const bytes =
    base64 !== undefined
      ? Buffer.from(base64, 'base64')
      : Buffer.isBuffer(data)
        ? data
        : data instanceof Uint8Array
          ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
          : undefined;
  if (isJsonType(ct)) {
    if (!bytes) return typeof data === 'string' && ct ? parseJson(data, where) : (data as Value);
    return parseJson(bytes.toString('utf8'), where);
  }
  return (bytes ?? Buffer.from(typeof data === 'string' ? data : JSON.stringify(data), 'utf8')).toString('base64');
}

function parseJson(text: string, where: string): Value {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as Value;
  } catch {
    throw new EventInvalidError(`${where}: the data is not valid JSON, but its content type says it is`);
  }
}

/** `ev` has been validated against the CloudEvents schema. */
function fromCloudEvent(ev: CloudEvent<unknown>, where: string, given: Record<string, unknown>): ParsedEvent {
  const attributes: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(ev.toJSON())) {
    if (k === 'data' || k === 'data_base64' || v === undefined || v === null) continue;
    // The package adds a time to events that have none; that is not the sender's.
    if (k === 'time' && given.time === undefined) continue;
    attributes[k] = typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean);
  }
  return {
    id: ev.id,
    source: ev.source,
    type: ev.type,
    specversion: ev.specversion,
    time: typeof given.time === 'string' ? given.time : undefined,
    attributes,
    payload: toPayload(ev, where, given),
  };
}

/** One of the schema's findings (an ajv error) in words: `attribute "time" must match format "date-time"`. */
function finding(e: unknown): string {
  if (typeof e === 'string') return e;
  const { instancePath, message } = (e ?? {}) as { instancePath?: unknown; message?: unknown };
  if (typeof message !== 'string') return JSON.stringify(e);
  return typeof instancePath === 'string' && instancePath !== '' ? `attribute "${instancePath.slice(1)}" ${message}` : message;
}

export function describe(err: unknown): string {
  if (err instanceof ValidationError) {
    const findings = (err.errors ?? []).map(finding);
    // The package appends its findings to the message as JSON, and explains names over lines.
    const head = err.message.split('\n')[0]!;
    return findings.length > 0 ? `${head}: ${findings.join('; ')}` : head;
  }
  return err instanceof Error ? err.message : String(err);
}

function parseObject(raw: unknown, where: string): ParsedEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new EventInvalidError(`${where}: a CloudEvent must be a JSON object`);
  const attrs = raw as Record<string, unknown>;
  checkRequired(attrs, where);
  let ev: CloudEvent<unknown>;
  try {
    // The object is already parsed: the constructor maps and validates it, as the HTTP binding's
    // structured mode would after parsing the text again (at about seven times the cost).
    ev = new CloudEvent<unknown>(attrs);
  } catch (err) {
    throw new EventInvalidError(`${where}: ${describe(err)}`);
  }
  return fromCloudEvent(ev, where, attrs);
}

function parseBody(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new EventInvalidError(`the body is not valid JSON (${what})`);
  }
}

export type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * One event from a request: structured when the content type is `application/cloudevents+json`,
 * binary mode otherwise (its attributes in `ce-*` headers, the body as its data).
 */
export function parseEvent(headers: Headers, body: Buffer): ParsedEvent {
  const contentType = header(headers, 'content-type') ?? '';
  if (/^application\/cloudevents\+json/i.test(contentType)) {
    return parseObject(parseBody(body, 'a structured CloudEvent'), 'event');
  }
  if (/^application\/cloudevents-batch\+json/i.test(contentType)) {
    throw new EventInvalidError('a batch goes to the events route (…/events), not to …/event');
  }
  const attrs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase().startsWith('ce-')) attrs[k.slice(3).toLowerCase()] = Array.isArray(v) ? v[0] : v;
  }
  if (Object.keys(attrs).length === 0) {
    throw new EventInvalidError(
      'not a CloudEvent: send Content-Type: application/cloudevents+json (structured mode) or ce-id, ce-source, ce-type and ce-specversion headers (binary mode)',
    );
  }
  checkRequired(attrs, 'event (binary mode)');
  const plain: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') plain[k.toLowerCase()] = v;
  let ev: CloudEvent<unknown>;
  try {
    ev = HTTP.toEvent({ headers: plain, body }) as CloudEvent<unknown>;
    ev.validate();
  } catch (err) {
    throw new EventInvalidError(`event (binary mode): ${describe(err)}`);
  }
  return fromCloudEvent(ev, 'event (binary mode)', attrs);
}

/** A batch: a JSON array of structured events. */
export function parseBatch(body: Buffer): ParsedEvent[] {
  const raw = parseBody(body, 'a batch of CloudEvents');
  if (!Array.isArray(raw)) throw new EventInvalidError('a batch must be a JSON array of CloudEvents');
  if (raw.length === 0) throw new EventInvalidError('the batch is empty');
  return raw.map((e, i) => parseObject(e, `event ${i}`));
}
