/**
 * The command line of `direktiv`: `-t/--type` components, `-c/--config` file, `-d/--debug`,
 * `-h/--help`, `--version`. Both spellings of the seed work: `-t=w` / `-t w`, `-c=/my.conf` /
 * `-c /my.conf` (commander takes `--type=w` but not `-t=w`, so argv is normalised first).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ConfigError } from './errors.js';
import { formatConfigKeys } from './keys.js';
import type { Component } from './types.js';

/** Commands that do one thing and exit instead of running components. */
export const COMMANDS = {
  'generate-master-key': 'print a new random secrets master key (base64) for [secretsAPI] Key',
  'rotate-master-key': 're-wrap every namespace key with [secretsAPI] Key (the old key in PreviousKeys), then exit',
} as const;
export type CommandName = keyof typeof COMMANDS;

export interface ParsedArgs {
  /** `direktiv <command> -c FILE`: run the command instead of components. */
  readonly command?: CommandName;
  readonly components: Set<Component>;
  readonly configFile?: string;
  readonly debug: boolean;
  /** Set for `--help` and `--version`: print it to stdout and exit 0 (the other fields are then defaults). */
  readonly print?: string;
}

export interface ParseArgsOptions {
  /** Shown by `--version`; defaults to package.json's version. */
  readonly version?: string;
}

const COMPONENT_NAMES: Record<Component, string> = {
  w: 'flow + ingress (engine and public API)',
  i: 'action service (isolates)',
  s: 'secrets service',
};

/**
 * Parses the arguments after the program name (`process.argv.slice(2)`). Throws ConfigError on
 * a bad command line; never exits the process.
 */
export function parseArgs(argv: readonly string[], options: ParseArgsOptions = {}): ParsedArgs {
  const first = argv[0];
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) {
    return { ...parseArgs(argv.slice(1), options), command: first as CommandName };
  }
  let out = '';
  const program = new Command('direktiv')
    .description('Direktiv, the event-driven serverless workflow engine')
    .option('-t, --type <components>', 'components to run: any of w, i, s', 'wis')
    .option('-c, --config <file>', 'TOML config file')
    .option('-d, --debug', 'debug logging', false)
    .helpOption('-h, --help', 'show this help')
    .version(options.version ?? packageVersion(), '--version', 'show the version')
    .allowExcessArguments(false)
    .allowUnknownOption(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void (out += s),
      writeErr: () => {},
      outputError: () => {},
    })
    .addHelpText('after', helpFooter);

  try {
    program.parse(normalizeArgv(argv), { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') {
        return { components: new Set(['w', 'i', 's']), debug: false, print: out };
      }
      throw new ConfigError(`command line: ${e.message.replace(/^error: /, '')} (see direktiv --help)`, {
        source: 'command line',
      });
    }
    throw e;
  }
  const opts = program.opts<{ type: string; config?: string; debug: boolean }>();
  if (opts.config !== undefined && opts.config.trim() === '') {
    throw new ConfigError('command line: -c/--config needs a file name', { source: 'command line' });
  }
  return {
    components: parseComponents(opts.type),
    ...(opts.config === undefined ? {} : { configFile: opts.config }),
    debug: opts.debug,
  };
}

/** `-t=w` → `-t w`, `-c=/my.conf` → `-c /my.conf` (up to a `--`). */
export function normalizeArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let rest = false;
  for (const arg of argv) {
    const m = rest ? null : /^-([tc])=(.*)$/s.exec(arg);
    if (m) out.push(`-${m[1]!}`, m[2]!);
    else out.push(arg);
    if (arg === '--') rest = true;
  }
  return out;
}

/** The letters of `-t`: any combination of w, i, s. */
export function parseComponents(type: string): Set<Component> {
  const letters = type.trim();
  if (letters === '') {
    throw new ConfigError(`command line: -t/--type is empty; ${usage()}`, { source: 'command line' });
  }
  const set = new Set<Component>();
  for (const c of letters) {
    if (!(c in COMPONENT_NAMES)) {
      throw new ConfigError(`command line: -t/--type "${letters}": unknown component "${c}"; ${usage()}`, {
        source: 'command line',
      });
    }
    set.add(c as Component);
  }
  return set;
}

function usage(): string {
  return `use any of ${Object.entries(COMPONENT_NAMES)
    .map(([c, name]) => `${c} = ${name}`)
    .join(', ')}`;
}

function helpFooter(): string {
  const letters = Object.entries(COMPONENT_NAMES)
    .map(([c, name]) => `  ${c}  ${name}`)
    .join('\n');
  return (
    `\nComponents (-t, default wis = all in one process):\n${letters}\n` +
    '\nExamples:\n  direktiv                       everything, embedded database in ./data\n' +
    '  direktiv -t=w -c /my.conf      flow + ingress with a config file\n' +
    `\nCommands (direktiv <command> -c /my.conf):\n${Object.entries(COMMANDS)
      .map(([c, what]) => `  ${c.padEnd(20)} ${what}`)
      .join('\n')}\n` +
    '\nSettings: [section] Key in the config file, overridden by the environment variables named.\n' +
    'Nothing is required: without [Database] DB the databases are embedded (PGlite).\n' +
    formatConfigKeys()
  );
}

function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown };
      return typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      const up = dirname(dir);
      if (up === dir) return 'unknown';
      dir = up;
    }
  }
}
