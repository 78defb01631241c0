-- $.db: a tenant-scoped document store. Every query is scoped by tenant, which the host sets from
-- the caller's API key; snippets choose only the collection, the id and the document.
CREATE TABLE documents (
  tenant TEXT NOT NULL,
  collection TEXT NOT NULL,
  id TEXT NOT NULL,
  doc TEXT NOT NULL CHECK (json_valid(doc)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, collection, id)
) WITHOUT ROWID;

CREATE INDEX documents_by_update ON documents (tenant, collection, updated_at);
