-- Shared snippets (POST /snippets, GET /snippets/:id, the playground's /s/:id links), stored by the
-- SHA-256 of their content; `tenant` is the first sharer's, for accounting and removal.
CREATE TABLE snippets (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  code TEXT NOT NULL,
  language TEXT NOT NULL,
  args TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
