// What a sweep found, as `rein sweep show` and the dashboard's sweep view report it: the complete
// trials ranked, and each parameter's effect on the objective (the objective per choice or per
// range of values, and Spearman's rank correlation of a numeric parameter with the objective).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "session/sweep_spec.h"
#include "tracker/run_facts.h"
#include "tracker/sweep_store.h"

namespace rein::session {

// The value of `key` in the trial's params, or nullptr.
const tracker::ParamValue* trial_param(const tracker::TrialInfo& trial, const std::string& key);

// The trial's value of `param` on the param's internal axis (session::to_internal), or NaN when
// the trial has no such param or a value the spec does not list (a spec edited since).
double trial_internal(const SearchParam& param, const tracker::TrialInfo& trial);

// Complete trials with a finite value, best first (ties keep trial order).
std::vector<const tracker::TrialInfo*> ranked_trials(const std::vector<tracker::TrialInfo>& trials,
                                                     bool maximize);

// Spearman's rank correlation of x and y: Pearson's correlation of their ranks, tied values
// sharing the mean of their ranks (as scipy.stats.spearmanr). NaN when fewer than three pairs
// or when either side is constant.
double spearman(const std::vector<double>& x, const std::vector<double>& y);

// The objective over the complete trials at one choice, or in one range of values.
struct EffectLevel {
  std::string level;       // "64", or "0.0004 .. 0.0009"
  tracker::MeanStd stats;  // mean and population std of the objective
  double best = 0;         // the best objective among them (direction-aware)
  std::int64_t best_trial = 0;
};

struct ParamEffect {
  std::string param;
  // Per choice (in the spec's order), or per third of the values tried (sorted), for ranges.
  std::vector<EffectLevel> levels;
  // Spearman's rho of the param's value with the objective (NaN for choices that are not all
  // numbers, for fewer than three trials or a constant side). Positive: larger values went with
  // larger objectives.
  double spearman = 0;
  std::size_t trials = 0;  // complete trials with this param
};

// `complete`: the complete trials (ranked_trials()).
ParamEffect param_effect(const SearchParam& param,
                         const std::vector<const tracker::TrialInfo*>& complete, bool maximize);

}  // namespace rein::session
