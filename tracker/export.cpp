// CSV and JSON export of whole runs. The JSON shape is run_json's (tracker/run_facts.h).
#include "tracker/export.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ostream>

#include "tracker/run_facts.h"

namespace rein::tracker {

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// The shortest text that reads back to the same double (std::to_chars), "nan"/"inf"/"-inf".
std::string number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

}  // namespace

ExportFormat parse_export_format(const std::string& text) {
  if (text == "csv") return ExportFormat::Csv;
  if (text == "json") return ExportFormat::Json;
  throw Error("export: unknown format '" + text + "' (expected csv or json)");
}

void export_runs(Store& store, const std::vector<std::int64_t>& run_ids, ExportFormat format,
                 std::ostream& out, const std::vector<std::string>& metrics) {
  for (std::int64_t id : run_ids) {
    if (!store.run(id)) throw Error("export: no run with id " + std::to_string(id));
  }
  if (format == ExportFormat::Json) {
    RunJsonParts parts{.all_metrics = true, .metric_keys = metrics};
    const double now = now_seconds();
    out << "[";
    for (std::size_t i = 0; i < run_ids.size(); ++i) {
      out << (i ? ",\n" : "\n") << run_json(store, run_ids[i], parts, now);
    }
    out << "\n]\n";
    return;
  }
  SeriesOptions all;
  all.max_points = 0;
  out << "run_id,run_name,algorithm,env,seed,key,step,wall_time,value\n";
  for (std::int64_t id : run_ids) {
    const RunInfo run = *store.run(id);
    const std::string prefix = std::to_string(id) + "," + csv_field(run.name) + "," +
                               csv_field(run.algorithm) + "," + csv_field(run.env) + "," +
                               (run.seed ? std::to_string(*run.seed) : "") + ",";
    for (const std::string& key : store.metric_keys(id)) {
      if (!metrics.empty() && std::find(metrics.begin(), metrics.end(), key) == metrics.end()) {
        continue;
      }
      for (const Series& s : store.series({id}, key, all)) {
        for (const MetricPoint& p : s.points) {
          out << prefix << csv_field(key) << ',' << p.step << ',' << number(p.wall_time) << ','
              << number(p.value) << '\n';
        }
      }
    }
  }
}

void export_group_statistics(const std::vector<GroupStatistics>& groups,
                             const BootstrapOptions& options, ExportFormat format,
                             std::ostream& out) {
  if (format == ExportFormat::Json) {
    out << group_statistics_json(groups, options) << "\n";
    return;
  }
  auto cell = [](double v) { return std::isfinite(v) ? number(v) : std::string(); };
  out << "group,metric,runs,envs,mean,std,mean_lo,mean_hi,median,median_lo,median_hi,iqm,iqm_lo,"
         "iqm_hi\n";
  for (const GroupStatistics& g : groups) {
    std::string envs;
    for (const std::string& e : g.envs) envs += (envs.empty() ? "" : ";") + e;
    const Aggregates& a = g.aggregates;
    out << csv_field(g.label) << ',' << csv_field(g.metric) << ',' << g.run_ids.size() << ','
        << csv_field(envs);
    for (double v : {a.mean.value, g.std, a.mean.ci.lo, a.mean.ci.hi, a.median.value,
                     a.median.ci.lo, a.median.ci.hi, a.iqm.value, a.iqm.ci.lo, a.iqm.ci.hi}) {
      out << ',' << cell(v);
    }
    out << '\n';
  }
}

}  // namespace rein::tracker
