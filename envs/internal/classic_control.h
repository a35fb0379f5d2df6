// Factories of the classic-control envs (one .cpp each under envs/classic_control/), used by
// register_classic_control(). Each takes the merged make() kwargs and rejects unknown keys.
#pragma once

#include <memory>

#include "envs/env.h"

namespace rein::envs::internal {

std::unique_ptr<Env> make_cartpole(const Kwargs& kwargs);
std::unique_ptr<Env> make_mountain_car(const Kwargs& kwargs);
std::unique_ptr<Env> make_mountain_car_continuous(const Kwargs& kwargs);
std::unique_ptr<Env> make_pendulum(const Kwargs& kwargs);
std::unique_ptr<Env> make_acrobot(const Kwargs& kwargs);

// Gymnasium's utils.maybe_parse_reset_bounds: options "low"/"high" override the defaults;
// throws rein::Error if low > high, or if either lies outside [-max_abs, max_abs] (NaN and inf
// included), the range where the env's episodes stay finite and end; `why` says what breaks.
void reset_bounds(const Kwargs& options, std::string_view owner, double default_low,
                  double default_high, double max_abs, std::string_view why, double& low,
                  double& high);

}  // namespace rein::envs::internal
