// Row-level helpers shared by Store and RunWriter.
#include "tracker/internal/rows.h"

#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>

#include "tracker/names.h"

namespace rein::tracker::internal {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "";
  return buf;
}

std::int64_t current_pid() { return static_cast<std::int64_t>(::getpid()); }

bool process_alive(std::int64_t pid) {
  if (pid <= 0) return true;
  return !(::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH);
}

namespace {

std::int64_t experiment_id(Db& db, const std::string& name) {
  Stmt ins(db, "INSERT INTO experiments(name, created) VALUES(?, ?) ON CONFLICT DO NOTHING");
  ins.bind(1, name).bind(2, now_seconds()).run();
  Stmt sel(db, "SELECT id FROM experiments WHERE name = ?");
  sel.bind(1, name);
  sel.step();
  return sel.int64(0);
}

// "ppo-CartPole-v1-s1-17": readable in a table, unique through the id.
std::string generated_name(const RunSpec& spec, std::int64_t id) {
  std::string name;
  auto add = [&](const std::string& part) {
    if (part.empty()) return;
    for (char c : part) {
      bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      name += ok ? c : '_';
    }
    name += '-';
  };
  add(spec.algorithm);
  add(spec.env);
  if (spec.seed) {
    std::string seed =
        std::to_string(*spec.seed);  // (not "s" + ...: g++ 12 -Wrestrict false positive)
    seed.insert(seed.begin(), 's');
    add(seed);
  }
  if (name.empty()) name = "run-";
  return name + std::to_string(id);
}

}  // namespace

void check_run_spec(const RunSpec& spec) {
  if (!spec.name.empty()) check_run_name(spec.name);
  check_utf8("experiment", spec.experiment);
  check_utf8("algorithm", spec.algorithm);
  check_utf8("env", spec.env);
  for (const Param& p : spec.params) check_param(p);
  for (const std::string& t : spec.tags) check_tag(t);
}

void check_param(const Param& param) {
  check_utf8("param name", param.key);
  if (const auto* s = std::get_if<std::string>(&param.value))
    check_utf8("value of param '" + param.key + "'", *s);
}

void check_tag(const std::string& tag) {
  if (tag.empty()) throw Error("tag: a tag cannot be empty");
  check_utf8("tag", tag);
}

std::pair<std::int64_t, std::string> insert_run(Db& db, const RunSpec& spec) {
  check_run_spec(spec);
  Transaction tx(db);
  std::int64_t exp = experiment_id(db, spec.experiment.empty() ? "default" : spec.experiment);
  double now = now_seconds();
  Stmt ins(db,
           "INSERT INTO runs(name, experiment_id, algorithm, env, seed, status, start_time, "
           "heartbeat, command, host, pid, rein_version) "
           "VALUES(?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?) RETURNING id");
  ins.bind(1, spec.name).bind(2, exp).bind(3, spec.algorithm).bind(4, spec.env);
  ins.bind(5, spec.seed)
      .bind(6, now)
      .bind(7, now)
      .bind(8, redact_urls_in(to_utf8(spec.command)))
      .bind(9, host_name());
  ins.bind(10, current_pid()).bind(11, spec.rein_version);
  ins.step();
  std::int64_t id = ins.int64(0);
  ins.reset();
  std::string name = spec.name;
  if (name.empty()) {
    name = generated_name(spec, id);
    Stmt upd(db, "UPDATE runs SET name = ? WHERE id = ?");
    upd.bind(1, name).bind(2, id).run();
  }
  for (const Param& p : spec.params) upsert_param(db, id, p);
  for (const std::string& t : spec.tags) insert_tag(db, id, t);
  tx.commit();
  return {id, name};
}

void upsert_param(Db& db, std::int64_t run_id, const Param& param) {
  Stmt s(db,
         "INSERT INTO params(run_id, key, type, value) VALUES(?, ?, ?, ?) "
         "ON CONFLICT(run_id, key) DO UPDATE SET type = excluded.type, value = excluded.value");
  s.bind(1, run_id).bind(2, param.key);
  const char* type = bind_param_value(s, 4, param.value);
  s.bind(3, std::string_view(type));
  s.run();
}

void insert_tag(Db& db, std::int64_t run_id, const std::string& tag) {
  Stmt s(db, "INSERT INTO tags(run_id, tag) VALUES(?, ?) ON CONFLICT DO NOTHING");
  s.bind(1, run_id).bind(2, tag).run();
}

std::int64_t insert_artifact(Db& db, std::int64_t run_id, const std::string& kind,
                             const std::string& path, std::optional<std::int64_t> step) {
  Stmt s(db,
         "INSERT INTO artifacts(run_id, kind, path, step, created) VALUES(?, ?, ?, ?, ?) "
         "RETURNING id");
  s.bind(1, run_id).bind(2, kind).bind(3, path).bind(4, step).bind(5, now_seconds());
  s.step();
  return s.int64(0);
}

std::int64_t intern_key(Db& db, const std::string& name) {
  Stmt ins(db, "INSERT INTO metric_keys(name) VALUES(?) ON CONFLICT DO NOTHING");
  ins.bind(1, name).run();
  Stmt sel(db, "SELECT id FROM metric_keys WHERE name = ?");
  sel.bind(1, name);
  sel.step();
  return sel.int64(0);
}

const char* bind_param_value(Stmt& stmt, int i, const ParamValue& value) {
  if (const bool* b = std::get_if<bool>(&value)) {
    stmt.bind(i, static_cast<std::int64_t>(*b ? 1 : 0));
    return "bool";
  }
  if (const std::int64_t* n = std::get_if<std::int64_t>(&value)) {
    stmt.bind(i, *n);
    return "int";
  }
  if (const double* d = std::get_if<double>(&value)) {
    stmt.bind(i, *d);
    return "float";
  }
  stmt.bind(i, std::string_view(std::get<std::string>(value)));
  return "str";
}

ParamValue read_param_value(const Stmt& stmt, int col, const std::string& type) {
  if (type == "bool") return stmt.int64(col) != 0;
  if (type == "int") return stmt.int64(col);
  if (type == "float") return stmt.real(col);
  return stmt.text(col);
}

}  // namespace rein::tracker::internal
