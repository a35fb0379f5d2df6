// Registration of the envs that ship with rein; called once by registry() on first use.
#pragma once

namespace rein::envs {
class Registry;
}

namespace rein::envs::internal {

// CartPole-v1, MountainCar-v0, MountainCarContinuous-v0, Acrobot-v1, Pendulum-v1.
void register_classic_control(Registry& registry);
// FrozenLake-v1, FrozenLake8x8-v1, CliffWalking-v1, CliffWalkingSlippery-v1, Taxi-v4, Blackjack-v1.
void register_toy_text(Registry& registry);
// LunarLander-v3, LunarLanderContinuous-v3, BipedalWalker-v3, BipedalWalkerHardcore-v3 (Box2D).
void register_box2d(Registry& registry);

}  // namespace rein::envs::internal
