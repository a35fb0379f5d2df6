// Store::group: runs that share a configuration (or a param value) aggregated into one curve
// with mean and std over a common step grid, and their final values.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "tracker/internal/store_impl.h"
#include "tracker/run_facts.h"
#include "tracker/store.h"

namespace rein::tracker {

using internal::Stmt;

namespace {

struct Member {
  RunInfo info;
  std::vector<Param> params;
  std::int64_t first_step = 0;
  std::int64_t last_step = 0;
  double last_value = 0;
};

std::string field_or_param(const Member& m, const std::string& by) {
  if (by == "algorithm") return m.info.algorithm;
  if (by == "env") return m.info.env;
  if (by == "experiment") return m.info.experiment;
  for (const Param& p : m.params) {
    if (p.key == by) return format_param_value(p.value);
  }
  return "<unset>";
}

// The configuration of a run minus its seed: runs with equal signatures are seeds of one setup.
std::map<std::string, std::string> config_without_seed(const Member& m) {
  std::map<std::string, std::string> c;
  c["algorithm"] = m.info.algorithm;
  c["env"] = m.info.env;
  c["experiment"] = m.info.experiment;
  for (const Param& p : m.params) {
    if (p.key != "seed") c[p.key] = format_param_value(p.value);
  }
  return c;
}

}  // namespace

std::vector<GroupSeries> Store::group(const std::vector<std::int64_t>& run_ids,
                                      const std::string& key, const GroupOptions& options) {
  std::vector<GroupSeries> out;
  std::optional<std::int64_t> key_id = impl_->key_id(key);
  if (!key_id) return out;
  internal::Db& db = impl_->db;

  Stmt series(db,
              "SELECT last_step, last_value FROM metric_series WHERE run_id = ? AND key_id = ?");
  Stmt first(db, "SELECT step FROM metrics WHERE run_id = ? AND key_id = ? ORDER BY step LIMIT 1");
  std::vector<Member> members;
  for (std::int64_t id : run_ids) {
    std::optional<RunInfo> info = run(id);
    if (!info) continue;
    series.bind(1, id).bind(2, *key_id);
    if (!series.step()) {
      series.reset();
      continue;
    }
    Member m{*info, params(id), 0, series.int64(0), series.real(1)};
    series.reset();
    first.bind(1, id).bind(2, *key_id);
    m.first_step = first.step() ? first.int64(0) : m.last_step;
    first.reset();
    members.push_back(std::move(m));
  }

  // Group keys in order of first appearance.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Member*>> groups;
  std::map<std::string, std::map<std::string, std::string>> configs;
  for (const Member& m : members) {
    std::string g;
    if (options.by.empty()) {
      std::vector<ParamText> texts;
      for (const Param& p : m.params) texts.emplace_back(p.key, format_param_value(p.value));
      g = seed_group_key(m.info.experiment, m.info.algorithm, m.info.env, std::move(texts));
      configs[g] = config_without_seed(m);
    } else {
      g = options.by + "=" + field_or_param(m, options.by);
    }
    if (!groups.count(g)) order.push_back(g);
    groups[g].push_back(&m);
  }

  // Seed groups are labelled by what differs between them (or by algorithm and env if nothing).
  std::set<std::string> differing;
  for (const auto& [g, c] : configs) {
    for (const auto& [k, v] : c) {
      for (const auto& [g2, c2] : configs) {
        auto it = c2.find(k);
        if (it == c2.end() || it->second != v) differing.insert(k);
      }
    }
  }

  Stmt at(db,
          "SELECT value FROM metrics WHERE run_id = ? AND key_id = ? AND step <= ? "
          "ORDER BY step DESC LIMIT 1");
  for (const std::string& g : order) {
    const auto& runs = groups[g];
    GroupSeries gs;
    gs.key = key;
    if (options.by.empty()) {
      const auto& c = configs[g];
      // A key some configurations lack (PPO vs A2C params, a resumed run) reads as "—".
      for (const std::string& k : differing) {
        auto it = c.find(k);
        gs.label += (gs.label.empty() ? "" : " ") + k + "=" + (it == c.end() ? "—" : it->second);
      }
      if (gs.label.empty()) gs.label = c.at("algorithm") + " " + c.at("env");
    } else {
      gs.label = g;
    }
    std::int64_t lo = runs.front()->first_step, hi = runs.front()->last_step;
    for (const Member* m : runs) {
      gs.run_ids.push_back(m->info.id);
      gs.finals.push_back(m->last_value);
      lo = std::max(lo, m->first_step);
      hi = std::min(hi, m->last_step);
    }
    const MeanStd finals = mean_std(gs.finals);
    gs.final_mean = finals.mean;
    gs.final_std = finals.std;
    if (hi >= lo && options.max_points > 0) {
      std::int64_t n =
          std::min<std::int64_t>(static_cast<std::int64_t>(options.max_points), hi - lo + 1);
      std::vector<double> values(runs.size());
      for (std::int64_t i = 0; i < n; ++i) {
        std::int64_t step =
            n == 1
                ? hi
                : lo + static_cast<std::int64_t>(static_cast<long double>(hi - lo) * i / (n - 1));
        for (std::size_t r = 0; r < runs.size(); ++r) {
          at.bind(1, runs[r]->info.id).bind(2, *key_id).bind(3, step);
          values[r] = at.step() ? at.real(0) : std::nan("");
          at.reset();
        }
        const MeanStd at_step = mean_std(values);
        gs.steps.push_back(step);
        gs.mean.push_back(at_step.mean);
        gs.std.push_back(at_step.std);
      }
    }
    out.push_back(std::move(gs));
  }
  return out;
}

}  // namespace rein::tracker
