//! Every SQL statement of the backend, in one place.
//!
//! Everything lives in the schema `habeas`, so a database that holds other tables
//! (in `public` or elsewhere) can hold a Habeas store too, and a store is recognised by
//! its `habeas.store` row, not by guessing from table names.
//!
//! The SQL keeps to what PostgreSQL-compatible distributed engines also accept
//! (CockroachDB, YugabyteDB): plain tables, `UNNEST` of arrays, `SELECT … FOR UPDATE`,
//! `ON CONFLICT`; the exceptions (`pg_advisory_xact_lock`, `pg_notify`, PL/pgSQL
//! triggers) are named in ARCHITECTURE.md with what replaces them there.

/// The newest schema version this build reads and the one it writes.
pub(crate) const SCHEMA_VERSION: i32 = 2;

/// The channel `NOTIFY` wakes subscribers on; the payload is the new head.
pub(crate) const CHANNEL: &str = "habeas_log";

/// A constant key for `pg_advisory_xact_lock`, so that two processes creating or
/// migrating the schema at once take turns ("habeas" in ASCII).
pub(crate) const MIGRATION_LOCK: &str = "SELECT pg_advisory_xact_lock(111542341412211)";

/// Whether the schema, and then the store row, exist.
pub(crate) const SCHEMA_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'habeas'), \
            to_regclass('habeas.store') IS NOT NULL";

/// The store's format version and identity.
pub(crate) const STORE_ROW: &str = "SELECT format, store_id::text FROM habeas.store";

/// Schema version 1, created in one transaction (PostgreSQL's DDL is transactional).
///
/// - `store`: one row, the schema version and a random identity of this store (read
///   models kept elsewhere are keyed by it).
/// - `log_head`: one row, the last position and its hash. Every append and restore
///   locks it `FOR UPDATE` first and updates it last: it is the chain lock (see the
///   crate docs for the locking order).
/// - `events`: one row per event; `envelope` holds the exact bytes of the envelope's
///   JSON as written, the thing the hash chain is checked against; `stream`,
///   `version` and `event_id` repeat fields of it for the indexes (verify checks they
///   agree with the envelope).
/// - `commands`: the result of each append that carried a command id.
/// - triggers refusing `UPDATE`, `DELETE` and `TRUNCATE` on `events`.
pub(crate) const CREATE_V1: &str = r#"
CREATE SCHEMA IF NOT EXISTS habeas;
CREATE TABLE habeas.store (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    format integer NOT NULL,
    store_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE habeas.log_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    head bigint NOT NULL,
    last_hash text NOT NULL
);
CREATE TABLE habeas.events (
    position bigint PRIMARY KEY CHECK (position > 0),
    stream text NOT NULL,
    version bigint NOT NULL CHECK (version > 0),
    event_id uuid NOT NULL,
    envelope bytea NOT NULL,
    CONSTRAINT events_stream_version UNIQUE (stream, version),
    CONSTRAINT events_event_id UNIQUE (event_id)
);
CREATE TABLE habeas.commands (
    command_id uuid PRIMARY KEY,
    result text NOT NULL
);
CREATE FUNCTION habeas.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the habeas event log is append-only: % on %.% refused',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'HB001';
END
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON habeas.events
    FOR EACH ROW EXECUTE FUNCTION habeas.refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON habeas.events
    FOR EACH STATEMENT EXECUTE FUNCTION habeas.refuse_change();
"#;

/// Schema version 2: `secrets`, private values kept beside the log (the accounts'
/// password, token and TOTP hashes and secrets, the key signing session cookies), one
/// row per value so that processes sharing the database change one value without
/// rewriting the others. Not part of the log: never hashed, exported or restored, and
/// updatable (a password changes). Run in the transaction that creates version 1, or
/// on opening a version-1 store.
pub(crate) const MIGRATE_V2: &str = r#"
CREATE TABLE habeas.secrets (
    kind text NOT NULL,
    key text NOT NULL,
    value text NOT NULL,
    PRIMARY KEY (kind, key)
);
UPDATE habeas.store SET format = 2;
"#;

/// The first rows of a new store: `$1` is its identity (its format is set by the
/// migrations that follow).
pub(crate) const INSERT_STORE: &str = "INSERT INTO habeas.store (format, store_id) VALUES (1, $1)";

/// The tip of an empty log.
pub(crate) const INSERT_LOG_HEAD: &str =
    "INSERT INTO habeas.log_head (head, last_hash) VALUES (0, $1)";

/// The chain lock: taken first by every append and restore, held until commit.
pub(crate) const LOCK_LOG_HEAD: &str = "SELECT head, last_hash FROM habeas.log_head FOR UPDATE";

/// The new tip, written last in the append transaction.
pub(crate) const UPDATE_LOG_HEAD: &str = "UPDATE habeas.log_head SET head = $1, last_hash = $2";

/// Wakes subscribers of every process at commit (delivered only if the transaction commits).
pub(crate) const NOTIFY_HEAD: &str = "SELECT pg_notify('habeas_log', $1)";

/// The last committed position, without waiting for the chain lock.
pub(crate) const READ_HEAD: &str = "SELECT head FROM habeas.log_head";

/// The last version of each of the streams `$1`.
pub(crate) const STREAM_VERSIONS: &str = "SELECT stream, max(version) FROM habeas.events \
     WHERE stream = ANY($1) GROUP BY stream";

/// The stored results of the command ids `$1`.
pub(crate) const COMMAND_RESULTS: &str =
    "SELECT command_id, result FROM habeas.commands WHERE command_id = ANY($1)";

/// The positions of the event ids `$1`.
pub(crate) const EVENT_POSITIONS: &str =
    "SELECT event_id, position FROM habeas.events WHERE event_id = ANY($1)";

/// Every event of a group in one statement: arrays of positions, streams, versions,
/// event ids and envelopes.
pub(crate) const INSERT_EVENTS: &str = "INSERT INTO habeas.events (position, stream, version, event_id, envelope) \
     SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::uuid[], $5::bytea[])";

/// Every command result of a group; a restore may extend a result stored by an
/// earlier restore call (one append cut across two calls).
pub(crate) const UPSERT_COMMANDS: &str = "INSERT INTO habeas.commands (command_id, result) \
     SELECT * FROM UNNEST($1::uuid[], $2::text[]) \
     ON CONFLICT (command_id) DO UPDATE SET result = EXCLUDED.result";

/// One stream from a version on.
pub(crate) const READ_STREAM: &str = "SELECT position, envelope FROM habeas.events \
     WHERE stream = $1 AND version >= $2 ORDER BY version";

/// The log from a position on, a page at a time.
pub(crate) const READ_ALL: &str = "SELECT position, envelope FROM habeas.events \
     WHERE position >= $1 ORDER BY position LIMIT $2";

/// One event by its id.
pub(crate) const READ_EVENT: &str =
    "SELECT position, envelope FROM habeas.events WHERE event_id = $1";

/// The log with the indexed columns, for verify.
pub(crate) const VERIFY_PAGE: &str = "SELECT position, stream, version, event_id, envelope FROM habeas.events \
     WHERE position > $1 ORDER BY position LIMIT $2";

/// Every secret.
pub(crate) const READ_SECRETS: &str = "SELECT kind, key, value FROM habeas.secrets";

/// Sets one secret.
pub(crate) const UPSERT_SECRET: &str = "INSERT INTO habeas.secrets (kind, key, value) \
     VALUES ($1, $2, $3) ON CONFLICT (kind, key) DO UPDATE SET value = EXCLUDED.value";

/// Sets one secret unless it is set; the first writer's value wins.
pub(crate) const INSERT_SECRET_IF_ABSENT: &str = "INSERT INTO habeas.secrets (kind, key, value) \
     VALUES ($1, $2, $3) ON CONFLICT (kind, key) DO NOTHING";

/// Raises a counter kept as a secret (a decimal text) to `$3`, inserting it
/// when absent; no row changes when it already holds `$3` or more. One
/// statement, so two processes racing with the same value cannot both see a
/// change: PostgreSQL locks the conflicting row and re-checks the condition.
pub(crate) const RAISE_SECRET_COUNTER: &str = "INSERT INTO habeas.secrets (kind, key, value) \
     VALUES ($1, $2, $3) ON CONFLICT (kind, key) DO UPDATE SET value = EXCLUDED.value \
     WHERE habeas.secrets.value::numeric < EXCLUDED.value::numeric";

/// One secret.
pub(crate) const READ_SECRET: &str =
    "SELECT value FROM habeas.secrets WHERE kind = $1 AND key = $2";

/// Removes one secret.
pub(crate) const DELETE_SECRET: &str = "DELETE FROM habeas.secrets WHERE kind = $1 AND key = $2";
