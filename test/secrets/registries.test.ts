/**
 * Registry credentials: stored per host (names normalised the way image references name
 * registries), `user:token` values, and the login chosen for an image: the namespace's own for
 * the image's host, else `[flowAPI.Registry]` when it is for that host, else none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create as createNamespace } from '../../src/namespaces/index.js';
import { InvalidSecretError, Secrets, generateMasterKey, imageRegistry, localBackend, parseLogin, registryHost } from '../../src/secrets/index.js';
import { BACKENDS, createTestDb } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';
import { createSecretsTestDb } from './helpers.js';

describe('registry names', () => {
  it('the registry of an image reference', () => {
    expect(imageRegistry('alpine')).toBe('docker.io');
    expect(imageRegistry('alpine:3.20')).toBe('docker.io');
    expect(imageRegistry('direktiv/request:v1')).toBe('docker.io');
    expect(imageRegistry('library/alpine@sha256:abc')).toBe('docker.io');
    expect(imageRegistry('ghcr.io/org/tool:1')).toBe('ghcr.io');
    expect(imageRegistry('Registry.Example.com:5000/team/app')).toBe('registry.example.com:5000');
    expect(imageRegistry('localhost/app')).toBe('localhost');
    expect(imageRegistry('localhost:5000/app:dev')).toBe('localhost:5000');
    expect(imageRegistry('index.docker.io/library/alpine')).toBe('docker.io');
  });

  it('a registry given as a URL or a Docker Hub alias is stored under its host', () => {
    expect(registryHost('https://Registry.Example.com/v2/')).toBe('registry.example.com');
    expect(registryHost('http://localhost:5000')).toBe('localhost:5000');
    expect(registryHost('https://index.docker.io/v1/')).toBe('docker.io');
    expect(registryHost('registry-1.docker.io')).toBe('docker.io');
    expect(registryHost('GHCR.io')).toBe('ghcr.io');
  });

  it('values are user:token, split at the first colon', () => {
    expect(parseLogin('ghcr.io', 'robot:to:ken')).toEqual({ registry: 'ghcr.io', user: 'robot', token: 'to:ken' });
    expect(() => parseLogin('ghcr.io', 'no-colon')).toThrow(InvalidSecretError);
    expect(() => parseLogin('ghcr.io', ':token')).toThrow(/user:token/);
  });
});

describe.each(BACKENDS)('the login for an image on %s', (backend) => {
  let main: TestDb;
  let sec: TestDb;
  let secrets: Secrets;

  beforeAll(async () => {
    main = await createTestDb(backend, 4);
    sec = await createSecretsTestDb(backend);
    await createNamespace(main.db, 'team-a');
    await createNamespace(main.db, 'team-b');
    secrets = new Secrets({
      mainDb: main.db,
      backend: localBackend(sec.db),
      keyring: { current: generateMasterKey(), previous: [] },
      defaultRegistry: { name: 'docker.io', user: 'default-user', token: 'default-token' },
    });
  });
  afterAll(async () => {
    await main.drop();
    await sec.drop();
  });

  it('the namespace own login for the host, else the configured default for its host, else none', async () => {
    await secrets.set('team-a', 'registry', 'https://index.docker.io/v1/', 'team-a-user:hub-token');
    await secrets.set('team-a', 'registry', 'registry.example.com:5000', 'robot:private-token');
    expect((await secrets.list('team-a', 'registry')).names).toEqual(['docker.io', 'registry.example.com:5000']);

    expect(await secrets.registryLogin('team-a', 'direktiv/request:v1')).toEqual({ registry: 'docker.io', user: 'team-a-user', token: 'hub-token' });
    expect(await secrets.registryLogin('team-a', 'registry.example.com:5000/app:1')).toEqual({
      registry: 'registry.example.com:5000',
      user: 'robot',
      token: 'private-token',
    });
    // team-b has none: the default for Docker Hub, nothing for other hosts.
    expect(await secrets.registryLogin('team-b', 'alpine')).toEqual({ registry: 'docker.io', user: 'default-user', token: 'default-token' });
    expect(await secrets.registryLogin('team-b', 'registry.example.com:5000/app:1')).toBeUndefined();
  });

  it('refuses registry credentials that are not user:token, without echoing them', async () => {
    const err = await secrets.set('team-a', 'registry', 'ghcr.io', 'just-a-token-9d1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidSecretError);
    expect((err as Error).message).not.toContain('just-a-token-9d1');
    expect((await secrets.list('team-a', 'registry')).names).not.toContain('ghcr.io');
  });
});
