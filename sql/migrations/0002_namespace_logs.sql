-- Namespace logs are the lines of no instance (`GET /api/namespaces/{ns}/logs`); without this
-- partial index that read would scan every instance line of the namespace. Instance lines are
-- not in it, so appending them costs nothing more.
CREATE INDEX logs_namespace_only ON logs (namespace, id) WHERE instance_id IS NULL;
