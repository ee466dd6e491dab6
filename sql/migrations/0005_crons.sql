-- One row per enabled workflow with a scheduled start: its cron and the next tick to fire.
-- A node fires a due tick and moves next_tick on in one transaction, with the row locked
-- (FOR UPDATE SKIP LOCKED), so each tick fires exactly once across all nodes.
CREATE TABLE crons (
  workflow_uid uuid PRIMARY KEY REFERENCES workflows(uid) ON DELETE CASCADE,
  namespace    text NOT NULL,
  workflow     text NOT NULL,
  cron         text NOT NULL,
  next_tick    timestamptz NOT NULL
);
CREATE INDEX crons_due ON crons (next_tick);
