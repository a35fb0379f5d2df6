// The one memory check of every agent (rl/internal/memory_budget.h): the networks are counted as
// they are built, sizes past the budget are refused before anything is allocated, naming the
// settings to lower, and every preset fits.
#include "rl/internal/memory_budget.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "rl/blocks/actor_critic.h"
#include "rl/blocks/nature_cnn.h"
#include "rl/internal/dqn_q_network.h"
#include "rl/internal/on_policy.h"
#include "rl/presets.h"
#include "rl/trainer.h"
#include "tests/rl/dot_side_env.h"
#include "tests/rl/test_support.h"

namespace rein::rl {
namespace {

using test_support::error_of;
using test_support::settings_of;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(MemoryBudget, CountsTheParametersOfTheNetworksAsTheyAreBuilt) {
  const envs::Space discrete = envs::Discrete(3);
  const envs::Space box = envs::Box(-1.0, 1.0, {2});
  const auto spec_of = [](int64_t obs_dim, const envs::Space& actions,
                          std::vector<int64_t> hidden) {
    ActorCriticSpec spec;
    spec.obs_dim = obs_dim;
    spec.action_space = actions;
    spec.hidden = std::move(hidden);
    return spec;
  };
  std::vector<ActorCriticSpec> specs{spec_of(4, discrete, {8, 5}), spec_of(4, box, {8}),
                                     spec_of(4, box, {}), spec_of(4, box, {6}),
                                     spec_of(36 * 40, discrete, {4})};
  specs[1].shared = true;
  specs[3].sde = distributions::StateDependentNoiseOptions{.full_std = true};
  specs[4].cnn = true;
  specs[4].image = {1, 36, 40};
  specs[4].features_dim = 16;
  for (const ActorCriticSpec& spec : specs) {
    Generator gen(1);
    const ActorCritic model(spec, gen);
    EXPECT_EQ(internal::actor_critic_parameters(spec), static_cast<double>(model.num_parameters()));
  }
  for (bool dueling : {false, true})
    for (const std::vector<int64_t>& image : {std::vector<int64_t>{}, {2, 40, 36}}) {
      Generator gen(1);
      const int64_t obs_dim = image.empty() ? 5 : 2 * 40 * 36;
      const internal::QNetwork q(obs_dim, 4, {7, 3}, nn::Activation::ReLU, dueling, gen, image);
      EXPECT_EQ(internal::q_network_parameters(obs_dim, 4, {7, 3}, dueling, image),
                static_cast<double>(q.num_parameters()));
    }
  Generator gen(1);
  EXPECT_EQ(internal::nature_cnn_parameters({3, 96, 96}, 512),
            static_cast<double>(NatureCNN({3, 96, 96}, 512, gen).num_parameters()));
}

TEST(MemoryBudget, NamesEveryUseAndTheSettingsToLowerLargestFirst) {
  const std::vector<internal::MemoryUse> uses{{"a small thing", 1000, "small_setting"},
                                              {"a big thing", 3000, "big_setting"},
                                              {"a middle thing", 2000, "middle_setting"},
                                              {"a tiny thing", 299, "tiny_setting"}};
  internal::check_memory("algo", uses, 6299);
  // The tiny thing's setting (under 5% of the total) would not help: it is not offered.
  EXPECT_EQ(error_of([&] { internal::check_memory("algo", uses, 6298); }),
            "algo: 6299 bytes for a big thing (3000 bytes) and a middle thing (2000 bytes) and a "
            "small thing (1000 bytes) and a tiny thing (299 bytes), more than this machine's "
            "6298 bytes of memory; lower big_setting, middle_setting, or small_setting");
  internal::check_memory("algo", uses, 0);  // unknown memory: no check
}

TEST(MemoryBudget, PolicyGradientAgentsRefuseNetworksLargerThanTheMachineBeforeBuildingThem) {
  // net_arch 65536 x 3 is 17 billion parameters, 275 GB with gradients and Adam's moments:
  // PPO allocated them until std::bad_alloc or the OOM killer ended the process.
  for (const char* algo : {"ppo", "a2c", "reinforce"}) {
    const std::string e = error_of([&] {
      Trainer(algo, "CartPole-v1", {}, settings_of({{"net_arch", "65536,65536,65536"}}));
    });
    EXPECT_TRUE(contains(e, std::string(algo) + ": ")) << e;
    EXPECT_TRUE(contains(e, "networks of 17180983299 parameters held")) << e;
    EXPECT_TRUE(contains(e, "more than this machine's")) << e;
    EXPECT_TRUE(contains(e, "lower net_arch's widths")) << e;
  }
  const std::string dqn = error_of([] {
    Trainer("dqn", "CartPole-v1", {}, settings_of({{"net_arch", "65536,65536,65536"}}));
  });
  EXPECT_TRUE(contains(dqn, "dqn: ")) << dqn;
  EXPECT_TRUE(contains(dqn, "held 5 times (value, gradient, Adam's two moments, target)")) << dqn;
  EXPECT_TRUE(contains(dqn, "net_arch's widths")) << dqn;
}

TEST(MemoryBudget, PpoAndReinforceCountTheirNetworksAndBuffersAgainstTheBudget) {
  // CartPole (4 floats, 2 actions), net_arch 8: actor 5 x 8 + 9 x 2 = 58 and critic 5 x 8 + 9 =
  // 49 parameters, held 4 times: 1712 bytes. The rollout of 16 x 2 rows of 4 floats, an int64
  // action, six floats and a flag (49 bytes) and 2 last values: 1576 bytes. Minibatches of 8
  // rows of 4 + 2 + 4 floats: 320 bytes. 3608 in all.
  const Settings s = settings_of({{"net_arch", "8"},
                                  {"n_steps", "16"},
                                  {"n_envs", "2"},
                                  {"batch_size", "8"},
                                  {"total_timesteps", "64"}});
  Trainer("ppo", "CartPole-v1", {}, s, 3608);
  const std::string e = error_of([&] { Trainer("ppo", "CartPole-v1", {}, s, 3607); });
  EXPECT_TRUE(contains(e, "ppo: 3608 bytes for networks of 107 parameters held 4 times")) << e;
  EXPECT_TRUE(contains(e, "a rollout of n_steps 16 x n_envs 2 rows of 4 floats")) << e;
  EXPECT_TRUE(contains(e, "lower net_arch's widths, n_steps or n_envs, or batch_size")) << e;
  // REINFORCE grows its episodes as it plays them: its networks are what it sizes.
  const Settings r = settings_of({{"net_arch", "8"}, {"total_timesteps", "64"}});
  Trainer("reinforce", "CartPole-v1", {}, r, 1712);
  EXPECT_EQ(error_of([&] { Trainer("reinforce", "CartPole-v1", {}, r, 1711); }),
            "reinforce: 1712 bytes for networks of 107 parameters held 4 times (value, "
            "gradient, Adam's two moments) (1712 bytes), more than this machine's 1711 bytes "
            "of memory; lower net_arch's widths");
}

TEST(MemoryBudget, APixelRolloutLargerThanTheBudgetNamesNStepsAndNEnvs) {
  // CarRacing's preset: 8 envs of 64x64 grey frames stacked twice (8192 floats a row). 4096
  // steps of them are 1.07 GB, 100,000 steps 26 GB: the rollout buffer was allocated and paged
  // in until the OOM killer.
  Settings s = preset_settings("ppo", "CarRacing-v3");
  s.set("n_steps", "4096", "test");
  const std::string e = error_of([&] { Trainer("ppo", "CarRacing-v3", {}, s, 1e9); });
  EXPECT_TRUE(contains(e, "a rollout of n_steps 4096 x n_envs 8 rows of 8192 floats")) << e;
  EXPECT_TRUE(contains(e, "lower n_steps or n_envs")) << e;
}

TEST(MemoryBudget, DqnCountsItsReplayBufferWithItsNetworks) {
  // net_arch 8 on CartPole: 5 x 8 + 9 x 2 = 58 parameters held 5 times (1160 bytes) and 100
  // slots of 4 floats, an action, a reward and a flag (2500 bytes): 3660 in all. Each fitted the
  // budget alone; together they do not.
  const Settings s =
      settings_of({{"net_arch", "8"}, {"buffer_size", "100"}, {"total_timesteps", "64"}});
  Trainer("dqn", "CartPole-v1", {}, s, 3660);
  const std::string e = error_of([&] { Trainer("dqn", "CartPole-v1", {}, s, 3659); });
  EXPECT_TRUE(contains(e, "dqn: 3660 bytes for a replay buffer of buffer_size 100")) << e;
  EXPECT_TRUE(contains(e, "and networks of 58 parameters held 5 times")) << e;
  EXPECT_TRUE(contains(e, "lower buffer_size (e.g. --set buffer_size=36), or net_arch's widths"))
      << e;
  // The CnnPolicy's NatureCNN counts too: on 36x36 grey images 105,120 parameters, then
  // 512 -> 64 -> 64 -> 2.
  test_support::register_dot_side();
  const Settings cnn =
      settings_of({{"policy", "CnnPolicy"}, {"net_arch", "64,64"}, {"buffer_size", "100"}});
  const std::string c = error_of([&] { Trainer("dqn", "DotSide-v0", {}, cnn, 1e6); });
  EXPECT_TRUE(contains(c, "networks of 142242 parameters held 5 times")) << c;
}

TEST(MemoryBudget, TabularMethodsCountTheirQTable) {
  // A random 64x64 FrozenLake: 4096 states x 4 actions of doubles, 131,072 bytes. A plug-in's
  // Discrete space can be any size; the table was allocated unchecked.
  const envs::Kwargs map{{"map_name", "random"}, {"size", "64"}, {"p", "0.9"}, {"seed", "1"}};
  const Settings s = settings_of({{"total_timesteps", "10"}});
  Trainer("qlearning", "FrozenLake-v1", map, s, 131072);
  EXPECT_EQ(error_of([&] { Trainer("qlearning", "FrozenLake-v1", map, s, 131071); }),
            "qlearning: 131072 bytes for a Q-table of 4096 states x 4 actions (131072 bytes), "
            "more than this machine's 131071 bytes of memory; lower the number of states "
            "of FrozenLake-v1 (a space that large needs a function approximator, e.g. dqn)");
}

TEST(MemoryBudget, EveryPresetFitsInTwoGigabytes) {
  // The largest, PPO on CarRacing (its rollout of 512 x 8 stacked frames), needs about 0.15 GB.
  int checked = 0;
  for (const Preset& p : list_presets()) {
    SCOPED_TRACE(p.algorithm + " " + p.env_id);
    EXPECT_EQ(error_of([&] { Trainer(p.algorithm, p.env_id, {}, p.settings, 2e9); }), "(no error)");
    ++checked;
  }
  EXPECT_GE(checked, 40);
}

}  // namespace
}  // namespace rein::rl
