/**
 * One-shot commands of `direktiv <command>`: they print what they did and exit.
 */
import type { Logger } from 'pino';
import type { CommandName, Config } from '../config/index.js';
import { generateMasterKey, keyId, rotateMasterKey } from '../secrets/index.js';
import { describeDatabase, openDatabase } from './database.js';
import { loadKeyring, unknownMasterKeys } from './keyring.js';

/**
 * Re-wraps every namespace key with the configured master key. The keyring is the flow nodes'
 * own: `[secretsAPI] Key` is the new key, `PreviousKeys` holds the old one(s). Nodes keep
 * running throughout (they unwrap with either key); it can be interrupted and run again.
 */
async function rotate(config: Config, logger: Logger, print: (line: string) => void): Promise<void> {
  if (!config.secrets.key) {
    throw new Error('rotate-master-key: set the new key as [secretsAPI] Key (DIREKTIV_SECRETS_KEY) and the old one in PreviousKeys');
  }
  const keyring = loadKeyring(config, logger);
  const db = await openDatabase(config.database, 2, (err) => logger.error({ err }, 'database connection error'));
  try {
    const unknown = await unknownMasterKeys(db, keyring);
    if (unknown.length > 0) {
      throw new Error(
        `rotate-master-key: namespace keys are wrapped by master key(s) ${unknown.join(', ')}, which are neither ` +
          '[secretsAPI] Key nor in PreviousKeys; add the old key to PreviousKeys. Nothing was changed.',
      );
    }
    const r = await rotateMasterKey(db, keyring, keyring.current);
    print(
      `re-wrapped ${r.rewrapped} namespace key(s) in ${describeDatabase(config.database)}; every namespace key is now wrapped by master key ${r.keyId}. ` +
        'Remove PreviousKeys from the configuration of every flow node.',
    );
  } finally {
    await db.close();
  }
}

/** `config` is read only by the commands that need it (a new key needs none). */
export async function runCommand(name: CommandName, config: () => Config, logger: Logger, print: (line: string) => void): Promise<void> {
  switch (name) {
    case 'generate-master-key': {
      const key = generateMasterKey();
      print(key.toString('base64'));
      logger.info(`generated master key ${keyId(key)}`);
      return;
    }
    case 'rotate-master-key':
      return rotate(config(), logger, print);
  }
}
