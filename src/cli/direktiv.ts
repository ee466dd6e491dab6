/**
 * `direktiv -t wis -c config.toml -d`: the server. A bad command line or config stops it with
 * a message naming the problem; SIGTERM and SIGINT drain before exit.
 */
import pino from 'pino';
import { ConfigError, loadConfig, parseArgs } from '../config/index.js';

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.print !== undefined) {
    process.stdout.write(args.print);
    return;
  }
  if (args.command) {
    const config = () => loadConfig({ file: args.configFile, components: ['w'] });
    const { runCommand } = await import('../server/commands.js');
    // Logs go to stderr: stdout carries only the command's answer (e.g. a generated key).
    const logger = pino({ level: args.debug ? 'debug' : 'warn' }, pino.destination(2));
    await runCommand(args.command, config, logger, (line) => process.stdout.write(`${line}\n`));
    return;
  }
  const config = loadConfig({ file: args.configFile, components: args.components });
  // Loaded only now: --help, --version and refusals need not load the server.
  const { startDirektiv } = await import('../server/main.js');
  const logger = pino({ level: args.debug ? 'debug' : 'info' });
  const running = await startDirektiv(config, logger);
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    logger.info(`${signal}: draining`);
    running.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`direktiv: ${message}\n`);
  process.exit(2);
});
