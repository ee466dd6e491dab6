-- Each namespace's data key, wrapped (AES-256-GCM) by a master key that is never stored here.
-- key_id is the fingerprint of the master key that wrapped it, so that a node can pick the
-- right key of its keyring and a rotation can find the rows it has not re-wrapped yet.
-- Deleting the namespace deletes its key, which leaves its ciphertexts undecryptable.
CREATE TABLE namespace_keys (
  namespace  text PRIMARY KEY REFERENCES namespaces(name) ON DELETE CASCADE,
  key_id     text NOT NULL,
  wrapped    bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  rotated_at timestamptz
);

CREATE INDEX namespace_keys_key_id ON namespace_keys (key_id);
