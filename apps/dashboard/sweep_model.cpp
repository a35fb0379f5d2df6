// The sweep view's geometry (sweep_model.h).
#include "apps/dashboard/sweep_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace rein::dashboard {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Viridis at nine evenly spaced points (the published colour map's values); linear between.
constexpr Rgb kViridis[] = {{0x44, 0x01, 0x54}, {0x47, 0x2d, 0x7b}, {0x3b, 0x52, 0x8b},
                            {0x2c, 0x72, 0x8e}, {0x21, 0x90, 0x8c}, {0x27, 0xad, 0x81},
                            {0x5d, 0xc8, 0x63}, {0xaa, 0xdc, 0x32}, {0xfd, 0xe7, 0x25}};

// Distance from p to the segment a-b, in pixels.
float segment_distance(PixelPoint p, PixelPoint a, PixelPoint b) {
  const float dx = b.x - a.x, dy = b.y - a.y;
  const float len2 = dx * dx + dy * dy;
  float t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0.0f;
  t = std::clamp(t, 0.0f, 1.0f);
  const float ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y;
  return std::sqrt(ex * ex + ey * ey);
}

bool finite(PixelPoint p) { return std::isfinite(p.x) && std::isfinite(p.y); }

// Status order of the table: complete, pruned, running, failed.
int status_rank(tracker::TrialStatus s) {
  switch (s) {
    case tracker::TrialStatus::Complete:
      return 0;
    case tracker::TrialStatus::Pruned:
      return 1;
    case tracker::TrialStatus::Running:
      return 2;
    case tracker::TrialStatus::Failed:
      break;
  }
  return 3;
}

double objective_of(const tracker::TrialInfo& t) {
  return t.status == tracker::TrialStatus::Complete && t.value && std::isfinite(*t.value) ? *t.value
                                                                                          : kNaN;
}

std::string number_text(double v) { return session::display_text(tracker::ParamValue(v)); }

}  // namespace

Rgb viridis(double t) {
  if (std::isnan(t)) t = 0;
  const double x = std::clamp(t, 0.0, 1.0) * 8.0;
  const int i = std::min(7, static_cast<int>(x));
  const double f = x - i;
  const Rgb& a = kViridis[i];
  const Rgb& b = kViridis[i + 1];
  auto mix = [f](unsigned char u, unsigned char v) {
    return static_cast<unsigned char>(std::lround(u + (v - u) * f));
  };
  return {mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)};
}

SweepData load_sweep(tracker::SweepStore& store, std::int64_t id) {
  SweepData d;
  d.info = store.resolve_sweep(std::to_string(id));
  d.spec = session::parse_sweep_spec(d.info.spec, "sweep " + std::to_string(id));
  d.trials = store.trials(id);
  return d;
}

double ParamAxis::fraction(double value) const {
  if (std::isnan(value)) return kNaN;
  switch (kind) {
    case Kind::Categorical:
      return (value + 0.5) / static_cast<double>(std::max<std::size_t>(1, categories.size()));
    case Kind::Log:
      if (value <= 0) return kNaN;
      return (std::log(value) - std::log(range.min)) / (std::log(range.max) - std::log(range.min));
    case Kind::Linear:
      break;
  }
  return (value - range.min) / range.span();
}

ParamAxis param_axis(const session::SearchParam& p) {
  using Kind = session::SearchParam::Kind;
  ParamAxis a;
  a.name = p.name;
  if (p.kind == Kind::Choice) {
    a.kind = ParamAxis::Kind::Categorical;
    a.range = {0.0, static_cast<double>(p.choices.size()) - 1.0};
    for (const tracker::ParamValue& c : p.choices) a.categories.push_back(session::display_text(c));
    for (std::size_t i = 0; i < a.categories.size(); ++i)
      a.tick_fractions.push_back(a.fraction(static_cast<double>(i)));
    a.tick_labels = a.categories;
    return a;
  }
  a.kind = p.kind == Kind::LogUniform || p.log ? ParamAxis::Kind::Log : ParamAxis::Kind::Linear;
  a.range = {p.low, p.high};
  if (a.kind == ParamAxis::Kind::Log) {
    for (double t : log_ticks(p.low, p.high, 5)) {
      a.tick_fractions.push_back(a.fraction(t));
      a.tick_labels.push_back(number_text(t));
    }
  } else {
    const std::vector<double> ticks = linear_ticks(p.low, p.high, 5);
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : a.range.span();
    a.tick_labels = format_ticks(ticks, step);
    for (double t : ticks) a.tick_fractions.push_back(a.fraction(t));
  }
  // The bounds of the search space are labelled too, unless a tick is close to them.
  const auto& f = a.tick_fractions;
  if (std::none_of(f.begin(), f.end(), [](double x) { return x < 0.12; })) {
    a.tick_fractions.insert(a.tick_fractions.begin(), 0.0);
    a.tick_labels.insert(a.tick_labels.begin(), number_text(p.low));
  }
  if (std::none_of(f.begin(), f.end(), [](double x) { return x > 0.88; })) {
    a.tick_fractions.push_back(1.0);
    a.tick_labels.push_back(number_text(p.high));
  }
  return a;
}

ParamAxis objective_axis(const std::string& metric, const std::vector<double>& values) {
  ParamAxis a;
  a.name = metric;
  Range r{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    r.min = std::min(r.min, v);
    r.max = std::max(r.max, v);
  }
  a.range = padded_range(r, 0.05, Scale::Linear);
  const std::vector<double> ticks = linear_ticks(a.range.min, a.range.max, 5);
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : a.range.span();
  a.tick_labels = format_ticks(ticks, step);
  for (double t : ticks) a.tick_fractions.push_back(a.fraction(t));
  return a;
}

void SweepModel::build(const SweepData& data) {
  maximize_ = data.spec.maximize;
  params_ = data.spec.space.size();
  axes_.clear();
  for (const session::SearchParam& p : data.spec.space) axes_.push_back(param_axis(p));
  std::vector<double> objectives;
  for (const tracker::TrialInfo& t : data.trials) objectives.push_back(objective_of(t));
  axes_.push_back(objective_axis(data.spec.metric, objectives));

  objective_range_ = {std::numeric_limits<double>::infinity(),
                      -std::numeric_limits<double>::infinity()};
  for (double v : objectives) {
    if (std::isnan(v)) continue;
    objective_range_.min = std::min(objective_range_.min, v);
    objective_range_.max = std::max(objective_range_.max, v);
  }

  // Ranks of the complete trials' values for the colour map: ties share their mean rank.
  std::vector<double> seen;
  for (double v : objectives)
    if (!std::isnan(v)) seen.push_back(v);
  std::sort(seen.begin(), seen.end());
  colour_ranks_.clear();
  for (std::size_t i = 0; i < seen.size();) {
    std::size_t j = i;
    while (j < seen.size() && seen[j] == seen[i]) ++j;
    colour_ranks_.emplace_back(seen[i], 0.5 * static_cast<double>(i + j - 1));
    i = j;
  }
  if (colour_ranks_.size() > 1) {
    const double low = colour_ranks_.front().second, span = colour_ranks_.back().second - low;
    for (auto& [value, t] : colour_ranks_) t = (t - low) / span;
  }

  lines_.clear();
  for (const tracker::TrialInfo& t : data.trials) {
    TrialLine l;
    l.number = t.number;
    l.status = t.status;
    const double objective = objective_of(t);
    if (!std::isnan(objective)) l.objective = objective;
    for (std::size_t k = 0; k < params_; ++k) {
      const session::SearchParam& p = data.spec.space[k];
      double v = session::trial_internal(p, t);
      // The axes take values (a category's index): undo the internal logarithm.
      if (axes_[k].kind == ParamAxis::Kind::Log) v = std::exp(v);
      l.fractions.push_back(axes_[k].fraction(v));
    }
    l.fractions.push_back(l.objective ? axes_.back().fraction(*l.objective) : kNaN);
    l.colour_t = l.objective ? colour_t(*l.objective) : kNaN;
    l.colour = l.objective ? viridis(l.colour_t) : kGreyTrial;
    lines_.push_back(std::move(l));
  }
  // Grey first, then coloured from worst to best: the best is drawn last, on top.
  std::stable_sort(lines_.begin(), lines_.end(), [](const TrialLine& a, const TrialLine& b) {
    const double ka = std::isnan(a.colour_t) ? -1.0 : a.colour_t;
    const double kb = std::isnan(b.colour_t) ? -1.0 : b.colour_t;
    return ka < kb;
  });

  effects_.clear();
  const auto ranked = session::ranked_trials(data.trials, maximize_);
  for (const session::SearchParam& p : data.spec.space)
    effects_.push_back(session::param_effect(p, ranked, maximize_));
}

double SweepModel::colour_t(double objective) const {
  if (colour_ranks_.size() < 2) return 1.0;
  double up = 0.0;  // the position from the smallest value up
  if (objective >= colour_ranks_.back().first) {
    up = 1.0;
  } else if (objective > colour_ranks_.front().first) {
    const auto above =
        std::upper_bound(colour_ranks_.begin(), colour_ranks_.end(), objective,
                         [](double v, const std::pair<double, double>& r) { return v < r.first; });
    const auto below = above - 1;
    up = below->second + (above->second - below->second) * (objective - below->first) /
                             (above->first - below->first);
  }
  return maximize_ ? up : 1.0 - up;
}

float SweepModel::axis_y(double fraction) const {
  return static_cast<float>(bottom_ - fraction * (bottom_ - top_));
}

void SweepModel::layout(PixelPoint lo, PixelPoint hi) {
  top_ = lo.y;
  bottom_ = hi.y;
  axis_x_.clear();
  const std::size_t n = axes_.size();
  for (std::size_t k = 0; k < n; ++k) {
    const float f = n > 1 ? static_cast<float>(k) / static_cast<float>(n - 1) : 0.5f;
    axis_x_.push_back(lo.x + f * (hi.x - lo.x));
  }
  for (TrialLine& l : lines_) {
    l.points.clear();
    for (std::size_t k = 0; k < l.fractions.size(); ++k) {
      const double f = l.fractions[k];
      l.points.push_back(std::isnan(f) ? PixelPoint{NAN, NAN} : PixelPoint{axis_x_[k], axis_y(f)});
    }
  }
}

std::optional<std::size_t> SweepModel::hit(PixelPoint p, float tolerance) const {
  std::optional<std::size_t> best;
  float best_d = tolerance;
  for (std::size_t i = lines_.size(); i-- > 0;) {  // topmost first: it wins ties
    const std::vector<PixelPoint>& pts = lines_[i].points;
    for (std::size_t k = 0; k < pts.size(); ++k) {
      if (!finite(pts[k])) continue;
      const bool next = k + 1 < pts.size() && finite(pts[k + 1]);
      const float d =
          next ? segment_distance(p, pts[k], pts[k + 1]) : segment_distance(p, pts[k], pts[k]);
      // A line below the one found must be clearly nearer (a quarter pixel) to win.
      if (best ? d < best_d - 0.25f : d <= best_d) {
        best_d = d;
        best = i;
      }
    }
  }
  return best;
}

std::vector<SweepModel::ScatterPoint> SweepModel::scatter(std::size_t param, PixelPoint lo,
                                                          PixelPoint hi) const {
  std::vector<ScatterPoint> out;
  if (param >= params_) return out;
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    const TrialLine& l = lines_[i];
    const double fx = l.fractions[param], fy = l.fractions.back();
    if (!l.objective || std::isnan(fx) || std::isnan(fy)) continue;
    out.push_back({i,
                   {static_cast<float>(lo.x + fx * (hi.x - lo.x)),
                    static_cast<float>(hi.y - fy * (hi.y - lo.y))}});
  }
  return out;
}

std::vector<std::size_t> trial_order(const SweepData& data, int column, bool descending) {
  std::vector<std::size_t> order(data.trials.size());
  std::iota(order.begin(), order.end(), 0);
  auto key = [&](const tracker::TrialInfo& t) -> double {
    switch (static_cast<TrialColumn>(std::min(column, static_cast<int>(TrialColumn::Param)))) {
      case TrialColumn::Number:
        return static_cast<double>(t.number);
      case TrialColumn::Status:
        return status_rank(t.status);
      case TrialColumn::Objective:
        return objective_of(t);
      case TrialColumn::Steps:
        return static_cast<double>(t.steps);
      case TrialColumn::Param:
        break;
    }
    const std::size_t k = static_cast<std::size_t>(column - static_cast<int>(TrialColumn::Param));
    if (k >= data.spec.space.size()) return kNaN;
    return session::trial_internal(data.spec.space[k], t);
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double ka = key(data.trials[a]), kb = key(data.trials[b]);
    if (std::isnan(ka) || std::isnan(kb)) return !std::isnan(ka) && std::isnan(kb);  // NaN last
    return descending ? ka > kb : ka < kb;
  });
  return order;
}

std::vector<std::size_t> best_first(const SweepData& data) {
  return trial_order(data, static_cast<int>(TrialColumn::Objective), data.spec.maximize);
}

std::vector<std::int64_t> trial_run_ids(const std::vector<RunRow>& rows, std::int64_t sweep_id,
                                        const std::set<std::int64_t>& numbers) {
  std::set<std::string> tags;
  for (std::int64_t n : numbers) tags.insert(tracker::trial_tag(sweep_id, n));
  std::vector<std::int64_t> ids;
  for (const RunRow& r : rows) {
    std::size_t start = 0;
    while (start <= r.tags.size()) {
      std::size_t end = r.tags.find(", ", start);
      if (end == std::string::npos) end = r.tags.size();
      if (tags.count(r.tags.substr(start, end - start))) {
        ids.push_back(r.id);
        break;
      }
      start = end + 2;
    }
  }
  return ids;
}

}  // namespace rein::dashboard
