-- The flow engine's tables. Every query that runs per state transition is served by an index
-- named here: work_due (claim), instances_pkey (load), logs_instance (append/read).

CREATE TABLE namespaces (
  name        text PRIMARY KEY,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workflows (
  uid         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  namespace   text NOT NULL REFERENCES namespaces(name) ON DELETE CASCADE,
  name        text NOT NULL,
  revision    int NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  description text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (namespace, name)
);

-- Every stored revision: a running instance keeps the revision it started with.
CREATE TABLE workflow_revisions (
  workflow_uid uuid NOT NULL REFERENCES workflows(uid) ON DELETE CASCADE,
  revision     int NOT NULL,
  source       text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workflow_uid, revision)
);

CREATE TABLE instances (
  id            text PRIMARY KEY,                -- <namespace>/<workflow>/<random>
  namespace     text NOT NULL REFERENCES namespaces(name) ON DELETE CASCADE,
  workflow      text NOT NULL,
  workflow_uid  uuid NOT NULL,
  revision      int NOT NULL,
  status        text NOT NULL,                   -- pending | complete | failed | crashed | cancelled
  singular      boolean NOT NULL DEFAULT false,
  -- someone follows it (a live log, a waiting request on another node): its commits notify
  watched       boolean NOT NULL DEFAULT false,
  invoked_by    jsonb NOT NULL,                  -- {kind: api|cron|event|subflow, parent?, step?, branch?}
  depth         int NOT NULL DEFAULT 0,
  -- json, not jsonb: users' data keeps its key order, as jq produced it.
  input         json NOT NULL,
  data          json NOT NULL,                   -- the state data, replaced at every step
  output        json,
  flow          text[] NOT NULL DEFAULT '{}',    -- state ids visited; step n is flow[n]
  step          int NOT NULL DEFAULT 0,
  memory        json,                            -- what the current state keeps between wake-ups
  recorded_error jsonb,                          -- set by an `error` state: the instance fails when it ends
  error_code    text,
  error_message text,
  begin_time    timestamptz NOT NULL DEFAULT now(),
  end_time      timestamptz
);
CREATE INDEX instances_namespace ON instances (namespace, begin_time DESC);
CREATE INDEX instances_workflow ON instances (workflow_uid, begin_time DESC);
CREATE INDEX instances_ended ON instances (end_time) WHERE end_time IS NOT NULL;
-- `singular` workflows: at most one pending instance, enforced by the database itself.
CREATE UNIQUE INDEX instances_singular ON instances (workflow_uid) WHERE singular AND status = 'pending';

-- The work queue: every wake-up of an instance, due now (a step to run, an action result) or
-- later (a delay, a retry, a timeout). Claimed with FOR UPDATE SKIP LOCKED and deleted in the
-- transaction that handles it, so a crash puts it back.
CREATE TABLE work (
  id           bigserial PRIMARY KEY,
  instance_id  text NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
  kind         text NOT NULL,
  step         int,                              -- the step it belongs to; a stale one is dropped
  payload      json,
  run_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX work_due ON work (run_at, id);
CREATE INDEX work_instance ON work (instance_id);

CREATE TABLE logs (
  id           bigserial PRIMARY KEY,
  namespace    text NOT NULL REFERENCES namespaces(name) ON DELETE CASCADE,
  instance_id  text,                             -- null for namespace logs
  t            timestamptz NOT NULL DEFAULT clock_timestamp(),
  level        text NOT NULL,
  msg          text NOT NULL
);
CREATE INDEX logs_instance ON logs (instance_id, id) WHERE instance_id IS NOT NULL;
CREATE INDEX logs_namespace ON logs (namespace, id);

-- Variables are stored in chunks so that a value of hundreds of MB never sits in memory whole.
CREATE TABLE variables (
  id          bigserial PRIMARY KEY,
  namespace   text NOT NULL REFERENCES namespaces(name) ON DELETE CASCADE,
  scope       text NOT NULL,                     -- namespace | workflow | instance
  owner       text NOT NULL,                     -- '' | workflow uid | instance id
  key         text NOT NULL,
  mime_type   text NOT NULL,
  size        bigint NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (namespace, scope, owner, key)
);
CREATE TABLE variable_chunks (
  variable_id bigint NOT NULL REFERENCES variables(id) ON DELETE CASCADE,
  seq         int NOT NULL,
  data        bytea NOT NULL,
  PRIMARY KEY (variable_id, seq)
);

CREATE TABLE settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);
