// RAII owners for SQLite handles (connection, prepared statement, transaction) and the one place
// SQLite result codes become tracker::Error. Internal: never included from outside tracker/.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tracker/error.h"

namespace rein::tracker::internal {

// Thrown when another connection held the lock past busy_timeout: worth retrying.
class BusyError : public Error {
 public:
  using Error::Error;
};

// Throws Error("<what>: <sqlite message> (<code name>)") with a hint for the common cases
// (disk full, read-only, not a database, busy). SQLITE_BUSY and SQLITE_LOCKED throw BusyError.
[[noreturn]] void throw_sqlite(sqlite3* db, int rc, const std::string& what);

// A prepared statement. Bind indices are 1-based, column indices 0-based, as in SQLite.
class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, std::string_view sql);
  ~Stmt();
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Stmt& bind(int i, double v);
  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, const std::optional<std::int64_t>& v);
  Stmt& bind(int i, const std::optional<double>& v);
  Stmt& bind_null(int i);

  // Advances; true while a row is available. Throws on error (and resets the statement).
  bool step();
  // Steps to completion, then resets and clears bindings, ready for the next use.
  void run();
  void reset();

  bool is_null(int col) const;
  int type(int col) const;  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_NULL
  std::int64_t int64(int col) const;
  double real(int col) const;  // NULL reads as NaN (SQLite stores NaN as NULL)
  std::string text(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;
  std::optional<double> opt_real(int col) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// An open connection with the rein pragmas set; closes on destruction.
class Db {
 public:
  Db() = default;
  // Opens without touching the schema (see schema.h for that). `read_only` opens with
  // SQLITE_OPEN_READONLY, otherwise a missing file is created. `immutable` (read-only only)
  // tells SQLite nobody writes the file, so it needs no -shm file beside it.
  Db(const std::string& path, bool read_only, int busy_timeout_ms, bool immutable = false);
  ~Db();
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }
  void exec(const char* sql);
  // First column of the first row of `sql` as an integer (0 if no row).
  std::int64_t scalar(const char* sql);

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed. IMMEDIATE takes the
// write lock up front, so a writer never reads a snapshot that another process's commit makes
// stale (the SQLITE_BUSY_SNAPSHOT failure mode of deferred transactions).
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

}  // namespace rein::tracker::internal
