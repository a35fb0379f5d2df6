// Schema creation, version checks and forward migrations. Version N of the schema is
// kMigrations[0..N-1] applied in order; a new version appends one migration, never edits one.
#include "tracker/internal/schema.h"

#include <sys/stat.h>
#include <unistd.h>

#include <array>

#include "tracker/types.h"

namespace rein::tracker::internal {

namespace {

// Migration i takes the schema from version i to version i+1.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {
    // v1: the first schema.
    R"sql(
CREATE TABLE experiments(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created REAL NOT NULL);
CREATE TABLE runs(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id),
  algorithm TEXT NOT NULL DEFAULT '',
  env TEXT NOT NULL DEFAULT '',
  seed INTEGER,
  status TEXT NOT NULL CHECK(status IN ('running', 'finished', 'failed', 'interrupted')),
  error TEXT NOT NULL DEFAULT '',
  start_time REAL NOT NULL,
  end_time REAL,
  heartbeat REAL NOT NULL,
  command TEXT NOT NULL DEFAULT '',
  host TEXT NOT NULL DEFAULT '',
  pid INTEGER NOT NULL DEFAULT 0,
  rein_version TEXT NOT NULL DEFAULT '',
  summary TEXT NOT NULL DEFAULT '');
CREATE INDEX runs_by_name ON runs(name);
CREATE TABLE params(
  run_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  type TEXT NOT NULL CHECK(type IN ('bool', 'int', 'float', 'str')),
  value,
  PRIMARY KEY(run_id, key)) WITHOUT ROWID;
CREATE TABLE tags(
  run_id INTEGER NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY(run_id, tag)) WITHOUT ROWID;
CREATE INDEX tags_by_tag ON tags(tag);
CREATE TABLE metric_keys(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE);
CREATE TABLE metrics(
  run_id INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  step INTEGER NOT NULL,
  wall_time REAL NOT NULL,
  value REAL);
CREATE INDEX metrics_by_series ON metrics(run_id, key_id, step);
CREATE TABLE metric_series(
  run_id INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  count INTEGER NOT NULL,
  first_step INTEGER NOT NULL,
  last_step INTEGER NOT NULL,
  last_wall_time REAL NOT NULL,
  last_value REAL,
  monotonic INTEGER NOT NULL,
  PRIMARY KEY(run_id, key_id)) WITHOUT ROWID;
CREATE TABLE metric_chunks(
  run_id INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  first_step INTEGER NOT NULL,
  last_step INTEGER NOT NULL,
  count INTEGER NOT NULL,
  min_step INTEGER NOT NULL,
  min_wall_time REAL NOT NULL,
  min_value REAL,
  max_step INTEGER NOT NULL,
  max_wall_time REAL NOT NULL,
  max_value REAL,
  PRIMARY KEY(run_id, key_id, seq)) WITHOUT ROWID;
CREATE TABLE artifacts(
  id INTEGER PRIMARY KEY,
  run_id INTEGER,
  kind TEXT NOT NULL,
  path TEXT NOT NULL,
  step INTEGER,
  created REAL NOT NULL);
CREATE INDEX artifacts_by_run ON artifacts(run_id);
)sql",
    // v2: hyperparameter sweeps and their trials (tracker/sweep_store.h).
    R"sql(
CREATE TABLE sweeps(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  spec TEXT NOT NULL,
  status TEXT NOT NULL CHECK(status IN ('running', 'finished', 'interrupted')),
  created REAL NOT NULL,
  updated REAL NOT NULL);
CREATE TABLE trials(
  sweep_id INTEGER NOT NULL REFERENCES sweeps(id),
  number INTEGER NOT NULL,
  params TEXT NOT NULL,
  status TEXT NOT NULL CHECK(status IN ('running', 'complete', 'pruned', 'failed')),
  value REAL,
  rungs TEXT NOT NULL DEFAULT '[]',
  steps INTEGER NOT NULL DEFAULT 0,
  started REAL NOT NULL,
  ended REAL,
  PRIMARY KEY(sweep_id, number)) WITHOUT ROWID;
)sql",
};

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

bool non_empty_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && st.st_size > 0;
}

// A WAL database is read through its -shm index, which a reader must be able to create. In a
// directory we cannot write, with no -shm there, the file can still be read as immutable,
// provided no write-ahead log holds data that is not in the main file yet.
bool needs_immutable_read(const std::string& path) {
  std::size_t slash = path.rfind('/');
  std::string dir =
      slash == std::string::npos ? std::string(".") : path.substr(0, slash == 0 ? 1 : slash);
  if (::access(dir.c_str(), W_OK) == 0 || file_exists(path + "-shm")) return false;
  if (non_empty_file(path + "-wal")) {
    throw Error("open '" + path + "': the directory is read-only and the database has a " +
                "write-ahead log (-wal) that was never merged; copy the files somewhere writable " +
                "to read them");
  }
  return true;
}

struct Header {
  std::int64_t application_id = 0;
  std::int64_t user_version = 0;
  std::int64_t objects = 0;
};

Header read_header(Db& db) {
  Header h;
  h.application_id = db.scalar("PRAGMA application_id");
  h.user_version = db.scalar("PRAGMA user_version");
  h.objects = db.scalar("SELECT count(*) FROM sqlite_schema");
  return h;
}

std::string version_text(std::int64_t v) { return std::to_string(v); }

void check_ours(const std::string& path, const Header& h) {
  if (h.application_id != kApplicationId) {
    throw Error("open '" + path + "': not a rein database (it is an SQLite file of another " +
                "program); pass a different --db file");
  }
  if (h.user_version < 0) {  // would index the migration table out of bounds
    throw Error("open '" + path + "': schema version " + version_text(h.user_version) +
                " is not one rein ever wrote (the file is damaged or not a rein database)");
  }
  if (h.user_version > kSchemaVersion) {
    throw Error("open '" + path + "': schema version " + version_text(h.user_version) +
                " is newer than this rein reads (" + version_text(kSchemaVersion) +
                "); upgrade rein to open it");
  }
}

// Creates or migrates inside one write transaction, re-reading the header under the lock so two
// processes opening a fresh file at once create the schema once.
void create_or_migrate(Db& db) {
  Transaction tx(db);
  Header h = read_header(db);
  if (h.application_id == 0 && h.objects == 0) {
    h.application_id = kApplicationId;
    db.exec(("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str());
  }
  check_ours(db.path(), h);
  for (std::int64_t v = h.user_version; v < kSchemaVersion; ++v) {
    db.exec(kMigrations[static_cast<std::size_t>(v)]);
  }
  db.exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
  tx.commit();
}

}  // namespace

OpenedDb open_database(const std::string& path, bool read_only, int busy_timeout_ms) {
  if (read_only && !file_exists(path)) {
    throw Error("open '" + path + "': no such database (a run creates it; check --db)");
  }
  bool immutable = read_only && needs_immutable_read(path);
  OpenedDb out{Db(path, read_only, busy_timeout_ms, immutable), 0, read_only};
  Db& db = out.db;
  Header h;
  try {
    h = read_header(db);
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + " (file '" + path + "')");
  }
  if (read_only) {
    if (h.application_id == 0 && h.objects == 0) {
      throw Error("open '" + path + "': the file is empty, not a rein database");
    }
    check_ours(path, h);
    // Versions after 1 only add tables, so an older file reads as it is; what it lacks (sweeps)
    // reads as empty.
    if (h.user_version < 1) {
      throw Error("open '" + path + "': schema version " + version_text(h.user_version) +
                  " needs migrating to " + version_text(kSchemaVersion) +
                  "; open it once writable (e.g. rein runs list) to upgrade it");
    }
    out.schema_version = static_cast<int>(h.user_version);
    return out;
  }
  if (h.application_id != 0 || h.objects != 0) check_ours(path, h);
  if (sqlite3_db_readonly(db.get(), "main") == 1) {
    throw Error("open '" + path + "': the file is read-only; open it read-only to read it");
  }
  // WAL lets readers and several writers share the file; it is stored in the file, so setting
  // it once is enough, but doing it on every open is a cheap no-op.
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  if (h.user_version != kSchemaVersion || h.application_id != kApplicationId) {
    create_or_migrate(db);
  }
  out.schema_version = kSchemaVersion;
  return out;
}

}  // namespace rein::tracker::internal
