import { describe, expect, it } from 'vitest';
import {
  DecryptError,
  MasterKeyError,
  UnknownMasterKeyError,
  decryptValue,
  encryptValue,
  generateDataKey,
  generateMasterKey,
  keyId,
  parseMasterKey,
  unwrapDataKey,
  unwrapWithAny,
  wrapDataKey,
} from '../../src/secrets/index.js';

const plain = Buffer.from('s3cr3t value ✓');

describe('master keys', () => {
  it('parses 32 bytes of base64 or hex', () => {
    const k = generateMasterKey();
    expect(parseMasterKey(k.toString('base64'))).toEqual(k);
    expect(parseMasterKey(` ${k.toString('hex')}\n`)).toEqual(k);
    expect(parseMasterKey(k.toString('hex').toUpperCase())).toEqual(k);
  });

  it('refuses anything else without echoing it', () => {
    const k = generateMasterKey();
    const bad = [k.toString('base64').slice(0, 40), k.subarray(0, 16).toString('hex'), 'x'.repeat(64), k.toString('base64url'), ''];
    for (const text of bad) {
      let err: unknown;
      try {
        parseMasterKey(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MasterKeyError);
      expect((err as Error).message).toMatch(/32 bytes .* base64 .* hex/);
      if (text) expect((err as Error).message).not.toContain(text);
    }
  });

  it('fingerprints keys with 16 hex characters', () => {
    const k = generateMasterKey();
    expect(keyId(k)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyId(k)).toBe(keyId(Buffer.from(k)));
    expect(keyId(k)).not.toBe(keyId(generateMasterKey()));
  });
});

describe('wrapped data keys', () => {
  const master = generateMasterKey();
  const dataKey = generateDataKey();

  it('round-trip and use the format version|nonce|tag|ciphertext', () => {
    const w = wrapDataKey(master, dataKey, 'ns-one');
    expect(w.length).toBe(1 + 12 + 16 + 32);
    expect(w[0]).toBe(1);
    expect(unwrapDataKey(master, w, 'ns-one')).toEqual(dataKey);
    expect(wrapDataKey(master, dataKey, 'ns-one')).not.toEqual(w); // random nonce
  });

  it('do not unwrap under another namespace or another master key', () => {
    const w = wrapDataKey(master, dataKey, 'ns-one');
    expect(() => unwrapDataKey(master, w, 'ns-two')).toThrow(DecryptError);
    expect(() => unwrapDataKey(generateMasterKey(), w, 'ns-one')).toThrow(DecryptError);
  });

  it('are unwrapped with the keyring key named by the stored fingerprint', () => {
    const old = generateMasterKey();
    const w = wrapDataKey(old, dataKey, 'ns');
    expect(unwrapWithAny({ current: master, previous: [old] }, w, keyId(old), 'ns')).toEqual(dataKey);
    expect(() => unwrapWithAny({ current: master, previous: [] }, w, keyId(old), 'ns')).toThrow(UnknownMasterKeyError);
  });
});

describe('values', () => {
  const key = generateDataKey();

  it('round-trip', () => {
    const c = encryptValue(key, 'ns', 'secret', 'TOKEN', plain);
    expect(decryptValue(key, 'ns', 'secret', 'TOKEN', c)).toEqual(plain);
    expect(decryptValue(key, 'ns', 'secret', 'E', encryptValue(key, 'ns', 'secret', 'E', Buffer.alloc(0)))).toEqual(Buffer.alloc(0));
    expect(c.includes(plain)).toBe(false);
  });

  it('do not decrypt when moved to another name, namespace or kind', () => {
    const c = encryptValue(key, 'ns', 'secret', 'TOKEN', plain);
    expect(() => decryptValue(key, 'ns', 'secret', 'OTHER', c)).toThrow(DecryptError);
    expect(() => decryptValue(key, 'ns2', 'secret', 'TOKEN', c)).toThrow(DecryptError);
    expect(() => decryptValue(key, 'ns', 'registry', 'TOKEN', c)).toThrow(DecryptError);
    expect(() => decryptValue(generateDataKey(), 'ns', 'secret', 'TOKEN', c)).toThrow(DecryptError);
  });

  it('bind the parts unambiguously (length-prefixed associated data)', () => {
    const c = encryptValue(key, 'ab', 'secret', 'c', plain);
    expect(() => decryptValue(key, 'a', 'secret', 'bc', c)).toThrow(DecryptError);
  });

  it('detect any altered byte and unknown versions', () => {
    const c = encryptValue(key, 'ns', 'secret', 'TOKEN', plain);
    for (let i = 0; i < c.length; i++) {
      const t = Buffer.from(c);
      t[i] = t[i]! ^ 0x01;
      expect(() => decryptValue(key, 'ns', 'secret', 'TOKEN', t)).toThrow(DecryptError);
    }
    expect(() => decryptValue(key, 'ns', 'secret', 'TOKEN', c.subarray(0, 10))).toThrow(DecryptError);
  });

  it('accept a Uint8Array view (as PGlite returns bytea)', () => {
    const c = encryptValue(key, 'ns', 'secret', 'TOKEN', plain);
    const padded = new Uint8Array(c.length + 5);
    padded.set(c, 5);
    expect(decryptValue(key, 'ns', 'secret', 'TOKEN', padded.subarray(5))).toEqual(plain);
  });
});
