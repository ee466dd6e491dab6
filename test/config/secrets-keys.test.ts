import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('[secretsAPI] Key, PreviousKeys and Token', () => {
  it('are read from the environment, previous keys split at commas', () => {
    const c = loadConfig({
      components: ['w', 's'],
      env: {
        DIREKTIV_SECRETS_KEY: 'a'.repeat(64),
        DIREKTIV_SECRETS_PREVIOUS_KEYS: ' b , c ',
        DIREKTIV_SECRETS_TOKEN: 'shared',
      },
    });
    expect(c.secrets.key).toBe('a'.repeat(64));
    expect(c.secrets.previousKeys).toEqual(['b', 'c']);
    expect(c.secrets.token).toBe('shared');
  });

  it('default to unset', () => {
    const c = loadConfig({ components: ['w'], env: {} });
    expect(c.secrets.key).toBeUndefined();
    expect(c.secrets.previousKeys).toEqual([]);
    expect(c.secrets.token).toBeUndefined();
  });

  it('never show a secret value in an error', () => {
    let err: unknown;
    try {
      loadConfig({ components: ['w'], env: { DIREKTIV_SECRETS_KEY: 'super-secret', DIREKTIV_INGRESS_BIND: 'nope' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).not.toContain('super-secret');
  });
});
