/**
 * The `direktiv` program as users run it: `node bin/direktiv.js …` (what `npx direktiv` runs in
 * a checkout) as a real child process, with a clean environment (no DIREKTIV_* variable of the
 * test process leaks in) and its own working directory.
 *
 * The tests run concurrently, so what a test starts belongs to that test: a Scope (see scope())
 * tracks its children, temp dirs and databases and releases them when the test ends, failed or
 * not: children SIGKILLed and reaped, then databases dropped, then directories removed.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(REPO_ROOT, 'bin', 'direktiv.js');

/** The program: node and its arguments before the direktiv arguments. */
export const DIREKTIV: readonly string[] = [process.execPath, BIN];

export interface SpawnOptions {
  /** Added to the environment (undefined removes a variable). */
  env?: Record<string, string | undefined>;
  /** Working directory; defaults to the repository root. */
  cwd?: string;
  /** The command before the arguments; defaults to DIREKTIV. */
  command?: readonly string[];
}

/**
 * The environment of a child: the test process's, without DIREKTIV_* (the test setup sets some,
 * and a developer's shell may have more), then `extra`.
 */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DIREKTIV_')) env[k] = v;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function spawnChild(args: readonly string[], opts: SpawnOptions): ChildProcess {
  const [cmd, ...pre] = opts.command ?? DIREKTIV;
  return spawn(cmd!, [...pre, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: childEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

// ---------------------------------------------------------------------------------------------
// Every child still running, SIGKILLed should the test process itself go away.

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

function track(proc: ChildProcess, owner: Set<ChildProcess>): Promise<Exit> {
  live.add(proc);
  owner.add(proc);
  return new Promise<Exit>((resolve) => {
    proc.once('exit', (code, signal) => {
      live.delete(proc);
      owner.delete(proc);
      resolve({ code, signal });
    });
  });
}

/** SIGKILLs the children still running and waits until they are gone. */
async function killAll(procs: Iterable<ChildProcess>): Promise<void> {
  await Promise.all(
    [...procs].map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null || p.signalCode !== null) return resolve();
          p.once('exit', () => resolve());
          p.kill('SIGKILL');
        }),
    ),
  );
}

/** SIGKILLs every child of every scope (a safety net for afterAll). */
export const killAllChildren = () => killAll(live);

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

// ---------------------------------------------------------------------------------------------
// A run that ends by itself: --help, a bad command line, a bad config.

export interface Run extends Exit {
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the program to its end; a run longer than `timeoutMs` is SIGKILLed and rejected. */
async function runDirektiv(
  owner: Set<ChildProcess>,
  args: readonly string[],
  opts: SpawnOptions & { timeoutMs?: number } = {},
): Promise<Run> {
  const t0 = Date.now();
  const proc = spawnChild(args, opts);
  const exited = track(proc, owner);
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timeoutMs = opts.timeoutMs ?? 50_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`direktiv ${args.join(' ')} still running after ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
  });
  try {
    const exit = await Promise.race([exited, timedOut]);
    // 'exit' can come before the pipes are drained; 'close' waits for them.
    if (proc.stdout!.readable || proc.stderr!.readable) await new Promise((r) => proc.once('close', r));
    return { ...exit, stdout, stderr, ms: Date.now() - t0 };
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// A server: started, talked to, stopped.

/** One pino line of the server's stdout. */
export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

export interface Server {
  proc: ChildProcess;
  /** The address it printed in "API listening on …". */
  listening: string;
  /** The same, to connect to (a wildcard host replaced by 127.0.0.1). */
  url: string;
  port: number;
  exited: Promise<Exit>;
  /** Everything written to stdout and stderr so far. */
  stdout(): string;
  stderr(): string;
  /** The stdout lines that are pino JSON, parsed. */
  logs(): LogLine[];
  /** Messages of the log lines at `level` (30 info, 40 warn, 50 error) or above. */
  messages(minLevel?: number): string[];
  /** The last lines of both streams, for failure messages. */
  tail(lines?: number): string;
  /** Resolves with the first log line (present or future) whose msg matches. */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<LogLine>;
  /** Sends `signal` and waits for the exit; SIGKILLs and rejects after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit & { ms: number }>;
}

export interface ServerOptions extends SpawnOptions {
  /** How long until "API listening on"; embedded PGlite's first start (initdb) takes ~10 s. */
  startTimeoutMs?: number;
  /** The log line that says the server is ready, naming its address (default: "API listening on <url>"). */
  ready?: RegExp;
}

/** Starts the program and resolves once it logs "API listening on <url>". */
async function startServer(owner: Set<ChildProcess>, args: readonly string[], opts: ServerOptions = {}): Promise<Server> {
  const proc = spawnChild(args, opts);
  const exited = track(proc, owner);
  let out = '';
  let err = '';
  const parsed: LogLine[] = [];
  const waiters: { re: RegExp; resolve: (l: LogLine) => void }[] = [];
  let pending = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let line: LogLine | undefined;
      try {
        const v = JSON.parse(text) as unknown;
        if (typeof v === 'object' && v !== null && typeof (v as LogLine).msg === 'string') line = v as LogLine;
      } catch {
        line = undefined;
      }
      if (!line) continue;
      parsed.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.re.test(line.msg)) {
          waiters[i]!.resolve(line);
          waiters.splice(i, 1);
        }
      }
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));

  const tail = (n = 40) =>
    `stdout (last ${n} lines):\n${out.split('\n').slice(-n).join('\n')}\nstderr:\n${err.split('\n').slice(-n).join('\n')}`;
  const waitForLog = (re: RegExp, timeoutMs = 30_000) => {
    const found = parsed.find((l) => re.test(l.msg));
    if (found) return Promise.resolve(found);
    return new Promise<LogLine>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = waiters.findIndex((w) => w.resolve === done);
        if (i >= 0) waiters.splice(i, 1);
        reject(new Error(`no log line matching ${String(re)} within ${timeoutMs} ms\n${tail()}`));
      }, timeoutMs);
      const done = (l: LogLine) => {
        clearTimeout(timer);
        resolve(l);
      };
      waiters.push({ re, resolve: done });
      void exited.then((how) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${JSON.stringify(how)}) before logging ${String(re)}\n${tail()}`));
      });
    });
  };

  const startTimeoutMs = opts.startTimeoutMs ?? 90_000;
  let listening: string;
  try {
    const line = await waitForLog(opts.ready ?? /^API listening on /, startTimeoutMs);
    listening = /https?:\/\/[^\s;]+/.exec(line.msg)![0];
  } catch (e) {
    proc.kill('SIGKILL');
    await exited;
    throw e;
  }
  const u = new URL(listening);
  if (u.hostname === '0.0.0.0' || u.hostname === '[::]') u.hostname = '127.0.0.1';
  const url = u.origin;

  return {
    proc,
    listening,
    url,
    port: Number(u.port),
    exited,
    stdout: () => out,
    stderr: () => err,
    logs: () => [...parsed],
    messages: (minLevel = 0) => parsed.filter((l) => l.level >= minLevel).map((l) => l.msg),
    tail,
    waitForLog,
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      const t0 = Date.now();
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          proc.kill('SIGKILL');
          reject(new Error(`still running ${timeoutMs} ms after ${signal}\n${tail()}`));
        }, timeoutMs);
      });
      try {
        const exit = await Promise.race([exited, late]);
        if (proc.stdout!.readable || proc.stderr!.readable) await new Promise((r) => proc.once('close', r));
        return { ...exit, ms: Date.now() - t0 };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP (node:http rather than fetch: fetch refuses some ports, 6666 the ingress default among them)

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = unknown>(): T;
}

export function http(
  method: string,
  url: string,
  opts: {
    body?: string;
    headers?: Record<string, string>;
    timeoutMs?: number;
    /** Called once the status line and headers are in (a stream's body may follow for long). */
    onResponse?: (status: number) => void;
  } = {},
): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const req = request(url, { method, headers: opts.headers ?? {}, timeout: opts.timeoutMs ?? 30_000 }, (res) => {
      opts.onResponse?.(res.statusCode ?? 0);
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
        }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within ${opts.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

// ---------------------------------------------------------------------------------------------
// What one test owns

export interface Scope {
  /** Runs the program to its end (--help, a refused start); SIGKILLed and rejected after timeoutMs. */
  run(args: readonly string[], opts?: SpawnOptions & { timeoutMs?: number }): Promise<Run>;
  /** Starts a server and resolves once it logs "API listening on <url>". */
  start(args: readonly string[], opts?: ServerOptions): Promise<Server>;
  /** A fresh directory under the system's temp dir, removed at the end. */
  tempDir(): string;
  /** Runs `fn` at the end, after the children are gone (dropping a database, say). */
  defer(fn: () => Promise<void> | void): void;
  /** Kills the children, runs the deferred work (last first), removes the directories. */
  close(): Promise<void>;
}

/**
 * A scope for one test, closed when the test finishes: pass the test context's onTestFinished
 * (the global one does not work in concurrent tests).
 */
export function scope(onTestFinished: (fn: () => Promise<void>) => void): Scope {
  const procs = new Set<ChildProcess>();
  const dirs: string[] = [];
  const deferred: (() => Promise<void> | void)[] = [];
  const s: Scope = {
    run: (args, opts) => runDirektiv(procs, args, opts),
    start: (args, opts) => startServer(procs, args, opts),
    tempDir() {
      const d = mkdtempSync(join(tmpdir(), 'direktiv-cli-'));
      dirs.push(d);
      return d;
    },
    defer: (fn) => void deferred.push(fn),
    async close() {
      await killAll(procs);
      const errors: unknown[] = [];
      for (const fn of deferred.splice(0).reverse()) {
        try {
          await fn();
        } catch (e) {
          errors.push(e);
        }
      }
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
      if (errors.length > 0) throw errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
    },
  };
  onTestFinished(() => s.close());
  return s;
}
