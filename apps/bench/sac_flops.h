// The floating-point work of one SAC gradient step at Pendulum sizes (obs 3, action 1, hidden
// 256x256, batch 256), counted in matrix-product multiply-adds x 2. Every network here (actor
// 3-256-256-2, critics 4-256-256-1) does 3*256 + 256*256 + 256*2 = 66,816 multiply-adds per row;
// a step runs 16 such passes: actor forward on s and s' (2), its backward (2), target critics
// forward (2), critics forward and backward on the batch (2 x 3), critics forward and input
// backward on the actor's actions (2 x 2).
#pragma once

inline constexpr double kSacUpdateFlop = 16.0 * 66816.0 * 256.0 * 2.0;  // 0.547 GFLOP
