// The algorithm registry: every algorithm refuses, before its factory runs, the action and
// observation spaces its AlgorithmInfo (the table `rein train --help` prints) does not list.
#include "rl/algorithm.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "envs/registry.h"
#include "rl/trainer.h"
#include "tests/rl/test_support.h"

namespace rein::rl {
namespace {

using test_support::error_of;

bool supports(const std::vector<envs::SpaceKind>& kinds, envs::SpaceKind k) {
  return std::find(kinds.begin(), kinds.end(), k) != kinds.end();
}

// An algorithm that learns from Discrete observations only and whose factory records a call.
int g_factory_calls = 0;

void register_discrete_only() {
  for (const AlgorithmInfo& a : list_algorithms())
    if (a.name == "test_discrete_obs") return;
  AlgorithmInfo info;
  info.name = "test_discrete_obs";
  info.summary = "test algorithm: Discrete observations only";
  info.action_spaces = {envs::SpaceKind::Discrete};
  info.observation_spaces = {envs::SpaceKind::Discrete};
  info.describe_config = [] { return std::vector<std::vector<std::string>>{}; };
  info.make = [](const AgentSetup&, Settings&) -> std::unique_ptr<Agent> {
    ++g_factory_calls;
    throw Error("test_discrete_obs: factory reached");
  };
  register_algorithm(std::move(info));
}

TEST(AlgorithmRegistry, UnsupportedObservationSpaceIsRefusedBeforeTheFactoryRuns) {
  register_discrete_only();
  g_factory_calls = 0;
  const std::string box = envs::make("CartPole-v1", {})->observation_space().to_string();
  EXPECT_EQ(error_of([] { Trainer("test_discrete_obs", "CartPole-v1", {}, {}); }),
            "train: test_discrete_obs cannot handle the observation space " + box +
                " of CartPole-v1 (supports: Discrete)");
  EXPECT_EQ(g_factory_calls, 0);
  // A Discrete observation passes the check and reaches the factory.
  EXPECT_EQ(error_of([] { Trainer("test_discrete_obs", "FrozenLake-v1", {}, {}); }),
            "test_discrete_obs: factory reached");
  EXPECT_EQ(g_factory_calls, 1);
}

TEST(AlgorithmRegistry, TableListsTheObservationSpacesTheTrainerEnforces) {
  register_discrete_only();
  EXPECT_NE(algorithm_table().find("  test_discrete_obs actions: Discrete | observations: "
                                   "Discrete\n"),
            std::string::npos)
      << algorithm_table();
}

TEST(AlgorithmRegistry, EveryBuiltInAlgorithmAcceptsOrRefusesAsItsTableSays) {
  // Blackjack-v1 observes a MultiDiscrete tuple, CartPole-v1 a Box, FrozenLake-v1 a Discrete
  // index; all three act with Discrete actions, which every built-in algorithm but the
  // continuous-control ones (sac, td3, ddpg: Box actions only) supports.
  int checked = 0;
  for (const char* env_id : {"Blackjack-v1", "CartPole-v1", "FrozenLake-v1"}) {
    const auto probe = envs::make(env_id, {});
    const envs::Space& obs = probe->observation_space();
    for (const AlgorithmInfo& algo : list_algorithms()) {
      if (algo.name.rfind("test_", 0) == 0) continue;
      SCOPED_TRACE(algo.name + " on " + env_id);
      Settings s;  // DQN's default replay (1M slots) would allocate 180 MB for Blackjack
      if (algo.name == "dqn") s.set("buffer_size", "1000", "test");
      const std::string msg = error_of([&] { Trainer(algo.name, env_id, {}, s); });
      if (!supports(algo.action_spaces, envs::SpaceKind::Discrete)) {
        EXPECT_EQ(msg.rfind("train: " + algo.name + " cannot handle the action space ", 0), 0u)
            << msg;
      } else if (supports(algo.observation_spaces, obs.kind())) {
        EXPECT_EQ(msg, "(no error)");
      } else {
        EXPECT_EQ(msg.rfind("train: " + algo.name + " cannot handle the observation space " +
                                obs.to_string() + " of " + env_id + " (supports: ",
                            0),
                  0u)
            << msg;
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 3 * 7);
}

TEST(AlgorithmRegistry, TabularRefusalExplainsWhyAndNamesEnvsThatFit) {
  const std::string msg = error_of([] { Trainer("qlearning", "CartPole-v1", {}, {}); });
  EXPECT_NE(msg.find("of CartPole-v1 (supports: Discrete; a Q-table needs finitely many states "
                     "and actions, e.g. FrozenLake-v1, Taxi-v4, CliffWalking-v1)"),
            std::string::npos)
      << msg;
  // The action-space check uses the same note.
  EXPECT_NE(error_of([] {
              Trainer("sarsa", "Pendulum-v1", {}, {});
            }).find("sarsa cannot handle the action space Box("),
            std::string::npos);
}

}  // namespace
}  // namespace rein::rl
