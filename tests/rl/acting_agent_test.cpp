// Agents loaded only to act (rein eval, rein record, the agent view, rl::Policy): a checkpoint
// trained with a replay buffer larger than this machine's memory still plays, with the actions
// of the agent that saved it, and refuses to train.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "autograd/checkpoint.h"
#include "rl/blocks/policy.h"
#include "rl/checkpoint.h"
#include "rl/trainer.h"
#include "tensor/ops.h"
#include "tests/rl/test_support.h"

namespace rein::rl {
namespace {

using test_support::error_of;

// Far more replay slots than any machine holds (about 200 TB for Pendulum's rows).
constexpr const char* kHugeBuffer = "10000000000000";

// A 200-step run of `algo` on `env` whose buffer holds 500 transitions.
Trainer short_run(const char* algo, const char* env, bool save_replay) {
  Settings s = test_support::settings_of({{"total_timesteps", "200"},
                                          {"learning_starts", "100"},
                                          {"buffer_size", "500"},
                                          {"batch_size", "16"},
                                          {"net_arch", "16"},
                                          {"save_replay", save_replay ? "true" : "false"},
                                          {"eval_episodes", "0"}});
  Trainer t(algo, env, {}, s);
  NullSink sink;
  t.train(sink, "", {});
  return t;
}

struct ShortRun {
  const char* algo;
  const char* env;
  Shape obs_shape;
};

TEST(ActingAgent, PlaysACheckpointWhoseReplayBufferWouldNotFitThisMachine) {
  for (const ShortRun& run :
       {ShortRun{"dqn", "CartPole-v1", {3, 4}}, ShortRun{"sac", "Pendulum-v1", {3, 3}},
        ShortRun{"td3", "Pendulum-v1", {3, 3}}}) {
    SCOPED_TRACE(run.algo);
    Trainer t = short_run(run.algo, run.env, true);
    const std::string dir = test_support::temp_dir(std::string("acting-") + run.algo).string();
    CheckpointInfo info = read_agent_checkpoint(t.save_checkpoint(dir));
    // As if trained on a machine with far more memory (the saved buffer itself is small).
    for (auto& [key, value] : info.params)
      if (key == "buffer_size") value = kHugeBuffer;

    EXPECT_NE(error_of([&] { load_agent(info); }).find("lower buffer_size"), std::string::npos);
    std::unique_ptr<Agent> agent = load_acting_agent(info);
    const Tensor obs = full(run.obs_shape, 0.1f);
    EXPECT_TRUE(equal(agent->predict(obs, true), t.agent().predict(obs, true)));
    NullSink sink;
    EXPECT_NE(error_of([&] { agent->iterate(sink); }).find("loaded to act only"),
              std::string::npos);
  }
}

TEST(ActingAgent, ThePolicyOfEvalAndTheViewerLoadsWithoutTheReplayBuffer) {
  Trainer t = short_run("sac", "Pendulum-v1", false);
  const std::string path = t.save_checkpoint(test_support::temp_dir("acting-policy").string());
  SafetensorsFile f = load_safetensors(path);
  auto params = nlohmann::json::parse(f.metadata.at("params"));
  for (auto& row : params)
    if (row[0] == "buffer_size") row[1] = kHugeBuffer;
  f.metadata["params"] = params.dump();
  save_safetensors(path, f.tensors, f.metadata);

  Policy policy = load_policy(path);
  const Tensor obs = full({2, 3}, -0.3f);
  EXPECT_TRUE(equal(policy.predict(obs), t.agent().predict(obs, true)));
}

}  // namespace
}  // namespace rein::rl
