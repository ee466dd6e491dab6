/**
 * Envelope encryption. A master key (config or environment, never stored in a database) wraps
 * one random data key per namespace; data keys encrypt the values. Both layers are AES-256-GCM
 * with a random 12-byte nonce, and the associated data binds each ciphertext to where it
 * belongs (the namespace for a wrapped key; namespace, kind and name for a value), so a
 * ciphertext copied to another place fails authentication instead of decrypting.
 *
 * Format of both: version(1) | nonce(12) | tag(16) | ciphertext.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export const KEY_BYTES = 32;
const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Bytes a sealed value has on top of its plaintext. */
export const OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;

export type SecretKind = 'secret' | 'registry';
export const KINDS: readonly SecretKind[] = ['secret', 'registry'];

/** The master key in use and the ones still accepted for unwrapping (during a rotation). */
export interface MasterKeys {
  current: Buffer;
  previous: Buffer[];
}

/** A master key that is not 32 bytes of base64 or hex. The message never contains the key. */
export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

/** Authentication failed: wrong key, or the ciphertext was altered or moved. */
export class DecryptError extends Error {
  override name = 'DecryptError';
}

/** A wrapped key names a master key that is not in this node's keyring. */
export class UnknownMasterKeyError extends Error {
  override name = 'UnknownMasterKeyError';
  constructor(readonly keyId: string) {
    super(`the namespace key was wrapped by master key ${keyId}, which is not configured on this node`);
  }
}

/** Parses 32 raw bytes given as base64 (44 characters) or hex (64 characters). */
export function parseMasterKey(text: string): Buffer {
  const t = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/]{43}=$/.test(t)) key = Buffer.from(t, 'base64');
  if (!key || key.length !== KEY_BYTES) {
    // Only the length: the text may be a real key with a typo, and must not reach a log.
    throw new MasterKeyError(
      `the secrets master key must be 32 bytes written as base64 (44 characters) or hex (64 characters); got ${t.length} characters`,
    );
  }
  return key;
}

export const generateMasterKey = (): Buffer => randomBytes(KEY_BYTES);
export const generateDataKey = (): Buffer => randomBytes(KEY_BYTES);

/** A short public fingerprint of a master key (first 8 bytes of its SHA-256, hex). */
export function keyId(masterKey: Buffer): string {
  return createHash('sha256').update(masterKey).digest().subarray(0, 8).toString('hex');
}

/** Length-prefixed parts (4-byte big-endian length each): "a","bc" and "ab","c" differ. */
function aad(purpose: string, parts: string[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of [purpose, ...parts]) {
    const b = Buffer.from(p, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    chunks.push(len, b);
  }
  return Buffer.concat(chunks);
}

function seal(key: Buffer, data: Buffer, ad: Buffer): Buffer {
  checkKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(ad);
  const body = Buffer.concat([cipher.update(data), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Uint8Array, ad: Buffer, what: string): Buffer {
  checkKey(key);
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (buf.length < OVERHEAD || buf[0] !== VERSION) throw new DecryptError(`${what}: not a sealed value of a known version`);
  const nonce = buf.subarray(1, 1 + NONCE_BYTES);
  const tag = buf.subarray(1 + NONCE_BYTES, OVERHEAD);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(ad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(buf.subarray(OVERHEAD)), decipher.final()]);
  } catch {
    throw new DecryptError(`${what}: authentication failed (wrong key, or the data was altered or moved)`);
  }
}

function checkKey(key: Buffer) {
  if (key.length !== KEY_BYTES) throw new MasterKeyError(`a key must be ${KEY_BYTES} bytes`);
}

export function wrapDataKey(master: Buffer, dataKey: Buffer, namespace: string): Buffer {
  return seal(master, dataKey, aad('direktiv/namespace-key', [namespace]));
}

export function unwrapDataKey(master: Buffer, wrapped: Uint8Array, namespace: string): Buffer {
  const key = open(master, wrapped, aad('direktiv/namespace-key', [namespace]), `key of namespace ${namespace}`);
  if (key.length !== KEY_BYTES) throw new DecryptError(`key of namespace ${namespace}: wrong length`);
  return key;
}

/** Unwraps with the keyring's key whose fingerprint is `keyIdStored`. */
export function unwrapWithAny(keyring: MasterKeys, wrapped: Uint8Array, keyIdStored: string, namespace: string): Buffer {
  const master = [keyring.current, ...keyring.previous].find((k) => keyId(k) === keyIdStored);
  if (!master) throw new UnknownMasterKeyError(keyIdStored);
  return unwrapDataKey(master, wrapped, namespace);
}

export function encryptValue(dataKey: Buffer, namespace: string, kind: SecretKind, name: string, plaintext: Buffer): Buffer {
  return seal(dataKey, plaintext, aad('direktiv/value', [namespace, kind, name]));
}

export function decryptValue(dataKey: Buffer, namespace: string, kind: SecretKind, name: string, ciphertext: Uint8Array): Buffer {
  return open(dataKey, ciphertext, aad('direktiv/value', [namespace, kind, name]), `${kind} ${JSON.stringify(name)}`);
}
