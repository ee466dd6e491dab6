-- A new instance is inserted by the write of its first step, after its first states ran; a
-- first state that waits for events registers its wait before that write, so the wait's
-- reference to the instance is checked at commit.
ALTER TABLE event_waits DROP CONSTRAINT event_waits_instance_id_fkey;
ALTER TABLE event_waits ADD CONSTRAINT event_waits_instance_id_fkey
  FOREIGN KEY (instance_id) REFERENCES instances(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
