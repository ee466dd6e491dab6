/**
 * A startup error of the `direktiv` program: a bad command line or a missing or malformed
 * configuration value. The message is complete and meant for the user as it is; the fields
 * repeat its parts for callers that want them.
 */
export class ConfigError extends Error {
  /** The setting, as `[section] Key`, when the error is about one. */
  readonly key: string | undefined;
  /** Where the value came from: `config <file>`, `environment variable <NAME>` or `command line`. */
  readonly source: string | undefined;
  /** The line in the config file, when known. */
  readonly line: number | undefined;

  constructor(message: string, details: { key?: string; source?: string; line?: number } = {}) {
    super(message);
    this.name = 'ConfigError';
    this.key = details.key;
    this.source = details.source;
    this.line = details.line;
  }
}
