// Grouped final values with their aggregates and bootstrap intervals (group_statistics.h).
#include "tracker/group_statistics.h"

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace rein::tracker {

namespace {

using Json = nlohmann::ordered_json;

Json number(double v) { return std::isfinite(v) ? Json(v) : Json(); }

Json interval(const Interval& i) { return Json::array({number(i.lo), number(i.hi)}); }

// A group's finals by env, envs in order of first appearance.
Strata strata_of(const GroupStatistics& g) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> by_env;
  for (std::size_t i = 0; i < g.finals.size(); ++i) {
    if (!by_env.count(g.envs[i])) order.push_back(g.envs[i]);
    by_env[g.envs[i]].push_back(g.finals[i]);
  }
  Strata s;
  for (const std::string& env : order) s.push_back(std::move(by_env[env]));
  return s;
}

}  // namespace

std::vector<GroupStatistics> group_statistics(Store& store,
                                              const std::vector<std::int64_t>& run_ids,
                                              const GroupStatisticsOptions& options) {
  std::set<std::string> keys(options.metrics.begin(), options.metrics.end());
  if (keys.empty()) {
    for (const LatestValue& l : store.latest(run_ids)) keys.insert(l.key);
  }
  std::map<std::int64_t, std::string> env_of;
  for (std::int64_t id : run_ids) {
    if (std::optional<RunInfo> r = store.run(id)) env_of[id] = r->env;
  }
  std::vector<GroupStatistics> out;
  for (const std::string& key : keys) {
    const std::size_t first = out.size();
    std::vector<Strata> strata;
    for (GroupSeries& gs : store.group(run_ids, key, {.by = options.group_by, .max_points = 0})) {
      if (gs.run_ids.size() < std::max<std::size_t>(options.min_runs, 1)) continue;
      GroupStatistics g{.label = gs.label,
                        .metric = key,
                        .run_ids = gs.run_ids,
                        .envs = {},
                        .finals = gs.finals,
                        .std = gs.final_std,
                        .aggregates = {},
                        .profile = {}};
      for (std::int64_t id : g.run_ids) g.envs.push_back(env_of[id]);
      strata.push_back(strata_of(g));
      g.aggregates = aggregate_scores(strata.back(), options.bootstrap);
      out.push_back(std::move(g));
    }
    if (options.profile_points == 0) continue;
    std::vector<const Strata*> all;
    for (const Strata& s : strata) all.push_back(&s);
    const std::vector<double> taus = profile_thresholds(all, options.profile_points);
    for (std::size_t i = first; i < out.size(); ++i) {
      out[i].profile = performance_profile(strata[i - first], taus, options.bootstrap);
    }
  }
  return out;
}

std::vector<Improvement> pairwise_improvement(const std::vector<GroupStatistics>& groups,
                                              const BootstrapOptions& options) {
  auto by_env = [](const GroupStatistics& g) {
    std::map<std::string, std::vector<double>> m;
    for (std::size_t i = 0; i < g.finals.size(); ++i) m[g.envs[i]].push_back(g.finals[i]);
    return m;
  };
  std::vector<Improvement> out;
  for (std::size_t x = 0; x < groups.size(); ++x) {
    for (std::size_t y = x + 1; y < groups.size(); ++y) {
      if (groups[x].metric != groups[y].metric) continue;
      // Strata matched by env: each env of x, with y's runs on it (none: skipped by the estimator).
      Strata sx, sy;
      auto ey = by_env(groups[y]);
      for (auto& [env, finals] : by_env(groups[x])) {
        sx.push_back(std::move(finals));
        sy.push_back(std::move(ey[env]));
      }
      out.push_back({x, y, probability_of_improvement(sx, sy, options)});
    }
  }
  return out;
}

std::string group_statistics_json(const std::vector<GroupStatistics>& groups,
                                  const BootstrapOptions& options,
                                  const std::vector<Improvement>& improvements) {
  Json out = {{"bootstrap",
               {{"resamples", options.resamples},
                {"seed", options.seed},
                {"confidence", options.confidence},
                {"strata", "env"}}},
              {"groups", Json::array()}};
  for (const GroupStatistics& g : groups) {
    const Aggregates& a = g.aggregates;
    Json finals = Json::array();
    for (double v : g.finals) finals.push_back(number(v));
    Json j = {{"label", g.label},
              {"metric", g.metric},
              {"runs", g.run_ids},
              {"envs", g.envs},
              {"finals", finals},
              {"mean", number(a.mean.value)},
              {"std", number(g.std)},
              {"median", number(a.median.value)},
              {"iqm", number(a.iqm.value)},
              {"ci",
               {{"mean", interval(a.mean.ci)},
                {"median", interval(a.median.ci)},
                {"iqm", interval(a.iqm.ci)}}}};
    if (!g.profile.empty()) {
      Json profile = Json::array();
      for (const ProfilePoint& p : g.profile) {
        profile.push_back(
            {{"tau", p.tau}, {"fraction", number(p.fraction)}, {"ci", interval(p.ci)}});
      }
      j["profile"] = std::move(profile);
    }
    out["groups"].push_back(std::move(j));
  }
  if (!improvements.empty()) {
    Json list = Json::array();
    for (const Improvement& i : improvements) {
      list.push_back({{"metric", groups[i.x].metric},
                      {"x", groups[i.x].label},
                      {"y", groups[i.y].label},
                      {"probability", number(i.probability.value)},
                      {"ci", interval(i.probability.ci)}});
    }
    out["improvement"] = std::move(list);
  }
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace rein::tracker
