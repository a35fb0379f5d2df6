// The PostgreSQL backend of db.h: connecting through libpq, prepared statements with text
// parameters, and libpq errors as tracker::Error.
#include "tracker/internal/postgres.h"

#include <cmath>
#include <cstdio>
#include <utility>

namespace rein::tracker::internal {

bool is_postgres_url(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::string redact_url(std::string_view url) {
  std::string out(url);
  std::size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    std::size_t start = scheme + 3;
    std::size_t end = out.find_first_of("/?", start);
    std::size_t at = out.rfind('@', end == std::string::npos ? out.size() : end);
    if (at != std::string::npos && at >= start) {
      std::size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (std::size_t p = out.find("password="); p != std::string::npos;
       p = out.find("password=", p + 1)) {
    bool is_key = p > 0 && (out[p - 1] == '?' || out[p - 1] == '&');
    if (!is_key) continue;
    std::size_t value = p + 9;
    std::size_t end = out.find('&', value);
    out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
  }
  return out;
}

std::string redact_urls_in(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t a = text.find("postgresql://", pos);
    std::size_t b = text.find("postgres://", pos);
    std::size_t start = std::min(a, b);
    if (start == std::string_view::npos) break;
    std::size_t end = text.find_first_of(" \t\n'\"", start);
    if (end == std::string_view::npos) end = text.size();
    out += text.substr(pos, start - pos);
    out += redact_url(text.substr(start, end - start));
    pos = end;
  }
  if (pos < text.size()) out += text.substr(pos);
  return out;
}

std::string numbered_placeholders(std::string_view sql, int& count) {
  std::string out;
  out.reserve(sql.size() + 16);
  count = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$' + std::to_string(++count);
    } else {
      out += c;
    }
  }
  return out;
}

std::string pg_text(double v) {
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void Stmt::Pg::set(int i, std::optional<std::string> v) {
  if (i < 1 || static_cast<std::size_t>(i) > params.size()) {
    throw Error("bind: parameter " + std::to_string(i) + " out of range for '" + sql.substr(0, 60) +
                "'");
  }
  params[static_cast<std::size_t>(i - 1)] = std::move(v);
}

std::int64_t Stmt::Pg::execute(Db& db) {
  clear_result();
  db.reconnect_if_lost();
  const std::string& name = db.prepared(sql);
  std::vector<const char*> values(params.size());
  for (std::size_t i = 0; i < params.size(); ++i)
    values[i] = params[i] ? params[i]->c_str() : nullptr;
  res = PQexecPrepared(db.pg(), name.c_str(), static_cast<int>(values.size()), values.data(),
                       nullptr, nullptr, 0);
  ExecStatusType status = PQresultStatus(res);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    PGresult* failed = std::exchange(res, nullptr);
    db.throw_pg(failed, "statement '" + sql.substr(0, 60) + "'");
  }
  rows = PQntuples(res);
  const char* changed = PQcmdTuples(res);
  return changed && *changed ? std::stoll(changed) : 0;
}

namespace {

void ignore_notice(void*, const char*) {}

// What to tell the user for a failed connection, from libpq's message.
std::string connect_hint(const std::string& msg) {
  if (msg.find("does not exist") != std::string::npos)
    return "; create the database (createdb) or check the name in --db";
  if (msg.find("Connection refused") != std::string::npos ||
      msg.find("No such file or directory") != std::string::npos)
    return "; is the server running and listening there? (check host and port in --db)";
  if (msg.find("could not translate host name") != std::string::npos)
    return "; the host name is unknown: check the host in --db";
  if (msg.find("authentication") != std::string::npos || msg.find("password") != std::string::npos)
    return "; check the user and password (or ~/.pgpass) for --db";
  return "";
}

std::string one_line(std::string msg) {
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  for (char& c : msg)
    if (c == '\n') c = ' ';
  return msg;
}

}  // namespace

Db Db::open_postgres(const std::string& url, bool read_only, int lock_timeout_ms) {
  Db db;
  db.backend_ = Backend::Postgres;
  db.path_ = redact_url(url);
  // Keywords before "dbname" are defaults that the URL may override.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "rein", url.c_str(), nullptr};
  db.pg_ = PQconnectdbParams(keys, values, 1);
  if (db.pg_ == nullptr) throw Error("connect to '" + db.path_ + "': out of memory");
  if (PQstatus(db.pg_) != CONNECTION_OK) {
    std::string msg = one_line(PQerrorMessage(db.pg_));
    throw Error("connect to '" + db.path_ + "': " + msg + connect_hint(msg));
  }
  PQsetNoticeProcessor(db.pg_, ignore_notice, nullptr);
  // lock_timeout: a writer waits for the write lock as SQLite's busy_timeout does.
  // extra_float_digits: doubles come back exactly (older servers print 15 digits otherwise).
  std::string setup = "SET lock_timeout = " + std::to_string(lock_timeout_ms) +
                      "; SET extra_float_digits = 3; SET client_min_messages = warning";
  if (read_only) setup += "; SET default_transaction_read_only = on";
  db.exec(setup.c_str());
  db.prepared_->session_setup = setup;
  return db;
}

void Db::reconnect_if_lost() {
  if (!pg_ || in_transaction_ || PQstatus(pg_) == CONNECTION_OK) return;
  PQreset(pg_);
  if (PQstatus(pg_) != CONNECTION_OK) return;  // the next statement reports the failure
  prepared_->names.clear();                    // prepared statements died with the session
  PQsetNoticeProcessor(pg_, ignore_notice, nullptr);
  PQclear(PQexec(pg_, prepared_->session_setup.c_str()));
}

const std::string& Db::prepared(const std::string& sql) {
  auto it = prepared_->names.find(sql);
  if (it != prepared_->names.end()) return it->second;
  std::string name = "rein_" + std::to_string(prepared_->names.size() + 1);
  PGresult* res = PQprepare(pg_, name.c_str(), sql.c_str(), 0, nullptr);
  if (PQresultStatus(res) != PGRES_COMMAND_OK) throw_pg(res, "prepare '" + sql.substr(0, 60) + "'");
  PQclear(res);
  return prepared_->names.emplace(sql, std::move(name)).first->second;
}

void Db::throw_pg(PGresult* res, const std::string& what) {
  std::string msg = one_line(res ? PQresultErrorMessage(res) : "");
  if (msg.empty()) msg = one_line(PQerrorMessage(pg_));
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string code = state ? state : "";
  PQclear(res);
  if (PQstatus(pg_) != CONNECTION_OK || code.starts_with("08") || code.starts_with("57P")) {
    throw Error(what + ": lost the connection to '" + path_ + "': " + msg +
                "; check that the server is running (what was committed before is kept)");
  }
  // lock_not_available (lock_timeout), deadlock_detected, serialization_failure: retry.
  if (code == "55P03" || code == "40P01" || code == "40001") {
    throw BusyError(what + ": " + msg + " (database '" + path_ + "')");
  }
  if (code == "25006") {
    throw Error(what + ": the database '" + path_ + "' was opened read-only");
  }
  throw Error(what + ": " + msg + " (database '" + path_ + "')");
}

}  // namespace rein::tracker::internal
