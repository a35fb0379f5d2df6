// The sweep view's geometry without a window: one vertical axis per searched parameter (log
// axes for log scales, evenly spaced categories for choices) and one for the objective, each
// trial a polyline across them coloured by its objective's rank on a perceptual colour map
// (viridis; pruned, failed and running trials grey), hit testing of the polylines, a
// parameter-vs-objective scatter per parameter, and the trial table's order. The GUI
// (sweep_panel.cpp) only draws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "apps/dashboard/plot_math.h"
#include "apps/dashboard/series.h"
#include "apps/dashboard/view_model.h"
#include "session/sweep_analysis.h"
#include "session/sweep_spec.h"
#include "tracker/sweep_store.h"

namespace rein::dashboard {

struct Rgb {
  unsigned char r = 0, g = 0, b = 0;
};
// Viridis (matplotlib's default colour map) at t in [0, 1]: dark purple at 0, yellow at 1,
// perceptually uniform and readable by the colour-blind. t outside is clamped, NaN gives 0.
Rgb viridis(double t);
// The colour of trials that have no objective (pruned, failed, running).
inline constexpr Rgb kGreyTrial{110, 110, 118};

// A sweep as the dashboard reads it from the tracker.
struct SweepData {
  tracker::SweepInfo info;
  session::SweepSpec spec;
  std::vector<tracker::TrialInfo> trials;
};
// Reads sweep `id`. Throws tracker::Error or rein::Error (an unreadable spec) with the reason.
SweepData load_sweep(tracker::SweepStore& store, std::int64_t id);

// One vertical axis. Values map to a fraction of its height (0 bottom, 1 top).
struct ParamAxis {
  enum class Kind { Linear, Log, Categorical };
  std::string name;
  Kind kind = Kind::Linear;
  Range range;  // Linear, Log: the values at the ends; Categorical: [0, n - 1]
  std::vector<std::string> categories;
  std::vector<double> tick_fractions;
  std::vector<std::string> tick_labels;
  // A value (a category's index for Categorical) as a fraction; NaN stays NaN.
  double fraction(double value) const;
};

// The axis of a searched parameter: the spec's bounds, on a log scale for log_uniform and
// int with log = true; a choice's values as evenly spaced categories in the spec's order.
ParamAxis param_axis(const session::SearchParam& param);
// The objective's axis over the values seen (padded a little), or [0, 1] with none.
ParamAxis objective_axis(const std::string& metric, const std::vector<double>& values);

// One trial across the axes.
struct TrialLine {
  std::int64_t number = 0;
  tracker::TrialStatus status = tracker::TrialStatus::Running;
  std::optional<double> objective;  // complete trials only (a pruned value is another metric's)
  double colour_t = 0;              // position on the colour map; NaN when greyed
  Rgb colour = kGreyTrial;
  std::vector<double> fractions;   // one per axis; NaN where it has no value (and on the
                                   // objective axis when greyed)
  std::vector<PixelPoint> points;  // after layout(); NaN coordinates where the fraction is NaN
};

class SweepModel {
 public:
  // Axes, lines in drawing order (grey ones first, then coloured from worst to best, so the best
  // trial is drawn on top), the colour scale and the scatter data.
  void build(const SweepData& data);

  const std::vector<ParamAxis>& axes() const { return axes_; }  // params, then the objective
  const std::vector<TrialLine>& lines() const { return lines_; }
  std::size_t params() const { return params_; }
  bool maximize() const { return maximize_; }
  // The colour map's position of an objective value, by rank among the complete trials' values
  // (their empirical distribution), so that one outlier does not wash out the rest: the best
  // value seen at 1 (yellow), the worst at 0, in either direction, the others evenly spaced by
  // rank (tied values share their mean rank); a value between two seen values is placed
  // linearly between their positions. All values equal: 1.
  double colour_t(double objective) const;
  const Range& objective_range() const { return objective_range_; }

  // Places the axes evenly across [lo.x, hi.x] (the first at lo.x, the last at hi.x) and maps
  // fractions to pixel rows (1 at lo.y, 0 at hi.y): fills every line's points.
  void layout(PixelPoint lo, PixelPoint hi);
  const std::vector<float>& axis_x() const { return axis_x_; }
  float axis_y(double fraction) const;

  // The trial whose polyline passes nearest to `p`, if within `tolerance` pixels; among equally
  // near ones (within a quarter pixel), the one drawn last (on top). Returns an index into
  // lines().
  std::optional<std::size_t> hit(PixelPoint p, float tolerance) const;

  // The parameter-vs-objective scatter of parameter `param` laid out in [lo, hi]: x on the
  // parameter's axis (left to right), y on the objective's (bottom to top), complete trials only.
  struct ScatterPoint {
    std::size_t line = 0;  // index into lines()
    PixelPoint at;
  };
  std::vector<ScatterPoint> scatter(std::size_t param, PixelPoint lo, PixelPoint hi) const;
  // Each parameter's effect on the objective (rank correlation, levels), as `rein sweep show`.
  const std::vector<session::ParamEffect>& effects() const { return effects_; }

 private:
  std::vector<ParamAxis> axes_;
  std::vector<TrialLine> lines_;
  std::vector<session::ParamEffect> effects_;
  std::vector<float> axis_x_;
  float top_ = 0, bottom_ = 1;
  std::size_t params_ = 0;
  bool maximize_ = true;
  Range objective_range_{0, 0};
  // The distinct objective values of the complete trials, ascending, with the colour map's
  // position of each (worst 0, best 1, by mean rank).
  std::vector<std::pair<double, double>> colour_ranks_;
};

// The trial table's columns: the trial's number, status, objective, env steps, then one per
// parameter (TrialColumn::Param + k).
enum class TrialColumn { Number = 0, Status, Objective, Steps, Param };
// Indices into `data.trials` in table order. Sorting by the objective puts trials without one
// last in either direction, by number; `best_first` is the order the table opens with (the
// complete trials best first, then the others by number). Ties keep trial order.
std::vector<std::size_t> trial_order(const SweepData& data, int column, bool descending);
std::vector<std::size_t> best_first(const SweepData& data);

// Ids of the runs of the given trials (their tag trial:<sweep>.<number>) among `rows`.
std::vector<std::int64_t> trial_run_ids(const std::vector<RunRow>& rows, std::int64_t sweep_id,
                                        const std::set<std::int64_t>& numbers);

}  // namespace rein::dashboard
