-- logToEvents: when set, every line a workflow's instances log is also emitted as a
-- direktiv.instanceLog event with this value as its `logger` attribute. A setting of the
-- workflow, not of a revision: changing it needs no new YAML.
ALTER TABLE workflows ADD COLUMN log_to_events text;
