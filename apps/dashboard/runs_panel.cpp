// The runs table: filters, sortable/hideable columns, multi-select, status colours; drawn with a
// list clipper so thousands of runs cost only the visible rows.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cfloat>

#include "apps/dashboard/app.h"

namespace rein::dashboard {

namespace {

ImVec4 status_color(tracker::RunStatus s) {
  switch (s) {
    case tracker::RunStatus::Running:
      return ImVec4(0.35f, 0.65f, 1.0f, 1.0f);
    case tracker::RunStatus::Finished:
      return ImVec4(0.35f, 0.80f, 0.35f, 1.0f);
    case tracker::RunStatus::Failed:
      return ImVec4(0.95f, 0.30f, 0.30f, 1.0f);
    case tracker::RunStatus::Interrupted:
      return ImVec4(0.90f, 0.75f, 0.25f, 1.0f);
    case tracker::RunStatus::Crashed:
      return ImVec4(1.0f, 0.45f, 0.10f, 1.0f);
  }
  return ImVec4(1, 1, 1, 1);
}

}  // namespace

void Dashboard::runs_panel() {
  ImGui::SetNextItemWidth(-220);
  if (ImGui::InputTextWithHint("##filter", "filter: words, -exclude, key=value", &filter_)) {
    table_.set_filter(filter_);
  }
  ImGui::SameLine();
  if (ImGui::Button("select shown")) {
    std::vector<std::int64_t> ids;
    for (std::size_t i : table_.visible()) ids.push_back(table_.rows()[i].id);
    selection_.set(ids);
  }
  ImGui::SameLine();
  if (ImGui::Button("clear")) selection_.clear();
  ImGui::SameLine();
  if (ImGui::Button("columns")) ImGui::OpenPopup("columns");
  if (ImGui::BeginPopup("columns")) {
    for (int c = 1; c < kRunColumnCount; ++c) {  // the name always shows
      const std::string title = column_title(static_cast<RunColumn>(c));
      auto& hidden = settings_.hidden_columns;
      bool shown = std::find(hidden.begin(), hidden.end(), title) == hidden.end();
      if (ImGui::Checkbox(title.c_str(), &shown)) {
        hidden.erase(std::remove(hidden.begin(), hidden.end(), title), hidden.end());
        if (!shown) hidden.push_back(title);
        columns_applied_ = false;
      }
      const char* help = column_help(static_cast<RunColumn>(c));
      if (*help && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", help);
    }
    ImGui::EndPopup();
  }
  ImGui::SameLine();
  ImGui::TextDisabled("%zu/%zu", table_.visible().size(), table_.rows().size());

  // Palette index of every selected run: the colour of its group's line in the charts.
  run_colors_.clear();
  {
    const std::vector<RunGroup> groups = group_runs(selected_rows(), settings_.group_by);
    for (std::size_t g = 0; g < groups.size(); ++g) {
      for (std::int64_t id : groups[g].run_ids) run_colors_[id] = static_cast<int>(g);
    }
  }

  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_SortMulti |
                                ImGuiTableFlags_Hideable | ImGuiTableFlags_Resizable |
                                ImGuiTableFlags_Reorderable | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX |
                                ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("runs", kRunColumnCount, flags, ImVec2(0, 0))) return;
  for (int c = 0; c < kRunColumnCount; ++c) {
    const auto col = static_cast<RunColumn>(c);
    ImGuiTableColumnFlags cf = ImGuiTableColumnFlags_None;
    if (col == RunColumn::Start)
      cf |= ImGuiTableColumnFlags_DefaultSort | ImGuiTableColumnFlags_PreferSortDescending;
    if (col == RunColumn::Name) cf |= ImGuiTableColumnFlags_NoHide;
    ImGui::TableSetupColumn(column_title(col), cf, 0.0f, static_cast<ImGuiID>(c));
  }
  // The columns menu and the headers' right-click menu both choose columns: the settings are
  // applied once (and after the menu changed them), then follow what the table shows.
  columns_shown_.clear();
  for (int c = 0; c < kRunColumnCount; ++c) {
    const std::string title = column_title(static_cast<RunColumn>(c));
    auto& hidden = settings_.hidden_columns;
    const bool hide = std::find(hidden.begin(), hidden.end(), title) != hidden.end();
    if (!columns_applied_) {
      ImGui::TableSetColumnEnabled(c, c == 0 || !hide);
      if (c == 0 || !hide) columns_shown_.push_back(title);
      continue;
    }
    const bool enabled = (ImGui::TableGetColumnFlags(c) & ImGuiTableColumnFlags_IsEnabled) != 0;
    if (enabled == hide) {
      hidden.erase(std::remove(hidden.begin(), hidden.end(), title), hidden.end());
      if (!enabled) hidden.push_back(title);
    }
    if (enabled) columns_shown_.push_back(title);
  }
  columns_applied_ = true;
  ImGui::TableSetupScrollFreeze(1, 2);
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  for (int c = 0; c < kRunColumnCount; ++c) {
    if (!ImGui::TableSetColumnIndex(c)) continue;
    ImGui::PushID(c);
    ImGui::TableHeader(column_title(static_cast<RunColumn>(c)));
    const char* help = column_help(static_cast<RunColumn>(c));
    if (*help && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", help);
    ImGui::PopID();
  }

  // Per-column filters in a second header row.
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  for (int c = 0; c < kRunColumnCount; ++c) {
    if (!ImGui::TableSetColumnIndex(c)) continue;
    ImGui::PushID(c);
    ImGui::SetNextItemWidth(-FLT_MIN);
    auto& f = column_filters_[static_cast<std::size_t>(c)];
    const bool numeric = is_numeric_column(static_cast<RunColumn>(c));
    if (ImGui::InputTextWithHint("##cf", numeric ? ">x, a..b" : "filter", &f)) {
      table_.set_column_filter(static_cast<RunColumn>(c), f);
    }
    ImGui::PopID();
  }

  if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsDirty) {
    std::vector<SortSpec> sort;
    for (int i = 0; i < specs->SpecsCount; ++i) {
      const ImGuiTableColumnSortSpecs& s = specs->Specs[i];
      sort.push_back({static_cast<RunColumn>(s.ColumnUserID),
                      s.SortDirection == ImGuiSortDirection_Descending});
    }
    table_.set_sort(sort);
    specs->SpecsDirty = false;
  }

  const std::vector<std::size_t>& visible = table_.visible();
  order_.clear();
  for (std::size_t i : visible) order_.push_back(table_.rows()[i].id);
  table_rows_drawn_.clear();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(visible.size()));
  while (clipper.Step()) {
    for (int k = clipper.DisplayStart; k < clipper.DisplayEnd; ++k) {
      const RunRow& r = table_.rows()[visible[static_cast<std::size_t>(k)]];
      table_rows_drawn_.push_back(r.name);
      ImGui::TableNextRow();
      ImGui::PushID(static_cast<int>(r.id));
      ImGui::TableSetColumnIndex(0);
      const bool selected = selection_.contains(r.id);
      // The swatch shows the run's line colour in the charts.
      const auto color = run_colors_.find(r.id);
      if (selected && color != run_colors_.end()) {
        ImGui::ColorButton("##sw", ImGui::ColorConvertU32ToFloat4(palette_color(color->second)),
                           ImGuiColorEditFlags_NoTooltip | ImGuiColorEditFlags_NoBorder,
                           ImVec2(12, ImGui::GetTextLineHeight()));
      } else {
        ImGui::Dummy(ImVec2(12, ImGui::GetTextLineHeight()));
      }
      ImGui::SameLine();
      if (ImGui::Selectable(r.name.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns)) {
        const ImGuiIO& io = ImGui::GetIO();
        selection_.click(r.id, io.KeyCtrl, io.KeyShift, order_);
      }
      if (!r.error.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", r.error.c_str());
      for (int c = 1; c < kRunColumnCount; ++c) {
        if (!ImGui::TableSetColumnIndex(c)) continue;
        const auto col = static_cast<RunColumn>(c);
        const std::string text = cell_text(r, col);
        if (col == RunColumn::Status) {
          ImGui::TextColored(status_color(r.status), "%s", text.c_str());
        } else {
          ImGui::TextUnformatted(text.c_str());
        }
      }
      ImGui::PopID();
    }
  }
  ImGui::EndTable();
}

}  // namespace rein::dashboard
