// The PostgreSQL side of Stmt (db.h): parameters travel as text, results come back as text and
// are parsed on read. Internal to db.cpp and postgres.cpp.
#pragma once

#include <libpq-fe.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "tracker/internal/db.h"

namespace rein::tracker::internal {

// `sql` with each `?` outside quotes replaced by $1, $2, ...; `count` gets the number of them.
std::string numbered_placeholders(std::string_view sql, int& count);

struct Stmt::Pg {
  std::string sql;  // with $n placeholders
  std::vector<std::optional<std::string>> params;
  PGresult* res = nullptr;
  int row = -1;  // the current row of res
  int rows = 0;

  ~Pg() { PQclear(res); }
  void set(int i, std::optional<std::string> v);
  // Executes with the bound parameters; returns the number of rows changed.
  std::int64_t execute(Db& db);
  void clear_result() {
    PQclear(res);
    res = nullptr;
    row = -1;
    rows = 0;
  }
  const char* value(int col) const { return PQgetvalue(res, row, col); }
  bool is_null(int col) const { return PQgetisnull(res, row, col) != 0; }
};

struct Db::PreparedCache {
  std::unordered_map<std::string, std::string> names;  // SQL text -> prepared statement name
  std::string session_setup;  // the SET statements every (re)connection runs
};

// Text forms PostgreSQL parses back to the same value.
std::string pg_text(double v);

}  // namespace rein::tracker::internal
