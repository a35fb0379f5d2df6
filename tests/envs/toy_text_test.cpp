// FrozenLake, CliffWalking and Taxi replayed against Gymnasium 1.4 episodes and transition tables
// (tests/envs/data/*.jsonl, see the README of the reference data), plus their kwargs and rendering.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "envs/registry.h"
#include "envs/toy_text/cliff_walking.h"
#include "envs/toy_text/frozen_lake.h"
#include "envs/toy_text/taxi.h"
#include "tests/envs/reference_data.h"

namespace rein::envs {
namespace {

using nlohmann::json;
using testing::read_jsonl;

Kwargs to_kwargs(const json& j) {
  Kwargs kw;
  for (const auto& [key, value] : j.items()) {
    kw[key] = value.is_boolean() ? (value.get<bool>() ? "true" : "false") : value.dump();
  }
  return kw;
}

int64_t as_int(const Tensor& t) { return t.item<int64_t>(); }

std::vector<int> mask_of(const Info& info) {
  std::vector<int> out;
  for (double v : info.tensor("action_mask").tolist()) out.push_back(static_cast<int>(v));
  return out;
}

// Replays every recorded episode of `file` through make(): the state is set after a reset, the
// recorded actions applied, and observations, rewards and both flags compared exactly.
void replay_episodes(const std::string& file) {
  const auto episodes = read_jsonl(file);
  ASSERT_FALSE(episodes.empty());
  for (const auto& ep : episodes) {
    SCOPED_TRACE(file + ": " + ep["note"].get<std::string>());
    auto env = make(ep["env"].get<std::string>(), to_kwargs(ep["kwargs"]));
    env->reset(uint64_t{0});
    env->set_state(std::vector<double>{ep["init_state"].get<double>()});
    EXPECT_EQ(static_cast<int64_t>(env->state()[0]), ep["init_obs"].get<int64_t>());
    const bool taxi = ep.contains("action_masks");
    if (taxi) {
      const auto m = Taxi::action_mask(ep["init_state"].get<int64_t>());
      EXPECT_EQ(std::vector<int>(m.begin(), m.end()),
                ep["init_action_mask"].get<std::vector<int>>());
    }
    const auto& actions = ep["actions"];
    for (size_t t = 0; t < actions.size(); ++t) {
      auto [obs, reward, terminated, truncated, info] = env->step(actions[t].get<int64_t>());
      ASSERT_EQ(as_int(obs), ep["obs"][t].get<int64_t>()) << "step " << t;
      ASSERT_EQ(reward, ep["rewards"][t].get<double>()) << "step " << t;
      ASSERT_EQ(terminated, ep["terminated"][t].get<bool>()) << "step " << t;
      ASSERT_EQ(truncated, ep["truncated"][t].get<bool>()) << "step " << t;
      if (taxi) {
        ASSERT_EQ(mask_of(info), ep["action_masks"][t].get<std::vector<int>>()) << "step " << t;
      }
    }
  }
}

TEST(FrozenLake, MatchesGymnasiumEpisodes) { replay_episodes("FrozenLake-v1.jsonl"); }
TEST(FrozenLake8x8, MatchesGymnasiumEpisodes) { replay_episodes("FrozenLake8x8-v1.jsonl"); }
TEST(CliffWalking, MatchesGymnasiumEpisodes) { replay_episodes("CliffWalking-v1.jsonl"); }
TEST(Taxi, MatchesGymnasiumEpisodesAndActionMasks) { replay_episodes("Taxi-v4.jsonl"); }

// Every (probability, next state, reward, terminated) outcome, in order, and the reset
// distribution equal Gymnasium's table bit for bit.
void compare_tables(const std::string& file) {
  for (const auto& j : read_jsonl(file)) {
    SCOPED_TRACE(file + " " + j["kwargs"].dump());
    auto env = registry().make_unwrapped(j["env"].get<std::string>(), to_kwargs(j["kwargs"]));
    const auto* tab = dynamic_cast<const TabularEnv*>(env.get());
    ASSERT_NE(tab, nullptr);
    const TransitionTable& table = tab->transitions();
    ASSERT_EQ(table.n_states(), j["n_states"].get<int64_t>());
    ASSERT_EQ(table.n_actions(), j["n_actions"].get<int64_t>());
    EXPECT_EQ(env->observation_space(), Space(Discrete(table.n_states())));
    EXPECT_EQ(env->action_space(), Space(Discrete(table.n_actions())));
    EXPECT_EQ(table.initial_state_distribution,
              j["initial_state_distribution"].get<std::vector<double>>());
    for (int64_t s = 0; s < table.n_states(); ++s) {
      for (int64_t a = 0; a < table.n_actions(); ++a) {
        const auto& want = j["P"][s][a];
        const auto got = table.at(s, a);
        ASSERT_EQ(got.size(), want.size()) << "s=" << s << " a=" << a;
        for (size_t k = 0; k < got.size(); ++k) {
          const Transition w{want[k][0].get<double>(), want[k][1].get<int64_t>(),
                             want[k][2].get<double>(), want[k][3].get<bool>()};
          ASSERT_EQ(got[k], w) << "s=" << s << " a=" << a << " outcome " << k;
        }
      }
    }
    if (j.contains("desc")) {
      EXPECT_EQ(dynamic_cast<const FrozenLake&>(*env).desc(),
                j["desc"].get<std::vector<std::string>>());
    }
    if (j.contains("action_mask")) {
      for (int64_t s = 0; s < table.n_states(); ++s) {
        const auto m = Taxi::action_mask(s);
        ASSERT_EQ(std::vector<int>(m.begin(), m.end()), j["action_mask"][s].get<std::vector<int>>())
            << "s=" << s;
      }
    }
  }
}

TEST(FrozenLake, TransitionTablesEqualGymnasiumSlipperyAndNot) {
  compare_tables("FrozenLake-v1.transitions.jsonl");
  compare_tables("FrozenLake8x8-v1.transitions.jsonl");
}
TEST(CliffWalking, TransitionTablesEqualGymnasiumPlainAndSlippery) {
  compare_tables("CliffWalking-v1.transitions.jsonl");
}
TEST(Taxi, TransitionTablesEqualGymnasiumDryAndRainy) {
  compare_tables("Taxi-v4.transitions.jsonl");
}

TEST(CliffWalking, SlipperyIdIsTheSlipperyTable) {
  auto plain = registry().make_unwrapped("CliffWalking-v1");
  auto slippery = registry().make_unwrapped("CliffWalkingSlippery-v1");
  EXPECT_FALSE(dynamic_cast<CliffWalking&>(*plain).is_slippery());
  EXPECT_TRUE(dynamic_cast<CliffWalking&>(*slippery).is_slippery());
  EXPECT_EQ(dynamic_cast<CliffWalking&>(*slippery).transitions().at(36, 1).size(), 3u);
}

// Sampled slippery steps follow the table: each outcome's frequency is near its probability.
TEST(FrozenLake, SlipperyStepsSampleTheTableOutcomes) {
  FrozenLake env;  // 4x4, slippery
  env.reset(uint64_t{7});
  const int n = 30000;
  std::map<int64_t, int> counts;
  for (int i = 0; i < n; ++i) {
    env.set_state(std::vector<double>{6.0});  // state 6: neighbours 2, 5 (hole), 7 (hole), 10
    counts[as_int(env.step(1).obs)]++;        // down: slides to 5 (left) or 7 (right)
  }
  ASSERT_EQ(counts.size(), 3u);
  for (int64_t s : {5, 10, 7}) {
    EXPECT_NEAR(counts[s] / double(n), 1.0 / 3.0, 0.015) << "next state " << s;
  }
}

TEST(Taxi, ResetIsUniformOverThe300StartStates) {
  Taxi env;
  env.reset(uint64_t{123});
  std::map<int64_t, int> counts;
  const int n = 60000;
  for (int i = 0; i < n; ++i) counts[as_int(env.reset().obs)]++;
  ASSERT_EQ(counts.size(), 300u);
  for (const auto& [s, c] : counts) {
    const auto [row, col, passenger, destination] = Taxi::decode(s);
    EXPECT_LT(passenger, 4);
    EXPECT_NE(passenger, destination);
    EXPECT_NEAR(c, n / 300.0, 60.0) << "state " << s;  // mean 200, sd ~14
  }
}

TEST(Taxi, ResetWithTheSameSeedRepeatsTheEpisode) {
  auto run = [](uint64_t seed) {
    auto env = make("Taxi-v4", {{"is_rainy", "true"}});
    std::vector<int64_t> trace{as_int(env->reset(seed).obs)};
    for (int t = 0; t < 50; ++t) trace.push_back(as_int(env->step(t % 6).obs));
    return trace;
  };
  EXPECT_EQ(run(3), run(3));
  EXPECT_NE(run(3), run(4));
}

TEST(Taxi, InfoHasProbAndBoolActionMaskAtResetAndStep) {
  auto env = make("Taxi-v4");
  const auto r = env->reset(uint64_t{0});
  EXPECT_EQ(r.info.number("prob"), 1.0);
  EXPECT_EQ(r.info.tensor("action_mask").dtype(), Dtype::Bool);
  EXPECT_EQ(r.info.tensor("action_mask").shape(), Shape({6}));
  const auto s = env->step(0);
  EXPECT_EQ(s.info.number("prob"), 1.0);
  const auto m = Taxi::action_mask(as_int(s.obs));
  EXPECT_EQ(mask_of(s.info), std::vector<int>(m.begin(), m.end()));
}

TEST(Taxi, FicklePassengerChangesDestinationOnceInAboutThirtyPercentOfEpisodes) {
  Taxi env(false, true);
  int changed = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    env.reset(uint64_t(i));
    env.set_state(std::vector<double>{double(Taxi::encode(0, 0, 4, 1))});  // aboard at R, to G
    const auto first = Taxi::decode(as_int(env.step(0).obs));              // south: moves
    EXPECT_EQ(first[0], 1);
    if (first[3] != 1) ++changed;
    const auto second = Taxi::decode(as_int(env.step(1).obs));
    EXPECT_EQ(second[3], first[3]) << "the destination changes at most once per episode";
  }
  EXPECT_NEAR(changed / double(n), 0.3, 0.03);
}

TEST(Taxi, V3IsAnAliasWithTheSameDynamicsAndLimits) {
  const EnvSpec v3 = registry().spec("Taxi-v3");
  const EnvSpec v4 = registry().spec("Taxi-v4");
  EXPECT_EQ(v3.max_episode_steps, 200);
  EXPECT_EQ(v4.max_episode_steps, 200);
  EXPECT_EQ(v3.reward_threshold, 8.0);
  auto a = registry().make_unwrapped("Taxi-v3");
  auto b = registry().make_unwrapped("Taxi-v4");
  const auto& ta = dynamic_cast<TabularEnv&>(*a).transitions();
  const auto& tb = dynamic_cast<TabularEnv&>(*b).transitions();
  for (int64_t s = 0; s < 500; ++s) {
    for (int64_t act = 0; act < 6; ++act) {
      ASSERT_TRUE(std::equal(ta.at(s, act).begin(), ta.at(s, act).end(), tb.at(s, act).begin(),
                             tb.at(s, act).end()));
    }
  }
}

TEST(ToyText, RegisteredWithGymnasiumLimitsAndThresholds) {
  EXPECT_EQ(registry().spec("FrozenLake-v1").max_episode_steps, 100);
  EXPECT_EQ(registry().spec("FrozenLake-v1").reward_threshold, 0.70);
  EXPECT_EQ(registry().spec("FrozenLake8x8-v1").max_episode_steps, 200);
  EXPECT_EQ(registry().spec("FrozenLake8x8-v1").reward_threshold, 0.85);
  EXPECT_FALSE(registry().spec("CliffWalking-v1").max_episode_steps.has_value());
  EXPECT_FALSE(registry().spec("CliffWalkingSlippery-v1").max_episode_steps.has_value());
  EXPECT_FALSE(registry().spec("Blackjack-v1").max_episode_steps.has_value());
  // FrozenLake-v1 with the 8x8 map keeps the id's 100-step limit, as in Gymnasium.
  auto env = make("FrozenLake-v1", {{"map_name", "8x8"}, {"is_slippery", "false"}});
  env->reset(uint64_t{0});
  bool truncated = false;
  int steps = 0;
  while (!truncated) {
    truncated = env->step(3).truncated;  // up into the wall forever
    ++steps;
  }
  EXPECT_EQ(steps, 100);
}

TEST(CliffWalking, NeverTruncates) {
  auto env = make("CliffWalking-v1");
  env->reset(uint64_t{0});
  for (int t = 0; t < 1000; ++t) ASSERT_FALSE(env->step(3).truncated);
}

TEST(FrozenLake, UnknownMapNameIsAnErrorNamingTheChoices) {
  try {
    make("FrozenLake-v1", {{"map_name", "5x5"}});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "FrozenLake: unknown map_name '5x5' (known: 4x4, 8x8, random; or give the map "
                 "rows with desc)");
  }
}

TEST(FrozenLake, BadDescIsAnErrorNamingTheRowAndCell) {
  auto message = [](const std::string& desc) {
    try {
      make("FrozenLake-v1", {{"desc", desc}});
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(
      message("SFFF,FHF"),
      "FrozenLake: desc row 1 'FHF' has 3 cells but row 0 has 4; the map must be a rectangle");
  EXPECT_EQ(message("SFXF,FFFG"),
            "FrozenLake: desc row 0 'SFXF' has the cell 'X'; allowed are S (start), F (frozen), "
            "H (hole), G (goal)");
  EXPECT_EQ(message("FFF,FFG"), "FrozenLake: desc has no start cell 'S'");
  EXPECT_EQ(message(","), "FrozenLake: desc is empty; give rows like SFFF,FHFH,FFFH,HFFG");
}

TEST(FrozenLake, OtherKwargErrorsAreClear) {
  EXPECT_THROW(make("FrozenLake-v1", {{"is_slipery", "false"}}), Error);  // typo: unknown key
  try {
    make("FrozenLake-v1", {{"size", "5"}});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pass map_name=random"), std::string::npos) << e.what();
  }
  try {
    make("FrozenLake-v1", {{"reward_schedule", "1,0"}});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("three numbers"), std::string::npos) << e.what();
  }
  EXPECT_THROW(make("Taxi-v4", {{"is_raining", "true"}}), Error);
}

TEST(FrozenLake, CustomDescAndRewardScheduleDefineTheTable) {
  FrozenLake env(
      Kwargs{{"desc", "SH/FG"}, {"is_slippery", "false"}, {"reward_schedule", "2,-1,0.5"}});
  EXPECT_EQ(env.observation_space(), Space(Discrete(4)));
  EXPECT_EQ(env.transitions().at(0, 2)[0], (Transition{1.0, 1, -1.0, true}));  // into the hole
  EXPECT_EQ(env.transitions().at(0, 1)[0], (Transition{1.0, 2, 0.5, false}));  // frozen
  EXPECT_EQ(env.transitions().at(2, 2)[0], (Transition{1.0, 3, 2.0, true}));   // goal
}

TEST(FrozenLake, SuccessRateSetsTheSlipProbabilities) {
  FrozenLake env(Kwargs{{"success_rate", "0.5"}});
  const auto out = env.transitions().at(0, 1);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].prob, 0.25);
  EXPECT_EQ(out[1].prob, 0.5);
  EXPECT_EQ(out[2].prob, 0.25);
}

TEST(FrozenLake, RandomMapsHaveAPathAndFollowTheSeed) {
  NpRandom gen(11);
  for (int i = 0; i < 20; ++i) {
    const auto map = generate_random_map(6, 0.6, gen);
    ASSERT_EQ(map.size(), 6u);
    EXPECT_EQ(map[0][0], 'S');
    EXPECT_EQ(map[5][5], 'G');
    // A frozen path exists: value iteration-free check through the table: G reachable from S.
    FrozenLakeConfig config;
    config.desc = map;
    config.is_slippery = false;
    FrozenLake env(config);
    std::set<int64_t> seen{0};
    std::vector<int64_t> todo{0};
    while (!todo.empty()) {
      const int64_t s = todo.back();
      todo.pop_back();
      for (int a = 0; a < 4; ++a) {
        const Transition t = env.transitions().at(s, a)[0];
        if (seen.insert(t.next_state).second && map[t.next_state / 6][t.next_state % 6] != 'H') {
          todo.push_back(t.next_state);
        }
      }
    }
    EXPECT_TRUE(seen.count(35)) << "no path to the goal";
  }
  auto a =
      make("FrozenLake-v1", {{"map_name", "random"}, {"size", "5"}, {"p", "0.7"}, {"seed", "3"}});
  auto b =
      make("FrozenLake-v1", {{"map_name", "random"}, {"size", "5"}, {"p", "0.7"}, {"seed", "3"}});
  EXPECT_EQ(a->observation_space(), Space(Discrete(25)));
  EXPECT_EQ(dynamic_cast<FrozenLake&>(a->unwrapped()).desc(),
            dynamic_cast<FrozenLake&>(b->unwrapped()).desc());
  // NumPy's default_rng(3).choice(["F", "H"], (5, 5), p=[0.7, 0.3]), as Gymnasium's
  // generate_random_map(5, 0.7, seed=3) draws it (the first board already has a path).
  EXPECT_EQ(dynamic_cast<FrozenLake&>(a->unwrapped()).desc(),
            (std::vector<std::string>{"SFHFF", "FFFHF", "FFFFH", "HFFFF", "FHFFG"}));
  EXPECT_THROW(generate_random_map(1, 0.8, gen), Error);
  EXPECT_THROW(generate_random_map(4, 0.0, gen), Error);
}

// What make() throws for `kwargs` (its message), or "(no error)".
std::string make_error(const std::string& id, const Kwargs& kwargs) {
  try {
    make(id, kwargs);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(FrozenLake, RandomMapsThatCannotBeFoundOrHeldAreRefusedNotWaitedFor) {
  // Below p ~ 0.6 a large map almost never has a path from S to G: Gymnasium (and rein) redrew
  // it forever. A size of a million cells a side asked for a terabyte of board.
  const std::string hang = make_error(
      "FrozenLake-v1", {{"map_name", "random"}, {"size", "100"}, {"p", "0.3"}, {"seed", "1"}});
  EXPECT_EQ(hang,
            "FrozenLake: none of 10000 random 100x100 maps with frozen probability p 0.3 had a "
            "path from S to G (Gymnasium would draw forever); raise p (a large map needs about "
            "0.6 or more) or lower size");
  const std::string huge =
      make_error("FrozenLake-v1", {{"map_name", "random"}, {"size", "1000000"}});
  EXPECT_EQ(huge,
            "FrozenLake: random map size must be at most 1024 (a size x size map has size^2 "
            "states), got 1000000");
  // A map the budget finds is Gymnasium's map: the same stream, the same first valid board.
  NpRandom gen(3);
  EXPECT_EQ(generate_random_map(5, 0.7, gen),
            (std::vector<std::string>{"SFHFF", "FFFHF", "FFFFH", "HFFFF", "FHFFG"}));
}

TEST(FrozenLake, ASuccessRateThatIsNoProbabilityIsRefused) {
  for (const char* v : {"1.5", "-0.5", "nan", "inf"}) {
    EXPECT_EQ(make_error("FrozenLake-v1", {{"success_rate", v}}),
              str("FrozenLake: argument 'success_rate' must be a finite number in [0, 1], got ",
                  std::stod(v), " (the probability of the chosen move on slippery ice)"));
  }
  // The same bound holds for a config built in C++.
  FrozenLakeConfig config;
  config.success_rate = 1.5;
  EXPECT_THROW(FrozenLake{config}, Error);
  for (const char* v : {"0", "1"})
    EXPECT_EQ(make_error("FrozenLake-v1", {{"success_rate", v}}), "(no error)");
}

TEST(FrozenLake, ADescTooLargeToHoldIsRefused) {
  // A 2048 x 2048 desc (4 MB of text, e.g. from Python) took 2.9 GB and 10 s to build; a random
  // map is capped at 1024 x 1024 cells, and so is a desc now, before any table is built.
  std::string rows = "S" + std::string(1023, 'F');
  for (int r = 1; r < 1025; ++r) rows += "," + std::string(1024, 'F');
  EXPECT_EQ(make_error("FrozenLake-v1", {{"desc", rows}}),
            "FrozenLake: desc has 1025 rows of 1024 cells; at most 1024 x 1024 = 1048576 cells "
            "are taken (each cell's transitions take about 0.7 KB)");
  EXPECT_EQ(make_error("FrozenLake-v1", {{"desc", "S" + std::string(1048576, 'F')}}),
            "FrozenLake: desc has 1 rows of 1048577 cells; at most 1024 x 1024 = 1048576 cells "
            "are taken (each cell's transitions take about 0.7 KB)");
  EXPECT_EQ(make_error("FrozenLake-v1", {{"desc", "SF,FG"}}), "(no error)");
}

TEST(FrozenLake, RewardsBeyondFloat32AreRefused) {
  // Vector envs and training keep rewards as float32: 1e300 arrived as inf, and training
  // stopped on "reward is inf" without naming reward_schedule.
  EXPECT_EQ(make_error("FrozenLake-v1", {{"reward_schedule", "1e300,0,0"}}),
            "FrozenLake: reward_schedule '1e300,0,0' holds 1e+300, beyond float32's range "
            "(|reward| <= 3.4e38) that rewards are kept in");
  EXPECT_EQ(make_error("FrozenLake-v1", {{"reward_schedule", "3e38,-3e38,0"}}), "(no error)");
}

TEST(FrozenLake, RandomMapCellsAreFrozenWithProbabilityP) {
  NpRandom gen(5);
  int frozen = 0;
  int cells = 0;
  for (int i = 0; i < 200; ++i) {
    for (const auto& row : generate_random_map(16, 0.9, gen)) {
      for (char c : row) {
        frozen += c == 'F';
        cells += c == 'F' || c == 'H';
      }
    }
  }
  // Rejection of maps without a path biases towards ice only slightly at p = 0.9.
  EXPECT_NEAR(frozen / double(cells), 0.9, 0.01);
}

TEST(TabularEnv, SetStateRejectsStatesOutsideTheSpace) {
  auto env = make("CliffWalking-v1");
  env->reset(uint64_t{0});
  try {
    env->set_state(std::vector<double>{48.0});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(
        e.what(),
        "CliffWalking-v1.set_state: expected one integer state index in [0, 48), got [48]");
  }
  EXPECT_THROW(env->set_state(std::vector<double>{1.5}), Error);
  EXPECT_THROW(env->step(4), Error);
}

TEST(FrozenLake, RenderTextMatchesGymnasiumAnsi) {
  FrozenLake env;
  env.reset(uint64_t{0});
  EXPECT_EQ(env.render_text(), "\n\x1b[41mS\x1b[0mFFF\nFHFH\nFFFH\nHFFG\n");
  FrozenLake plain(Kwargs{{"is_slippery", "false"}});
  plain.reset(uint64_t{0});
  plain.step(2);
  EXPECT_EQ(plain.render_text(), "  (Right)\nS\x1b[41mF\x1b[0mFF\nFHFH\nFFFH\nHFFG\n");
}

TEST(CliffWalking, RenderTextMatchesGymnasiumAnsi) {
  CliffWalking env(false);
  env.reset(uint64_t{0});
  const std::string top = "o  o  o  o  o  o  o  o  o  o  o  o\n";
  EXPECT_EQ(env.render_text(), top + top + top + "x  C  C  C  C  C  C  C  C  C  C  T\n\n");
}

TEST(Taxi, RenderTextMatchesGymnasiumAnsi) {
  Taxi env;
  env.reset(uint64_t{0});
  env.set_state(std::vector<double>{double(Taxi::encode(1, 1, 0, 1))});
  const std::string expected = std::string("+---------+\n") +
                               "|\x1b[34;1mR\x1b[0m: | : :\x1b[35mG\x1b[0m|\n" +
                               "| :\x1b[43m \x1b[0m| : : |\n" + "| : : : : |\n" + "| | : | : |\n" +
                               "|Y| : |B: |\n" + "+---------+\n" + "\n";
  EXPECT_EQ(env.render_text(), expected);
  env.step(4);  // illegal pickup: nothing moves
  EXPECT_EQ(env.render_text().substr(env.render_text().size() - 11), "  (Pickup)\n");
}

}  // namespace
}  // namespace rein::envs
