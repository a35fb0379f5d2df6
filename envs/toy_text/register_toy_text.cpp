// Registers the toy-text envs (FrozenLake, CliffWalking, Taxi, Blackjack) with their Gymnasium 1.4
// ids, step limits, reward thresholds and default kwargs.
#include <optional>
#include <string>

#include "envs/internal/builtin.h"
#include "envs/registry.h"
#include "envs/toy_text/blackjack.h"
#include "envs/toy_text/cliff_walking.h"
#include "envs/toy_text/frozen_lake.h"
#include "envs/toy_text/taxi.h"

namespace rein::envs::internal {

namespace {

template <typename E>
EnvFactory factory() {
  return [](const Kwargs& kwargs) { return std::make_unique<E>(kwargs); };
}

EnvSpec spec(std::optional<int64_t> max_episode_steps, std::optional<double> reward_threshold,
             Kwargs kwargs, std::string description) {
  EnvSpec s;
  s.max_episode_steps = max_episode_steps;
  s.reward_threshold = reward_threshold;
  s.kwargs = std::move(kwargs);
  s.description = std::move(description);
  return s;
}

}  // namespace

void register_toy_text(Registry& registry) {
  registry.register_env(
      "FrozenLake-v1", factory<FrozenLake>(),
      spec(100, 0.70, {{"map_name", "4x4"}}, "walk over slippery ice to the goal (4x4 map)"));
  registry.register_env(
      "FrozenLake8x8-v1", factory<FrozenLake>(),
      spec(200, 0.85, {{"map_name", "8x8"}}, "walk over slippery ice to the goal (8x8 map)"));
  registry.register_env(
      "CliffWalking-v1", factory<CliffWalking>(),
      spec(std::nullopt, std::nullopt, {}, "cross a 4x12 grid along a cliff (Sutton & Barto 6.6)"));
  registry.register_env("CliffWalkingSlippery-v1", factory<CliffWalking>(),
                        spec(std::nullopt, std::nullopt, {{"is_slippery", "true"}},
                             "CliffWalking where moves slip sideways 2/3 of the time"));
  registry.register_env("Taxi-v4", factory<Taxi>(),
                        spec(200, 8.0, {}, "pick up and drop off a passenger on a 5x5 grid"));
  // Gymnasium 1.4 deprecates Taxi-v3; its default dynamics equal Taxi-v4's, so published Taxi-v3
  // results compare directly, and the id keeps working here.
  registry.register_env("Taxi-v3", factory<Taxi>(),
                        spec(200, 8.0, {}, "alias of Taxi-v4 (same default dynamics)"));
  registry.register_env("Blackjack-v1", factory<Blackjack>(),
                        spec(std::nullopt, std::nullopt, {{"sab", "true"}, {"natural", "false"}},
                             "hit or stick against the dealer (Sutton & Barto rules)"));
}

}  // namespace rein::envs::internal
