// The sweep view: pick a sweep; parallel coordinates of its trials' params coloured by the
// objective (with the colour bar beside the objective's axis), a param-vs-objective scatter per
// param, and the trial table. Clicking a trial (its line, point or row; ctrl-click for several)
// selects its runs, which the Charts tab then draws. The geometry is sweep_model.h's.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "apps/dashboard/app.h"
#include "session/train.h"

namespace rein::dashboard {
namespace {

ImU32 to_u32(Rgb c, float alpha = 1.0f) {
  return IM_COL32(c.r, c.g, c.b, static_cast<int>(alpha * 255.0f));
}

ImVec4 status_colour(tracker::TrialStatus s) {
  switch (s) {
    case tracker::TrialStatus::Complete:
      return ImVec4(0.35f, 0.80f, 0.35f, 1.0f);
    case tracker::TrialStatus::Pruned:
      return ImVec4(0.60f, 0.60f, 0.65f, 1.0f);
    case tracker::TrialStatus::Failed:
      return ImVec4(0.95f, 0.30f, 0.30f, 1.0f);
    case tracker::TrialStatus::Running:
      break;
  }
  return ImVec4(0.35f, 0.65f, 1.0f, 1.0f);
}

nlohmann::json rgb_json(Rgb c) { return {c.r, c.g, c.b}; }

// A signature of what the view shows of a sweep: reload only when it changed.
std::uint64_t signature(const SweepData& d) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::uint64_t v) { h = (h ^ v) * 1099511628211ull; };
  mix(static_cast<std::uint64_t>(d.info.status));
  for (const tracker::TrialInfo& t : d.trials) {
    mix(static_cast<std::uint64_t>(t.number));
    mix(static_cast<std::uint64_t>(t.status));
    mix(static_cast<std::uint64_t>(t.steps));
    mix(t.value ? static_cast<std::uint64_t>(std::llround(*t.value * 1e6)) : 7);
  }
  return h;
}

}  // namespace

void Dashboard::open_sweeps() {
  if (sweeps_) return;
  sweeps_ = std::make_unique<tracker::SweepStore>(options_.db_path, tracker::OpenMode::ReadOnly);
  sweep_list_ = sweeps_->list_sweeps();
}

void Dashboard::open_sweep(std::int64_t id) {
  sweep_error_.clear();
  sweep_trials_.clear();
  sweep_sort_dirty_ = true;
  try {
    sweep_ = load_sweep(*sweeps_, id);
    sweep_model_.build(*sweep_);
    sweep_signature_ = signature(*sweep_);
  } catch (const std::exception& e) {
    sweep_.reset();
    sweep_error_ = e.what();
  }
}

bool Dashboard::poll_sweep(double now) {
  // A running sweep gains trials and values: re-read it every 2 seconds while the tab shows it.
  if (!sweep_ || !sweep_shown_ || now - sweep_polled_ < 2.0) return false;
  sweep_polled_ = now;
  if (sweep_->info.status != tracker::SweepStatus::Running) return false;
  try {
    SweepData fresh = load_sweep(*sweeps_, sweep_->info.id);
    const std::uint64_t sig = signature(fresh);
    if (sig == sweep_signature_) return false;
    sweep_ = std::move(fresh);
    sweep_model_.build(*sweep_);
    sweep_signature_ = sig;
    sweep_sort_dirty_ = true;
    sweep_list_ = sweeps_->list_sweeps();
    return true;
  } catch (const std::exception&) {
    return false;  // busy or being written: read next time
  }
}

void Dashboard::select_trials(std::set<std::int64_t> numbers) {
  sweep_trials_ = std::move(numbers);
  if (!sweep_) return;
  selection_.set(trial_run_ids(table_.rows(), sweep_->info.id, sweep_trials_));
}

void Dashboard::click_trial(std::int64_t number) {
  std::set<std::int64_t> numbers;
  if (ImGui::GetIO().KeyCtrl) {
    numbers = sweep_trials_;
    if (!numbers.erase(number)) numbers.insert(number);
  } else {
    numbers.insert(number);
  }
  select_trials(std::move(numbers));
}

void Dashboard::trial_tooltip(const TrialLine& line) {
  const tracker::TrialInfo* t = nullptr;
  for (const tracker::TrialInfo& info : sweep_->trials)
    if (info.number == line.number) t = &info;
  if (!t) return;
  ImGui::BeginTooltip();
  ImGui::Text("trial %lld  %s", static_cast<long long>(t->number), tracker::to_string(t->status));
  if (line.objective)
    ImGui::Text("%s %s", sweep_->spec.metric.c_str(), format_value(*line.objective).c_str());
  else if (t->status == tracker::TrialStatus::Pruned && t->value)
    ImGui::TextDisabled("pruned at %s %s", sweep_->spec.early_stopping.metric.c_str(),
                        format_value(*t->value).c_str());
  for (const tracker::Param& p : t->params)
    ImGui::Text("%s = %s", p.key.c_str(), session::display_text(p.value).c_str());
  ImGui::TextDisabled("click: select its runs (ctrl: add)");
  ImGui::EndTooltip();
}

void Dashboard::sweep_panel() {
  sweep_shown_ = true;
  try {
    open_sweeps();
  } catch (const std::exception& e) {
    ImGui::TextWrapped("Cannot read the sweeps of this database: %s", e.what());
    return;
  }
  if (sweep_list_.empty()) {
    ImGui::TextDisabled(
        "No sweeps in this database. rein sweep SPEC.toml --db FILE runs one (see rein sweep "
        "--help).");
    return;
  }
  if (!sweep_ && sweep_error_.empty()) open_sweep(sweep_list_.front().id);

  const std::int64_t current = sweep_ ? sweep_->info.id : 0;
  auto sweep_label = [](const tracker::SweepInfo& s) {
    return std::to_string(s.id) + " " + s.name + " (" + tracker::to_string(s.status) + ")";
  };
  std::string preview = "(choose)";
  for (const tracker::SweepInfo& s : sweep_list_)
    if (s.id == current) preview = sweep_label(s);
  ImGui::TextUnformatted("sweep");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(220);
  if (ImGui::BeginCombo("##sweep", preview.c_str())) {
    for (const tracker::SweepInfo& s : sweep_list_)
      if (ImGui::Selectable(sweep_label(s).c_str(), s.id == current)) open_sweep(s.id);
    ImGui::EndCombo();
  }
  if (!sweep_) {
    ImGui::TextWrapped("%s", sweep_error_.c_str());
    return;
  }
  const SweepData& d = *sweep_;
  std::size_t counts[4] = {0, 0, 0, 0};
  for (const tracker::TrialInfo& t : d.trials) ++counts[static_cast<int>(t.status)];
  std::string summary =
      d.spec.algorithm + " on " + d.spec.env + ", " + session::to_string(d.spec.strategy) + ", " +
      (d.spec.maximize ? "max " : "min ") + d.spec.metric + ": " + std::to_string(counts[1]) +
      " complete, " + std::to_string(counts[2]) + " pruned";
  if (counts[3]) summary += ", " + std::to_string(counts[3]) + " failed";
  if (counts[0]) summary += ", " + std::to_string(counts[0]) + " running";
  ImGui::SameLine();
  ImGui::TextDisabled("%s", summary.c_str());

  sweep_drawn_ = nlohmann::json::object();
  sweep_drawn_["id"] = d.info.id;
  sweep_drawn_["name"] = d.info.name;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  sweep_parallel(ImVec2(avail.x, std::floor(avail.y * 0.42f)));
  sweep_scatters(ImVec2(avail.x, std::floor(avail.y * 0.24f)));
  sweep_table();
}

void Dashboard::sweep_parallel(ImVec2 size) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##parallel", size);
  const bool hovered = ImGui::IsItemHovered();
  const bool clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
  const ImVec2 end(p.x + size.x, p.y + size.y);
  dl->AddRectFilled(p, end, ImGui::GetColorU32(ImGuiCol_FrameBg));
  const float line_h = ImGui::GetTextLineHeight();
  // Room for the first axis' tick labels on the left, the colour bar and its labels on the
  // right, the axis titles above and the best/worst legend below.
  const PixelPoint lo{p.x + 70.0f, p.y + line_h * 2.5f + 10.0f};
  const PixelPoint hi{end.x - 90.0f, end.y - line_h - 10.0f};
  sweep_model_.layout(lo, hi);
  const std::vector<ParamAxis>& axes = sweep_model_.axes();
  const std::vector<float>& xs = sweep_model_.axis_x();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 faint = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const float spacing = xs.size() > 1 ? xs[1] - xs[0] : size.x;

  // Lines first (grey, then worst to best), then the axes over them.
  std::vector<ImVec2> pts;
  auto polyline = [&](const TrialLine& l, ImU32 colour, float thickness) {
    pts.clear();
    for (std::size_t k = 0; k <= l.points.size(); ++k) {
      const bool ok = k < l.points.size() && std::isfinite(l.points[k].y);
      if (ok) pts.emplace_back(l.points[k].x, l.points[k].y);
      if ((!ok || k == l.points.size()) && !pts.empty()) {
        if (pts.size() == 1) dl->AddCircleFilled(pts[0], thickness, colour);
        dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), colour, ImDrawFlags_None,
                        thickness);
        pts.clear();
      }
    }
  };
  nlohmann::json lines = nlohmann::json::array();
  for (const TrialLine& l : sweep_model_.lines()) {
    const bool selected = sweep_trials_.count(l.number) > 0;
    const bool grey = !l.objective;
    if (selected) polyline(l, IM_COL32(255, 255, 255, 255), 6.0f);
    polyline(l, to_u32(l.colour, grey ? 0.85f : 1.0f), selected ? 3.5f : grey ? 1.5f : 2.0f);
    nlohmann::json points = nlohmann::json::array();
    for (const PixelPoint& q : l.points)
      points.push_back(std::isfinite(q.y) ? nlohmann::json{q.x, q.y} : nlohmann::json());
    lines.push_back({{"trial", l.number},
                     {"status", tracker::to_string(l.status)},
                     {"greyed", grey},
                     {"selected", selected},
                     {"colour", rgb_json(l.colour)},
                     {"points", points}});
  }

  for (std::size_t k = 0; k < axes.size(); ++k) {
    const ParamAxis& a = axes[k];
    const float x = xs[k];
    dl->AddLine(ImVec2(x, lo.y), ImVec2(x, hi.y), text, 1.5f);
    // Tick labels left of the axis; the objective's right of its colour bar, clear of the lines.
    const bool objective = k + 1 == axes.size();
    for (std::size_t t = 0; t < a.tick_fractions.size(); ++t) {
      const float y = sweep_model_.axis_y(a.tick_fractions[t]);
      dl->AddLine(ImVec2(x - 4, y), ImVec2(x, y), text);
      const std::string label = cap_label(a.tick_labels[t], 10);
      const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
      dl->AddText(ImVec2(objective ? x + 30 : x - 6 - ts.x, y - ts.y / 2), faint, label.c_str());
    }
    // The title above the axis, cut to the room between axes.
    const std::size_t chars = static_cast<std::size_t>(std::max(6.0f, spacing / 7.5f));
    const std::string title = cap_label(a.name, chars);
    const ImVec2 ts = ImGui::CalcTextSize(title.c_str());
    const float tx = std::clamp(x - ts.x / 2, p.x + 2, end.x - ts.x - 2);
    dl->AddText(ImVec2(tx, p.y + 4), text, title.c_str());
    const char* kind = a.kind == ParamAxis::Kind::Log           ? "log"
                       : a.kind == ParamAxis::Kind::Categorical ? "choice"
                       : objective                              ? "objective"
                                                                : "linear";
    const ImVec2 ks = ImGui::CalcTextSize(kind);
    dl->AddText(ImVec2(std::clamp(x - ks.x / 2, p.x + 2, end.x - ks.x - 2), p.y + 4 + line_h),
                faint, kind);
  }

  // The colour bar beside the objective's axis: the colour of each value on that axis, a band
  // per pixel row (by rank, the colours can change fast where trials crowd together).
  const float bar_x0 = xs.back() + 10, bar_x1 = xs.back() + 24;
  const int steps = std::max(48, static_cast<int>(hi.y - lo.y));
  for (int i = 0; i < steps; ++i) {
    const double f0 = static_cast<double>(i) / steps, f1 = static_cast<double>(i + 1) / steps;
    const Range& r = axes.back().range;
    auto colour_at = [&](double f) {
      return to_u32(viridis(sweep_model_.colour_t(r.min + f * r.span())));
    };
    const ImU32 c0 = colour_at(f0), c1 = colour_at(f1);
    dl->AddRectFilledMultiColor(ImVec2(bar_x0, sweep_model_.axis_y(f1)),
                                ImVec2(bar_x1, sweep_model_.axis_y(f0)), c1, c1, c0, c0);
  }
  dl->AddRect(ImVec2(bar_x0, lo.y), ImVec2(bar_x1, hi.y), faint);
  // The colours follow the trials' ranks, not the objective's scale (one outlier would wash out
  // the rest): the bar shows each value's colour, so it is uneven where the values are.
  const char* best = sweep_model_.maximize() ? "colour by rank, best at the top"
                                             : "colour by rank, best at the bottom";
  dl->AddText(ImVec2(std::min(bar_x0 - 40, end.x - ImGui::CalcTextSize(best).x - 4), hi.y + 6),
              faint, best);

  // Hover and click: the nearest line within 5 pixels.
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  if (hovered) {
    if (const auto i = sweep_model_.hit({mouse.x, mouse.y}, 5.0f)) {
      const TrialLine& l = sweep_model_.lines()[*i];
      polyline(l, IM_COL32(255, 255, 255, 160), 1.0f);
      trial_tooltip(l);
      if (clicked) click_trial(l.number);
    }
  }

  nlohmann::json axes_json = nlohmann::json::array();
  for (std::size_t k = 0; k < axes.size(); ++k) {
    const char* kind = axes[k].kind == ParamAxis::Kind::Log           ? "log"
                       : axes[k].kind == ParamAxis::Kind::Categorical ? "categorical"
                                                                      : "linear";
    axes_json.push_back({{"name", axes[k].name}, {"kind", kind}, {"x", xs[k]}});
  }
  sweep_drawn_["parallel"] = {{"area", {lo.x, lo.y, hi.x, hi.y}},
                              {"axes", axes_json},
                              {"lines", lines},
                              {"colour_bar", {bar_x0, lo.y, bar_x1, hi.y}},
                              {"colour_scale", "rank"},
                              {"maximize", sweep_model_.maximize()}};
}

void Dashboard::sweep_scatters(ImVec2 size) {
  const std::size_t n = sweep_model_.params();
  if (n == 0) return;
  const std::vector<ParamAxis>& axes = sweep_model_.axes();
  const ParamAxis& y_axis = axes.back();
  const float gap = ImGui::GetStyle().ItemSpacing.x;
  const float w = (size.x - gap * static_cast<float>(n - 1)) / static_cast<float>(n);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 faint = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const ImU32 grid = IM_COL32(128, 128, 128, 50);
  const float line_h = ImGui::GetTextLineHeight();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  nlohmann::json drawn = nlohmann::json::array();
  for (std::size_t k = 0; k < n; ++k) {
    if (k) ImGui::SameLine();
    ImGui::PushID(static_cast<int>(k));
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("##scatter", ImVec2(w, size.y));
    const bool hovered = ImGui::IsItemHovered();
    const bool clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
    ImGui::PopID();
    const ImVec2 end(p.x + w, p.y + size.y);
    dl->AddRectFilled(p, end, ImGui::GetColorU32(ImGuiCol_FrameBg));
    const PixelPoint lo{p.x + 52.0f, p.y + line_h + 8.0f};
    const PixelPoint hi{end.x - 10.0f, end.y - line_h - 8.0f};
    // Title: the param and its rank correlation with the objective.
    const session::ParamEffect& e = sweep_model_.effects()[k];
    std::string title = axes[k].name;
    if (!std::isnan(e.spearman)) {
      char rho[32];
      std::snprintf(rho, sizeof rho, "  rho %+.2f", e.spearman);
      title += rho;
    }
    dl->AddText(ImVec2(p.x + 6, p.y + 3), text, title.c_str());
    for (std::size_t t = 0; t < y_axis.tick_fractions.size(); ++t) {
      const float y = static_cast<float>(hi.y - y_axis.tick_fractions[t] * (hi.y - lo.y));
      dl->AddLine(ImVec2(lo.x, y), ImVec2(hi.x, y), grid);
      const ImVec2 ts = ImGui::CalcTextSize(y_axis.tick_labels[t].c_str());
      dl->AddText(ImVec2(lo.x - 5 - ts.x, y - ts.y / 2), faint, y_axis.tick_labels[t].c_str());
    }
    float last_label_end = -1e9f;
    for (std::size_t t = 0; t < axes[k].tick_fractions.size(); ++t) {
      const float x = static_cast<float>(lo.x + axes[k].tick_fractions[t] * (hi.x - lo.x));
      dl->AddLine(ImVec2(x, lo.y), ImVec2(x, hi.y), grid);
      const std::string label = cap_label(axes[k].tick_labels[t], 10);
      const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
      if (x - ts.x / 2 < last_label_end + 6) continue;  // no overlapping labels
      dl->AddText(ImVec2(x - ts.x / 2, hi.y + 3), faint, label.c_str());
      last_label_end = x + ts.x / 2;
    }
    dl->AddRect(ImVec2(lo.x, lo.y), ImVec2(hi.x, hi.y), faint);
    const std::vector<SweepModel::ScatterPoint> pts = sweep_model_.scatter(k, lo, hi);
    std::optional<std::size_t> under;
    float under_d = 6.0f;
    for (const SweepModel::ScatterPoint& s : pts) {
      const TrialLine& l = sweep_model_.lines()[s.line];
      if (sweep_trials_.count(l.number))
        dl->AddCircleFilled(ImVec2(s.at.x, s.at.y), 7.0f, IM_COL32(255, 255, 255, 255));
      dl->AddCircleFilled(ImVec2(s.at.x, s.at.y), 4.5f, to_u32(l.colour));
      const float d = std::hypot(mouse.x - s.at.x, mouse.y - s.at.y);
      if (hovered && d < under_d) {
        under_d = d;
        under = s.line;
      }
    }
    if (under) {
      trial_tooltip(sweep_model_.lines()[*under]);
      if (clicked) click_trial(sweep_model_.lines()[*under].number);
    }
    nlohmann::json points = nlohmann::json::array();
    for (const SweepModel::ScatterPoint& s : pts)
      points.push_back({{"trial", sweep_model_.lines()[s.line].number},
                        {"at", {s.at.x, s.at.y}},
                        {"colour", rgb_json(sweep_model_.lines()[s.line].colour)}});
    drawn.push_back(
        {{"param", axes[k].name},
         {"area", {lo.x, lo.y, hi.x, hi.y}},
         {"spearman", std::isnan(e.spearman) ? nlohmann::json() : nlohmann::json(e.spearman)},
         {"points", points}});
  }
  sweep_drawn_["scatter"] = drawn;
}

void Dashboard::sweep_table() {
  const SweepData& d = *sweep_;
  const int ncols = 4 + static_cast<int>(d.spec.space.size());
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX |
                                ImGuiTableFlags_Sortable | ImGuiTableFlags_SizingFixedFit |
                                ImGuiTableFlags_Resizable;
  ImGui::TextDisabled(
      "Click a trial (row, line or point) to select its runs for the Charts tab; "
      "ctrl-click adds.");
  if (!ImGui::BeginTable("trials", ncols, flags)) return;
  ImGui::TableSetupScrollFreeze(1, 1);
  const ImGuiTableColumnFlags objective_flags =
      ImGuiTableColumnFlags_DefaultSort |
      (d.spec.maximize ? ImGuiTableColumnFlags_PreferSortDescending
                       : ImGuiTableColumnFlags_PreferSortAscending);
  ImGui::TableSetupColumn("trial");
  ImGui::TableSetupColumn("status");
  ImGui::TableSetupColumn(d.spec.metric.c_str(), objective_flags);
  ImGui::TableSetupColumn("steps", ImGuiTableColumnFlags_PreferSortDescending);
  for (const session::SearchParam& p : d.spec.space) ImGui::TableSetupColumn(p.name.c_str());
  ImGui::TableHeadersRow();
  if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs()) {
    if (specs->SpecsDirty || sweep_sort_dirty_) {
      if (specs->SpecsCount > 0) {
        sweep_order_ = trial_order(d, specs->Specs[0].ColumnIndex,
                                   specs->Specs[0].SortDirection == ImGuiSortDirection_Descending);
      } else {
        sweep_order_ = best_first(d);
      }
      specs->SpecsDirty = false;
      sweep_sort_dirty_ = false;
    }
  }
  if (sweep_order_.size() != d.trials.size()) sweep_order_ = best_first(d);
  std::map<std::int64_t, const TrialLine*> line_of;
  for (const TrialLine& l : sweep_model_.lines()) line_of[l.number] = &l;
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i : sweep_order_) {
    const tracker::TrialInfo& t = d.trials[i];
    const TrialLine* l = line_of.count(t.number) ? line_of[t.number] : nullptr;
    rows.push_back(t.number);
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::PushID(static_cast<int>(t.number));
    const ImVec2 sw = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(sw.x, sw.y + 2),
                                              ImVec2(sw.x + 10, sw.y + h - 2),
                                              to_u32(l ? l->colour : kGreyTrial));
    ImGui::SetCursorScreenPos(ImVec2(sw.x + 14, sw.y));
    const std::string label = std::to_string(t.number);
    if (ImGui::Selectable(label.c_str(), sweep_trials_.count(t.number) > 0,
                          ImGuiSelectableFlags_SpanAllColumns))
      click_trial(t.number);
    if (ImGui::IsItemHovered() && l) trial_tooltip(*l);
    ImGui::PopID();
    ImGui::TableSetColumnIndex(1);
    ImGui::TextColored(status_colour(t.status), "%s", tracker::to_string(t.status));
    ImGui::TableSetColumnIndex(2);
    if (l && l->objective)
      ImGui::TextUnformatted(format_value(*l->objective).c_str());
    else if (t.status == tracker::TrialStatus::Pruned && t.value)
      ImGui::TextDisabled("(%s at its last rung)", format_value(*t.value).c_str());
    else
      ImGui::TextDisabled("-");
    ImGui::TableSetColumnIndex(3);
    ImGui::TextUnformatted(session::format_count(t.steps).c_str());
    for (std::size_t k = 0; k < d.spec.space.size(); ++k) {
      ImGui::TableSetColumnIndex(4 + static_cast<int>(k));
      const tracker::ParamValue* v = session::trial_param(t, d.spec.space[k].name);
      ImGui::TextUnformatted(v ? session::display_text(*v).c_str() : "-");
    }
  }
  ImGui::EndTable();
  sweep_drawn_["table"] = rows;
  sweep_drawn_["selected_trials"] =
      std::vector<std::int64_t>(sweep_trials_.begin(), sweep_trials_.end());
}

}  // namespace rein::dashboard
