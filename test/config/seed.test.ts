/**
 * The seed's three example configs load exactly as written. They are read from the seed at test
 * time (never copied into the repository).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseArgs } from '../../src/config/index.js';
import { tempDir, writeConfig } from './helpers.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const seed = readFileSync(join(repoRoot, '../shared/seed/components.md'), 'utf8');
const blocks = [...seed.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1]!);
const dir = tempDir();

function load(index: number, argv: string[]) {
  const file = writeConfig(dir, `seed-${index}.toml`, blocks[index]!);
  const args = parseArgs([...argv.map((a) => a.replace('/my.conf', file))]);
  return loadConfig({ file: args.configFile, components: args.components, env: {}, cwd: dir });
}

const seedDb = {
  kind: 'postgres',
  connection: { host: '127.0.0.1', port: 5432, user: 'postgres', password: 'example', ssl: false },
};

describe('the seed components.md configs', () => {
  it('has three toml blocks', () => {
    expect(blocks).toHaveLength(3);
  });

  it('flow service: ./direktiv -t=w -c /my.conf', () => {
    const config = load(0, ['-t=w', '-c', '/my.conf']);
    expect(config.components).toEqual(['w']);
    expect(config.database).toEqual(seedDb);
    expect(config.flow.bind).toEqual({ host: '0.0.0.0', port: 7777 });
    expect(config.flow.endpoint).toBe('localhost:7777');
    expect(config.ingress.bind).toEqual({ host: '0.0.0.0', port: 9999 });
    expect(config.ingress.endpoint).toBe('localhost:9999');
    expect(config.isolate.endpoint).toBe('localhost:9999');
    expect(config.isolate.bind).toEqual({ host: '127.0.0.1', port: 8888 });
    expect(config.engine.workers).toBe(8);
    // Only a note that no secrets service is reachable; nothing unknown in the file.
    expect(config.warnings.filter((w) => w.includes('unknown'))).toEqual([]);
  });

  it('action service: ./direktiv -t=i -c /my.conf (repeated [flowAPI] merged)', () => {
    const config = load(1, ['-t=i', '-c', '/my.conf']);
    expect(config.components).toEqual(['i']);
    expect(config.database).toEqual(seedDb);
    expect(config.instanceLogging.driver).toBe('database');
    expect(config.isolate.bind).toEqual({ host: '0.0.0.0', port: 9999 });
    expect(config.isolate.isolation).toBe('vorteil');
    expect(config.minio).toEqual({
      endpoint: 'localhost:9000',
      user: 'example-user',
      password: 'example-password',
      region: undefined,
      ssl: false,
      secure: false,
      encrypt: 'encryptit',
    });
    expect(config.flow.endpoint).toBe('localhost:7777');
    expect(config.kernel).toEqual({ linux: '21.3.2', runtime: '21.3.2' });
    expect(config.flow.registry).toEqual({
      name: 'docker.io',
      user: 'my-user',
      token: 'TH1S-1SNT-4-R34L-T0K3N',
    });
    expect(config.warnings).toEqual([]);
  });

  it('secrets service: ./direktiv -t=s -c /my.conf', () => {
    const config = load(2, ['-t=s', '-c', '/my.conf']);
    expect(config.components).toEqual(['s']);
    expect(config.secrets.bind).toEqual({ host: '0.0.0.0', port: 2610 });
    expect(config.secrets.db).toEqual(seedDb);
    expect(config.database).toEqual({ kind: 'pglite', path: join(dir, 'data', 'main') });
    expect(config.warnings).toEqual([]);
  });

  it('every block also loads for all components in one process', () => {
    for (let i = 0; i < blocks.length; i++) {
      expect(() => load(i, ['-c=/my.conf'])).not.toThrow();
    }
  });

  it('the merged file keeps its line numbers for errors', () => {
    const broken = blocks[1]!.replace('Isolation = "vorteil"', 'Isolation = "foo"');
    const line = broken.split('\n').findIndex((l) => l.includes('Isolation')) + 1;
    const file = writeConfig(dir, 'seed-broken.toml', broken);
    expect(() => loadConfig({ file, components: ['i'], env: {} })).toThrow(
      `config ${file}: [isolateAPI] Isolation = "foo" (line ${line}): must be "container" or "vorteil"`,
    );
    const tokenLine = blocks[1]!.split('\n').findIndex((l) => l.includes('Token')) + 1;
    const bad = writeConfig(dir, 'seed-bad-token.toml', blocks[1]!.replace(/Token = .*/, 'Token = 12'));
    expect(() => loadConfig({ file: bad, components: ['i'], env: {} })).toThrow(
      `config ${bad}: [flowAPI.Registry] Token (line ${tokenLine}): must be a string, not a number`,
    );
  });
});
