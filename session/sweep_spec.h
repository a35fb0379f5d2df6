// A sweep's spec: what to train, the search space over --set fields, the strategy, the budget,
// the seeds of each trial and early stopping, read from a TOML file (docs/EXPERIMENTS.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracker/types.h"

namespace rein::session {

// One searched setting. Values live on an internal axis: the index of a choice, or the number
// (its logarithm for log scales), so samplers treat every kind alike.
struct SearchParam {
  enum class Kind { Choice, Uniform, LogUniform, Int };
  std::string name;  // a setting --set accepts (learning_rate, n_steps, ...)
  Kind kind = Kind::Uniform;
  std::vector<tracker::ParamValue> choices;  // Choice: values as the TOML wrote them
  double low = 0, high = 0;                  // Uniform, LogUniform, Int: inclusive bounds
  bool log = false;                          // Int: on a log scale
  int64_t grid_points = 0;                   // grid over a numeric range: this many points
};

// A point of the space: internal value per param name.
using Point = std::map<std::string, double>;

enum class Strategy { Grid, Random, Tpe };
const char* to_string(Strategy strategy);

struct EarlyStopping {
  bool enabled = false;
  std::string metric = "train/episode_return";  // judged at each rung, mean over the trial's seeds
  int64_t min_steps = 0;                        // the first rung (env steps of each run)
  int64_t reduction_factor = 3;                 // keep the best 1/eta at every rung
};

struct SweepSpec {
  std::string name;
  std::string algorithm, env;
  std::vector<std::pair<std::string, std::string>> settings;  // fixed --set key=value
  std::vector<SearchParam> space;
  std::string metric = "eval/mean_return";  // objective: mean over seeds of the final value
  bool maximize = true;
  Strategy strategy = Strategy::Tpe;
  std::vector<int64_t> seeds = {0};        // of every trial
  std::optional<int64_t> max_trials;       // budget: trials started
  std::optional<int64_t> max_total_steps;  // budget: env steps over all runs
  int64_t jobs = 1;                        // processes at once
  uint64_t sampler_seed = 0;
  int64_t startup_trials = 10;  // TPE: random trials before the model
  EarlyStopping early_stopping;
  std::string text;  // the TOML it came from
};

// Parses and checks a spec. Throws rein::Error "<origin>: ..." naming the key that is wrong and
// what it accepts (a sweep needs a budget; grid needs choices or grid_points; low < high; ...).
SweepSpec parse_sweep_spec(std::string_view toml_text, const std::string& origin);

// The internal value of `value` for `param` (throws for a choice that is not listed).
double to_internal(const SearchParam& param, const tracker::ParamValue& value);
// The typed value of an internal one (rounded for Int, the choice for Choice).
tracker::ParamValue from_internal(const SearchParam& param, double x);

// A value for tables: floats to 4 significant digits (0.0004071), others as --set takes them.
std::string display_text(const tracker::ParamValue& value);

}  // namespace rein::session
