// Run facts shared by every reader: durations, seed groups, mean/std, final values, run JSON.
#include "tracker/run_facts.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace rein::tracker {

namespace {

using Json = nlohmann::ordered_json;

Json param_json(const ParamValue& v) {
  return std::visit([](const auto& x) { return Json(x); }, v);
}

bool wanted(const RunJsonParts& parts, const std::string& key) {
  return parts.metric_keys.empty() || std::find(parts.metric_keys.begin(), parts.metric_keys.end(),
                                                key) != parts.metric_keys.end();
}

}  // namespace

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

double run_duration_seconds(const RunInfo& run, double now) {
  const double end = run.end_time                       ? *run.end_time
                     : run.status == RunStatus::Running ? std::max(now, run.heartbeat)
                                                        : run.heartbeat;
  return std::max(0.0, end - run.start_time);
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return "?";
  char buf[64];
  const char* sign = seconds < 0 ? "-" : "";
  const long long s = std::llround(std::abs(seconds));
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%s%llds", sign, s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%s%lldm %02llds", sign, s / 60, s % 60);
  } else if (s < 86400) {
    std::snprintf(buf, sizeof buf, "%s%lldh %02lldm", sign, s / 3600, (s % 3600) / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%s%lldd %02lldh", sign, s / 86400, (s % 86400) / 3600);
  }
  return buf;
}

MeanStd mean_std(const std::vector<double>& values) {
  MeanStd out;
  double sum = 0;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    sum += v;
    ++out.count;
  }
  if (out.count == 0) return {std::nan(""), std::nan(""), 0};
  out.mean = sum / static_cast<double>(out.count);
  // Two passes: the one-pass sum of squares loses every digit when values are large and close.
  double sq = 0;
  for (double v : values) {
    if (std::isfinite(v)) sq += (v - out.mean) * (v - out.mean);
  }
  out.std = std::sqrt(sq / static_cast<double>(out.count));
  return out;
}

std::string seed_group_key(std::string_view experiment, std::string_view algorithm,
                           std::string_view env, std::vector<ParamText> params) {
  std::sort(params.begin(), params.end());
  std::string key;
  key.append(experiment).append(1, '\x1f').append(algorithm).append(1, '\x1f').append(env);
  for (const auto& [k, v] : params) {
    if (k != "seed") key += '\x1f' + k + '=' + v;
  }
  return key;
}

std::string run_json(Store& store, std::int64_t run_id, const RunJsonParts& parts, double now) {
  std::optional<RunInfo> found = store.run(run_id);
  if (!found) throw Error("run json: no run with id " + std::to_string(run_id));
  const RunInfo& r = *found;
  Json j;
  j["id"] = r.id;
  j["name"] = r.name;
  j["experiment"] = r.experiment;
  j["algorithm"] = r.algorithm;
  j["env"] = r.env;
  j["seed"] = r.seed ? Json(*r.seed) : Json();
  j["status"] = to_string(r.status);
  j["error"] = r.error;
  j["start_time"] = r.start_time;
  j["end_time"] = r.end_time ? Json(*r.end_time) : Json();
  j["duration_seconds"] = run_duration_seconds(r, now);
  j["tags"] = r.tags;
  j["host"] = r.host;
  j["pid"] = r.pid;
  j["command"] = r.command;
  j["rein_version"] = r.rein_version;
  if (r.summary.empty()) {
    j["summary"] = Json();
  } else {
    Json summary = Json::parse(r.summary, nullptr, /*allow_exceptions=*/false);
    j["summary"] = summary.is_discarded() ? Json(r.summary) : std::move(summary);
  }
  if (parts.params) {
    Json params = Json::object();
    for (const Param& p : store.params(run_id)) params[p.key] = param_json(p.value);
    j["params"] = std::move(params);
  }
  if (parts.final_metrics) {
    Json finals = Json::object();
    for (const LatestValue& l : store.latest({run_id}, parts.metric_keys)) {
      finals[l.key] = {{"step", l.point.step}, {"value", l.point.value}, {"points", l.count}};
    }
    j["final"] = std::move(finals);
  }
  if (parts.artifacts) {
    Json arts = Json::array();
    for (const Artifact& a : store.artifacts(run_id)) {
      arts.push_back(
          {{"kind", a.kind}, {"path", a.path}, {"step", a.step ? Json(*a.step) : Json()}});
    }
    j["artifacts"] = std::move(arts);
  }
  if (parts.all_metrics) {
    Json metrics = Json::object();
    SeriesOptions all;
    all.max_points = 0;
    for (const std::string& key : store.metric_keys(run_id)) {
      if (!wanted(parts, key)) continue;
      Json points = Json::array();
      for (const Series& s : store.series({run_id}, key, all)) {
        for (const MetricPoint& p : s.points) points.push_back({p.step, p.wall_time, p.value});
      }
      metrics[key] = std::move(points);
    }
    j["metrics"] = std::move(metrics);
  }
  // Rows of an older rein may hold bytes that are not UTF-8: U+FFFD instead of a throw.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace rein::tracker
