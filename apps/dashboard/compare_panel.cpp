// The compare panel: hyperparameters of the selected runs side by side (differing ones
// highlighted), the final value of each charted metric as mean ± std per group, and a bar chart
// of each group's IQM (or mean, median) of the final values with 95% bootstrap intervals.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "apps/dashboard/app.h"

namespace rein::dashboard {

void Dashboard::compare_panel() {
  const std::vector<const RunRow*> rows = selected_rows();
  if (rows.empty()) {
    ImGui::TextDisabled("Select runs in the table to compare them.");
    return;
  }
  static bool only_diff = false;
  ImGui::Checkbox("only differing", &only_diff);
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_Resizable;
  const std::vector<CompareRow> params = compare_params(rows);
  // As tall as its rows, at most 45% of the panel: the finals and their bars go below.
  const float params_h =
      std::min(ImGui::GetContentRegionAvail().y * 0.45f,
               ImGui::GetTextLineHeightWithSpacing() * static_cast<float>(params.size() + 1) +
                   ImGui::GetStyle().ScrollbarSize + 8.0f);
  const int ncols = static_cast<int>(std::min<std::size_t>(rows.size(), 60)) + 1;
  if (ImGui::BeginTable("params", ncols, flags, ImVec2(0, params_h))) {
    ImGui::TableSetupScrollFreeze(1, 1);
    ImGui::TableSetupColumn("param");
    for (int i = 1; i < ncols; ++i)
      ImGui::TableSetupColumn(rows[static_cast<std::size_t>(i - 1)]->name.c_str());
    ImGui::TableHeadersRow();
    for (const CompareRow& row : params) {
      if (only_diff && !row.differs) continue;
      ImGui::TableNextRow();
      if (row.differs) {
        ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(200, 150, 30, 70));
      }
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted(row.key.c_str());
      for (int i = 1; i < ncols; ++i) {
        ImGui::TableSetColumnIndex(i);
        const std::string& v = row.values[static_cast<std::size_t>(i - 1)];
        if (v.empty()) {
          ImGui::TextDisabled("-");  // the run has no such param (another algorithm's, say)
        } else {
          ImGui::TextUnformatted(v.c_str());
        }
      }
    }
    ImGui::EndTable();
  }

  // Final values: the tracker's latest value of each run and metric, re-read only when the
  // selection, the metrics or the data changed.
  ImGui::Spacing();
  ImGui::TextUnformatted("Final values (mean ± std over each group's runs)");
  std::uint64_t h = data_version_ * 1099511628211ull;
  for (const RunRow* r : rows) h = (h ^ static_cast<std::uint64_t>(r->id)) * 1099511628211ull;
  for (const std::string& k : settings_.metrics)
    h = (h ^ std::hash<std::string>{}(k)) * 1099511628211ull;
  if (h != finals_for_) {
    std::vector<std::int64_t> ids;
    for (const RunRow* r : rows) ids.push_back(r->id);
    finals_.clear();
    for (const tracker::LatestValue& l : source_->store().latest(ids, settings_.metrics)) {
      finals_[{l.run_id, l.key}] = l.point.value;
    }
    finals_for_ = h;
  }
  const std::vector<RunGroup> groups = group_runs(rows, settings_.group_by);
  const int mcols = static_cast<int>(settings_.metrics.size()) + 1;
  const float table_h =
      std::min(ImGui::GetContentRegionAvail().y * 0.45f,
               ImGui::GetFrameHeightWithSpacing() * (static_cast<float>(groups.size()) + 1.5f));
  if (mcols < 2 || !ImGui::BeginTable("finals", mcols, flags, ImVec2(0, table_h))) return;
  ImGui::TableSetupColumn("group");
  for (const std::string& k : settings_.metrics) ImGui::TableSetupColumn(k.c_str());
  ImGui::TableHeadersRow();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(palette_color(static_cast<int>(g))), "%s",
                       groups[g].label.c_str());
    if (groups[g].label != groups[g].full_label && ImGui::IsItemHovered()) {
      ImGui::SetTooltip("%s", groups[g].full_label.c_str());
    }
    for (std::size_t m = 0; m < settings_.metrics.size(); ++m) {
      std::vector<double> finals;
      for (std::int64_t id : groups[g].run_ids) {
        const auto it = finals_.find({id, settings_.metrics[m]});
        if (it != finals_.end()) finals.push_back(it->second);
      }
      ImGui::TableSetColumnIndex(static_cast<int>(m) + 1);
      const MeanStd ms = mean_std(finals);
      if (ms.count == 0) {
        ImGui::TextDisabled("-");
      } else if (ms.count == 1) {
        ImGui::Text("%.4g", ms.mean);
      } else {
        ImGui::Text("%.4g ± %.3g  (n=%zu)", ms.mean, ms.std, ms.count);
      }
    }
  }
  ImGui::EndTable();

  // Bars: each group's IQM (or mean, median) of the final values with a 95% bootstrap interval.
  ImGui::Spacing();
  int statistic = static_cast<int>(bar_statistic_);
  ImGui::SetNextItemWidth(90);
  if (ImGui::Combo("of the final values, with 95% confidence intervals", &statistic,
                   "IQM\0mean\0median\0")) {
    bar_statistic_ = static_cast<BarStatistic>(statistic);
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "IQM: the mean of the middle half of the runs, robust to a few failed seeds.\n"
        "Whiskers: stratified bootstrap (runs resampled within each env, %zu resamples),\n"
        "the same numbers as `rein runs compare`.",
        tracker::BootstrapOptions{}.resamples);
  }
  std::uint64_t bh =
      (finals_for_ ^ std::hash<std::string>{}(settings_.group_by)) * 1099511628211ull;
  bh = (bh ^ static_cast<std::uint64_t>(statistic)) * 1099511628211ull;
  if (bh != bars_for_) {
    bars_.clear();
    for (const std::string& key : settings_.metrics) {
      std::vector<BarGroup> input;
      for (std::size_t g = 0; g < groups.size(); ++g) {
        BarGroup bg{groups[g].label, static_cast<int>(g), {}, {}};
        for (std::int64_t id : groups[g].run_ids) {
          const auto it = finals_.find({id, key});
          if (it == finals_.end()) continue;
          const RunRow* r = table_.find(id);
          bg.finals.push_back(it->second);
          bg.envs.push_back(r ? r->env : "");
        }
        input.push_back(std::move(bg));
      }
      bars_[key] = final_bars(input, bar_statistic_);
    }
    bars_for_ = bh;
  }
  const float gap = ImGui::GetStyle().ItemSpacing.x;
  const float n = static_cast<float>(settings_.metrics.size());
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 size((avail.x - gap * (n - 1.0f)) / n, std::max(160.0f, avail.y - 4.0f));
  for (std::size_t m = 0; m < settings_.metrics.size(); ++m) {
    if (m) ImGui::SameLine();
    final_bars_chart(settings_.metrics[m], bars_[settings_.metrics[m]], size);
  }
}

void Dashboard::final_bars_chart(const std::string& metric, const std::vector<FinalBar>& computed,
                                 ImVec2 size) {
  ImGui::BeginGroup();
  ImGui::Text("%s: %s", metric.c_str(), statistic_name(bar_statistic_));
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const ImVec2 end(p.x + size.x, p.y + size.y - ImGui::GetTextLineHeightWithSpacing());
  const float label_h = ImGui::GetTextLineHeightWithSpacing();
  std::vector<FinalBar> bars = computed;
  const BarAxis axis =
      layout_bars(bars, {p.x + 56.0f, p.y + label_h}, {end.x - 8.0f, end.y - label_h});
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 faint = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  dl->AddRectFilled(p, end, ImGui::GetColorU32(ImGuiCol_FrameBg));
  for (std::size_t t = 0; t < axis.ticks.size(); ++t) {
    dl->AddLine(ImVec2(p.x + 56.0f, axis.tick_y[t]), ImVec2(end.x - 8.0f, axis.tick_y[t]),
                IM_COL32(128, 128, 128, 50));
    const ImVec2 ts = ImGui::CalcTextSize(axis.labels[t].c_str());
    dl->AddText(ImVec2(p.x + 50.0f - ts.x, axis.tick_y[t] - ts.y / 2), faint,
                axis.labels[t].c_str());
  }
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  for (const FinalBar& b : bars) {
    const float slot = (b.x1 - b.x0) / 0.6f, cx = (b.x0 + b.x1) / 2;
    if (std::isfinite(b.value)) {
      dl->AddRectFilled(ImVec2(b.x0, std::min(b.y_value, b.y_base)),
                        ImVec2(b.x1, std::max(b.y_value, b.y_base)), palette_color(b.color, 0.55f));
      dl->AddLine(ImVec2(b.x0, b.y_value), ImVec2(b.x1, b.y_value), palette_color(b.color), 2.0f);
      const float cap = (b.x1 - b.x0) / 6;
      dl->AddLine(ImVec2(cx, b.y_lo), ImVec2(cx, b.y_hi), text, 1.5f);
      dl->AddLine(ImVec2(cx - cap, b.y_lo), ImVec2(cx + cap, b.y_lo), text, 1.5f);
      dl->AddLine(ImVec2(cx - cap, b.y_hi), ImVec2(cx + cap, b.y_hi), text, 1.5f);
      const std::string v = format_value(b.value);
      const ImVec2 vs = ImGui::CalcTextSize(v.c_str());
      dl->AddText(ImVec2(cx - vs.x / 2, std::min(b.y_hi, b.y_value) - vs.y - 2), text, v.c_str());
    }
    const std::size_t chars = static_cast<std::size_t>(std::max(4.0f, slot / 7.5f));
    const std::string label = cap_label(b.label, chars);
    const ImVec2 ls = ImGui::CalcTextSize(label.c_str());
    dl->AddText(ImVec2(cx - ls.x / 2, end.y - label_h + 2), palette_color(b.color), label.c_str());
    if (ImGui::IsWindowHovered() && mouse.x >= cx - slot / 2 && mouse.x < cx + slot / 2 &&
        mouse.y >= p.y && mouse.y <= end.y) {
      if (std::isfinite(b.value)) {
        ImGui::SetTooltip("%s\n%s %s  [%s, %s] 95%% CI\n%zu run(s)", b.label.c_str(),
                          statistic_name(bar_statistic_), format_value(b.value).c_str(),
                          format_value(b.ci.lo).c_str(), format_value(b.ci.hi).c_str(), b.runs);
      } else {
        ImGui::SetTooltip("%s\nno run logged %s", b.label.c_str(), metric.c_str());
      }
    }
  }
  ImGui::Dummy(size);
  ImGui::EndGroup();
  bars_drawn_[metric] = std::move(bars);
}

}  // namespace rein::dashboard
