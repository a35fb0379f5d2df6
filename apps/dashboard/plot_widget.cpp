// ImDrawList plotting widget: input handling and drawing (maths in plot_math / chart_model).
#include "apps/dashboard/plot_widget.h"

#include <algorithm>
#include <cmath>

#include "tracker/run_facts.h"

namespace rein::dashboard {

namespace {

// Tableau 10, the categorical palette matplotlib uses by default.
constexpr unsigned char kPalette[10][3] = {
    {31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
    {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};

constexpr float kLeftMargin = 58.0f;    // room for y tick labels
constexpr float kBottomMargin = 36.0f;  // x tick labels, then the x axis title
constexpr float kTopMargin = 20.0f;     // the y axis title
constexpr float kRightMargin = 26.0f;   // half of the last x label
constexpr float kMarkerRadius = 4.0f;   // points of sparse series

std::string x_label(double v, double step, XLabels kind, double span) {
  switch (kind) {
    case XLabels::Clock:
      return format_clock(v, span > 86400.0);
    case XLabels::Duration:
      return tracker::format_duration(v);  // relative-time axis
    case XLabels::Number:
      break;
  }
  return format_tick(v, step);
}

const char* x_title(XLabels kind) {
  switch (kind) {
    case XLabels::Clock:
      return "wall time";
    case XLabels::Duration:
      return "time since start";
    case XLabels::Number:
      break;
  }
  return "step";
}

}  // namespace

ImU32 palette_color(int index, float alpha) {
  const auto& c = kPalette[((index % 10) + 10) % 10];
  return IM_COL32(c[0], c[1], c[2], static_cast<int>(alpha * 255.0f));
}

void palette_rgb(int index, unsigned char rgb[3]) {
  const auto& c = kPalette[((index % 10) + 10) % 10];
  rgb[0] = c[0];
  rgb[1] = c[1];
  rgb[2] = c[2];
}

void Plot::begin(const char* id, ImVec2 size, PlotView& view, Range data_x, Range data_y,
                 XLabels x_labels, const char* title) {
  dl_ = ImGui::GetWindowDrawList();
  frame_min_ = ImGui::GetCursorScreenPos();
  size.x = std::max(size.x, 120.0f);
  size.y = std::max(size.y, 80.0f);
  frame_max_ = ImVec2(frame_min_.x + size.x, frame_min_.y + size.y);
  min_ = ImVec2(std::floor(frame_min_.x + kLeftMargin), std::floor(frame_min_.y + kTopMargin));
  max_ = ImVec2(std::floor(frame_max_.x - kRightMargin), std::floor(frame_max_.y - kBottomMargin));
  width_ = std::max(1, static_cast<int>(max_.x - min_.x));

  view.set_data_bounds(data_x, data_y);
  ImGui::InvisibleButton(id, size,
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight |
                             ImGuiButtonFlags_MouseButtonMiddle);
  hovered_ = ImGui::IsItemHovered();
  xmap_ = AxisMap(view.x(), min_.x, max_.x, Scale::Linear);
  ymap_ = AxisMap(view.y(), max_.y, min_.y, view.y_scale());
  handle_input(view);
  xmap_ = AxisMap(view.x(), min_.x, max_.x, Scale::Linear);
  ymap_ = AxisMap(view.y(), max_.y, min_.y, view.y_scale());
  draw_axes(x_labels, title);
}

void Plot::handle_input(PlotView& view) {
  const ImGuiIO& io = ImGui::GetIO();
  const ImVec2 m = io.MousePos;
  const bool in_area = hovered_ && m.x >= min_.x && m.x <= max_.x && m.y >= min_.y && m.y <= max_.y;
  if (in_area && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
    view.reset();
    return;
  }
  if (in_area && io.MouseWheel != 0.0f) {
    const double factor = std::pow(0.85, static_cast<double>(io.MouseWheel));
    view.zoom_around(xmap_.to_data(m.x), ymap_.to_data(m.y), factor);
  }
  if (ImGui::IsItemActive() && (ImGui::IsMouseDragging(ImGuiMouseButton_Right) ||
                                ImGui::IsMouseDragging(ImGuiMouseButton_Middle))) {
    view.pan_pixels(io.MouseDelta.x, io.MouseDelta.y, max_.x - min_.x, max_.y - min_.y);
  }
  // Box zoom: drag with the left button; a flat box zooms x only.
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 2.0f)) {
    const ImVec2 a = io.MouseClickedPos[ImGuiMouseButton_Left];
    dl_->AddRectFilled(ImVec2(std::min(a.x, m.x), std::min(a.y, m.y)),
                       ImVec2(std::max(a.x, m.x), std::max(a.y, m.y)), IM_COL32(80, 120, 200, 50));
    dl_->AddRect(ImVec2(std::min(a.x, m.x), std::min(a.y, m.y)),
                 ImVec2(std::max(a.x, m.x), std::max(a.y, m.y)), IM_COL32(80, 120, 200, 200));
  }
  if (ImGui::IsItemDeactivated() && ImGui::IsMouseReleased(ImGuiMouseButton_Left)) {
    const ImVec2 a = io.MouseClickedPos[ImGuiMouseButton_Left];
    if (std::abs(m.x - a.x) > 4.0f) {
      const Range x{xmap_.to_data(a.x), xmap_.to_data(m.x)};
      const Range y =
          std::abs(m.y - a.y) > 4.0f ? Range{ymap_.to_data(a.y), ymap_.to_data(m.y)} : view.y();
      view.zoom_to(x, y);
    }
  }
}

void Plot::draw_axes(XLabels x_labels, const char* title) {
  const ImU32 grid = IM_COL32(128, 128, 128, 45);
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  dl_->AddRectFilled(min_, max_, IM_COL32(255, 255, 255, 8));
  // Axis titles: the metric above the y axis, the x quantity centred under its labels.
  if (title) dl_->AddText(ImVec2(frame_min_.x + 4, frame_min_.y + 2), text, title);
  const char* xt_text = x_title(x_labels);
  const ImVec2 xts = ImGui::CalcTextSize(xt_text);
  dl_->AddText(ImVec2((min_.x + max_.x - xts.x) / 2, frame_max_.y - xts.y - 1), dim, xt_text);

  const Range xr = xmap_.data();
  const int x_target = std::max(2, width_ / 110);
  const std::vector<double> xt = linear_ticks(xr.min, xr.max, x_target);
  const double xstep = xt.size() >= 2 ? xt[1] - xt[0] : nice_step(xr.span(), x_target);
  const std::vector<std::string> xnum = format_ticks(xt, xstep);
  for (std::size_t i = 0; i < xt.size(); ++i) {
    const double v = xt[i];
    const float px = static_cast<float>(xmap_.to_pixel(v));
    dl_->AddLine(ImVec2(px, min_.y), ImVec2(px, max_.y), grid);
    const std::string label =
        x_labels == XLabels::Number ? xnum[i] : x_label(v, xstep, x_labels, xr.span());
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    const float tx = std::clamp(px - ts.x / 2, frame_min_.x, frame_max_.x - ts.x);
    dl_->AddText(ImVec2(tx, max_.y + 3), dim, label.c_str());
  }
  const Range yr = ymap_.data();
  const int y_target = std::max(2, static_cast<int>((max_.y - min_.y) / 40));
  const bool log = ymap_.scale() == Scale::Log10;
  const std::vector<double> yt =
      log ? log_ticks(yr.min, yr.max, y_target) : linear_ticks(yr.min, yr.max, y_target);
  const double ystep = !log && yt.size() >= 2 ? yt[1] - yt[0] : nice_step(yr.span(), y_target);
  const std::vector<std::string> ynum = format_ticks(yt, ystep);
  for (std::size_t i = 0; i < yt.size(); ++i) {
    const double v = yt[i];
    const float py = static_cast<float>(ymap_.to_pixel(v));
    dl_->AddLine(ImVec2(min_.x, py), ImVec2(max_.x, py), grid);
    const std::string label = log ? format_value(v) : ynum[i];
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    dl_->AddText(ImVec2(min_.x - ts.x - 4, py - ts.y / 2), dim, label.c_str());
  }
  dl_->AddRect(min_, max_, IM_COL32(128, 128, 128, 120));
}

void Plot::polyline(const std::vector<PixelPoint>& pts, ImU32 color, float thickness) {
  std::size_t i = 0;
  while (i < pts.size()) {
    scratch_.clear();
    for (; i < pts.size() && std::isfinite(pts[i].y); ++i)
      scratch_.emplace_back(pts[i].x, pts[i].y);
    if (scratch_.size() == 1) {
      dl_->AddCircleFilled(scratch_[0], thickness, color, 6);
    } else if (scratch_.size() > 1) {
      dl_->AddPolyline(scratch_.data(), static_cast<int>(scratch_.size()), color, ImDrawFlags_None,
                       thickness);
    }
    ++i;  // skip the NaN separator
  }
}

void Plot::draw(const std::vector<ChartLine>& lines, std::uint64_t generation) {
  legend_hovered_ = false;
  dl_->PushClipRect(min_, max_, true);
  for (const ChartLine& l : lines) {
    const ImU32 fill = palette_color(l.color, 0.22f);
    for (std::size_t i = 0; i + 1 < l.band_x.size(); ++i) {
      // Adjacent columns only: a gap in the data leaves a gap in the band.
      if (l.band_x[i + 1] - l.band_x[i] > 1.5f) continue;
      dl_->AddQuadFilled(
          ImVec2(l.band_x[i], l.band_lo[i]), ImVec2(l.band_x[i + 1], l.band_lo[i + 1]),
          ImVec2(l.band_x[i + 1], l.band_hi[i + 1]), ImVec2(l.band_x[i], l.band_hi[i]), fill);
    }
  }
  for (const ChartLine& l : lines) polyline(l.raw, palette_color(l.color, 0.25f), 1.0f);
  for (const ChartLine& l : lines) polyline(l.line, palette_color(l.color), 2.0f);
  dl_->PopClipRect();
  // Markers whose centre is in the data area are drawn whole, even at its edges (a final-only
  // evaluation sits on the right edge).
  const float r = kMarkerRadius;
  dl_->PushClipRect(ImVec2(min_.x - r - 1, min_.y - r - 1), ImVec2(max_.x + r + 1, max_.y + r + 1),
                    true);
  const ImU32 ring = ImGui::GetColorU32(ImGuiCol_WindowBg);
  for (const ChartLine& l : lines) {
    for (const PixelPoint& p : l.marks) {
      if (!(p.x >= min_.x - 0.5f && p.x <= max_.x + 0.5f && p.y >= min_.y - 0.5f &&
            p.y <= max_.y + 0.5f)) {
        continue;  // outside the view (decimate() keeps a neighbour past each edge)
      }
      dl_->AddCircleFilled(ImVec2(p.x, p.y), r + 1.0f, ring, 12);
      dl_->AddCircleFilled(ImVec2(p.x, p.y), r, palette_color(l.color), 12);
    }
  }
  dl_->PopClipRect();

  // Legend: in the corner of the data area that hides the fewest points. Long labels (hyper-
  // parameter differences) are cut at 70% of the width: the Compare tab shows them in full.
  if (lines.empty()) return;
  const float line_h = ImGui::GetTextLineHeight();
  float text_w = 0;
  for (const ChartLine& l : lines)
    text_w = std::max(text_w, ImGui::CalcTextSize(l.label.c_str()).x);
  const float w = std::min(text_w + 34, 0.7f * (max_.x - min_.x));
  const float h = line_h * static_cast<float>(lines.size()) + 6;
  if (generation != legend_generation_ || w != legend_w_ || h != legend_h_) {
    legend_at_ = legend_position(lines, {min_.x, min_.y}, {max_.x, max_.y}, w, h, 6.0f);
    legend_generation_ = generation;
    legend_w_ = w;
    legend_h_ = h;
  }
  const ImVec2 p(legend_at_.x, legend_at_.y);
  dl_->AddRectFilled(p, ImVec2(p.x + w, p.y + h), ImGui::GetColorU32(ImGuiCol_WindowBg, 0.8f));
  dl_->PushClipRect(p, ImVec2(p.x + w - 4, p.y + h), true);
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  legend_hovered_ =
      hovered_ && mouse.x >= p.x && mouse.x <= p.x + w && mouse.y >= p.y && mouse.y <= p.y + h;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const float y = p.y + 3 + line_h * static_cast<float>(i);
    dl_->AddLine(ImVec2(p.x + 4, y + line_h / 2), ImVec2(p.x + 24, y + line_h / 2),
                 palette_color(lines[i].color), 3.0f);
    if (!lines[i].marks.empty()) {
      dl_->AddCircleFilled(ImVec2(p.x + 14, y + line_h / 2), r, palette_color(lines[i].color), 12);
    }
    dl_->AddText(ImVec2(p.x + 28, y), ImGui::GetColorU32(ImGuiCol_Text), lines[i].label.c_str());
    // Cut labels (kLabelChars, or the legend's width) show in full on hover.
    if (legend_hovered_ && mouse.y >= y && mouse.y < y + line_h) {
      ImGui::SetTooltip("%s", lines[i].full_label.c_str());
    }
  }
  dl_->PopClipRect();
}

bool Plot::hovered_x(double& x) const {
  const ImVec2 m = ImGui::GetIO().MousePos;
  if (!hovered_ || legend_hovered_ || m.x < min_.x || m.x > max_.x || m.y < min_.y || m.y > max_.y)
    return false;
  x = xmap_.to_data(m.x);
  return true;
}

void Plot::tooltip(const std::vector<HoverValue>& values, XLabels x_labels) const {
  const ImVec2 m = ImGui::GetIO().MousePos;
  dl_->AddLine(ImVec2(m.x, min_.y), ImVec2(m.x, max_.y), IM_COL32(160, 160, 160, 140));
  if (values.empty()) return;
  ImGui::BeginTooltip();
  const double x = xmap_.to_data(m.x);
  const Range xr = xmap_.data();
  ImGui::TextDisabled("x = %s", x_label(x, nice_step(xr.span(), 200), x_labels, xr.span()).c_str());
  for (const HoverValue& v : values) {
    ImGui::ColorButton("##c", ImGui::ColorConvertU32ToFloat4(palette_color(v.color)),
                       ImGuiColorEditFlags_NoTooltip, ImVec2(10, 10));
    ImGui::SameLine();
    if (v.is_iqm) {
      ImGui::Text("%s  IQM %s  [%s, %s] 95%% CI", v.label.c_str(), format_value(v.y).c_str(),
                  format_value(v.lo).c_str(), format_value(v.hi).c_str());
    } else if (v.is_group) {
      ImGui::Text("%s  mean %s ± %s", v.label.c_str(), format_value(v.y).c_str(),
                  format_value(v.std).c_str());
    } else {
      const std::string at =
          x_labels == XLabels::Number ? format_value(v.x) : x_label(v.x, 1.0, x_labels, xr.span());
      ImGui::Text("%s  %s  (at %s)", v.label.c_str(), format_value(v.y).c_str(), at.c_str());
    }
  }
  ImGui::EndTooltip();
}

}  // namespace rein::dashboard
