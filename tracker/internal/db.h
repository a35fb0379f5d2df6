// One database connection, prepared statement and transaction API over the two backends: an
// SQLite file or a PostgreSQL server (libpq). The tracker writes each query once, with `?`
// placeholders; Stmt turns them into PostgreSQL's `$1, $2, ...`. Backend errors become
// tracker::Error here and nowhere else. Internal: never included from outside tracker/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tracker/error.h"

struct sqlite3;
struct sqlite3_stmt;
struct pg_conn;
struct pg_result;

namespace rein::tracker::internal {

enum class Backend { SQLite, Postgres };

// Thrown when another connection held a lock past the busy timeout (or a deadlock was broken):
// worth retrying.
class BusyError : public Error {
 public:
  using Error::Error;
};

// True for "postgresql://..." and "postgres://..." (libpq's connection URIs).
bool is_postgres_url(std::string_view location);
// The URL with its password (user:PASSWORD@ and ?password=...) replaced by "***", for messages.
std::string redact_url(std::string_view url);
// `text` (a command line) with every PostgreSQL URL in it redacted, so a password typed in
// `--db` is not stored in the runs table for every reader to see.
std::string redact_urls_in(std::string_view text);

// Throws Error("<what>: <sqlite message>") with a hint for the common cases (disk full,
// read-only, not a database, busy). SQLITE_BUSY and SQLITE_LOCKED throw BusyError.
[[noreturn]] void throw_sqlite(sqlite3* db, int rc, const std::string& what);

class Db;

// A prepared statement. Bind indices are 1-based, column indices 0-based, as in SQLite.
class Stmt {
 public:
  Stmt() = default;
  Stmt(Db& db, std::string_view sql);
  ~Stmt();
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Stmt& bind(int i, double v);  // NaN is stored as NULL on both backends
  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const std::optional<std::int64_t>& v);
  Stmt& bind(int i, const std::optional<double>& v);
  Stmt& bind_null(int i);

  // Advances; true while a row is available. Throws on error (and resets the statement).
  bool step();
  // Steps to completion, then resets and clears bindings, ready for the next use. Returns the
  // number of rows the statement inserted, updated or deleted.
  std::int64_t run();
  void reset();

  bool is_null(int col) const;
  std::int64_t int64(int col) const;
  double real(int col) const;  // NULL reads as NaN
  std::string text(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;
  std::optional<double> opt_real(int col) const;

 private:
  struct Pg;
  Db* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::unique_ptr<Pg> pg_;
};

// An open connection; closes on destruction.
class Db {
 public:
  Db();
  ~Db();
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Opens an SQLite file without touching the schema (see schema.h for that). `read_only`
  // opens with SQLITE_OPEN_READONLY, otherwise a missing file is created. `immutable`
  // (read-only only) tells SQLite nobody writes the file, so it needs no -shm file beside it.
  static Db open_sqlite(const std::string& path, bool read_only, int busy_timeout_ms,
                        bool immutable = false);
  // Connects to a PostgreSQL server. A lock wait longer than `lock_timeout_ms` fails with
  // BusyError. Throws Error naming the URL (password redacted) when the server cannot be
  // reached or refuses the connection.
  static Db open_postgres(const std::string& url, bool read_only, int lock_timeout_ms);

  Backend backend() const { return backend_; }
  bool postgres() const { return backend_ == Backend::Postgres; }
  sqlite3* sqlite() const { return sqlite_; }
  pg_conn* pg() const { return pg_; }
  // The file path, or the URL with its password redacted: what messages name.
  const std::string& path() const { return path_; }

  // Runs one or more statements without parameters.
  void exec(const char* sql);
  void exec(const std::string& sql) { exec(sql.c_str()); }
  // First column of the first row of `sql` as an integer (0 if no row).
  std::int64_t scalar(const char* sql);
  // ROLLBACK, ignoring errors (the connection may be gone): for cleanup paths.
  void rollback_quietly() noexcept;

 private:
  friend class Stmt;
  friend class BulkInsert;
  // PostgreSQL: the server-side name of the prepared statement for `sql`, preparing it once
  // per connection.
  const std::string& prepared(const std::string& sql);
  [[noreturn]] void throw_pg(pg_result* res, const std::string& what);
  // PostgreSQL, outside a transaction: reconnects once when the connection was lost (a server
  // restart), so a writer's next batch goes through. Inside one, the loss is an error.
  void reconnect_if_lost();
  friend class Transaction;
  friend class ReadSnapshot;

  Backend backend_ = Backend::SQLite;
  sqlite3* sqlite_ = nullptr;
  pg_conn* pg_ = nullptr;
  std::string path_;
  struct PreparedCache;
  std::unique_ptr<PreparedCache> prepared_;
  bool in_transaction_ = false;
};

// A write transaction. SQLite: BEGIN IMMEDIATE, which takes the write lock up front, so a writer
// never reads a snapshot that another process's commit makes stale. PostgreSQL: BEGIN plus a
// transaction-scoped advisory lock that every rein writer takes, so write transactions run one
// at a time as they do on SQLite (no deadlocks between writers interning the same metric names,
// and row ids that grow in commit order, which Store::watch relies on). Rolls back in the
// destructor unless committed.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

// One consistent read snapshot over several queries (BEGIN; PostgreSQL: REPEATABLE READ).
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Db& db);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  void end();

 private:
  Db& db_;
  bool done_ = false;
};

// Appends rows to one table: a prepared INSERT per row on SQLite, one COPY per flush on
// PostgreSQL (a round trip per row would cost the network latency a million times). Values
// are added in `columns` order; rows go to the database on flush(), which the caller calls
// inside its transaction.
class BulkInsert {
 public:
  BulkInsert(Db& db, std::string table, std::vector<std::string> columns);
  BulkInsert& add(std::int64_t v);
  BulkInsert& add(double v);  // NaN is stored as NULL
  void end_row();
  void flush();

 private:
  Db& db_;
  std::string table_;
  std::size_t columns_;
  std::size_t in_row_ = 0;
  Stmt insert_;       // SQLite
  std::string copy_;  // PostgreSQL: the COPY statement, and the rows in its text format
  std::string rows_;
};

}  // namespace rein::tracker::internal
