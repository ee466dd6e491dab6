/**
 * Instance and namespace logs: batched appends for the engine, paged reads and live following
 * (LISTEN on `direktiv_logs` / `direktiv_ended` plus a slow poll) for the API.
 */
export { append, notifyLines, read, readAfter, LOGS_CHANNEL, ENDED_CHANNEL } from './store.js';
export type { LogLevel, LogEntry, LogLine, LogSource } from './store.js';
export { follow } from './follow.js';
export type { LogFollower, FollowOptions } from './follow.js';
