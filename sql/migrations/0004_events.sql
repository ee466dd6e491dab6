-- CloudEvents received per namespace: the history users read to see why a workflow started
-- (or did not), and the source of replays. (namespace, source, id) is unique: a duplicate is
-- accepted once.
CREATE TABLE events (
  seq          bigserial PRIMARY KEY,
  namespace    text NOT NULL REFERENCES namespaces(name) ON DELETE CASCADE,
  id           text NOT NULL,
  source       text NOT NULL,
  type         text NOT NULL,
  time         text,                              -- as the sender wrote it, if at all
  attributes   json NOT NULL,                     -- every context attribute (core and extensions)
  payload      json,                              -- what workflows see (JSON, or base64 of the bytes)
  received_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (namespace, source, id)
);
CREATE INDEX events_history ON events (namespace, seq);
CREATE INDEX events_received ON events (received_at);

-- What each event did: the instances it started or woke.
CREATE TABLE event_deliveries (
  event_seq    bigint NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
  instance_id  text NOT NULL,
  kind         text NOT NULL,                     -- started | woke
  PRIMARY KEY (event_seq, instance_id)
);

-- Start listeners, one per enabled workflow with an event start, replaced in the transaction
-- that changes the workflow. mode any: each matching event starts an instance (event,
-- eventsXor); all: one of every entry, gathered per correlation group (eventsAnd).
CREATE TABLE event_listeners (
  id           bigserial PRIMARY KEY,
  namespace    text NOT NULL REFERENCES namespaces(name) ON DELETE CASCADE,
  workflow_uid uuid NOT NULL UNIQUE REFERENCES workflows(uid) ON DELETE CASCADE,
  mode         text NOT NULL,                     -- any | all
  events       json NOT NULL,                     -- [{type, context}]
  lifespan_ms  bigint,                            -- all: gathered events older than this are dropped
  correlate    text[] NOT NULL DEFAULT '{}'       -- all: attributes that must be equal within a group
);

-- Matching goes by (namespace, type) through this index, then by context patterns in code.
CREATE TABLE event_listener_types (
  namespace    text NOT NULL,
  type         text NOT NULL,
  listener_id  bigint NOT NULL REFERENCES event_listeners(id) ON DELETE CASCADE,
  PRIMARY KEY (namespace, type, listener_id)
);
CREATE INDEX event_listener_types_listener ON event_listener_types (listener_id);

-- mode all: the events gathered so far, per listener, correlation group and entry.
CREATE TABLE event_gathered (
  listener_id  bigint NOT NULL REFERENCES event_listeners(id) ON DELETE CASCADE,
  group_key    text NOT NULL,
  slot         int NOT NULL,
  event_seq    bigint NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (listener_id, group_key, slot)
);
