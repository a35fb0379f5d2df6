// Dashboard state, data glue between the RunSource and the charts, and the window layout.
#include "apps/dashboard/app.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>

#include "apps/dashboard/agent_viewer.h"

namespace rein::dashboard {

Dashboard::Dashboard(AppOptions options) : options_(std::move(options)) {
  if (!options_.settings_path.empty()) settings_ = load_settings(options_.settings_path);
  if (!options_.metrics.empty()) settings_.metrics = options_.metrics;
  if (options_.group_by) settings_.group_by = *options_.group_by;
  if (options_.band) settings_.band = parse_band(*options_.band);
  source_ = std::make_unique<RunSource>(options_.db_path);
  source_->set_progressive(options_.progressive);
  source_->refresh_rows();
  table_.set_rows(source_->rows());
  apply_initial_selection();
  if (!options_.sweep.empty()) {  // checked now: a wrong --sweep or --trials is an error
    open_sweeps();
    open_sweep(sweeps_->resolve_sweep(options_.sweep).id);
    if (!sweep_) throw std::runtime_error("dashboard: " + sweep_error_);
  }
  if (!options_.trials.empty()) {
    if (!sweep_) throw std::runtime_error("dashboard: --trials needs --sweep ID");
    std::set<std::int64_t> numbers;
    for (std::int64_t n : options_.trials) {
      const bool known = std::any_of(sweep_->trials.begin(), sweep_->trials.end(),
                                     [n](const tracker::TrialInfo& t) { return t.number == n; });
      if (!known)
        throw std::runtime_error("dashboard: sweep " + std::to_string(sweep_->info.id) +
                                 " has no trial " + std::to_string(n) + " (it has " +
                                 std::to_string(sweep_->trials.size()) +
                                 " trials, numbered from 0)");
      numbers.insert(n);
    }
    select_trials(std::move(numbers));
  }
  agent_ = std::make_unique<AgentViewer>();
  agent_->play_ahead(options_.agent_steps);
  if (options_.agent_video) agent_->show_newest_video();
}

Dashboard::~Dashboard() = default;

void Dashboard::apply_initial_selection() {
  const std::vector<std::string>& wanted =
      options_.runs.empty() ? settings_.selected_runs : options_.runs;
  std::vector<std::int64_t> ids;
  for (const RunRow& r : table_.rows()) {
    for (const std::string& w : wanted) {
      if (w == r.name || w == std::to_string(r.id)) ids.push_back(r.id);
    }
  }
  if (!options_.runs.empty() && ids.empty()) {
    throw std::runtime_error("dashboard: none of the runs given with --runs is in '" +
                             options_.db_path + "' (see: rein runs list)");
  }
  if (ids.empty()) {  // nothing remembered: the newest few runs
    for (std::size_t i = 0; i < table_.rows().size() && i < 5; ++i)
      ids.push_back(table_.rows()[i].id);
  }
  selection_.set(ids);
}

bool Dashboard::poll(double now) {
  // A few coarse series at a time (~50 ms), so the window stays responsive while they refine;
  // redrawn twice a second and when done (a software-rendered frame of 100 long lines takes
  // longer than refining them).
  if (source_->refining() && source_->refine(0.05)) {
    if (!source_->refining() || now - last_refine_redraw_ >= 0.5) {
      last_refine_redraw_ = now;
      return true;
    }
    return false;
  }
  if (now - last_poll_ < 0.5) return false;
  last_poll_ = now;
  const bool sweep_changed = poll_sweep(now);
  const bool changed = source_->poll(now) || sweep_changed;
  if (changed) {
    table_.set_rows(source_->rows());
    ++data_version_;
  }
  return changed;
}

bool Dashboard::animating() const { return agent_ && agent_->playing(); }

bool Dashboard::busy() const { return source_->refining(); }

std::vector<const RunRow*> Dashboard::selected_rows() {
  std::vector<const RunRow*> rows;
  for (std::int64_t id : selection_.ordered(order_)) {
    if (const RunRow* r = table_.find(id)) rows.push_back(r);
  }
  return rows;
}

const PreparedSeries* Dashboard::prepared(std::int64_t run_id, const std::string& key) {
  const SeriesEntry* e = source_->series(run_id, key);
  if (!e) return nullptr;
  Prepared& p = prepared_[{run_id, key}];
  const float smoothing = smoothing_for(key, settings_);
  if (p.generation != e->generation || p.axis != settings_.x_axis || p.smoothing != smoothing) {
    const RunRow* row = table_.find(run_id);
    p.series.prepare(e->data, settings_.x_axis, row ? row->start_time : 0.0, smoothing);
    p.generation = e->generation;
    p.axis = settings_.x_axis;
    p.smoothing = smoothing;
    ++prepare_count_;  // full rebuilds (axis, smoothing, reload) invalidate drawn geometry
  } else {
    p.series.extend(e->data);  // live points only
  }
  return &p.series;
}

void Dashboard::frame(float width, float height) {
  const float split = std::floor(width * 0.40f);
  ImGui::SetNextWindowPos(ImVec2(0, 0), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(split, height), ImGuiCond_FirstUseEver);
  if (ImGui::Begin("Runs")) runs_panel();
  ImGui::End();

  ImGui::SetNextWindowPos(ImVec2(split, 0), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(width - split, height), ImGuiCond_FirstUseEver);
  if (ImGui::Begin("Charts", nullptr, ImGuiWindowFlags_NoScrollWithMouse)) {
    if (ImGui::BeginTabBar("views")) {
      auto flag = [&](const char* v) {
        return options_.view == v ? ImGuiTabItemFlags_SetSelected : ImGuiTabItemFlags_None;
      };
      if (ImGui::BeginTabItem("Charts", nullptr, flag("charts"))) {
        charts_panel();
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("Compare", nullptr, flag("compare"))) {
        compare_panel();
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("Sweep", nullptr, flag("sweep"))) {
        sweep_panel();
        ImGui::EndTabItem();
      } else {
        sweep_shown_ = false;
      }
      if (ImGui::BeginTabItem("Agent", nullptr, flag("agent"))) {
        agent_->panel(selected_rows(), source_->store());
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
      options_.view.clear();  // selected once; the user picks from then on
    }
  }
  ImGui::End();
}

void Dashboard::charts_panel() {
  chart_toolbar();
  const std::vector<std::string>& keys = settings_.metrics;
  if (selection_.ids().empty()) {
    ImGui::TextDisabled("Select runs in the table (ctrl/shift-click for several).");
    return;
  }
  if (keys.empty()) {
    ImGui::TextDisabled("Choose a metric above.");
    return;
  }
  const int n = static_cast<int>(keys.size());
  const int cols = std::min(std::max(1, settings_.chart_columns), n);
  const int rows = (n + cols - 1) / cols;
  ImGui::BeginChild("chart_grid", ImVec2(0, 0), false, ImGuiWindowFlags_NoScrollWithMouse);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float gap = ImGui::GetStyle().ItemSpacing.y;
  const ImVec2 size(
      (avail.x - gap * static_cast<float>(cols - 1)) / static_cast<float>(cols),
      std::max(160.0f, (avail.y - gap * static_cast<float>(rows - 1)) / static_cast<float>(rows)));
  for (int i = 0; i < n; ++i) {
    if (i % cols != 0) ImGui::SameLine();
    ImGui::BeginGroup();
    chart(keys[static_cast<std::size_t>(i)], size);
    ImGui::EndGroup();
  }
  ImGui::EndChild();
}

void Dashboard::chart(const std::string& key, ImVec2 size) {
  ChartState& st = charts_[key];
  const std::vector<const RunRow*> rows = selected_rows();
  std::vector<std::int64_t> ids;
  for (const RunRow* r : rows) ids.push_back(r->id);
  source_->load(ids, key);

  ImGui::PushID(key.c_str());
  bool log_y =
      std::find(settings_.log_y.begin(), settings_.log_y.end(), key) != settings_.log_y.end();
  // The metric's name is the plot's y axis title.
  if (ImGui::Checkbox("log y", &log_y)) {
    auto& v = settings_.log_y;
    v.erase(std::remove(v.begin(), v.end(), key), v.end());
    if (log_y) v.push_back(key);
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("reset view")) st.view.reset();
  st.view.set_y_scale(log_y ? Scale::Log10 : Scale::Linear);

  // Groups keep their palette colour by position, the same in every chart and the table.
  const std::vector<RunGroup> groups = group_runs(rows, settings_.group_by);
  st.groups.clear();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    ChartGroup cg{groups[g].label, static_cast<int>(g), {}, {}, groups[g].full_label};
    std::vector<std::string> envs;  // strata of the IQM band, in order of first appearance
    for (std::int64_t id : groups[g].run_ids) {
      const PreparedSeries* s = prepared(id, key);
      if (!s || s->size() == 0) continue;
      cg.series.push_back(s);
      const RunRow* r = table_.find(id);
      cg.run_labels.push_back(r ? r->name : std::to_string(id));
      const std::string env = r ? r->env : "";
      const auto at = std::find(envs.begin(), envs.end(), env);
      cg.strata.push_back(static_cast<int>(at - envs.begin()));
      if (at == envs.end()) envs.push_back(env);
    }
    if (!cg.series.empty()) st.groups.push_back(std::move(cg));
  }
  Range dx, dy;
  ChartModel::extent(st.groups, st.view.y_scale(), dx, dy);
  // Headroom for the std bands of the last build (they change with the data, not the view),
  // and room for markers at the first and last step of sparse series.
  if (const Range& b = st.model.band_extent(); b.min <= b.max && !st.groups.empty()) {
    dy = {std::min(dy.min, b.min), std::max(dy.max, b.max)};
  }
  const bool marked = std::any_of(st.lines.begin(), st.lines.end(),
                                  [](const ChartLine& l) { return !l.marks.empty(); });
  if (marked && dx.valid()) dx = {dx.min - 0.03 * dx.span(), dx.max + 0.03 * dx.span()};
  const XLabels xl = settings_.x_axis == XAxis::Step       ? XLabels::Number
                     : settings_.x_axis == XAxis::WallTime ? XLabels::Clock
                                                           : XLabels::Duration;
  const float title_h = ImGui::GetFrameHeightWithSpacing();
  st.plot.begin("##plot", ImVec2(size.x, size.y - title_h), st.view, dx, dy, xl, key.c_str());
  // Rebuild the geometry only when the view, the data or a choice changed: hover and other UI
  // frames reuse the last one.
  std::uint64_t sig = 1469598103934665603ull;
  auto mix = [&sig](double v) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    sig = (sig ^ bits) * 1099511628211ull;
  };
  for (double v : {st.plot.xmap().data().min, st.plot.xmap().data().max, st.plot.ymap().data().min,
                   st.plot.ymap().data().max, static_cast<double>(st.plot.area_min().x),
                   static_cast<double>(st.plot.area_min().y), static_cast<double>(st.plot.width()),
                   static_cast<double>(st.plot.area_max().y), static_cast<double>(settings_.band),
                   static_cast<double>(settings_.show_raw), static_cast<double>(log_y),
                   static_cast<double>(prepare_count_)}) {
    mix(v);
  }
  for (const ChartGroup& g : st.groups) {
    mix(static_cast<double>(g.color));
    for (const PreparedSeries* s : g.series) {
      mix(static_cast<double>(reinterpret_cast<std::uintptr_t>(s)));
      mix(static_cast<double>(s->size()));
    }
  }
  if (sig != st.signature) {
    st.model.build(st.groups, st.plot.xmap(), st.plot.ymap(), st.plot.width(), settings_.band,
                   settings_.show_raw, st.lines);
    st.signature = sig;
  }
  st.plot.draw(st.lines, st.signature);
  if (st.groups.empty()) {
    ImGui::GetWindowDrawList()->AddText(
        ImVec2(st.plot.area_min().x + 10, st.plot.area_max().y - 24),
        ImGui::GetColorU32(ImGuiCol_TextDisabled), "no selected run logged this metric");
  }
  double hx = 0;
  if (st.plot.hovered_x(hx)) {
    ChartModel::hover(st.groups, st.lines, st.plot.xmap(), hx, st.hover);
    st.plot.tooltip(st.hover, xl);
  }
  st.area_min = st.plot.area_min();
  st.area_max = st.plot.area_max();
  ImGui::PopID();
}

void Dashboard::chart_toolbar() {
  // Metrics: a combo of checkboxes over every key the selected runs logged.
  std::uint64_t h = 1469598103934665603ull;
  for (std::int64_t id : selection_.ids())
    h = (h ^ static_cast<std::uint64_t>(id)) * 1099511628211ull;
  if (h != keys_for_) {
    std::vector<std::int64_t> ids(selection_.ids().begin(), selection_.ids().end());
    metric_keys_ = source_->metric_keys(ids);
    keys_for_ = h;
  }
  ImGui::SetNextItemWidth(220);
  const std::string preview = settings_.metrics.empty() ? "(none)"
                              : settings_.metrics.size() == 1
                                  ? settings_.metrics[0]
                                  : std::to_string(settings_.metrics.size()) + " metrics";
  if (ImGui::BeginCombo("metrics", preview.c_str())) {
    for (const std::string& k : metric_keys_) {
      auto& m = settings_.metrics;
      bool on = std::find(m.begin(), m.end(), k) != m.end();
      if (ImGui::Checkbox(k.c_str(), &on)) {
        m.erase(std::remove(m.begin(), m.end(), k), m.end());
        if (on) m.push_back(k);
      }
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  int axis = static_cast<int>(settings_.x_axis);
  ImGui::SetNextItemWidth(120);
  if (ImGui::Combo("x", &axis, "step\0wall time\0relative time\0")) {
    settings_.x_axis = static_cast<XAxis>(axis);
    for (auto& [k, c] : charts_) c.view.reset();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(120);
  ImGui::SliderFloat("smoothing", &settings_.smoothing, 0.0f, 0.99f, "%.2f");
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "EMA weight of the training curves; eval/* curves stay unsmoothed "
        "unless 'smooth eval' is on (a few evaluation points smoothed read as a "
        "value none of them had)");
  }
  ImGui::SameLine();
  ImGui::Checkbox("smooth eval", &settings_.smooth_eval);
  ImGui::SameLine();
  ImGui::Checkbox("raw", &settings_.show_raw);

  ImGui::SetNextItemWidth(160);
  if (ImGui::BeginCombo("group by", settings_.group_by.c_str())) {
    std::vector<std::string> choices = {kDefaultGroupBy, "seed", "none",
                                        "algorithm",     "env",  "experiment"};
    for (const RunRow* r : selected_rows()) {
      for (const auto& [k, v] : r->params) {
        if (std::find(choices.begin(), choices.end(), k) == choices.end()) choices.push_back(k);
      }
    }
    for (const std::string& c : choices) {
      if (ImGui::Selectable(c.c_str(), c == settings_.group_by)) settings_.group_by = c;
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  int band = static_cast<int>(settings_.band);
  ImGui::SetNextItemWidth(130);
  if (ImGui::Combo("band", &band, "mean ± std\0min – max\0IQM, 95% CI\0")) {
    settings_.band = static_cast<BandKind>(band);
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "Line and band of groups of runs: mean with mean ± std, mean with min – max, or the\n"
        "interquartile mean (the mean of the middle half of the runs) with its 95%% bootstrap\n"
        "confidence interval, resampling runs within each env");
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(80);
  ImGui::SliderInt("columns", &settings_.chart_columns, 1, 4);
}

nlohmann::json Dashboard::describe() const {
  nlohmann::json j;
  j["runs_listed"] = table_rows_drawn_;
  j["columns"] = columns_shown_;
  std::vector<std::string> selected;
  for (std::int64_t id : selection_.ids()) {
    if (const RunRow* r = table_.find(id)) selected.push_back(r->name);
  }
  j["selected"] = selected;
  j["group_by"] = settings_.group_by;
  j["band"] = band_name(settings_.band);
  nlohmann::json charts = nlohmann::json::array();
  for (const std::string& key : settings_.metrics) {
    const auto it = charts_.find(key);
    if (it == charts_.end()) continue;
    const ChartState& st = it->second;
    nlohmann::json c;
    c["metric"] = key;
    c["area"] = {st.area_min.x, st.area_min.y, st.area_max.x, st.area_max.y};
    nlohmann::json lines = nlohmann::json::array();
    for (const ChartLine& l : st.lines) {
      unsigned char rgb[3];
      palette_rgb(l.color, rgb);
      lines.push_back({{"label", l.label},
                       {"full_label", l.full_label},
                       {"marks", l.marks.size()},
                       {"first_mark", l.marks.empty() ? nlohmann::json()
                                                      : nlohmann::json{l.marks[0].x, l.marks[0].y}},
                       {"color", {rgb[0], rgb[1], rgb[2]}},
                       {"runs", l.runs},
                       {"band_columns", l.band_x.size()},
                       {"interval", !l.ci_lo.empty()},
                       {"points", l.line.size()},
                       {"raw_points", l.raw.size()}});
    }
    c["lines"] = lines;
    c["width_px"] = st.plot.width();
    c["y_range"] = {st.plot.ymap().data().min, st.plot.ymap().data().max};
    charts.push_back(c);
  }
  j["charts"] = charts;
  nlohmann::json bars = nlohmann::json::object();
  for (const auto& [metric, drawn] : bars_drawn_) {
    nlohmann::json list = nlohmann::json::array();
    for (const FinalBar& b : drawn) {
      unsigned char rgb[3];
      palette_rgb(b.color, rgb);
      const auto number = [](double v) {
        return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
      };
      list.push_back(
          {{"label", b.label},
           {"statistic", statistic_name(bar_statistic_)},
           {"value", number(b.value)},
           {"ci", {number(b.ci.lo), number(b.ci.hi)}},
           {"runs", b.runs},
           {"color", {rgb[0], rgb[1], rgb[2]}},
           {"rect", {b.x0, std::min(b.y_value, b.y_base), b.x1, std::max(b.y_value, b.y_base)}}});
    }
    bars[metric] = list;
  }
  j["bars"] = bars;
  if (!sweep_drawn_.is_null()) j["sweep"] = sweep_drawn_;
  if (!agent_->env_id().empty()) {
    j["agent"] = {{"env", agent_->env_id()},
                  {"playable", agent_->playable()},
                  {"status", agent_->status()},
                  {"step", agent_->step()}};
  }
  return j;
}

void Dashboard::save_settings_now() {
  if (options_.settings_path.empty()) return;
  settings_.selected_runs.clear();
  for (std::int64_t id : selection_.ids()) {
    if (const RunRow* r = table_.find(id)) settings_.selected_runs.push_back(r->name);
  }
  save_settings(options_.settings_path, settings_);
}

}  // namespace rein::dashboard
