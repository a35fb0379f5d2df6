// Where a sweep looks next: grid (every combination, in order), random (independent uniform
// draws on each param's axis) and TPE, the Tree-structured Parzen Estimator of Bergstra et al.
// (2011, "Algorithms for Hyper-Parameter Optimization") with Optuna's default settings; and the
// asynchronous successive-halving rule (ASHA, Li et al. 2018) that stops bad trials early.
// Every draw is a function of (sampler seed, trial number, history), so a resumed sweep asks
// the same questions.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "session/sweep_spec.h"

namespace rein::session {

// A trial as samplers see it. `loss` is the objective made lower-is-better (the negated value
// when maximising); a pruned trial's is its last rung's, and `rungs` says how far it got.
struct Observation {
  Point x;
  enum class State { Complete, Pruned } state = State::Complete;
  double loss = 0;
  int64_t rungs = 0;
};

// The `number`-th point of the grid (the first param varying slowest), or nullopt when the
// grid has fewer points. A numeric param takes grid_points evenly spaced values on its axis.
std::optional<Point> grid_point(const SweepSpec& spec, int64_t number);
// How many points the grid has.
int64_t grid_size(const SweepSpec& spec);

Point random_point(const SweepSpec& spec, int64_t number);

struct TpeOptions {
  int64_t startup_trials = 10;  // random until this many complete or pruned trials
  int64_t ei_candidates = 24;   // draws from l(x) scored by l(x) / g(x)
  double prior_weight = 1.0;
};
// Independent TPE per param: the observations are ranked by loss (complete before pruned), the
// best gamma(n) = min(ceil(0.1 n), 25) form l(x) and the rest g(x), each a Parzen mixture of
// truncated normals (or of smoothed one-hot kernels for choices) plus a prior; the candidate of
// l(x) with the largest l(x)/g(x) is taken.
Point tpe_point(const SweepSpec& spec, const std::vector<Observation>& history, int64_t number,
                const TpeOptions& options);

// Successive halving's rule at one rung: a trial goes on when its value is among the best
// max(1, floor(n / eta)) of the n values trials reported at this rung (itself included).
bool promote_at_rung(double value, const std::vector<double>& rung_values, int64_t eta,
                     bool maximize);

}  // namespace rein::session
