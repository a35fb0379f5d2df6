// sync_runs: row-by-row copy between two databases of either backend, metric names re-interned
// in the target (their ids differ between databases).
#include "tracker/sync.h"

#include <unordered_map>

#include "tracker/internal/rows.h"
#include "tracker/internal/schema.h"
#include "tracker/store.h"

namespace rein::tracker {

using internal::Db;
using internal::Stmt;

namespace {

constexpr int kBusyTimeoutMs = 10000;

bool already_there(Db& target, const RunInfo& run) {
  Stmt s(target, "SELECT id FROM runs WHERE start_time = ? AND algorithm = ? AND env = ?");
  s.bind(1, run.start_time).bind(2, run.algorithm).bind(3, run.env);
  return s.step();
}

std::int64_t experiment_id(Db& db, const std::string& name) {
  Stmt ins(db, "INSERT INTO experiments(name, created) VALUES(?, ?) ON CONFLICT DO NOTHING");
  ins.bind(1, name).bind(2, internal::now_seconds()).run();
  Stmt sel(db, "SELECT id FROM experiments WHERE name = ?");
  sel.bind(1, name);
  sel.step();
  return sel.int64(0);
}

std::int64_t copy_run_row(Db& from, Db& to, std::int64_t run_id) {
  Stmt src(from,
           "SELECT r.name, e.name, r.algorithm, r.env, r.seed, r.status, r.error, r.start_time, "
           "r.end_time, r.heartbeat, r.command, r.host, r.pid, r.rein_version, r.summary "
           "FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id = ?");
  src.bind(1, run_id);
  if (!src.step()) throw Error("sync: run " + std::to_string(run_id) + " vanished from the source");
  Stmt ins(to,
           "INSERT INTO runs(name, experiment_id, algorithm, env, seed, status, error, "
           "start_time, end_time, heartbeat, command, host, pid, rein_version, summary) "
           "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  ins.bind(1, src.text(0)).bind(2, experiment_id(to, src.text(1))).bind(3, src.text(2));
  ins.bind(4, src.text(3)).bind(5, src.opt_int64(4)).bind(6, src.text(5)).bind(7, src.text(6));
  ins.bind(8, src.real(7)).bind(9, src.opt_real(8)).bind(10, src.real(9));
  ins.bind(11, src.text(10)).bind(12, src.text(11)).bind(13, src.int64(12));
  ins.bind(14, src.text(13)).bind(15, src.text(14));
  ins.step();
  return ins.int64(0);
}

void copy_metrics(Db& from, Db& to, std::int64_t src_id, std::int64_t dst_id) {
  // Source metric key id -> target metric key id.
  std::unordered_map<std::int64_t, std::int64_t> keys;
  Stmt names(from,
             "SELECT DISTINCT k.id, k.name FROM metric_series s JOIN metric_keys k "
             "ON k.id = s.key_id WHERE s.run_id = ?");
  names.bind(1, src_id);
  while (names.step()) keys[names.int64(0)] = internal::intern_key(to, names.text(1));
  auto key = [&](std::int64_t src_key) {
    auto it = keys.find(src_key);
    if (it == keys.end())  // points without a series row (a damaged source): name unknown
      throw Error("sync: run " + std::to_string(src_id) + " has points of metric key " +
                  std::to_string(src_key) + " but no series row; run rein runs gc on the source");
    return it->second;
  };

  internal::BulkInsert points(to, "metrics", {"run_id", "key_id", "step", "wall_time", "value"});
  Stmt p(from,
         "SELECT key_id, step, wall_time, value FROM metrics WHERE run_id = ? ORDER BY rowid");
  p.bind(1, src_id);
  while (p.step())
    points.add(dst_id).add(key(p.int64(0))).add(p.int64(1)).add(p.real(2)).add(p.real(3)).end_row();
  points.flush();

  internal::BulkInsert chunks(
      to, "metric_chunks",
      {"run_id", "key_id", "seq", "first_step", "last_step", "count", "min_step", "min_wall_time",
       "min_value", "max_step", "max_wall_time", "max_value"});
  Stmt c(from,
         "SELECT key_id, seq, first_step, last_step, count, min_step, min_wall_time, min_value, "
         "max_step, max_wall_time, max_value FROM metric_chunks WHERE run_id = ?");
  c.bind(1, src_id);
  while (c.step()) {
    chunks.add(dst_id).add(key(c.int64(0))).add(c.int64(1)).add(c.int64(2)).add(c.int64(3));
    chunks.add(c.int64(4)).add(c.int64(5)).add(c.real(6)).add(c.real(7)).add(c.int64(8));
    chunks.add(c.real(9)).add(c.real(10)).end_row();
  }
  chunks.flush();

  Stmt s(from,
         "SELECT key_id, count, first_step, last_step, last_wall_time, last_value, monotonic "
         "FROM metric_series WHERE run_id = ?");
  s.bind(1, src_id);
  Stmt ins(to,
           "INSERT INTO metric_series(run_id, key_id, count, first_step, last_step, "
           "last_wall_time, last_value, monotonic) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
  while (s.step()) {
    ins.bind(1, dst_id).bind(2, key(s.int64(0))).bind(3, s.int64(1)).bind(4, s.int64(2));
    ins.bind(5, s.int64(3)).bind(6, s.real(4)).bind(7, s.real(5)).bind(8, s.int64(6)).run();
  }
}

void copy_run(Store& source, Db& from, Db& to, const RunInfo& run) {
  internal::Transaction tx(to);
  if (already_there(to, run)) return;  // another sync got there first
  std::int64_t id = copy_run_row(from, to, run.id);
  for (const Param& p : source.params(run.id)) internal::upsert_param(to, id, p);
  for (const std::string& t : run.tags) internal::insert_tag(to, id, t);
  for (const Artifact& a : source.artifacts(run.id)) {
    Stmt s(to, "INSERT INTO artifacts(run_id, kind, path, step, created) VALUES(?, ?, ?, ?, ?)");
    s.bind(1, id).bind(2, a.kind).bind(3, a.path).bind(4, a.step).bind(5, a.created).run();
  }
  copy_metrics(from, to, run.id, id);
  tx.commit();
}

}  // namespace

SyncResult sync_runs(const std::string& source, const std::string& target,
                     const std::function<void(const std::string&)>& on_run) {
  Store source_store(source, {.mode = OpenMode::ReadOnly});
  Db from = internal::open_database(source, OpenMode::ReadOnly, kBusyTimeoutMs).db;
  Db to = internal::open_database(target, OpenMode::ReadWrite, kBusyTimeoutMs).db;
  SyncResult out;
  std::vector<RunInfo> runs = source_store.list_runs();
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {  // oldest first: ids keep the order
    const RunInfo& run = *it;
    if (run.status == RunStatus::Running) {
      out.still_running.push_back(run.name);
      continue;
    }
    if (already_there(to, run)) {
      out.already_there.push_back(run.name);
      continue;
    }
    copy_run(source_store, from, to, run);
    out.copied.push_back(run.name);
    if (on_run) on_run(run.name);
  }
  return out;
}

}  // namespace rein::tracker
