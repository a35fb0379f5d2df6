// Settings file (JSON) of the dashboard.
#include "apps/dashboard/settings.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace rein::dashboard {

namespace {

const char* axis_name(XAxis a) {
  return a == XAxis::Step ? "step" : a == XAxis::WallTime ? "wall_time" : "relative_time";
}

XAxis parse_axis(const std::string& s) {
  return s == "wall_time"       ? XAxis::WallTime
         : s == "relative_time" ? XAxis::RelativeTime
                                : XAxis::Step;
}

template <typename T>
void read(const nlohmann::json& j, const char* key, T& out) {
  if (!j.contains(key)) return;
  try {
    out = j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    // A value of the wrong type keeps the default, like a missing one.
  }
}

}  // namespace

float smoothing_for(const std::string& metric, const Settings& settings) {
  if (metric.rfind(rl::metric::kEvalPrefix, 0) == 0 && !settings.smooth_eval) return 0.0f;
  return settings.smoothing;
}

std::string settings_dir() {
  namespace fs = std::filesystem;
  fs::path dir;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) {
    dir = fs::path(x) / "rein";
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    dir = fs::path(h) / ".config" / "rein";
  } else {
    return ".";
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  return ec ? "." : dir.string();
}

std::string to_json(const Settings& s) {
  nlohmann::json j;
  j["metrics"] = s.metrics;
  j["x_axis"] = axis_name(s.x_axis);
  j["smoothing"] = s.smoothing;
  j["smooth_eval"] = s.smooth_eval;
  j["show_raw"] = s.show_raw;
  j["group_by"] = s.group_by;
  j["band"] = band_name(s.band);
  j["log_y"] = s.log_y;
  j["selected_runs"] = s.selected_runs;
  j["chart_columns"] = s.chart_columns;
  j["hidden_columns"] = s.hidden_columns;
  return j.dump(2);
}

Settings settings_from_json(const std::string& text) {
  Settings s;
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return s;
  read(j, "metrics", s.metrics);
  std::string axis = axis_name(s.x_axis);
  read(j, "x_axis", axis);
  s.x_axis = parse_axis(axis);
  read(j, "smoothing", s.smoothing);
  if (!(s.smoothing >= 0.0f && s.smoothing < 1.0f)) s.smoothing = 0.0f;
  read(j, "smooth_eval", s.smooth_eval);
  read(j, "show_raw", s.show_raw);
  read(j, "group_by", s.group_by);
  std::string band = "std";
  read(j, "band", band);
  s.band = parse_band(band);
  read(j, "log_y", s.log_y);
  read(j, "selected_runs", s.selected_runs);
  read(j, "chart_columns", s.chart_columns);
  read(j, "hidden_columns", s.hidden_columns);
  if (s.chart_columns < 1 || s.chart_columns > 4) s.chart_columns = 2;
  return s;
}

Settings load_settings(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream buf;
  buf << in.rdbuf();
  return settings_from_json(buf.str());
}

void save_settings(const std::string& path, const Settings& settings) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << to_json(settings) << "\n";
    if (!out.flush()) throw std::runtime_error("save settings: cannot write '" + tmp + "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    throw std::runtime_error("save settings: cannot rename '" + tmp + "' to '" + path + "'");
  }
}

}  // namespace rein::dashboard
