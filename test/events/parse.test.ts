/**
 * CloudEvents in: structured, binary and batch modes, the payload a workflow sees, and a
 * reason for every malformed event.
 */
import { describe, expect, it } from 'vitest';
import { EventInvalidError, parseBatch, parseEvent } from '../../src/events/parse.js';

const structured = { 'content-type': 'application/cloudevents+json' };
const body = (v: unknown) => Buffer.from(JSON.stringify(v));
const base = { specversion: '1.0', id: 'e-1', source: '/orders', type: 'order.created' };

describe('parsing CloudEvents', () => {
  it('structured mode: attributes (core and extensions) and JSON data', () => {
    const ev = parseEvent(structured, body({ ...base, subject: 'o-17', customer: 'acme', priority: 3, data: { total: 12.5 } }));
    expect(ev).toMatchObject({ id: 'e-1', source: '/orders', type: 'order.created', specversion: '1.0', time: undefined });
    expect(ev.attributes).toEqual({ specversion: '1.0', id: 'e-1', source: '/orders', type: 'order.created', subject: 'o-17', customer: 'acme', priority: 3 });
    expect(ev.payload).toEqual({ total: 12.5 });
  });

  it('the time is the sender\'s, or none', () => {
    expect(parseEvent(structured, body({ ...base, time: '2026-01-02T03:04:05Z' })).time).toBe('2026-01-02T03:04:05Z');
    expect(parseEvent(structured, body(base)).attributes.time).toBeUndefined();
  });

  it('binary mode: ce-* headers, the body as data; JSON parsed, anything else base64', () => {
    const headers = { 'ce-specversion': '1.0', 'ce-id': 'b-1', 'ce-source': '/cam', 'ce-type': 'image.taken', 'ce-camera': 'north' };
    const json = parseEvent({ ...headers, 'content-type': 'application/json' }, Buffer.from('{"w":640}'));
    expect(json).toMatchObject({ id: 'b-1', type: 'image.taken', payload: { w: 640 } });
    expect(json.attributes.camera).toBe('north');
    const bytes = parseEvent({ ...headers, 'content-type': 'image/png' }, Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    expect(bytes.payload).toBe(Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64'));
    expect(bytes.attributes.datacontenttype).toBe('image/png');
    const text = parseEvent({ ...headers, 'content-type': 'text/plain' }, Buffer.from('hello'));
    expect(text.payload).toBe(Buffer.from('hello').toString('base64'));
  });

  it('structured data_base64 with a non-JSON content type stays base64', () => {
    const ev = parseEvent(structured, body({ ...base, datacontenttype: 'application/octet-stream', data_base64: 'AAEC' }));
    expect(ev.payload).toBe('AAEC');
  });

  it('a 0.3 structured event with base64 data: the decoded bytes, as JSON or base64 by content type', () => {
    const v03 = { ...base, specversion: '0.3', datacontentencoding: 'base64' };
    const json = parseEvent(structured, body({ ...v03, datacontenttype: 'application/json', data: Buffer.from('{"a":1}').toString('base64') }));
    expect(json.payload).toEqual({ a: 1 });
    const text = parseEvent(structured, body({ ...v03, datacontenttype: 'text/plain', data: 'aGVsbG8=' }));
    expect(text.payload).toBe('aGVsbG8=');
  });

  it('a batch is an array of structured events', () => {
    const evs = parseBatch(body([base, { ...base, id: 'e-2', data: [1, 2] }]));
    expect(evs.map((e) => [e.id, e.payload])).toEqual([
      ['e-1', null],
      ['e-2', [1, 2]],
    ]);
  });

  it.each([
    ['missing id', structured, body({ ...base, id: undefined }), /"id" is missing/],
    ['empty source', structured, body({ ...base, source: '' }), /"source" is missing or empty/],
    ['bad specversion', structured, body({ ...base, specversion: '2.0' }), /specversion "2.0" is not supported/],
    ['a time that is not a timestamp', structured, body({ ...base, time: 'yesterday' }), /^event: invalid payload: attribute "time" must match format "date-time"$/],
    ['an extension name with capitals', structured, body({ ...base, Region: 'eu' }), /^event: invalid extension name: Region$/],
    ['not JSON', structured, Buffer.from('{oops'), /not valid JSON/],
    ['not an object', structured, body([base]), /must be a JSON object/],
    ['JSON data that is not JSON', { 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-source': '/s', 'ce-type': 't', 'content-type': 'application/json' }, Buffer.from('{nope'), /data is not valid JSON/],
    ['no CloudEvent at all', { 'content-type': 'application/json' }, body({ a: 1 }), /not a CloudEvent: send Content-Type: application\/cloudevents\+json/],
    ['binary without ce-type', { 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-source': '/s' }, Buffer.from(''), /"type" is missing/],
    ['a batch sent to the single route', { 'content-type': 'application/cloudevents-batch+json' }, body([base]), /batch goes to the events route/],
  ])('refuses %s, saying why', (_what, headers, payload, reason) => {
    expect(() => parseEvent(headers, payload)).toThrow(EventInvalidError);
    expect(() => parseEvent(headers, payload)).toThrow(reason);
  });

  it('refuses a bad batch, naming the event', () => {
    expect(() => parseBatch(body([base, { ...base, type: undefined }]))).toThrow(/event 1: the required attribute "type"/);
    expect(() => parseBatch(body(base))).toThrow(/must be a JSON array/);
    expect(() => parseBatch(body([]))).toThrow(/empty/);
  });
});
