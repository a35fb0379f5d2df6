// Registers the Box2D envs with Gymnasium 1.4's ids, kwargs, step limits and thresholds.
#include "envs/box2d/bipedal_walker.h"
#include "envs/box2d/car_racing.h"
#include "envs/box2d/lunar_lander.h"
#include "envs/internal/builtin.h"
#include "envs/registry.h"

namespace rein::envs::internal {

void register_box2d(Registry& r) {
  r.register_env("LunarLander-v3", make_lunar_lander,
                 {.max_episode_steps = 1000,
                  .reward_threshold = 200.0,
                  .description = "land a rocket on the pad (Box2D; engines off/left/main/right)"});
  r.register_env(
      "LunarLanderContinuous-v3", make_lunar_lander,
      {.max_episode_steps = 1000,
       .reward_threshold = 200.0,
       .kwargs = {{"continuous", "true"}},
       .description = "LunarLander-v3 with continuous=true: Box(-1, 1, (2,)) throttles"});
  r.register_env("BipedalWalker-v3", make_bipedal_walker,
                 {.max_episode_steps = 1600,
                  .reward_threshold = 300.0,
                  .description = "walk a two-legged robot over rough terrain (Box2D; 4 motors)"});
  r.register_env("BipedalWalkerHardcore-v3", make_bipedal_walker,
                 {.max_episode_steps = 2000,
                  .reward_threshold = 300.0,
                  .kwargs = {{"hardcore", "true"}},
                  .description = "BipedalWalker-v3 with hardcore=true: stumps, stairs and pits"});
  r.register_env("CarRacing-v3", make_car_racing,
                 {.max_episode_steps = 1000,
                  .reward_threshold = 900.0,
                  .description = "drive around a generated track from 96x96 pixels (Box2D)"});
}

}  // namespace rein::envs::internal
