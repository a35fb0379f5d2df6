// Store: opening the file, and the run-level queries and edits (list, resolve, rename, tag,
// remove, artifacts).
#include "tracker/store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "tracker/internal/rows.h"
#include "tracker/internal/schema.h"
#include "tracker/internal/store_impl.h"
#include "tracker/names.h"

namespace rein::tracker {

using internal::Stmt;

namespace {

constexpr const char* kRunColumns =
    "r.id, r.name, e.name, r.algorithm, r.env, r.seed, r.status, r.error, r.start_time, "
    "r.end_time, r.heartbeat, r.command, r.host, r.pid, r.rein_version, r.summary";

RunInfo read_run(const Stmt& s) {
  RunInfo r;
  r.id = s.int64(0);
  r.name = s.text(1);
  r.experiment = s.text(2);
  r.algorithm = s.text(3);
  r.env = s.text(4);
  r.seed = s.opt_int64(5);
  r.status = parse_run_status(s.text(6));
  r.error = s.text(7);
  r.start_time = s.real(8);
  r.end_time = s.opt_real(9);
  r.heartbeat = s.real(10);
  r.command = s.text(11);
  r.host = s.text(12);
  r.pid = s.int64(13);
  r.rein_version = s.text(14);
  r.summary = s.text(15);
  return r;
}

bool is_all_digits(const std::string& s) {
  return !s.empty() && s.size() < 19 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

RunStatus Store::Impl::effective_status(RunStatus stored, double heartbeat,
                                        const std::string& run_host, std::int64_t pid) const {
  if (stored != RunStatus::Running) return stored;
  if (internal::now_seconds() - heartbeat > options.crashed_after_seconds)
    return RunStatus::Crashed;
  if (run_host == host && !internal::process_alive(pid)) return RunStatus::Crashed;
  return RunStatus::Running;
}

std::optional<std::int64_t> Store::Impl::key_id(const std::string& key) {
  Stmt s(db, "SELECT id FROM metric_keys WHERE name = ?");
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return s.int64(0);
}

void Store::Impl::require_writable(const char* op) const {
  if (read_only) {
    throw Error(std::string(op) + ": the database '" + path + "' was opened read-only");
  }
}

Store::Store(const std::string& path, StoreOptions options) : impl_(std::make_unique<Impl>()) {
  internal::OpenedDb opened = internal::open_database(path, options.mode, options.busy_timeout_ms);
  impl_->db = std::move(opened.db);
  impl_->path = impl_->db.path();  // a URL with its password redacted
  impl_->schema_version = opened.schema_version;
  impl_->read_only = opened.read_only;
  impl_->options = options;
  impl_->host = internal::host_name();
}

Store::~Store() = default;
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;

const std::string& Store::path() const { return impl_->path; }
int Store::schema_version() const { return impl_->schema_version; }
bool Store::read_only() const { return impl_->read_only; }

std::int64_t Store::create_run(const RunSpec& spec) {
  impl_->require_writable("create_run");
  return internal::insert_run(impl_->db, spec).first;
}

std::optional<RunInfo> Store::run(std::int64_t id) {
  Stmt s(impl_->db, std::string("SELECT ") + kRunColumns +
                        " FROM runs r JOIN experiments e ON e.id = r.experiment_id "
                        "WHERE r.id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  RunInfo r = read_run(s);
  r.status = impl_->effective_status(r.status, r.heartbeat, r.host, r.pid);
  Stmt t(impl_->db, "SELECT tag FROM tags WHERE run_id = ? ORDER BY tag");
  t.bind(1, id);
  while (t.step()) r.tags.push_back(t.text(0));
  return r;
}

std::vector<RunInfo> Store::list_runs(const RunFilter& filter) {
  // The SQL text depends only on which filters are set; every value is a bound parameter.
  std::string sql = std::string("SELECT ") + kRunColumns +
                    " FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE TRUE";
  if (filter.experiment) sql += " AND e.name = ?";
  if (filter.env) sql += " AND r.env = ?";
  if (filter.algorithm) sql += " AND r.algorithm = ?";
  if (filter.status) {
    bool live = *filter.status == RunStatus::Running || *filter.status == RunStatus::Crashed;
    sql += live ? " AND r.status = 'running'" : " AND r.status = ?";
  }
  if (filter.tag) sql += " AND EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.tag = ?)";
  for (std::size_t i = 0; i < filter.params.size(); ++i) {
    sql +=
        " AND EXISTS (SELECT 1 FROM params p WHERE p.run_id = r.id AND p.key = ? AND p.value = ?)";
  }
  if (filter.name_contains) {
    sql += impl_->db.postgres() ? " AND strpos(r.name, ?) > 0" : " AND instr(r.name, ?) > 0";
  }
  sql += " ORDER BY r.id DESC";

  Stmt s(impl_->db, sql);
  int i = 1;
  if (filter.experiment) s.bind(i++, *filter.experiment);
  if (filter.env) s.bind(i++, *filter.env);
  if (filter.algorithm) s.bind(i++, *filter.algorithm);
  if (filter.status && *filter.status != RunStatus::Running &&
      *filter.status != RunStatus::Crashed) {
    s.bind(i++, std::string_view(to_string(*filter.status)));
  }
  if (filter.tag) s.bind(i++, *filter.tag);
  for (const Param& p : filter.params) {
    s.bind(i++, p.key);
    internal::bind_param_value(s, i++, p.value);
  }
  if (filter.name_contains) s.bind(i++, *filter.name_contains);

  std::vector<RunInfo> runs;
  while (s.step()) {
    RunInfo r = read_run(s);
    r.status = impl_->effective_status(r.status, r.heartbeat, r.host, r.pid);
    if (filter.status && r.status != *filter.status) continue;
    runs.push_back(std::move(r));
    if (filter.limit != 0 && runs.size() == filter.limit) break;
  }
  s.reset();
  Stmt t(impl_->db, "SELECT tag FROM tags WHERE run_id = ? ORDER BY tag");
  for (RunInfo& r : runs) {
    t.bind(1, r.id);
    while (t.step()) r.tags.push_back(t.text(0));
    t.reset();
  }
  return runs;
}

RunInfo Store::resolve_run(const std::string& id_or_name) {
  if (is_all_digits(id_or_name)) {
    if (auto r = run(std::stoll(id_or_name))) return *r;
  }
  Stmt s(impl_->db, "SELECT id, name FROM runs WHERE name = ? ORDER BY id");
  s.bind(1, id_or_name);
  std::vector<std::pair<std::int64_t, std::string>> found;
  while (s.step()) found.emplace_back(s.int64(0), s.text(1));
  if (found.empty()) {
    throw Error("run '" + id_or_name + "': no run has this id or name in '" + impl_->path +
                "' (see: rein runs list)");
  }
  if (found.size() > 1) {
    std::string msg = "run '" + id_or_name + "': the name is ambiguous; " +
                      std::to_string(found.size()) + " runs have it, use an id:";
    for (const auto& [id, name] : found) msg += "\n  " + std::to_string(id) + "  " + name;
    throw Error(msg);
  }
  return *run(found.front().first);
}

std::vector<std::string> Store::experiments() {
  Stmt s(impl_->db, "SELECT name FROM experiments ORDER BY name");
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

std::vector<Param> Store::params(std::int64_t run_id) {
  Stmt s(impl_->db, "SELECT key, type, value FROM params WHERE run_id = ? ORDER BY key");
  s.bind(1, run_id);
  std::vector<Param> out;
  while (s.step()) out.push_back({s.text(0), internal::read_param_value(s, 2, s.text(1))});
  return out;
}

void Store::set_status(std::int64_t run_id, RunStatus status, const std::string& error) {
  impl_->require_writable("set_status");
  if (status == RunStatus::Crashed) {
    throw Error("set_status: 'crashed' is derived from the heartbeat and cannot be stored");
  }
  Stmt s(impl_->db,
         "UPDATE runs SET status = ?, error = ?, end_time = ?, heartbeat = ? WHERE id = ?");
  double now = internal::now_seconds();
  s.bind(1, std::string_view(to_string(status))).bind(2, error);
  if (status == RunStatus::Running) {
    s.bind_null(3);
  } else {
    s.bind(3, now);
  }
  if (s.bind(4, now).bind(5, run_id).run() == 0) {
    throw Error("set_status: no run with id " + std::to_string(run_id));
  }
}

void Store::rename_run(std::int64_t run_id, const std::string& new_name) {
  impl_->require_writable("rename");
  check_run_name(new_name);
  Stmt s(impl_->db, "UPDATE runs SET name = ? WHERE id = ?");
  if (s.bind(1, new_name).bind(2, run_id).run() == 0) {
    throw Error("rename: no run with id " + std::to_string(run_id));
  }
}

void Store::add_tag(std::int64_t run_id, const std::string& tag) {
  impl_->require_writable("tag");
  internal::check_tag(tag);
  if (!run(run_id)) throw Error("tag: no run with id " + std::to_string(run_id));
  internal::insert_tag(impl_->db, run_id, tag);
}

void Store::remove_tag(std::int64_t run_id, const std::string& tag) {
  impl_->require_writable("untag");
  Stmt s(impl_->db, "DELETE FROM tags WHERE run_id = ? AND tag = ?");
  s.bind(1, run_id).bind(2, tag).run();
}

void Store::remove_run(std::int64_t run_id, bool force) {
  impl_->require_writable("rm");
  std::optional<RunInfo> r = run(run_id);
  if (!r) throw Error("rm: no run with id " + std::to_string(run_id));
  if (r->status == RunStatus::Running && !force) {
    char ago[32];
    std::snprintf(ago, sizeof ago, "%.0f", std::max(0.0, internal::now_seconds() - r->heartbeat));
    throw Error("rm: run '" + r->name + "' (id " + std::to_string(run_id) +
                ") is still running (pid " + std::to_string(r->pid) + " on " + r->host +
                ", heartbeat " + ago +
                " s ago); stop its trainer first, or pass --force to "
                "remove it anyway (the trainer then stops at its next write)");
  }
  internal::Transaction tx(impl_->db);
  for (const char* sql :
       {"DELETE FROM metrics WHERE run_id = ?", "DELETE FROM metric_chunks WHERE run_id = ?",
        "DELETE FROM metric_series WHERE run_id = ?", "DELETE FROM params WHERE run_id = ?",
        "DELETE FROM tags WHERE run_id = ?", "UPDATE artifacts SET run_id = NULL WHERE run_id = ?",
        "DELETE FROM runs WHERE id = ?"}) {
    Stmt s(impl_->db, sql);
    s.bind(1, run_id).run();
  }
  tx.commit();
}

std::int64_t Store::add_artifact(std::int64_t run_id, const std::string& kind,
                                 const std::string& path, std::optional<std::int64_t> step) {
  impl_->require_writable("add_artifact");
  if (!run(run_id)) throw Error("add_artifact: no run with id " + std::to_string(run_id));
  check_utf8("artifact kind", kind);
  check_utf8("artifact path", path);
  return internal::insert_artifact(impl_->db, run_id, kind, path, step);
}

namespace {

Artifact read_artifact(const Stmt& s) {
  return Artifact{s.int64(0), s.opt_int64(1), s.text(2), s.text(3), s.opt_int64(4), s.real(5)};
}

}  // namespace

std::vector<Artifact> Store::artifacts(std::int64_t run_id) {
  Stmt s(
      impl_->db,
      "SELECT id, run_id, kind, path, step, created FROM artifacts WHERE run_id = ? ORDER BY id");
  s.bind(1, run_id);
  std::vector<Artifact> out;
  while (s.step()) out.push_back(read_artifact(s));
  return out;
}

namespace {

// Rows of a run that no longer exists: what a writer added after `rm` (older rein) or a crash
// between statements of another tool left behind.
constexpr const char* kOrphanTables[] = {"metrics", "metric_chunks", "metric_series", "params",
                                         "tags"};

}  // namespace

GcResult Store::gc(bool dry_run) {
  if (!dry_run) impl_->require_writable("gc");
  GcResult out;
  for (const char* table : kOrphanTables) {
    Stmt count(impl_->db, std::string("SELECT count(*) FROM ") + table +
                              " WHERE run_id NOT IN (SELECT id FROM runs)");
    count.step();
    out.orphan_rows += count.int64(0);
  }
  // An artifact whose run is gone counts as detached even if its run_id was never cleared.
  Stmt s(impl_->db,
         "SELECT a.id, r.id, a.kind, a.path, a.step, a.created FROM artifacts a "
         "LEFT JOIN runs r ON r.id = a.run_id ORDER BY a.id");
  while (s.step()) {
    Artifact a = read_artifact(s);
    struct stat st {};
    bool exists = ::stat(a.path.c_str(), &st) == 0;
    if (a.run_id && exists) continue;
    // Only a regular file in a run's own checkpoint folder beside this database is deleted:
    // a path the database names elsewhere (a crafted file, --checkpoint-dir) is left alone.
    if (!a.run_id && exists) {
      if (in_run_checkpoint_dir(impl_->path, a.path))
        out.deleted_files.push_back(a.path);
      else
        out.kept_files.push_back(a.path);
    }
    out.artifacts.push_back(std::move(a));
  }
  s.reset();
  if (dry_run) return out;
  internal::Transaction tx(impl_->db);
  for (const char* table : kOrphanTables) {
    Stmt del(impl_->db,
             std::string("DELETE FROM ") + table + " WHERE run_id NOT IN (SELECT id FROM runs)");
    del.run();
  }
  Stmt del(impl_->db, "DELETE FROM artifacts WHERE id = ?");
  for (const Artifact& a : out.artifacts) del.bind(1, a.id).run();
  tx.commit();
  // Files go after the rows are gone: a crash in between leaves a stray file, never a row
  // pointing at a deleted file.
  for (const std::string& path : out.deleted_files) ::unlink(path.c_str());
  return out;
}

std::string Store::integrity_check() {
  if (impl_->db.postgres()) {
    // The server guards its own pages; what rein can break is its invariants between tables.
    std::string out;
    for (const char* table : kOrphanTables) {
      std::int64_t n = impl_->db.scalar((std::string("SELECT count(*) FROM ") + table +
                                         " WHERE run_id NOT IN (SELECT id FROM runs)")
                                            .c_str());
      if (n == 0) continue;
      if (!out.empty()) out += '\n';
      out += std::to_string(n);
      out += " rows of ";
      out += table;
      out += " belong to no run (rein runs gc removes them)";
    }
    return out.empty() ? "ok" : out;
  }
  Stmt s(impl_->db, "PRAGMA integrity_check");
  std::string out;
  while (s.step()) {
    if (!out.empty()) out += "\n";
    out += s.text(0);
  }
  return out;
}

}  // namespace rein::tracker
