// CnnPolicy learns what only pixels show: on DotSide (tests/rl/dot_side_env.h) the right action
// is the half of the image holding a dot. A random policy earns 0.5 per episode; a CNN whose
// forward or backward pass were wrong, or whose input planes were scrambled, stays near it.
#include <gtest/gtest.h>

#include "rl/evaluate.h"
#include "rl/metric_sink.h"
#include "rl/trainer.h"
#include "tensor/ops.h"
#include "tests/rl/dot_side_env.h"
#include "tests/rl/test_support.h"

namespace rein::rl {
namespace {

class CnnLearning : public ::testing::TestWithParam<std::string> {};

TEST_P(CnnLearning, LearnsTheSideOfTheDotFromPixels) {
  test_support::register_dot_side();
  const std::string algo = GetParam();
  Settings s = algo == "dqn" ? test_support::settings_of({{"policy", "CnnPolicy"},
                                                          {"total_timesteps", "3000"},
                                                          {"learning_starts", "200"},
                                                          {"buffer_size", "3000"},
                                                          {"train_freq", "1"},
                                                          {"target_update_interval", "100"},
                                                          {"exploration_fraction", "0.3"},
                                                          {"learning_rate", "5e-4"},
                                                          {"seed", "1"}})
                             : test_support::settings_of({{"policy", "CnnPolicy"},
                                                          {"total_timesteps", "3072"},
                                                          {"n_envs", "4"},
                                                          {"n_steps", "64"},
                                                          {"batch_size", "64"},
                                                          {"n_epochs", "4"},
                                                          {"learning_rate", "5e-4"},
                                                          {"seed", "1"}});
  Trainer t(algo, "DotSide-v0", {}, s);
  // The first convolution's weights: training must move them (gradients reach the CNN; a
  // linear head on fixed random features is not what is being tested).
  auto first_conv = [&t] {
    for (const auto& [name, value] : t.agent().state_tensors())
      if (name == "model.features_extractor.cnn.0.weight") return value.clone();
    return Tensor();
  };
  const Tensor conv_before = first_conv();
  ASSERT_TRUE(conv_before.defined());
  const EvalResult before = evaluate(t.agent(), "DotSide-v0", {}, {.episodes = 100, .seed = 7});
  NullSink sink;
  const TrainResult r = t.train(sink, "", {});
  ASSERT_TRUE(r.final_eval.has_value());
  EXPECT_LT(before.mean_return, 0.7);
  EXPECT_GE(r.final_eval->mean_return, 0.95) << "before training: " << before.mean_return;
  EXPECT_GT(max(abs(first_conv() - conv_before)).item(), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, CnnLearning, ::testing::Values("ppo", "dqn"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace rein::rl
