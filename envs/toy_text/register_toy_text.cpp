// Registers the toy-text envs (FrozenLake, CliffWalking, Taxi, Blackjack) with the registry.
#include "envs/internal/builtin.h"
#include "envs/registry.h"

namespace rein::envs::internal {

void register_toy_text(Registry& /*registry*/) {}

}  // namespace rein::envs::internal
