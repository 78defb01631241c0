-- Stored functions (POST /functions, POST /functions/:name/invoke): every version of a tenant's
-- named function, keyed by the SHA-256 of its content. `seq` orders a function's versions (the
-- highest is the latest; storing an old version's content again makes it the latest once more);
-- `stored_at` is when that last happened.
CREATE TABLE functions (
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  code TEXT NOT NULL,
  language TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  stored_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, name, version)
) WITHOUT ROWID;

CREATE INDEX functions_by_seq ON functions (tenant, name, seq);
