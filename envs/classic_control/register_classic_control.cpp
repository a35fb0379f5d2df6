// Registers the classic-control envs with Gymnasium 1.4's ids, step limits and thresholds.
#include "envs/internal/builtin.h"
#include "envs/internal/classic_control.h"
#include "envs/registry.h"

namespace rein::envs::internal {

void reset_bounds(const Kwargs& options, std::string_view owner, double default_low,
                  double default_high, double max_abs, std::string_view why, double& low,
                  double& high) {
  KwargsReader kw(owner, options, "option");
  low = kw.get_double_in("low", default_low, -max_abs, max_abs, why);
  high = kw.get_double_in("high", default_high, -max_abs, max_abs, why);
  kw.finish();
  if (!(low <= high)) {
    throw Error(str(owner, ": option low ", low, " is above high ", high));
  }
}

void register_classic_control(Registry& r) {
  r.register_env("CartPole-v1", make_cartpole,
                 {.max_episode_steps = 500,
                  .reward_threshold = 475.0,
                  .description = "balance a pole on a cart (push left/right)"});
  r.register_env("MountainCar-v0", make_mountain_car,
                 {.max_episode_steps = 200,
                  .reward_threshold = -110.0,
                  .description = "drive an underpowered car up a hill (discrete push)"});
  r.register_env("MountainCarContinuous-v0", make_mountain_car_continuous,
                 {.max_episode_steps = 999,
                  .reward_threshold = 90.0,
                  .description = "mountain car with a continuous force in [-1, 1]"});
  r.register_env("Pendulum-v1", make_pendulum,
                 {.max_episode_steps = 200,
                  .description = "swing up and hold an inverted pendulum (torque in [-2, 2])"});
  r.register_env("Acrobot-v1", make_acrobot,
                 {.max_episode_steps = 500,
                  .reward_threshold = -100.0,
                  .description = "swing a two-link arm above a line (torque on the elbow)"});
}

}  // namespace rein::envs::internal
