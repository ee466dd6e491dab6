/** Timers beyond the engine's own work queue: scheduled (cron) starts. */
import { onWorkflowChange } from '../workflows/index.js';
import { syncCron } from './crons.js';

export { CronTicker, syncCron } from './crons.js';
export type { CronStarter, CronTickerOptions } from './crons.js';

let installed: (() => void) | undefined;

/** Keeps crons in step with workflow changes, in their transactions (once per process). */
export function installCronHooks(): void {
  installed ??= onWorkflowChange((q, change) => syncCron(q, change));
}
