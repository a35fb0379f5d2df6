// rein-bench-sqlite-baseline: the bare sqlite3 program RunWriter is measured against. Inserts N
// metric rows into the tracker's metrics table (same columns, same (run_id, key_id, step) index
// unless --no-index) through one prepared statement, 1000 rows per BEGIN IMMEDIATE transaction,
// WAL mode, synchronous=NORMAL, and prints rows per second.
//   rein-bench-sqlite-baseline [ROWS] [--no-index]
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace {

void check(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "error: %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

void exec(sqlite3* db, const char* sql) {
  check(db, sqlite3_exec(db, sql, nullptr, nullptr, nullptr), sql);
}

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  long rows = 1000000;
  bool index = true;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--no-index") == 0) {
      index = false;
    } else {
      rows = std::atol(argv[i]);
    }
  }
  const char* base = std::getenv("TMPDIR");
  std::string dir = std::string(base && *base ? base : "/tmp") + "/rein-baseline-XXXXXX";
  if (!::mkdtemp(dir.data())) {
    std::fprintf(stderr, "error: cannot create a temporary directory\n");
    return 1;
  }
  std::string path = dir + "/baseline.db";

  sqlite3* db = nullptr;
  check(db, sqlite3_open(path.c_str(), &db), "open");
  exec(db, "PRAGMA journal_mode = WAL");
  exec(db, "PRAGMA synchronous = NORMAL");
  sqlite3_busy_timeout(db, 10000);
  exec(db,
       "CREATE TABLE metrics(run_id INTEGER NOT NULL, key_id INTEGER NOT NULL, "
       "step INTEGER NOT NULL, wall_time REAL NOT NULL, value REAL)");
  if (index) exec(db, "CREATE INDEX metrics_by_series ON metrics(run_id, key_id, step)");

  sqlite3_stmt* insert = nullptr;
  check(db,
        sqlite3_prepare_v2(db,
                           "INSERT INTO metrics(run_id, key_id, step, wall_time, value) "
                           "VALUES(?, ?, ?, ?, ?)",
                           -1, &insert, nullptr),
        "prepare");
  auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < rows; ++i) {
    if (i % 1000 == 0) exec(db, "BEGIN IMMEDIATE");
    sqlite3_bind_int64(insert, 1, 1);
    sqlite3_bind_int64(insert, 2, 1);
    sqlite3_bind_int64(insert, 3, i);
    sqlite3_bind_double(insert, 4, now_seconds());
    sqlite3_bind_double(insert, 5, static_cast<double>(i % 977));
    check(db, sqlite3_step(insert), "insert");
    sqlite3_reset(insert);
    if (i % 1000 == 999 || i == rows - 1) exec(db, "COMMIT");
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::printf("bare sqlite3: %ld rows in %.3f s = %.0f rows/s (%s index, batches of 1000, WAL)\n",
              rows, seconds, static_cast<double>(rows) / seconds,
              index ? "with (run_id, key_id, step)" : "no secondary");
  return 0;
}
