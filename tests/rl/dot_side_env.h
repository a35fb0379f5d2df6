// DotSide: a one-step image task for CnnPolicy tests. The observation is a 36x36 grey image
// (NatureCNN's smallest) holding one bright 6x6 dot at a random height, in the left or the
// right half; action 0 ("left") or 1 ("right") earns 1 when it names the dot's half, else 0.
// Only the pixels say which action is right: a random policy earns 0.5, a CNN that sees 1.
#pragma once

#include <cstring>
#include <string>

#include "envs/registry.h"
#include "envs/spaces.h"

namespace rein::rl::test_support {

class DotSideEnv : public envs::Env {
 public:
  static constexpr int64_t kSize = 36;
  explicit DotSideEnv(const envs::Kwargs& kwargs) {
    envs::KwargsReader kw("DotSide-v0", kwargs);
    kw.finish();
    observation_space_ = envs::Box(0, 255, Shape{kSize, kSize, 1}, Dtype::UInt8);
    action_space_ = envs::Discrete(2);
    obs_ = zeros({kSize, kSize, 1}, Dtype::UInt8);
  }
  envs::ResetResult reset(std::optional<uint64_t> seed, const envs::Kwargs&) override {
    seed_rng(seed);
    draw();
    return {obs_, info_};
  }
  envs::StepResult step(const envs::Action& action) override {
    const double reward = action.index() == (right_ ? 1 : 0) ? 1.0 : 0.0;
    return {obs_, reward, true, false, info_};
  }
  bool right() const { return right_; }

 private:
  void draw() {
    right_ = rng().random() < 0.5;
    const int64_t top = static_cast<int64_t>(rng().random() * (kSize - 6));
    const int64_t left = (right_ ? kSize / 2 : 0) + static_cast<int64_t>(rng().random() * 12);
    uint8_t* p = obs_.data<uint8_t>();
    std::memset(p, 0, static_cast<size_t>(kSize * kSize));
    for (int64_t y = top; y < top + 6; ++y)
      for (int64_t x = left; x < left + 6; ++x) p[y * kSize + x] = 255;
  }
  Tensor obs_;
  bool right_ = false;
};

inline void register_dot_side() {
  if (!envs::registry().contains("DotSide-v0"))
    envs::register_env<DotSideEnv>("DotSide-v0", {.max_episode_steps = 1});
}

}  // namespace rein::rl::test_support
