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

}  // namespace rein::tracker
