-- Stored functions with several files (POST /functions with `modules`), and the logs of their last
-- runs (GET /functions/:name/logs).
--
-- A multi-file version keeps its main module's path in `functions.main_module` (NULL for one-file
-- functions) and its text in `functions.code`; every other file is a row of `function_files`
-- pointing at its content by SHA-256. Contents live once per tenant in `function_blobs`, cut into
-- chunks below D1's 2 MB row limit, so a new version that changes one small file does not store
-- its WebAssembly again. Blobs no file refers to are deleted when versions are pruned or deleted.
ALTER TABLE functions ADD COLUMN main_module TEXT;

CREATE TABLE function_files (
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  path TEXT NOT NULL,
  hash TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (tenant, name, version, path)
) WITHOUT ROWID;

CREATE INDEX function_files_by_hash ON function_files (tenant, hash);

CREATE TABLE function_blobs (
  tenant TEXT NOT NULL,
  hash TEXT NOT NULL,
  chunk INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (tenant, hash, chunk)
) WITHOUT ROWID;

-- The logs of a function's last runs (FUNCTION_LIMITS.logRuns), newest by `id`.
CREATE TABLE function_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  run TEXT NOT NULL,
  version TEXT NOT NULL,
  via TEXT NOT NULL,
  at INTEGER NOT NULL,
  status INTEGER,
  error TEXT,
  logs TEXT NOT NULL,
  dropped INTEGER NOT NULL
);

CREATE INDEX function_runs_by_name ON function_runs (tenant, name, id);
