// Db, Stmt and Transaction: the SQLite backend, and the dispatch to the PostgreSQL one
// (postgres.cpp).
#include "tracker/internal/db.h"

#include <sqlite3.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <utility>

#include "base/files.h"
#include "tracker/internal/postgres.h"

namespace rein::tracker::internal {

namespace {

const char* hint_for(int primary) {
  switch (primary) {
    case SQLITE_FULL:
      return "; the disk (or the file size limit) is full: free space and retry";
    case SQLITE_IOERR:
      return "; a write to the disk failed (disk full, file size limit, or a failing device)";
    case SQLITE_READONLY:
      return "; the file or its directory is read-only: open it read-only or fix permissions";
    case SQLITE_NOTADB:
      return "; the file is not a rein database, or it is corrupt";
    case SQLITE_CORRUPT:
      return "; the database is corrupt: restore it from a backup";
    case SQLITE_BUSY:
      return "; another process held the write lock for too long";
    case SQLITE_CANTOPEN:
      return "; check that the path and its directory exist and are accessible";
    default:
      return "";
  }
}

}  // namespace

void throw_sqlite(sqlite3* db, int rc, const std::string& what) {
  std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (msg == "not an error") msg = sqlite3_errstr(rc);
  int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    throw BusyError(what + ": " + msg + hint_for(primary));
  }
  throw Error(what + ": " + msg + hint_for(primary));
}

Stmt::Stmt(Db& db, std::string_view sql) : db_(&db) {
  if (db.postgres()) {
    pg_ = std::make_unique<Pg>();
    int count = 0;
    pg_->sql = numbered_placeholders(sql, count);
    pg_->params.resize(static_cast<std::size_t>(count));
    return;
  }
  int rc = sqlite3_prepare_v3(db.sqlite(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK)
    throw_sqlite(db.sqlite(), rc, "prepare '" + std::string(sql.substr(0, 60)) + "'");
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt::Stmt(Stmt&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      pg_(std::move(other.pg_)) {}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    pg_ = std::move(other.pg_);
  }
  return *this;
}

Stmt& Stmt::bind(int i, std::int64_t v) {
  if (pg_)
    pg_->set(i, std::to_string(v));
  else
    sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, double v) {
  if (std::isnan(v)) return bind_null(i);  // what SQLite does with NaN; PostgreSQL follows
  if (pg_)
    pg_->set(i, pg_text(v));
  else
    sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, std::string_view v) {
  if (pg_)
    pg_->set(i, std::string(v));
  else
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind(int i, const std::optional<std::int64_t>& v) {
  return v ? bind(i, *v) : bind_null(i);
}
Stmt& Stmt::bind(int i, const std::optional<double>& v) { return v ? bind(i, *v) : bind_null(i); }
Stmt& Stmt::bind_null(int i) {
  if (pg_)
    pg_->set(i, std::nullopt);
  else
    sqlite3_bind_null(stmt_, i);
  return *this;
}

bool Stmt::step() {
  if (pg_) {
    if (!pg_->res) pg_->execute(*db_);
    return ++pg_->row < pg_->rows;
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string sql = sqlite3_sql(stmt_) ? sqlite3_sql(stmt_) : "";
  sqlite3_reset(stmt_);
  throw_sqlite(db_->sqlite(), rc, "statement '" + sql.substr(0, 60) + "'");
}

std::int64_t Stmt::run() {
  std::int64_t changed = 0;
  if (pg_) {
    changed = pg_->execute(*db_);
  } else {
    while (step()) {
    }
    changed = sqlite3_changes(db_->sqlite());
  }
  reset();
  return changed;
}

void Stmt::reset() {
  if (pg_) {
    pg_->clear_result();
    for (auto& p : pg_->params) p.reset();
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Stmt::is_null(int col) const {
  if (pg_) return pg_->is_null(col);
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}
std::int64_t Stmt::int64(int col) const {
  if (pg_) return std::strtoll(pg_->value(col), nullptr, 10);
  return sqlite3_column_int64(stmt_, col);
}
double Stmt::real(int col) const {
  if (is_null(col)) return std::numeric_limits<double>::quiet_NaN();
  if (pg_) return std::strtod(pg_->value(col), nullptr);
  return sqlite3_column_double(stmt_, col);
}
std::string Stmt::text(int col) const {
  if (pg_) {
    return std::string(pg_->value(col),
                       static_cast<std::size_t>(PQgetlength(pg_->res, pg_->row, col)));
  }
  const auto* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}
std::optional<std::int64_t> Stmt::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}
std::optional<double> Stmt::opt_real(int col) const {
  if (is_null(col)) return std::nullopt;
  return real(col);
}

Db::Db() : prepared_(std::make_unique<PreparedCache>()) {}

Db Db::open_sqlite(const std::string& path, bool read_only, int busy_timeout_ms, bool immutable) {
  // A database is a regular file: SQLite would wait forever on a pipe's first read, and beside a
  // device such as /dev/null it creates its journal (/dev/null-journal, as root).
  std::error_code ec;
  const std::filesystem::file_status st = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(st) && !std::filesystem::is_regular_file(st)) {
    throw Error(str("open '", path, "': it is ", file_kind(st),
                    ", not a database file; give the path of a database file (a new one is "
                    "created)"));
  }
  Db db;
  db.path_ = path;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;  // one thread per connection (documented on Store/RunWriter)
  std::string name = path;
  if (immutable) {
    // URI form with the path percent-escaped where URIs give characters a meaning.
    name = "file:";
    for (char c : path) {
      if (c == '%' || c == '?' || c == '#') {
        static const char* hex = "0123456789ABCDEF";
        name += '%';
        name += hex[(c >> 4) & 0xF];
        name += hex[c & 0xF];
      } else {
        name += c;
      }
    }
    name += "?immutable=1";
    flags |= SQLITE_OPEN_URI;
  }
  int rc = sqlite3_open_v2(name.c_str(), &db.sqlite_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db.sqlite_ ? sqlite3_errmsg(db.sqlite_) : sqlite3_errstr(rc);
    throw Error("open '" + path + "': " + msg + hint_for(rc & 0xff));
  }
  sqlite3_extended_result_codes(db.sqlite_, 1);
  sqlite3_busy_timeout(db.sqlite_, busy_timeout_ms);
  return db;
}

Db::~Db() {
  sqlite3_close_v2(sqlite_);
  if (pg_) PQfinish(pg_);
}

Db::Db(Db&& other) noexcept
    : backend_(other.backend_),
      sqlite_(std::exchange(other.sqlite_, nullptr)),
      pg_(std::exchange(other.pg_, nullptr)),
      path_(std::move(other.path_)),
      prepared_(std::exchange(other.prepared_, std::make_unique<PreparedCache>())),
      in_transaction_(other.in_transaction_) {}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(sqlite_);
    if (pg_) PQfinish(pg_);
    backend_ = other.backend_;
    sqlite_ = std::exchange(other.sqlite_, nullptr);
    pg_ = std::exchange(other.pg_, nullptr);
    path_ = std::move(other.path_);
    prepared_ = std::exchange(other.prepared_, std::make_unique<PreparedCache>());
    in_transaction_ = other.in_transaction_;
  }
  return *this;
}

void Db::exec(const char* sql) {
  if (pg_) {
    reconnect_if_lost();
    PGresult* res = PQexec(pg_, sql);
    ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      throw_pg(res, "'" + std::string(sql).substr(0, 60) + "'");
    PQclear(res);
    return;
  }
  char* err = nullptr;
  int rc = sqlite3_exec(sqlite_, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    sqlite3_free(err);
    throw_sqlite(sqlite_, rc, "'" + path_ + "'");
  }
}

std::int64_t Db::scalar(const char* sql) {
  Stmt s(*this, sql);
  return s.step() ? s.int64(0) : 0;
}

void Db::rollback_quietly() noexcept {
  if (pg_) {
    if (PQstatus(pg_) == CONNECTION_OK) PQclear(PQexec(pg_, "ROLLBACK"));
  } else {
    sqlite3_exec(sqlite_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

namespace {

// Every rein write transaction on PostgreSQL holds this advisory lock (the bytes "rein").
constexpr const char* kPgWriteLock = "SELECT pg_advisory_xact_lock(1919248750)";

}  // namespace

Transaction::Transaction(Db& db) : db_(db) {
  if (db_.postgres()) {
    db_.reconnect_if_lost();
    db_.exec("BEGIN");
    db_.in_transaction_ = true;
    try {
      db_.exec(kPgWriteLock);
    } catch (...) {
      db_.rollback_quietly();
      db_.in_transaction_ = false;
      throw;
    }
  } else {
    db_.exec("BEGIN IMMEDIATE");
  }
}

Transaction::~Transaction() {
  if (!done_) db_.rollback_quietly();
  db_.in_transaction_ = false;
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
  db_.in_transaction_ = false;
}

ReadSnapshot::ReadSnapshot(Db& db) : db_(db) {
  db_.exec(db_.postgres() ? "BEGIN ISOLATION LEVEL REPEATABLE READ" : "BEGIN");
  db_.in_transaction_ = true;
}

ReadSnapshot::~ReadSnapshot() {
  if (!done_) db_.rollback_quietly();
  db_.in_transaction_ = false;
}

void ReadSnapshot::end() {
  db_.exec("COMMIT");
  done_ = true;
  db_.in_transaction_ = false;
}

BulkInsert::BulkInsert(Db& db, std::string table, std::vector<std::string> columns)
    : db_(db), table_(std::move(table)), columns_(columns.size()) {
  std::string list;
  for (const std::string& c : columns) list += (list.empty() ? "" : ", ") + c;
  if (db_.postgres()) {
    copy_ = "COPY " + table_ + "(" + list + ") FROM STDIN";
  } else {
    std::string marks;
    for (std::size_t i = 0; i < columns_; ++i) marks += i ? ", ?" : "?";
    insert_ = Stmt(db_, "INSERT INTO " + table_ + "(" + list + ") VALUES(" + marks + ")");
  }
}

BulkInsert& BulkInsert::add(std::int64_t v) {
  ++in_row_;
  if (!db_.postgres()) {
    insert_.bind(static_cast<int>(in_row_), v);
    return *this;
  }
  if (in_row_ > 1) rows_ += '\t';
  rows_ += std::to_string(v);
  return *this;
}

BulkInsert& BulkInsert::add(double v) {
  ++in_row_;
  if (!db_.postgres()) {
    insert_.bind(static_cast<int>(in_row_), v);
    return *this;
  }
  if (in_row_ > 1) rows_ += '\t';
  rows_ += std::isnan(v) ? std::string("\\N") : pg_text(v);
  return *this;
}

void BulkInsert::end_row() {
  if (in_row_ != columns_) {
    throw Error("BulkInsert into " + table_ + ": a row has " + std::to_string(in_row_) +
                " values for " + std::to_string(columns_) + " columns");
  }
  in_row_ = 0;
  if (db_.postgres())
    rows_ += '\n';
  else
    insert_.run();
}

void BulkInsert::flush() {
  if (!db_.postgres() || rows_.empty()) return;
  PGconn* conn = db_.pg();
  PGresult* res = PQexec(conn, copy_.c_str());
  if (PQresultStatus(res) != PGRES_COPY_IN) db_.throw_pg(res, copy_);
  PQclear(res);
  bool sent = PQputCopyData(conn, rows_.data(), static_cast<int>(rows_.size())) == 1 &&
              PQputCopyEnd(conn, nullptr) == 1;
  res = PQgetResult(conn);
  // Drain the remaining results so the connection is ready for the next statement.
  for (PGresult* more = PQgetResult(conn); more; more = PQgetResult(conn)) PQclear(more);
  if (!sent || PQresultStatus(res) != PGRES_COMMAND_OK) db_.throw_pg(res, copy_);
  PQclear(res);
  rows_.clear();
}

}  // namespace rein::tracker::internal
