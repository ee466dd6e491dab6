/** The engine's tunables, resolved from the config's [Engine] section. */
export interface EngineSettings {
  workers: number;
  subflowDepth: number;
  interruptMs: number;
  killMs: number;
  stateTimeoutMs: number;
  retentionMs: number;
  jqTimeoutMs: number;
  pollMs: number;
  /** how many state entries one transaction may run before it yields to other work */
  chainLimit: number;
  /** false with `[InstanceLogging] Driver = "stdout"`: instance logs go to the process log */
  logsToDatabase: boolean;
}

export const DEFAULT_SETTINGS: EngineSettings = {
  workers: 8,
  subflowDepth: 5,
  interruptMs: 15 * 60_000,
  killMs: 20 * 60_000,
  stateTimeoutMs: 15 * 60_000,
  retentionMs: 7 * 24 * 3600_000,
  jqTimeoutMs: 10_000,
  pollMs: 1000,
  chainLimit: 100,
  logsToDatabase: true,
};
