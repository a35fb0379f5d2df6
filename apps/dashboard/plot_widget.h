// A small reusable plotting widget drawn with ImGui's ImDrawList (ImPlot is not packaged): axes
// with nice ticks, lines, shaded bands, legend, hover read-out, box zoom (left drag), pan (right
// or middle drag), wheel zoom, reset (double-click) and log-y. The maths lives in plot_math.h
// and chart_model.h; this file only handles input and draws.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string>
#include <vector>

#include "apps/dashboard/chart_model.h"
#include "apps/dashboard/plot_math.h"
#include "apps/dashboard/series.h"

namespace rein::dashboard {

// The categorical palette for runs and groups (Tableau 10), as 0xAABBGGRR ImU32 colours.
ImU32 palette_color(int index, float alpha = 1.0f);
// The same colour as 8-bit RGB, for the screenshot sidecar.
void palette_rgb(int index, unsigned char rgb[3]);

// How x tick labels read: numbers (steps), clock times (wall time) or durations.
enum class XLabels { Number, Clock, Duration };

class Plot {
 public:
  // Lays out a plot of `size` at the cursor, handles input on it, and draws the frame, grid,
  // tick labels and axis titles (`title` above the y axis, the x quantity below the x axis). After
  // it, xmap()/ymap() map data to screen pixels and width() is the number of pixel columns of the
  // data area.
  void begin(const char* id, ImVec2 size, PlotView& view, Range data_x, Range data_y,
             XLabels x_labels, const char* title);
  // Bands first, then faint raw curves, then lines, then the legend. `generation` changes
  // whenever `lines` is rebuilt: the legend's corner is searched again only then.
  void draw(const std::vector<ChartLine>& lines, std::uint64_t generation);
  // If the mouse is over the data area: a vertical rule and a tooltip with `values`.
  bool hovered_x(double& x) const;
  void tooltip(const std::vector<HoverValue>& values, XLabels x_labels) const;

  const AxisMap& xmap() const { return xmap_; }
  const AxisMap& ymap() const { return ymap_; }
  int width() const { return width_; }
  ImVec2 area_min() const { return min_; }
  ImVec2 area_max() const { return max_; }

 private:
  void handle_input(PlotView& view);
  void draw_axes(XLabels x_labels, const char* title);
  void polyline(const std::vector<PixelPoint>& pts, ImU32 color, float thickness);

  ImDrawList* dl_ = nullptr;
  ImVec2 frame_min_, frame_max_;  // the whole widget
  ImVec2 min_, max_;              // the data area
  AxisMap xmap_, ymap_;
  int width_ = 0;
  bool hovered_ = false;
  bool legend_hovered_ = false;  // the mouse is over the legend: its tooltip, not the values
  std::vector<ImVec2> scratch_;
  // Where the legend went, and for which lines and box size (a search reads every point).
  PixelPoint legend_at_;
  std::uint64_t legend_generation_ = 0;
  float legend_w_ = -1.0f, legend_h_ = -1.0f;
};

}  // namespace rein::dashboard
