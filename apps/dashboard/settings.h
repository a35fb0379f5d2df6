// The dashboard's choices that persist between sessions (beside ImGui's own ini file, which keeps
// window placement and table column state): metrics, x-axis, smoothing, grouping, selection.
#pragma once

#include <string>
#include <vector>

#include "apps/dashboard/chart_model.h"
#include "apps/dashboard/series.h"

namespace rein::dashboard {

struct Settings {
  std::vector<std::string> metrics = {"train/episode_return"};  // one chart each
  XAxis x_axis = XAxis::Step;
  float smoothing = 0.6f;    // EMA weight; 0 draws the raw curve only
  bool show_raw = true;      // faint raw curve behind a smoothed one
  std::string group_by = "seed";  // "none", "seed" (the seeds of a configuration) or a param
  BandKind band = BandKind::Std;
  std::vector<std::string> log_y;           // metrics drawn with a log10 y axis
  std::vector<std::string> selected_runs;   // by name
  int chart_columns = 2;
};

// Directory for the settings and ImGui ini files: $XDG_CONFIG_HOME/rein, else ~/.config/rein,
// else the working directory. Created if missing.
std::string settings_dir();

// Missing or unreadable files give the defaults (a settings file must never stop the app);
// unknown keys are ignored and missing ones keep their defaults.
Settings load_settings(const std::string& path);
// Written to a temporary file then renamed, so a crash never leaves half a file. Throws
// std::runtime_error if the directory cannot be written.
void save_settings(const std::string& path, const Settings& settings);

std::string to_json(const Settings& settings);
Settings settings_from_json(const std::string& text);

}  // namespace rein::dashboard
