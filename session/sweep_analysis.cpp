// Ranking a sweep's trials and each parameter's effect (sweep_analysis.h).
#include "session/sweep_analysis.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "rl/config.h"

namespace rein::session {
namespace {

// Ranks 1..n of `v`, ties sharing the mean of the ranks they span.
std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double mean_rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t k = i; k <= j; ++k) r[order[k]] = mean_rank;
    i = j + 1;
  }
  return r;
}

// A choice's number when every choice of the param is one; NaN otherwise.
double choice_number(const SearchParam& p, double index) {
  for (const tracker::ParamValue& c : p.choices)
    if (!std::holds_alternative<int64_t>(c) && !std::holds_alternative<double>(c)) return NAN;
  const tracker::ParamValue& v = p.choices[static_cast<std::size_t>(index)];
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  return std::get<double>(v);
}

bool better(double a, double b, bool maximize) { return maximize ? a > b : a < b; }

EffectLevel level_of(std::string name,
                     const std::vector<std::pair<double, const tracker::TrialInfo*>>& points,
                     std::size_t from, std::size_t to, bool maximize) {
  EffectLevel e;
  e.level = std::move(name);
  std::vector<double> values;
  for (std::size_t i = from; i < to; ++i) {
    const tracker::TrialInfo& t = *points[i].second;
    values.push_back(*t.value);
    if (i == from || better(*t.value, e.best, maximize)) {
      e.best = *t.value;
      e.best_trial = t.number;
    }
  }
  e.stats = tracker::mean_std(values);
  return e;
}

}  // namespace

const tracker::ParamValue* trial_param(const tracker::TrialInfo& trial, const std::string& key) {
  for (const tracker::Param& p : trial.params)
    if (p.key == key) return &p.value;
  return nullptr;
}

double trial_internal(const SearchParam& param, const tracker::TrialInfo& trial) {
  const tracker::ParamValue* v = trial_param(trial, param.name);
  if (!v) return NAN;
  try {
    return to_internal(param, *v);
  } catch (const std::exception&) {
    return NAN;  // a choice the spec no longer lists
  }
}

std::vector<const tracker::TrialInfo*> ranked_trials(const std::vector<tracker::TrialInfo>& trials,
                                                     bool maximize) {
  std::vector<const tracker::TrialInfo*> out;
  for (const tracker::TrialInfo& t : trials)
    if (t.status == tracker::TrialStatus::Complete && t.value && std::isfinite(*t.value))
      out.push_back(&t);
  std::stable_sort(out.begin(), out.end(),
                   [&](const tracker::TrialInfo* a, const tracker::TrialInfo* b) {
                     return better(*a->value, *b->value, maximize);
                   });
  return out;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size() || x.size() < 3) return NAN;
  const std::vector<double> rx = ranks(x), ry = ranks(y);
  const double mean = (static_cast<double>(x.size()) + 1.0) / 2.0;  // of ranks 1..n, ties or not
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) * (rx[i] - mean);
    syy += (ry[i] - mean) * (ry[i] - mean);
  }
  if (sxx == 0 || syy == 0) return NAN;
  return sxy / std::sqrt(sxx * syy);
}

ParamEffect param_effect(const SearchParam& param,
                         const std::vector<const tracker::TrialInfo*>& complete, bool maximize) {
  ParamEffect out;
  out.param = param.name;
  std::vector<std::pair<double, const tracker::TrialInfo*>> points;  // (internal value, trial)
  for (const tracker::TrialInfo* t : complete) {
    const double x = trial_internal(param, *t);
    if (!std::isnan(x)) points.emplace_back(x, t);
  }
  out.trials = points.size();
  std::stable_sort(points.begin(), points.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  std::vector<double> xs, ys;
  for (const auto& [x, t] : points) {
    xs.push_back(param.kind == SearchParam::Kind::Choice ? choice_number(param, x) : x);
    ys.push_back(*t->value);
  }
  const bool numeric = std::none_of(xs.begin(), xs.end(), [](double v) { return std::isnan(v); });
  out.spearman = numeric ? spearman(xs, ys) : NAN;

  if (param.kind == SearchParam::Kind::Choice) {
    for (std::size_t from = 0; from < points.size();) {
      std::size_t to = from;
      while (to < points.size() && points[to].first == points[from].first) ++to;
      out.levels.push_back(level_of(rl::param_text(from_internal(param, points[from].first)),
                                    points, from, to, maximize));
      from = to;
    }
    return out;
  }
  // Thirds of the values tried; equal values never straddle two bins.
  const std::size_t bins = std::min<std::size_t>(3, points.size());
  std::size_t from = 0;
  for (std::size_t b = 0; b < bins && from < points.size(); ++b) {
    std::size_t to = std::max(from + 1, points.size() * (b + 1) / bins);
    while (to < points.size() && points[to].first == points[to - 1].first) ++to;
    const std::string lo = display_text(from_internal(param, points[from].first));
    const std::string hi = display_text(from_internal(param, points[to - 1].first));
    out.levels.push_back(level_of(lo == hi ? lo : lo + " .. " + hi, points, from, to, maximize));
    from = to;
  }
  return out;
}

}  // namespace rein::session
