// The dashboard's state and its ImGui frame: the runs table, the chart grid, the compare panel
// and the agent viewer, fed by a RunSource. main.cpp owns the window and the event loop.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "apps/dashboard/chart_model.h"
#include "apps/dashboard/final_bars.h"
#include "apps/dashboard/plot_widget.h"
#include "apps/dashboard/run_source.h"
#include "apps/dashboard/settings.h"
#include "apps/dashboard/sweep_model.h"
#include "apps/dashboard/view_model.h"

namespace rein::dashboard {

class AgentViewer;

struct AppOptions {
  std::string db_path;
  std::vector<std::string> runs;     // --runs: names or ids to select (overrides settings)
  std::vector<std::string> metrics;  // --metric (overrides settings)
  std::optional<std::string> group_by;
  std::optional<std::string> band;  // "std", "minmax" or "iqm" (overrides settings)
  std::string settings_path;        // empty: do not load or save settings (headless screenshots)
  std::string view;   // tab shown first: "charts", "compare", "sweep" or "agent" ("" = last used)
  std::string sweep;  // --sweep: the sweep view's sweep (id or name; "" = newest)
  std::vector<std::int64_t> trials;  // --trials: trials of that sweep to select (with their runs)
  // Long series are drawn first from the tracker's chunk summaries and refined over the next
  // frames (off for screenshots, which must show the full resolution).
  bool progressive = true;
  std::int64_t agent_steps = 0;  // the agent viewer plays this many steps once it opens an env
  bool agent_video = false;      // the agent viewer opens the run's newest video beside it
};

class Dashboard {
 public:
  explicit Dashboard(AppOptions options);
  ~Dashboard();

  // Builds the whole UI for one frame in a window of the given size (pixels).
  void frame(float width, float height);
  // New points or status changes since the last call; true if a redraw is needed.
  bool poll(double now);
  // The agent viewer is playing an episode (the loop must keep drawing).
  bool animating() const;
  // Coarse series are being refined: the loop must keep calling poll() instead of waiting for
  // events (it redraws only when poll() says so).
  bool busy() const;
  // What the last frame drew (runs listed, charts with their plot rectangles and line colours):
  // the screenshot's sidecar, so tests can check pixels where the lines are.
  nlohmann::json describe() const;
  void save_settings_now();

 private:
  struct Prepared {
    PreparedSeries series;
    std::uint64_t generation = 0;
    XAxis axis = XAxis::Step;
    float smoothing = -1.0f;
  };
  struct ChartState {
    PlotView view;
    ChartModel model;
    std::vector<ChartLine> lines;
    std::vector<ChartGroup> groups;
    std::vector<HoverValue> hover;
    Plot plot;
    ImVec2 area_min, area_max;    // last drawn data area, for describe()
    std::uint64_t signature = 0;  // of what `lines` was built from
  };

  void runs_panel();
  void charts_panel();
  void chart(const std::string& key, ImVec2 size);
  void compare_panel();
  void final_bars_chart(const std::string& metric, const std::vector<FinalBar>& bars, ImVec2 size);
  void chart_toolbar();
  const PreparedSeries* prepared(std::int64_t run_id, const std::string& key);
  std::vector<const RunRow*> selected_rows();
  void apply_initial_selection();
  // The sweep view (sweep_panel.cpp).
  void sweep_panel();
  void sweep_parallel(ImVec2 size);
  void sweep_scatters(ImVec2 size);
  void sweep_table();
  void open_sweeps();
  void open_sweep(std::int64_t id);
  bool poll_sweep(double now);
  void select_trials(std::set<std::int64_t> numbers);
  void click_trial(std::int64_t number);
  void trial_tooltip(const TrialLine& line);

  AppOptions options_;
  Settings settings_;
  std::unique_ptr<RunSource> source_;
  RunTable table_;
  Selection selection_;
  std::vector<std::int64_t> order_;  // display order of the table, for shift-click
  std::vector<std::string> metric_keys_;
  std::uint64_t keys_for_ = 0;  // hash of the selection metric_keys_ was computed for
  std::map<std::pair<std::int64_t, std::string>, Prepared> prepared_;
  std::map<std::string, ChartState> charts_;
  std::string filter_;
  std::array<std::string, kRunColumnCount> column_filters_;
  std::map<std::int64_t, int> run_colors_;  // palette index of each selected run's group
  std::vector<std::string> table_rows_drawn_;
  std::vector<std::string> columns_shown_;  // runs table column titles drawn last frame
  bool columns_applied_ = false;            // settings_.hidden_columns reached the table
  std::unique_ptr<AgentViewer> agent_;
  double last_poll_ = 0.0;
  double last_refine_redraw_ = 0.0;
  std::uint64_t prepare_count_ = 0;
  std::uint64_t data_version_ = 0;  // bumped when poll() brought changes
  std::uint64_t finals_for_ = 0;
  std::map<std::pair<std::int64_t, std::string>, double> finals_;
  // The compare panel's final-value bars per metric, recomputed when finals_, the grouping or
  // the statistic change (a bootstrap per group is too slow for every frame).
  std::uint64_t bars_for_ = 0;
  std::map<std::string, std::vector<FinalBar>> bars_;
  BarStatistic bar_statistic_ = BarStatistic::Iqm;
  std::map<std::string, std::vector<FinalBar>> bars_drawn_;  // laid out last frame, for describe()
  // The sweep view: the database's sweeps, the one shown, its geometry and the selected trials.
  std::unique_ptr<tracker::SweepStore> sweeps_;
  std::vector<tracker::SweepInfo> sweep_list_;
  std::optional<SweepData> sweep_;
  std::string sweep_error_;  // why sweep_ could not be read
  SweepModel sweep_model_;
  std::uint64_t sweep_signature_ = 0;
  std::set<std::int64_t> sweep_trials_;
  std::vector<std::size_t> sweep_order_;  // the trial table's rows
  bool sweep_sort_dirty_ = true;
  bool sweep_shown_ = false;  // the tab was drawn: poll the sweep
  double sweep_polled_ = 0.0;
  nlohmann::json sweep_drawn_;  // what the last frame drew, for describe()
};

}  // namespace rein::dashboard
