/**
 * The master keyring of a flow node: `[secretsAPI] Key` (and `PreviousKeys` during a rotation),
 * or, when no key is configured, `<Path>/master.key`, generated on first start.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import { MasterKeyError, generateMasterKey, keyId, parseMasterKey } from '../secrets/index.js';
import type { MasterKeys } from '../secrets/index.js';

export const masterKeyFile = (config: Config): string => join(config.dataDir, 'master.key');

function parse(text: string, where: string): Buffer {
  try {
    return parseMasterKey(text);
  } catch (err) {
    if (err instanceof MasterKeyError) throw new MasterKeyError(`${where}: ${err.message}`);
    throw err;
  }
}

/** Reads the generated key file, or creates it (mode 0600, never overwritten). */
function fileKey(path: string, dir: string, logger: Logger, shared: boolean): Buffer {
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text !== undefined) return parse(text, path);
  mkdirSync(dir, { recursive: true });
  const key = generateMasterKey();
  try {
    // 'wx': a concurrent start that wrote it first wins, and this one reads that key.
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return parse(readFileSync(path, 'utf8'), path);
    throw err;
  }
  logger.warn(
    `generated the secrets master key in ${path}: back it up, apart from the databases; without it every secret is lost` +
      (shared ? '. Every flow node of this database needs the same key: set [secretsAPI] Key (DIREKTIV_SECRETS_KEY) on each' : ''),
  );
  return key;
}

export function loadKeyring(config: Config, logger: Logger): MasterKeys {
  const { key, previousKeys } = config.secrets;
  const current = key
    ? parse(key, '[secretsAPI] Key')
    : fileKey(masterKeyFile(config), config.dataDir, logger, config.database.kind === 'postgres');
  const previous = previousKeys.map((k, i) => parse(k, `[secretsAPI] PreviousKeys (key ${i + 1})`));
  logger.info(
    `secrets: master key ${keyId(current)} from ${key ? '[secretsAPI] Key' : masterKeyFile(config)}` +
      (previous.length ? `; previous keys ${previous.map(keyId).join(', ')}` : ''),
  );
  return { current, previous };
}

/** Fingerprints of master keys that wrap namespace keys in `db` and are missing from the keyring. */
export async function unknownMasterKeys(db: Db, keyring: MasterKeys): Promise<string[]> {
  const known = new Set([keyring.current, ...keyring.previous].map(keyId));
  const { rows } = await db.query<{ key_id: string }>('SELECT DISTINCT key_id FROM namespace_keys ORDER BY key_id');
  return rows.map((r) => r.key_id).filter((id) => !known.has(id));
}
