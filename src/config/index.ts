/**
 * The command line and the configuration of the `direktiv` program.
 *
 *   const args = parseArgs(process.argv.slice(2));          // ConfigError on a bad command line
 *   if (args.print) { process.stdout.write(args.print); process.exit(0); }
 *   const config = loadConfig({ file: args.configFile, components: args.components });
 *   for (const w of config.warnings) log.warn(w);
 */
export { COMMANDS, parseArgs, parseComponents, normalizeArgv, type CommandName, type ParsedArgs, type ParseArgsOptions } from './args.js';
export { ConfigError } from './errors.js';
export {
  CONFIG_KEYS,
  CONFIG_SECTIONS,
  formatConfigKeys,
  formatConfigKeysMarkdown,
  type ConfigKey,
  type ValueKind,
} from './keys.js';
export { loadConfig, type LoadOptions } from './load.js';
export { parseConnectionString, LIBPQ_KEYWORDS, type PgConnection } from './libpq.js';
export { parseDuration, formatDuration } from './durations.js';
export type { Bind, Component, Components, Config, DbConfig, Isolation, LogDriver } from './types.js';
