/**
 * A private image registry for a test file: Debian's `docker-registry` (distribution v2) on
 * 127.0.0.1 and a port of its own, plain HTTP, filesystem storage in a temporary directory, and
 * basic auth for the given users (an htpasswd file made with `htpasswd -B`). docker-registry and
 * apache2-utils (htpasswd) are Debian packages that .ci/run installs.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Registry {
  /** `127.0.0.1:PORT`, as image references and logins name it */
  host: string;
  stop(): Promise<void>;
}

export async function startRegistry(opts: { users: Record<string, string> }): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'direktiv-registry-'));
  try {
    // The registry reads only bcrypt entries.
    const lines: string[] = [];
    for (const [user, password] of Object.entries(opts.users)) {
      lines.push((await run('htpasswd', ['-Bbn', user, password])).stdout.trim());
    }
    writeFileSync(join(dir, 'htpasswd'), `${lines.join('\n')}\n`);
    // Port 0: the registry takes a free port and logs it ("listening on 127.0.0.1:PORT"), so
    // there is no window in which another process could take a port chosen here.
    writeFileSync(
      join(dir, 'config.yml'),
      [
        'version: 0.1',
        'log:',
        '  level: info',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(dir, 'data')}`,
        'http:',
        '  addr: 127.0.0.1:0',
        `  secret: ${randomBytes(16).toString('hex')}`,
        'auth:',
        '  htpasswd:',
        '    realm: direktiv-test',
        `    path: ${join(dir, 'htpasswd')}`,
        '',
      ].join('\n'),
    );
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const child = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const listening = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /listening on (127\.0\.0\.1:\d+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`docker-registry exited (${signal ?? code}): ${stderr.trim()}`)));
  });
  const stop = async () => {
    // (no pid: it never started, and there is no exit to wait for)
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const host = await listening;
    // Listening is not yet serving: ready once the API answers, and refuses anonymous clients.
    for (let i = 0; ; i++) {
      const status = await fetch(`http://${host}/v2/`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 401) break;
      if (i > 100) throw new Error(`docker-registry at ${host} answers /v2/ with ${status || 'nothing'}, not 401: ${stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { host, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
