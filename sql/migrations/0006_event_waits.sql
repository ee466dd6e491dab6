-- Instance waits (consumeEvent, eventAnd, eventXor): one row per waiting instance, written in
-- the step that begins the wait and deleted by the event that ends it (or by the step that
-- leaves the state on a timeout or cancel). `events` holds the context patterns as they were
-- evaluated when the wait began; `gathered` the events an eventAnd has so far (null per slot).
CREATE TABLE event_waits (
  id           bigserial PRIMARY KEY,
  namespace    text NOT NULL REFERENCES namespaces(name) ON DELETE CASCADE,
  instance_id  text NOT NULL UNIQUE REFERENCES instances(id) ON DELETE CASCADE,
  step         int NOT NULL,
  mode         text NOT NULL,                     -- any (consumeEvent, eventXor) | all (eventAnd)
  events       json NOT NULL,                     -- [{type, context}]
  gathered     json                               -- all: [event | null] per entry
);

-- Matching goes by (namespace, type), as for start listeners.
CREATE TABLE event_wait_types (
  namespace    text NOT NULL,
  type         text NOT NULL,
  wait_id      bigint NOT NULL REFERENCES event_waits(id) ON DELETE CASCADE,
  PRIMARY KEY (namespace, type, wait_id)
);
CREATE INDEX event_wait_types_wait ON event_wait_types (wait_id);

-- The workflow revision a start listener was built from: delivery reads the listener together
-- with the share-locked workflow row and knows, when the two revisions differ, that a change
-- committed meanwhile and the listener must be read again.
ALTER TABLE event_listeners ADD COLUMN revision int NOT NULL DEFAULT 0;
