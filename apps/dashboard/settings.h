// The dashboard's choices that persist between sessions (beside ImGui's own ini file, which keeps
// window placement and table column state): metrics, x-axis, smoothing, grouping, selection.
#pragma once

#include <string>
#include <vector>

#include "apps/dashboard/chart_model.h"
#include "apps/dashboard/series.h"
#include "apps/dashboard/view_model.h"
#include "rl/metric_names.h"

namespace rein::dashboard {

struct Settings {
  std::vector<std::string> metrics = {rl::metric::kEpisodeReturn};  // one chart each
  XAxis x_axis = XAxis::Step;
  float smoothing = 0.6f;  // EMA weight; 0 draws the raw curve only
  // eval/* metrics are drawn unsmoothed unless this is set: a few evaluation points smoothed
  // read as a value none of them had (6 points averaging 158.5 showed 247).
  bool smooth_eval = false;
  bool show_raw = true;  // faint raw curve behind a smoothed one
  // "none", "seed" (the seeds of a configuration), a param, or keys joined by '+'.
  std::string group_by = kDefaultGroupBy;
  // Runs table columns the user hid (by title); Experiment and Tags start hidden.
  std::vector<std::string> hidden_columns = {"Experiment", "Tags"};
  BandKind band = BandKind::Std;
  std::vector<std::string> log_y;          // metrics drawn with a log10 y axis
  std::vector<std::string> selected_runs;  // by name
  int chart_columns = 2;
};

// The EMA weight a chart of `metric` uses: settings.smoothing, except 0 for eval/* metrics
// unless smooth_eval is set.
float smoothing_for(const std::string& metric, const Settings& settings);

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
