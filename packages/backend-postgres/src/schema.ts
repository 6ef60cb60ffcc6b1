/**
 * The schema, as ordered migrations. Every table carries `tenant_id` and its
 * keys lead with it (so the schema distributes by tenant on Citus); row-level
 * security confines the `cairn_app` role to the tenant set per transaction.
 */

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/** The role every request runs as (`SET LOCAL ROLE`), so RLS holds even for a superuser connection. */
export const APP_ROLE = "cairn_app";

const TENANT_TABLES = ["sandboxes", "inodes", "dentries", "blobs", "blob_text"];

/** Forced RLS: `cairn_app` sees its tenant's rows only; the migrating role (maintenance, gc) all. */
function tenantIsolation(table: string): string {
  return `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ${table} TO ${APP_ROLE}
  USING (tenant_id = current_setting('cairn.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('cairn.tenant_id', true));
DO $$ BEGIN
  EXECUTE format('CREATE POLICY maintenance ON ${table} TO %I USING (true) WITH CHECK (true)', current_user);
END $$;`;
}

/**
 * Sets lz4 compression on `table.column`s, or leaves a notice where the server was built without
 * lz4 (PGlite among them): their values stay pglz-compressed.
 */
function lz4Columns(columns: readonly string[], what: string): string {
  const alters = columns.map((c) => {
    const [table, column] = c.split(".");
    return `  ALTER TABLE ${table} ALTER COLUMN ${column} SET COMPRESSION lz4;\n`;
  });
  return `DO $$
BEGIN
${alters.join("")}EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  RAISE NOTICE 'lz4 unavailable (%); ${what} stays pglz-compressed', SQLERRM;
END $$;`;
}

/**
 * Migration 13's pgvector table, or a notice where the `vector` extension cannot be created
 * (not installed, or the migrating role may not create it): then nothing is made, and semantic
 * search answers semantic_search_unavailable. `unless` skips it when that holds.
 */
function blobEmbeddings(unless = "false"): string {
  return `DO $$
BEGIN
  IF ${unless} THEN RETURN; END IF;
  CREATE EXTENSION IF NOT EXISTS vector;
  CREATE TABLE blob_embeddings (
    tenant_id text   NOT NULL,
    hash      text   NOT NULL,
    model     text   NOT NULL,
    embedding vector,
    PRIMARY KEY (tenant_id, model, hash),
    FOREIGN KEY (tenant_id, hash) REFERENCES blobs ON DELETE CASCADE
  );
  GRANT SELECT, INSERT, UPDATE, DELETE ON blob_embeddings TO ${APP_ROLE};
  ALTER TABLE blob_embeddings ENABLE ROW LEVEL SECURITY;
  ALTER TABLE blob_embeddings FORCE ROW LEVEL SECURITY;
  CREATE POLICY tenant_isolation ON blob_embeddings TO ${APP_ROLE}
    USING (tenant_id = current_setting('cairn.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('cairn.tenant_id', true));
  EXECUTE format('CREATE POLICY maintenance ON blob_embeddings TO %I USING (true) WITH CHECK (true)', current_user);
EXCEPTION WHEN others THEN
  RAISE NOTICE 'pgvector unavailable (%); semantic search is off on this database', SQLERRM;
END $$;
`;
}

export const MIGRATIONS: Migration[] = [
  {
    id: 1,
    name: "tree, blobs and row-level security",
    sql: `
CREATE TABLE sandboxes (
  tenant_id   text        NOT NULL,
  id          text        NOT NULL,
  name        text,
  env         jsonb       NOT NULL DEFAULT '{}',
  version     bigint      NOT NULL,
  -- Random id of the last commit: tells whether a commit whose reply was lost was applied.
  last_commit text,
  seq         bigserial   NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX sandboxes_by_age ON sandboxes (tenant_id, seq DESC);

CREATE TABLE inodes (
  tenant_id  text     NOT NULL,
  sandbox_id text     NOT NULL,
  ino        bigint   NOT NULL,
  kind       "char"   NOT NULL CHECK (kind IN ('f', 'd', 'l')),
  mode       integer  NOT NULL,
  mtime_ms   bigint   NOT NULL,
  size       bigint   NOT NULL,
  blob       text,
  target     text,
  PRIMARY KEY (tenant_id, sandbox_id, ino),
  FOREIGN KEY (tenant_id, sandbox_id) REFERENCES sandboxes ON DELETE CASCADE
);
-- For garbage collection: is a blob still referenced?
CREATE INDEX inodes_by_blob ON inodes (tenant_id, blob) WHERE blob IS NOT NULL;

-- Directory entries: renaming a directory rewrites one row, whatever its size.
CREATE TABLE dentries (
  tenant_id  text   NOT NULL,
  sandbox_id text   NOT NULL,
  parent     bigint NOT NULL,
  name       text   NOT NULL,
  ino        bigint NOT NULL,
  PRIMARY KEY (tenant_id, sandbox_id, parent, name),
  FOREIGN KEY (tenant_id, sandbox_id) REFERENCES sandboxes ON DELETE CASCADE
);

-- Content by sha256, shared by the sandboxes of one tenant (never across tenants).
CREATE TABLE blobs (
  tenant_id    text        NOT NULL,
  hash         text        NOT NULL,
  size         bigint      NOT NULL,
  content      bytea       NOT NULL,
  last_used_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, hash)
);

-- A text copy of UTF-8 blobs for trigram search, once per unique blob and away
-- from the tree rows, so renames and chmods never touch a content index.
CREATE TABLE blob_text (
  tenant_id text NOT NULL,
  hash      text NOT NULL,
  body      text NOT NULL,
  PRIMARY KEY (tenant_id, hash),
  FOREIGN KEY (tenant_id, hash) REFERENCES blobs ON DELETE CASCADE
);

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
    BEGIN
      CREATE ROLE ${APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN NULL;
      WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'cairn needs a role named ${APP_ROLE}'
          USING HINT = 'as an admin: CREATE ROLE ${APP_ROLE} NOLOGIN; GRANT ${APP_ROLE} TO ' || current_user || ';';
    END;
  END IF;
END $$;
DO $$
BEGIN
  EXECUTE format('GRANT ${APP_ROLE} TO %I', current_user);
EXCEPTION WHEN others THEN NULL;  -- already a member, or the role is current_user itself
END $$;
GRANT USAGE ON SCHEMA public TO ${APP_ROLE};
GRANT SELECT, INSERT, UPDATE, DELETE ON ${TENANT_TABLES.join(", ")} TO ${APP_ROLE};
GRANT USAGE ON SEQUENCE sandboxes_seq_seq TO ${APP_ROLE};

${TENANT_TABLES.map(tenantIsolation).join("\n")}
`,
  },
  {
    id: 2,
    name: "trigram index over text content",
    sql: `
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX IF NOT EXISTS blob_text_trgm ON blob_text USING gin (body gin_trgm_ops);
EXCEPTION WHEN others THEN
  RAISE NOTICE 'pg_trgm unavailable (%); grep will scan instead of using an index', SQLERRM;
END $$;
`,
  },
  {
    id: 3,
    name: "text indexing off the commit path; lz4 content",
    sql: `
-- 'p' text waiting for the trigram index, 'i' indexed, 'n' not text (binary or too large).
-- Commits only mark blobs; the index is filled after the commit, so a bulk write does not
-- pay for trigram extraction inside its transaction. Search treats 'p' blobs as candidates.
ALTER TABLE blobs ADD COLUMN text_state "char" NOT NULL DEFAULT 'p' CHECK (text_state IN ('p', 'i', 'n'));
UPDATE blobs b SET text_state = CASE WHEN EXISTS (
  SELECT 1 FROM blob_text t WHERE t.tenant_id = b.tenant_id AND t.hash = b.hash) THEN 'i' ELSE 'n' END;
CREATE INDEX blobs_text_pending ON blobs (tenant_id) WHERE text_state = 'p';
DO $$
BEGIN
  ALTER TABLE blobs ALTER COLUMN content SET COMPRESSION lz4;
EXCEPTION WHEN others THEN
  RAISE NOTICE 'lz4 unavailable (%); blob content keeps the default compression', SQLERRM;
END $$;
`,
  },
  {
    id: 4,
    name: "sandbox options and saved shell state",
    sql: `
-- Options are read with the defaults merged over them, so '{}' means the defaults.
-- shell: the persistent shell's cwd and env as of the sandbox's version; NULL when none.
ALTER TABLE sandboxes
  ADD COLUMN options jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN shell   jsonb;
`,
  },
  {
    id: 5,
    name: "idempotency keys",
    sql: `
-- The first response to a request sent with an Idempotency-Key, replayed to retries of it.
-- status IS NULL while the first request runs.
CREATE TABLE idempotency_keys (
  tenant_id   text        NOT NULL,
  key         text        NOT NULL,
  fingerprint text        NOT NULL,
  status      integer,
  headers     jsonb,
  body        bytea,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO ${APP_ROLE};
${tenantIsolation("idempotency_keys")}
`,
  },
  {
    id: 6,
    name: "grep candidates through the trigram index under row-level security",
    sql: `
-- Under RLS, \`body ~ regex\` cannot use the trigram index: the regex operator is not
-- leakproof, so Postgres must check the policy first and reads every row. This function
-- runs as its owner (not subject to the tenant policy) and filters on the caller's
-- tenant itself, so it is no wider than the policy; with seq and plain index scans off, the
-- only plan left is a bitmap scan of the trigram index.
CREATE FUNCTION cairn_grep_candidates(regex text)
RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
SET enable_seqscan = off
SET enable_indexscan = off
AS $fn$
  -- The trigram condition alone inside (fenced by OFFSET 0), or the planner prefers
  -- the primary key's tenant prefix and then runs the regex on every row of the tenant.
  SELECT m.hash
  FROM (SELECT t.tenant_id, t.hash FROM public.blob_text t WHERE t.body ~ regex OFFSET 0) m
  WHERE m.tenant_id = current_setting('cairn.tenant_id', true)
$fn$;
REVOKE ALL ON FUNCTION cairn_grep_candidates(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cairn_grep_candidates(text) TO ${APP_ROLE};
`,
  },
  {
    id: 7,
    name: "file tags and summaries",
    sql: `
-- {"tags": [...], "summary": ...} noted on a file for search; NULL when none. On the inode,
-- so it follows renames and hard links like the content does.
ALTER TABLE inodes ADD COLUMN meta jsonb;
`,
  },
  {
    id: 8,
    name: "tenants and API keys",
    sql: `
-- The control plane: read before the tenant is known (a key names its tenant), and managed
-- across tenants by an admin. Small tables keyed by their own ids (Citus reference tables,
-- not distributed). Only the schema owner (the server's own connection role, never the
-- per-request ${APP_ROLE}) touches them: ${APP_ROLE} has no privileges on them at all, and RLS is
-- forced with an owner-only policy, so a future GRANT alone would still show nothing.
CREATE TABLE tenants (
  id         text        PRIMARY KEY,
  name       text,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- secret_hash: sha256 (hex) of the key's secret; the key itself is never stored.
-- tenant_id NULL: an admin key. Deleting a tenant deletes its keys.
CREATE TABLE api_keys (
  id           text        PRIMARY KEY,
  tenant_id    text        REFERENCES tenants ON DELETE CASCADE,
  name         text,
  scopes       text[]      NOT NULL,
  sandbox_ids  text[],
  secret_hash  text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  expires_at   timestamptz,
  revoked_at   timestamptz,
  CHECK ((tenant_id IS NULL) = ('admin' = ANY (scopes)))
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, id);
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
DO $$ BEGIN
  EXECUTE format('CREATE POLICY maintenance ON tenants TO %I USING (true) WITH CHECK (true)', current_user);
  EXECUTE format('CREATE POLICY maintenance ON api_keys TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
REVOKE ALL ON tenants, api_keys FROM PUBLIC, ${APP_ROLE};
`,
  },
  {
    id: 9,
    name: "audit log",
    sql: `
-- Who did what, one row per API request (never content or key secrets). Written by the
-- server's own role in batches, never by ${APP_ROLE}; read by operators.
CREATE TABLE audit_log (
  time        timestamptz NOT NULL,
  request_id  text        NOT NULL,
  key_id      text,
  tenant_id   text,
  credential  text        NOT NULL,
  operation   text        NOT NULL,
  method      text        NOT NULL,
  sandbox_id  text,
  path        text,
  status      integer     NOT NULL,
  code        text,
  duration_ms real        NOT NULL
);
CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, time);
CREATE INDEX audit_log_by_time ON audit_log USING brin (time);
REVOKE ALL ON audit_log FROM PUBLIC, ${APP_ROLE};
`,
  },
  {
    id: 10,
    name: "text index bounded by tenant",
    sql: `
-- The trigram index was global: a tenant's grep walked every tenant's posting lists and
-- rechecked their rows, then dropped them by tenant, so its cost grew with other tenants'
-- data (a timing oracle on what they store). One GIN index over (tenant_id, trigrams)
-- (btree_gin gives text an equality opclass) takes the tenant equality inside the index
-- condition: the scan intersects the tenant's posting list with the trigrams' and only the
-- caller's rows reach the heap. fastupdate off: a pending list is scanned whole by every
-- query, whoever's rows it holds (indexing runs after commits, so the slower inserts are
-- off the write path). Without btree_gin (or pg_trgm) this block leaves migration 6's
-- global index and function in place and says so.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS btree_gin;
  -- The tenant column in the "C" collation, and so the function's equality: no other index
  -- (the primary key has the default collation) can serve that equality, so the plan cannot
  -- switch to the primary key and recheck the regex on all the tenant's rows, as it would when
  -- statistics (which are over every tenant) made the trigrams look common.
  CREATE INDEX blob_text_tenant_trgm ON blob_text
    USING gin (tenant_id COLLATE "C", body gin_trgm_ops) WITH (fastupdate = off);
  DROP INDEX IF EXISTS blob_text_trgm;
  -- Still SECURITY DEFINER: under RLS the regex (not leakproof) may not become an index
  -- condition. With sequential scans off, the only plan left is the GIN index.
  CREATE OR REPLACE FUNCTION cairn_grep_candidates(regex text)
  RETURNS SETOF text
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  SET enable_seqscan = off
  SET enable_indexscan = off
  AS $fn$
    SELECT t.hash FROM public.blob_text t
    WHERE t.tenant_id COLLATE "C" = current_setting('cairn.tenant_id', true) AND t.body ~ regex
  $fn$;
EXCEPTION WHEN others THEN
  RAISE NOTICE 'btree_gin or pg_trgm unavailable (%); grep keeps the global trigram index', SQLERRM;
END $$;
-- The blobs with no indexed text (pending, binary, too large): grep candidates whatever the
-- pattern, listed per tenant so a grep need not send every hash of its tree to find them.
CREATE INDEX blobs_without_text ON blobs (tenant_id, hash) WHERE text_state <> 'i';
`,
  },
  {
    id: 11,
    name: "commit log and snapshots",
    sql: `
-- One row per commit: what changed (by path), who made it and how. Trimmed by gc to the
-- retention (age and count per sandbox); deleted with its sandbox.
CREATE TABLE commits (
  tenant_id    text        NOT NULL,
  sandbox_id   text        NOT NULL,
  version      bigint      NOT NULL,
  at           timestamptz NOT NULL DEFAULT now(),
  operation    text        NOT NULL,
  key_id       text,
  subject      text,
  request_id   text,
  script_hash  text,
  changes      jsonb       NOT NULL,
  change_count integer     NOT NULL,
  PRIMARY KEY (tenant_id, sandbox_id, version),
  FOREIGN KEY (tenant_id, sandbox_id) REFERENCES sandboxes ON DELETE CASCADE
);
CREATE INDEX commits_by_age ON commits (at);
GRANT SELECT, INSERT, UPDATE, DELETE ON commits TO ${APP_ROLE};
${tenantIsolation("commits")}

-- A sandbox's tree frozen at one version: a copy of its tree rows (content stays in blobs,
-- shared). Deleted with its sandbox; gc keeps every blob a snapshot's inodes reference.
CREATE TABLE snapshots (
  tenant_id  text        NOT NULL,
  id         text        NOT NULL,
  sandbox_id text        NOT NULL,
  name       text,
  version    bigint      NOT NULL,
  files      bigint      NOT NULL,
  bytes      bigint      NOT NULL,
  seq        bigserial   NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, sandbox_id) REFERENCES sandboxes ON DELETE CASCADE
);
CREATE INDEX snapshots_by_sandbox ON snapshots (tenant_id, sandbox_id, seq DESC);
CREATE TABLE snapshot_inodes (
  tenant_id   text    NOT NULL,
  snapshot_id text    NOT NULL,
  ino         bigint  NOT NULL,
  kind        "char"  NOT NULL,
  mode        integer NOT NULL,
  mtime_ms    bigint  NOT NULL,
  size        bigint  NOT NULL,
  blob        text,
  target      text,
  meta        jsonb,
  PRIMARY KEY (tenant_id, snapshot_id, ino),
  FOREIGN KEY (tenant_id, snapshot_id) REFERENCES snapshots ON DELETE CASCADE
);
CREATE INDEX snapshot_inodes_by_blob ON snapshot_inodes (tenant_id, blob) WHERE blob IS NOT NULL;
CREATE TABLE snapshot_dentries (
  tenant_id   text   NOT NULL,
  snapshot_id text   NOT NULL,
  parent      bigint NOT NULL,
  name        text   NOT NULL,
  ino         bigint NOT NULL,
  PRIMARY KEY (tenant_id, snapshot_id, parent, name),
  FOREIGN KEY (tenant_id, snapshot_id) REFERENCES snapshots ON DELETE CASCADE
);
GRANT SELECT, INSERT, UPDATE, DELETE ON snapshots, snapshot_inodes, snapshot_dentries TO ${APP_ROLE};
GRANT USAGE ON SEQUENCE snapshots_seq_seq TO ${APP_ROLE};
${["snapshots", "snapshot_inodes", "snapshot_dentries"].map(tenantIsolation).join("\n")}
`,
  },
  {
    id: 12,
    name: "sandbox expiry; commit undo for past versions; tree rows deleted by trigger",
    sql: `
-- When a sandbox expires: at a time, and/or after idle_timeout seconds without activity
-- (idle_expires_at = the last activity plus the timeout). Lookups treat an expired sandbox as
-- gone; the sweeper deletes it, finding it through these partial indexes.
ALTER TABLE sandboxes
  ADD COLUMN expires_at timestamptz,
  ADD COLUMN idle_timeout integer CHECK (idle_timeout > 0),
  ADD COLUMN idle_expires_at timestamptz;
CREATE INDEX sandboxes_expiring ON sandboxes (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX sandboxes_idle_expiring ON sandboxes (idle_expires_at) WHERE idle_expires_at IS NOT NULL;
-- Each commit's undo: the tree rows it replaced (null for commits logged before this column,
-- or too large to keep). Past versions still in the log are rebuilt from it (restore, diff).
ALTER TABLE commits ADD COLUMN undo jsonb;
-- The content hashes an undo brings back: gc keeps those blobs while the commit is in the log.
CREATE INDEX commits_undo_blobs ON commits
  USING gin ((jsonb_path_query_array(undo, '$.upsertInodes[*].blob')) jsonb_path_ops)
  WHERE undo IS NOT NULL;

-- Tree rows are deleted with their sandbox or snapshot by a statement-level trigger instead of a
-- foreign key: the key's check ran once per inserted row (10,000 checks, about half the time of
-- a 10k-file snapshot or fork). Rows are only ever written for a sandbox (snapshot) that the same
-- transaction holds (locked or just created), so nothing can orphan them.
ALTER TABLE inodes DROP CONSTRAINT inodes_tenant_id_sandbox_id_fkey;
ALTER TABLE dentries DROP CONSTRAINT dentries_tenant_id_sandbox_id_fkey;
ALTER TABLE snapshot_inodes DROP CONSTRAINT snapshot_inodes_tenant_id_snapshot_id_fkey;
ALTER TABLE snapshot_dentries DROP CONSTRAINT snapshot_dentries_tenant_id_snapshot_id_fkey;
-- One DELETE per sandbox (snapshot) gone, each with its tenant and id as parameters.
CREATE OR REPLACE FUNCTION cairn_sandbox_rows_gone() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE r record;
BEGIN
  FOR r IN SELECT tenant_id, id FROM gone LOOP
    DELETE FROM inodes WHERE tenant_id = r.tenant_id AND sandbox_id = r.id;
    DELETE FROM dentries WHERE tenant_id = r.tenant_id AND sandbox_id = r.id;
  END LOOP;
  RETURN NULL;
END $fn$;
CREATE TRIGGER sandbox_rows_gone AFTER DELETE ON sandboxes
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION cairn_sandbox_rows_gone();
CREATE OR REPLACE FUNCTION cairn_snapshot_rows_gone() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE r record;
BEGIN
  FOR r IN SELECT tenant_id, id FROM gone LOOP
    DELETE FROM snapshot_inodes WHERE tenant_id = r.tenant_id AND snapshot_id = r.id;
    DELETE FROM snapshot_dentries WHERE tenant_id = r.tenant_id AND snapshot_id = r.id;
  END LOOP;
  RETURN NULL;
END $fn$;
CREATE TRIGGER snapshot_rows_gone AFTER DELETE ON snapshots
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION cairn_snapshot_rows_gone();
`,
  },
  {
    id: 13,
    name: "blob embeddings",
    sql: `
-- Vectors of content blobs for semantic search, one per blob and model, filled after commits
-- by the server's embedding backlog (NULL: the blob is not text). Needs pgvector: without it
-- this block creates nothing and says so, and semantic search answers
-- semantic_search_unavailable. Deleted with the blob.
${blobEmbeddings()}`,
  },
  {
    id: 14,
    name: "per-tenant limits",
    sql: `
-- Limits an admin set for one tenant instead of the server's (rate per key, quota per
-- sandbox); only the ones set, as {"rateLimitPerSecond": 50, ...}.
ALTER TABLE tenants ADD COLUMN limits jsonb NOT NULL DEFAULT '{}';
`,
  },
  {
    id: 15,
    name: "idempotency keys applied in the commit",
    sql: `
-- Set in the transaction of the commit a keyed request makes: a retry after its server died
-- before storing the response finds the request applied and never runs it again.
ALTER TABLE idempotency_keys
  ADD COLUMN applied_sandbox_id text,
  ADD COLUMN applied_version    bigint;
`,
  },
  {
    id: 16,
    name: "copy-on-write trees: snapshots and forks share frozen layers",
    sql: `
-- A tree is a stack of layers, top first (sandboxes.layers, snapshots.layers). Tree rows
-- (inodes, dentries) belong to one layer (their sandbox_id column holds the layer's id; a
-- sandbox's first layer has the sandbox's id). Only a sandbox's top layer is ever written; a
-- snapshot freezes the layers under a new, empty top, and a fork starts with an empty top over
-- its source's frozen layers: both write one row, whatever the tree's size. The topmost row
-- of an inode or a name wins; a whiteout (inode kind 'x', dentry ino 0) deletes what a lower
-- layer holds. layers.refs counts the sandboxes and snapshots whose stack holds the layer: at
-- zero its rows go. Row locks on layers serialize those counts.
CREATE TABLE layers (
  tenant_id text   NOT NULL,
  id        text   NOT NULL,
  refs      bigint NOT NULL CHECK (refs >= 0),
  PRIMARY KEY (tenant_id, id)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON layers TO ${APP_ROLE};
${tenantIsolation("layers")}

ALTER TABLE sandboxes ADD COLUMN layers text[];
UPDATE sandboxes SET layers = ARRAY[id];
ALTER TABLE sandboxes ALTER COLUMN layers SET NOT NULL;
ALTER TABLE snapshots ADD COLUMN layers text[];
UPDATE snapshots SET layers = ARRAY[id];
ALTER TABLE snapshots ALTER COLUMN layers SET NOT NULL;
INSERT INTO layers (tenant_id, id, refs) SELECT tenant_id, id, 1 FROM sandboxes;
INSERT INTO layers (tenant_id, id, refs) SELECT tenant_id, id, 1 FROM snapshots;

-- Snapshots made before layers: their copied rows become their own layer.
INSERT INTO inodes (tenant_id, sandbox_id, ino, kind, mode, mtime_ms, size, blob, target, meta)
  SELECT tenant_id, snapshot_id, ino, kind, mode, mtime_ms, size, blob, target, meta FROM snapshot_inodes;
INSERT INTO dentries (tenant_id, sandbox_id, parent, name, ino)
  SELECT tenant_id, snapshot_id, parent, name, ino FROM snapshot_dentries;
DROP TRIGGER snapshot_rows_gone ON snapshots;
DROP FUNCTION cairn_snapshot_rows_gone();
DROP TABLE snapshot_inodes, snapshot_dentries;

ALTER TABLE inodes DROP CONSTRAINT inodes_kind_check;
ALTER TABLE inodes ADD CONSTRAINT inodes_kind_check CHECK (kind IN ('f', 'd', 'l', 'x'));

-- One reference less on each layer of a stack; a layer nobody holds any more loses its rows.
CREATE OR REPLACE FUNCTION cairn_release_layers(tenant text, stack text[]) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE released text[];
BEGIN
  WITH held AS (
    UPDATE layers SET refs = refs - 1
    WHERE tenant_id = tenant AND id = ANY(stack) RETURNING id, refs
  )
  SELECT array_agg(id) FILTER (WHERE refs = 0) INTO released FROM held;
  IF released IS NOT NULL THEN
    DELETE FROM layers WHERE tenant_id = tenant AND id = ANY(released);
    DELETE FROM inodes WHERE tenant_id = tenant AND sandbox_id = ANY(released);
    DELETE FROM dentries WHERE tenant_id = tenant AND sandbox_id = ANY(released);
  END IF;
END $fn$;

-- A sandbox or snapshot gone (deleted, swept, cascaded) releases its stack.
DROP TRIGGER sandbox_rows_gone ON sandboxes;
DROP FUNCTION cairn_sandbox_rows_gone();
CREATE OR REPLACE FUNCTION cairn_stacks_gone() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE r record;
BEGIN
  FOR r IN SELECT tenant_id, layers FROM gone LOOP
    PERFORM cairn_release_layers(r.tenant_id, r.layers);
  END LOOP;
  RETURN NULL;
END $fn$;
CREATE TRIGGER sandbox_stack_gone AFTER DELETE ON sandboxes
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION cairn_stacks_gone();
CREATE TRIGGER snapshot_stack_gone AFTER DELETE ON snapshots
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION cairn_stacks_gone();
`,
  },
  {
    id: 17,
    name: "blob embeddings where migration 13 found no pgvector",
    sql: `
-- Migration 13 again where it created nothing: embedded PGlite data directories made before
-- PGlite loaded pgvector, and servers that had pgvector installed after migration 13 ran.
${blobEmbeddings("to_regclass('public.blob_embeddings') IS NOT NULL")}`,
  },
  {
    id: 18,
    name: "cheaper bulk writes and text indexing",
    sql: `
-- lz4 rather than pglz for content and its text copy: pglz took ~0.8 s of CPU per 50 MB
-- written, lz4 ~0.2 s (existing values keep their compression). Servers built without lz4
-- (PGlite among them) keep pglz.
${lz4Columns(["blobs.content", "blob_text.body"], "content")}
-- Text indexing inserts into the trigram index's pending list and then merges the list into
-- the index in one pass (cairn_flush_text_index, after each batch), rather than inserting
-- entry by entry: 50 MB of text took ~16 s of CPU one entry at a time and ~6 s this way
-- (pg_trgm's trigram extraction alone is ~4.5 s of that). The list is empty between batches,
-- so searches (which scan it whole) are not slowed at rest. The limit only bounds a batch.
DO $$
DECLARE
  index_name text;
BEGIN
  FOREACH index_name IN ARRAY ARRAY['blob_text_tenant_trgm', 'blob_text_trgm'] LOOP
    IF to_regclass('public.' || index_name) IS NOT NULL THEN
      EXECUTE format('ALTER INDEX public.%I SET (fastupdate = on, gin_pending_list_limit = 65536)', index_name);
    END IF;
  END LOOP;
END $$;
-- gin_clean_pending_list is for the index's owner; the tenant role calls it through this.
CREATE FUNCTION cairn_flush_text_index()
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $fn$
DECLARE
  merged bigint := 0;
  index_name text;
BEGIN
  FOREACH index_name IN ARRAY ARRAY['blob_text_tenant_trgm', 'blob_text_trgm'] LOOP
    IF to_regclass('public.' || index_name) IS NOT NULL THEN
      merged := merged + gin_clean_pending_list(('public.' || index_name)::regclass);
    END IF;
  END LOOP;
  RETURN merged;
END
$fn$;
REVOKE ALL ON FUNCTION cairn_flush_text_index() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cairn_flush_text_index() TO ${APP_ROLE};
`,
  },
  {
    id: 19,
    name: "commit log compressed with lz4",
    sql: `
-- A commit's logged changes and undo are JSON of up to a few hundred KB (a 1,000-file commit
-- logs ~140 KB of changes): pglz took 2.5 ms to compress that, lz4 0.4 ms, inside the
-- commit's transaction. Servers built without lz4 (PGlite among them) keep pglz.
${lz4Columns(["commits.changes", "commits.undo"], "the commit log")}
`,
  },
];
