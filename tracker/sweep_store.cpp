// SweepStore: the sweeps and trials tables (schema v2), params and rungs as JSON text.
#include "tracker/sweep_store.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "tracker/internal/db.h"
#include "tracker/internal/rows.h"
#include "tracker/internal/schema.h"
#include "tracker/names.h"

namespace rein::tracker {

using internal::Stmt;
using nlohmann::json;

namespace {

template <typename Enum, size_t N>
Enum parse_status(const std::string& text, const char* const (&names)[N]) {
  for (size_t i = 0; i < N; ++i)
    if (text == names[i]) return static_cast<Enum>(i);
  throw Error("unknown status '" + text + "' in the sweeps tables (a damaged database?)");
}

constexpr const char* kSweepStatus[] = {"running", "finished", "interrupted"};
constexpr const char* kTrialStatus[] = {"running", "complete", "pruned", "failed"};

json params_json(const std::vector<Param>& params) {
  json out = json::object();
  for (const Param& p : params) std::visit([&](const auto& v) { out[p.key] = v; }, p.value);
  return out;
}

std::vector<Param> params_from_json(const std::string& text) {
  std::vector<Param> out;
  const json object = json::parse(text);
  for (const auto& [key, v] : object.items()) {
    if (v.is_boolean())
      out.push_back({key, v.get<bool>()});
    else if (v.is_number_integer())
      out.push_back({key, v.get<std::int64_t>()});
    else if (v.is_number())
      out.push_back({key, v.get<double>()});
    else
      out.push_back({key, v.get<std::string>()});
  }
  return out;
}

SweepInfo sweep_row(const Stmt& s) {
  return {s.int64(0), s.text(1), s.text(2), parse_status<SweepStatus>(s.text(3), kSweepStatus),
          s.real(4),  s.real(5)};
}

// Hands running trial `number` to `worker` from the start: a new lease, no rungs judged yet.
void take_trial(internal::Db& db, std::int64_t sweep_id, std::int64_t number,
                const std::string& worker, double now, double lease_seconds) {
  Stmt take(db,
            "UPDATE trials SET worker = ?, lease_until = ?, rungs = '[]', steps = 0, started = ? "
            "WHERE sweep_id = ? AND number = ?");
  take.bind(1, worker).bind(2, now + lease_seconds).bind(3, now).bind(4, sweep_id);
  take.bind(5, number).run();
}

}  // namespace

const char* to_string(SweepStatus status) { return kSweepStatus[static_cast<int>(status)]; }
const char* to_string(TrialStatus status) { return kTrialStatus[static_cast<int>(status)]; }

std::string trial_tag(std::int64_t sweep_id, std::int64_t number) {
  return "trial:" + std::to_string(sweep_id) + "." + std::to_string(number);
}
std::string sweep_tag(std::int64_t sweep_id) { return "sweep:" + std::to_string(sweep_id); }

struct SweepStore::Impl {
  internal::Db db;
  std::string path;
  bool has_tables = true;  // false for a read-only file written before sweeps existed
  bool read_only = false;
  void require_writable(const char* op) const {
    if (read_only) throw Error(std::string(op) + ": the database '" + path + "' is read-only");
  }
};

SweepStore::SweepStore(const std::string& db_path, OpenMode mode)
    : impl_(std::make_unique<Impl>()) {
  internal::OpenedDb opened = internal::open_database(db_path, mode, 10000);
  impl_->db = std::move(opened.db);
  impl_->path = impl_->db.path();  // a URL with its password redacted
  impl_->read_only = opened.read_only;
  impl_->has_tables = opened.schema_version >= 2;
}

SweepStore::~SweepStore() = default;
SweepStore::SweepStore(SweepStore&&) noexcept = default;
SweepStore& SweepStore::operator=(SweepStore&&) noexcept = default;

std::int64_t SweepStore::create_sweep(const std::string& name, const std::string& spec) {
  impl_->require_writable("create_sweep");
  check_utf8("sweep name", name);
  check_utf8("sweep spec", spec);
  const double now = internal::now_seconds();
  Stmt s(impl_->db,
         "INSERT INTO sweeps(name, spec, status, created, updated) VALUES (?, ?, 'running', ?, ?) "
         "RETURNING id");
  s.bind(1, name).bind(2, spec).bind(3, now).bind(4, now).step();
  return s.int64(0);
}

std::vector<SweepInfo> SweepStore::list_sweeps() {
  std::vector<SweepInfo> out;
  if (!impl_->has_tables) return out;
  Stmt s(impl_->db, "SELECT id, name, spec, status, created, updated FROM sweeps ORDER BY id DESC");
  while (s.step()) out.push_back(sweep_row(s));
  return out;
}

SweepInfo SweepStore::resolve_sweep(const std::string& id_or_name) {
  const std::vector<SweepInfo> all = list_sweeps();
  for (const SweepInfo& sw : all)
    if (std::to_string(sw.id) == id_or_name) return sw;
  for (const SweepInfo& sw : all)  // newest first
    if (sw.name == id_or_name) return sw;
  std::string known;
  for (size_t i = 0; i < all.size() && i < 10; ++i)
    known += (i ? ", " : "") + std::to_string(all[i].id) + " " + all[i].name;
  throw Error("no sweep '" + id_or_name + "' in " + impl_->path +
              (known.empty() ? " (it has no sweeps)" : " (sweeps: " + known + ")"));
}

void SweepStore::set_status(std::int64_t sweep_id, SweepStatus status) {
  impl_->require_writable("set_status");
  Stmt s(impl_->db, "UPDATE sweeps SET status = ?, updated = ? WHERE id = ?");
  s.bind(1, to_string(status)).bind(2, internal::now_seconds()).bind(3, sweep_id).run();
}

void SweepStore::start_trial(std::int64_t sweep_id, std::int64_t number,
                             const std::vector<Param>& params) {
  impl_->require_writable("start_trial");
  for (const Param& p : params) internal::check_param(p);
  Stmt s(impl_->db,
         "INSERT INTO trials(sweep_id, number, params, status, value, rungs, steps, started, "
         "ended) VALUES (?, ?, ?, 'running', NULL, '[]', 0, ?, NULL) "
         "ON CONFLICT(sweep_id, number) DO UPDATE SET params = excluded.params, "
         "status = excluded.status, value = NULL, rungs = '[]', steps = 0, "
         "started = excluded.started, ended = NULL, worker = '', lease_until = 0");
  s.bind(1, sweep_id).bind(2, number).bind(3, params_json(params).dump());
  s.bind(4, internal::now_seconds()).run();
}

void SweepStore::add_rung(std::int64_t sweep_id, std::int64_t number, std::int64_t step,
                          double value) {
  impl_->require_writable("add_rung");
  internal::Transaction tx(impl_->db);
  Stmt get(impl_->db, "SELECT rungs FROM trials WHERE sweep_id = ? AND number = ?");
  get.bind(1, sweep_id).bind(2, number);
  if (!get.step())
    throw Error("add_rung: sweep " + std::to_string(sweep_id) + " has no trial " +
                std::to_string(number));
  json rungs = json::parse(get.text(0));
  get.reset();
  rungs.push_back({step, std::isfinite(value) ? json(value) : json(nullptr)});
  Stmt put(impl_->db, "UPDATE trials SET rungs = ? WHERE sweep_id = ? AND number = ?");
  put.bind(1, rungs.dump()).bind(2, sweep_id).bind(3, number).run();
  tx.commit();
}

void SweepStore::end_trial(std::int64_t sweep_id, std::int64_t number, TrialStatus status,
                           std::optional<double> value, std::int64_t steps) {
  impl_->require_writable("end_trial");
  Stmt s(impl_->db,
         "UPDATE trials SET status = ?, value = ?, steps = ?, ended = ? "
         "WHERE sweep_id = ? AND number = ?");
  s.bind(1, to_string(status)).bind(2, value).bind(3, steps).bind(4, internal::now_seconds());
  s.bind(5, sweep_id).bind(6, number).run();
}

std::optional<ClaimedTrial> SweepStore::claim_trial(std::int64_t sweep_id,
                                                    const std::string& worker, double lease_seconds,
                                                    const ProposeTrial& propose) {
  impl_->require_writable("claim_trial");
  check_utf8("worker", worker);
  internal::Transaction tx(impl_->db);
  const double now = internal::now_seconds();
  Stmt expired(impl_->db,
               "SELECT number, params FROM trials WHERE sweep_id = ? AND status = 'running' AND "
               "worker <> '' AND lease_until < ? ORDER BY number LIMIT 1");
  expired.bind(1, sweep_id).bind(2, now);
  std::optional<ClaimedTrial> out;
  if (expired.step()) {
    out = ClaimedTrial{expired.int64(0), params_from_json(expired.text(1)), true};
    expired.reset();
    take_trial(impl_->db, sweep_id, out->number, worker, now, lease_seconds);
  } else {
    expired.reset();
    const std::vector<TrialInfo> all = trials(sweep_id);
    const std::int64_t number = all.empty() ? 0 : all.back().number + 1;
    std::optional<std::vector<Param>> params = propose(all, number);
    if (!params) return std::nullopt;
    for (const Param& p : *params) internal::check_param(p);
    Stmt ins(impl_->db,
             "INSERT INTO trials(sweep_id, number, params, status, rungs, steps, started, "
             "worker, lease_until) VALUES (?, ?, ?, 'running', '[]', 0, ?, ?, ?)");
    ins.bind(1, sweep_id).bind(2, number).bind(3, params_json(*params).dump()).bind(4, now);
    ins.bind(5, worker).bind(6, now + lease_seconds).run();
    out = ClaimedTrial{number, std::move(*params), false};
  }
  tx.commit();
  return out;
}

bool SweepStore::renew_lease(std::int64_t sweep_id, std::int64_t number, const std::string& worker,
                             double lease_seconds) {
  impl_->require_writable("renew_lease");
  Stmt s(impl_->db,
         "UPDATE trials SET lease_until = ? WHERE sweep_id = ? AND number = ? AND worker = ? "
         "AND status = 'running'");
  s.bind(1, internal::now_seconds() + lease_seconds).bind(2, sweep_id).bind(3, number);
  return s.bind(4, worker).run() > 0;
}

std::int64_t SweepStore::leased_trials(std::int64_t sweep_id) {
  if (!impl_->has_tables) return 0;
  Stmt s(impl_->db,
         "SELECT count(*) FROM trials WHERE sweep_id = ? AND status = 'running' AND "
         "worker <> '' AND lease_until >= ?");
  s.bind(1, sweep_id).bind(2, internal::now_seconds());
  s.step();
  return s.int64(0);
}

bool SweepStore::take_over_trial(std::int64_t sweep_id, std::int64_t number,
                                 const std::string& worker, double lease_seconds,
                                 const std::function<bool(const std::string&)>& holder_gone) {
  impl_->require_writable("take_over_trial");
  check_utf8("worker", worker);
  internal::Transaction tx(impl_->db);
  const double now = internal::now_seconds();
  Stmt held(impl_->db,
            "SELECT worker, lease_until FROM trials WHERE sweep_id = ? AND number = ? AND "
            "status = 'running'");
  held.bind(1, sweep_id).bind(2, number);
  if (!held.step()) return false;
  const std::string holder = held.text(0);
  const bool alive = !holder.empty() && held.real(1) >= now && !holder_gone(holder);
  held.reset();
  if (alive) return false;
  take_trial(impl_->db, sweep_id, number, worker, now, lease_seconds);
  tx.commit();
  return true;
}

std::vector<TrialInfo> SweepStore::trials(std::int64_t sweep_id) {
  std::vector<TrialInfo> out;
  if (!impl_->has_tables) return out;
  Stmt s(impl_->db,
         "SELECT number, params, status, value, rungs, steps, started, ended FROM trials "
         "WHERE sweep_id = ? ORDER BY number");
  s.bind(1, sweep_id);
  while (s.step()) {
    TrialInfo t;
    t.sweep_id = sweep_id;
    t.number = s.int64(0);
    t.params = params_from_json(s.text(1));
    t.status = parse_status<TrialStatus>(s.text(2), kTrialStatus);
    t.value = s.opt_real(3);
    for (const json& r : json::parse(s.text(4)))
      t.rungs.emplace_back(r[0].get<std::int64_t>(),
                           r[1].is_null() ? std::nan("") : r[1].get<double>());
    t.steps = s.int64(5);
    t.started = s.real(6);
    t.ended = s.opt_real(7);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace rein::tracker
