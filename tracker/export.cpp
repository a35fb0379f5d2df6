// CSV and JSON export of whole runs. JSON is written by hand: the tracker links only SQLite.
#include "tracker/export.h"

#include <cmath>
#include <cstdio>
#include <ostream>

#include "tracker/names.h"

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

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : to_utf8(s)) {  // rows of an older rein may hold other bytes
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// Round-trip precision; JSON has no NaN or infinity, so those become null.
std::string number(double v, bool json) {
  if (!std::isfinite(v)) {
    if (json) return "null";
    return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

std::string json_param(const ParamValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return json_string(*s);
  if (const auto* d = std::get_if<double>(&v)) return number(*d, true);
  return format_param_value(v);
}

}  // namespace

ExportFormat parse_export_format(const std::string& text) {
  if (text == "csv") return ExportFormat::Csv;
  if (text == "json") return ExportFormat::Json;
  throw Error("export: unknown format '" + text + "' (expected csv or json)");
}

void export_runs(Store& store, const std::vector<std::int64_t>& run_ids, ExportFormat format,
                 std::ostream& out) {
  SeriesOptions all;
  all.max_points = 0;
  if (format == ExportFormat::Csv) {
    out << "run_id,run_name,key,step,wall_time,value\n";
    for (std::int64_t id : run_ids) {
      std::optional<RunInfo> run = store.run(id);
      if (!run) throw Error("export: no run with id " + std::to_string(id));
      std::string prefix = std::to_string(id) + "," + csv_field(run->name) + ",";
      for (const std::string& key : store.metric_keys(id)) {
        for (const Series& s : store.series({id}, key, all)) {
          for (const MetricPoint& p : s.points) {
            out << prefix << csv_field(key) << ',' << p.step << ',' << number(p.wall_time, false)
                << ',' << number(p.value, false) << '\n';
          }
        }
      }
    }
    return;
  }
  out << "[";
  bool first_run = true;
  for (std::int64_t id : run_ids) {
    std::optional<RunInfo> run = store.run(id);
    if (!run) throw Error("export: no run with id " + std::to_string(id));
    out << (first_run ? "\n" : ",\n") << "{\"id\": " << id << ", \"name\": " << json_string(run->name)
        << ", \"experiment\": " << json_string(run->experiment)
        << ", \"algorithm\": " << json_string(run->algorithm)
        << ", \"env\": " << json_string(run->env)
        << ", \"seed\": " << (run->seed ? std::to_string(*run->seed) : "null")
        << ", \"status\": " << json_string(to_string(run->status))
        << ", \"error\": " << json_string(run->error)
        << ", \"start_time\": " << number(run->start_time, true)
        << ", \"end_time\": " << (run->end_time ? number(*run->end_time, true) : "null")
        << ", \"command\": " << json_string(run->command) << ", \"host\": " << json_string(run->host)
        << ", \"rein_version\": " << json_string(run->rein_version)
        << ", \"summary\": " << json_string(run->summary);
    out << ", \"tags\": [";
    for (std::size_t i = 0; i < run->tags.size(); ++i) out << (i ? ", " : "") << json_string(run->tags[i]);
    out << "], \"params\": {";
    bool first = true;
    for (const Param& p : store.params(id)) {
      out << (first ? "" : ", ") << json_string(p.key) << ": " << json_param(p.value);
      first = false;
    }
    out << "}, \"metrics\": {";
    first = true;
    for (const std::string& key : store.metric_keys(id)) {
      out << (first ? "\n  " : ",\n  ") << json_string(key) << ": [";
      first = false;
      bool first_point = true;
      for (const Series& s : store.series({id}, key, all)) {
        for (const MetricPoint& p : s.points) {
          out << (first_point ? "" : ", ") << '[' << p.step << ", " << number(p.wall_time, true)
              << ", " << number(p.value, true) << ']';
          first_point = false;
        }
      }
      out << "]";
    }
    out << "}}";
    first_run = false;
  }
  out << "\n]\n";
}

}  // namespace rein::tracker
