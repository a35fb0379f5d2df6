// The floating-point work of one SAC and one TD3 gradient step at the Pendulum-v1 zoo sizes
// (obs 3, action 1, batch 256), counted in matrix-product multiply-adds x 2. A "pass" is one
// network's forward pass, or one half of its backward pass (weight gradients, or input
// gradients), each the network's multiply-adds per row times the batch.
#pragma once

// SAC, 256x256: every network (actor 3-256-256-2, critics 4-256-256-1) does
// 3*256 + 256*256 + 256*2 = 66,816 multiply-adds per row; a step runs 16 such passes: actor
// forward on s and s' (2), its backward (2), target critics forward (2), critics forward and
// backward on the batch (2 x 3), critics forward and input backward on the actor's actions
// (2 x 2).
inline constexpr double kSacUpdateFlop = 16.0 * 66816.0 * 256.0 * 2.0;  // 0.547 GFLOP

// TD3, 400x300: actor 3-400-300-1 (121,500 multiply-adds per row), critics 4-400-300-1
// (121,900). Every step: target actor forward on s' (1 actor pass), target critics forward
// (2 critic passes), critics forward and backward on the batch (2 x 3); every second step
// (policy_delay 2): actor forward and backward (3 actor passes), the first critic's forward and
// input backward (2). On average 2.5 actor and 9 critic passes.
inline constexpr double kTd3UpdateFlop = (2.5 * 121500.0 + 9.0 * 121900.0) * 256.0 * 2.0;  // 0.717

// DQN, CartPole-v1 zoo preset (Q-network 4-256-256-2, batch 64, 128 gradient steps per
// training phase, 193 phases in the 50,176-step run): 4*256 + 256*256 + 256*2 = 67,072
// multiply-adds per row. A phase is one target-network forward pass over its 128 x 64 rows
// (the target does not change inside a phase), then per step the online forward pass, the
// weight gradients of all three layers and the input gradients of the upper two (65,536 + 512
// multiply-adds per row; the observations need none).
inline constexpr double kDqnPhaseFlop =
    (128.0 * 64.0 * 67072.0 + 128.0 * 64.0 * (2.0 * 67072.0 + 66048.0)) * 2.0;  // 4.38 GFLOP
inline constexpr int kDqnCartPolePhases = 193;  // x kDqnPhaseFlop = 0.845 TFLOP
