// The compare panel: hyperparameters of the selected runs side by side (differing ones
// highlighted) and the final value of each charted metric as mean ± std per group.
#include <imgui.h>

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
  const float half = ImGui::GetContentRegionAvail().y * 0.55f;
  const int ncols = static_cast<int>(std::min<std::size_t>(rows.size(), 60)) + 1;
  if (ImGui::BeginTable("params", ncols, flags, ImVec2(0, half))) {
    ImGui::TableSetupScrollFreeze(1, 1);
    ImGui::TableSetupColumn("param");
    for (int i = 1; i < ncols; ++i) ImGui::TableSetupColumn(rows[static_cast<std::size_t>(i - 1)]->name.c_str());
    ImGui::TableHeadersRow();
    for (const CompareRow& row : compare_params(rows)) {
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
  for (const std::string& k : settings_.metrics) h = (h ^ std::hash<std::string>{}(k)) * 1099511628211ull;
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
  if (mcols < 2 || !ImGui::BeginTable("finals", mcols, flags)) return;
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
}

}  // namespace rein::dashboard
