/** Streaming a value in and out chunk by chunk, for the API (bodies of hundreds of MB). */
import { Readable } from 'node:stream';
import type { Db } from '../db/index.js';
import { checkKey, VariableTooLargeError } from './keys.js';
import type { VariableRef } from './keys.js';
import { beginWrite, CHUNK_SELECT, CHUNK_SIZE, finishWrite, fromBase64, getMeta, writeChunk } from './store.js';
import type { VariableInfo } from './store.js';

/**
 * Reads `body` into the variable in one transaction, 1 MiB chunk at a time. Over `maxBytes` it
 * throws VariableTooLargeError and the transaction rolls back: nothing partial is stored. The
 * stream is not destroyed on error, so an HTTP server can still answer the request.
 */
export async function writeStream(
  db: Db,
  ref: VariableRef,
  body: Readable | undefined,
  mimeType: string,
  opts: { maxBytes: number },
): Promise<VariableInfo> {
  checkKey(ref.key);
  return db.tx(async (q) => {
    const id = await beginWrite(q, ref);
    let seq = 0;
    let size = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async (all: boolean) => {
      while (pendingBytes >= CHUNK_SIZE || (all && pendingBytes > 0)) {
        const joined = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
        const chunk = joined.subarray(0, CHUNK_SIZE);
        const rest = joined.subarray(chunk.length);
        pending = rest.length > 0 ? [rest] : [];
        pendingBytes = rest.length;
        await writeChunk(q, id, seq++, chunk);
      }
    };
    if (body) {
      for await (const part of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer | string>) {
        const buf = typeof part === 'string' ? Buffer.from(part) : part;
        size += buf.length;
        if (size > opts.maxBytes) throw new VariableTooLargeError(opts.maxBytes);
        pending.push(buf);
        pendingBytes += buf.length;
        await flush(false);
      }
    }
    await flush(true);
    return finishWrite(q, id, size, mimeType);
  });
}

export interface VariableStream extends VariableInfo {
  /** The bytes, fetched one chunk per read: a value never sits in memory whole. */
  stream: Readable;
}

/**
 * The value as a stream, or null when the variable does not exist. If the variable is replaced
 * or deleted while it is read, the stream fails rather than mix two values.
 */
export async function readStream(db: Db, ref: VariableRef): Promise<VariableStream | null> {
  const meta = await getMeta(db, ref);
  if (!meta) return null;
  const { id, size } = meta;
  async function* chunks(): AsyncGenerator<Buffer> {
    let read = 0;
    for (let seq = 0; read < size; seq++) {
      const r = await db.query<{ data: string }>(
        `SELECT ${CHUNK_SELECT} FROM variable_chunks WHERE variable_id = $1 AND seq = $2`,
        [id, seq],
      );
      if (!r.rows[0]) throw new Error(`variable ${ref.key} changed while it was being read`);
      const data = fromBase64(r.rows[0].data);
      read += data.length;
      yield data;
    }
  }
  const { id: _id, ...info } = meta;
  return { ...info, stream: Readable.from(chunks(), { objectMode: false }) };
}
