-- The secrets service's own database: ciphertexts and names only, never a key or a plaintext.
CREATE TABLE secrets (
  namespace  text NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('secret', 'registry')),
  name       text NOT NULL,
  ciphertext bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, kind, name)
);
