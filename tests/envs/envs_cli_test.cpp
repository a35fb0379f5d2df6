// `rein envs` end to end: rollout with --state/--actions reproduces a recorded Gymnasium episode,
// rollout --seed/--sample Gymnasium's seeded reset and action samples,
// list shows the registry, check fails (exit 1) on a broken plug-in env.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

using nlohmann::json;

struct CliRun {
  std::string out;
  int status = -1;
};

CliRun rein(const std::string& args) {
  const std::string bin = std::string(REIN_BINARY_DIR) + "/bin/rein";
  CliRun r;
  FILE* p = popen((bin + " " + args + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) r.out.append(buf, n);
  const int status = pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class EnvsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(std::string(REIN_BINARY_DIR) + "/bin/rein")) {
      GTEST_SKIP() << "the rein CLI is not built in this build tree";
    }
  }
};

TEST_F(EnvsCli, RolloutWithStateAndActionsReplaysAGymnasiumEpisode) {
  std::ifstream in(std::string(REIN_SOURCE_DIR) + "/tests/envs/data/Acrobot-v1.jsonl");
  std::string line;
  std::getline(in, line);
  const json ep = json::parse(line);
  std::string state, actions;
  for (const auto& v : ep["init_state"]) {
    if (!state.empty()) state += ',';
    state += v.dump();
  }
  for (size_t t = 0; t < 20; ++t) {
    if (t > 0) actions += ',';
    actions += ep["actions"][t].dump();
  }
  const CliRun r =
      rein("envs rollout Acrobot-v1 --seed 0 --json --state=" + state + " --actions=" + actions);
  ASSERT_EQ(r.status, 0) << r.out;
  std::istringstream lines(r.out);
  std::string first;
  std::getline(lines, first);
  EXPECT_EQ(json::parse(first)["reset"], true) << first;
  size_t t = 0;
  for (std::string l; std::getline(lines, l); ++t) {
    const json step = json::parse(l);
    ASSERT_LT(t, 20u);
    for (size_t i = 0; i < 6; ++i) {
      EXPECT_EQ(step["obs"][i].get<float>(), static_cast<float>(ep["obs"][t][i].get<double>()))
          << "step " << t;
    }
    EXPECT_EQ(step["reward"].get<double>(), ep["rewards"][t].get<double>());
    EXPECT_EQ(step["terminated"].get<bool>(), ep["terminated"][t].get<bool>());
  }
  EXPECT_EQ(t, 20u);
}

// `--seed S --sample N` is Gymnasium's reset(seed=S), action_space.seed(S) and N samples.
TEST_F(EnvsCli, RolloutSampleGivesGymnasiumsSeededResetAndActions) {
  std::ifstream in(std::string(REIN_SOURCE_DIR) + "/tests/envs/data/seeding.jsonl");
  json rec;
  for (std::string line; std::getline(in, line);) {
    rec = json::parse(line);
    if (rec["kind"] == "reset_and_sample" && rec["env"] == "Pendulum-v1" && rec["seed"] == 42)
      break;
  }
  ASSERT_EQ(rec["env"], "Pendulum-v1");
  const CliRun r = rein("envs rollout Pendulum-v1 --seed 42 --sample 20 --json");
  ASSERT_EQ(r.status, 0) << r.out;
  std::istringstream lines(r.out);
  std::string l;
  std::getline(lines, l);
  const json reset = json::parse(l);
  EXPECT_EQ(reset["seed"], 42);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(reset["obs"][i].get<float>(), static_cast<float>(rec["reset_obs"][i].get<double>()));
  }
  size_t t = 0;
  for (; std::getline(lines, l); ++t) {
    const json step = json::parse(l);
    ASSERT_LT(t, 20u);
    EXPECT_EQ(step["action"][0].get<float>(),
              static_cast<float>(rec["actions"][t][0].get<double>()))
        << "step " << t;
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(step["obs"][i].get<float>(), static_cast<float>(rec["obs"][t][i].get<double>()))
          << "step " << t;
    }
    EXPECT_EQ(step["reward"].get<double>(), rec["rewards"][t].get<double>()) << "step " << t;
  }
  EXPECT_EQ(t, 20u);
}

TEST_F(EnvsCli, ListShowsIdsSpacesAndThresholds) {
  const CliRun r = rein("envs list --json");
  ASSERT_EQ(r.status, 0) << r.out;
  bool found = false;
  for (const json& row : json::parse(r.out)) {
    if (row["id"] == "CartPole-v1") {
      found = true;
      EXPECT_EQ(row["max_episode_steps"], 500);
      EXPECT_EQ(row["reward_threshold"], 475.0);
      EXPECT_EQ(row["action_space"], "Discrete(2)");
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(EnvsCli, CheckFailsOnABrokenPluginEnvAndUnknownIdsGetAHint) {
  const CliRun bad =
      rein(std::string("envs check BrokenObs-v0 --plugin ") + REIN_TEST_PLUGIN_BROKEN);
  EXPECT_EQ(bad.status, 1) << bad.out;
  EXPECT_NE(bad.out.find("the plug-in returned observation 99, not in Discrete(3)"),
            std::string::npos)
      << bad.out;
  const CliRun good =
      rein(std::string("envs check Corridor-v0 --plugin ") + REIN_TEST_PLUGIN_CORRIDOR);
  EXPECT_EQ(good.status, 0) << good.out;
  const CliRun typo = rein("envs rollout CartPol-v1");
  EXPECT_EQ(typo.status, 1);
  EXPECT_NE(typo.out.find("did you mean 'CartPole-v1'?"), std::string::npos) << typo.out;
}

// `--actions 0.5,0.5` for a two-element action (two steps of one value each) used to print the
// reset and then "takes 2 value(s), got 1"; the actions are now checked before the reset and the
// error says how to write them.
TEST_F(EnvsCli, RolloutActionsOfTheWrongWidthAreRefusedBeforeTheResetWithTheSyntax) {
  const CliRun r = rein("envs rollout LunarLanderContinuous-v3 --seed 1 --actions 0.5,0.5");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_EQ(r.out.find("reset:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--actions: step 0 '0.5' has 1 value(s), but Box(-1.0, 1.0, (2,), "
                       "float32) takes 2 per step: separate a step's values with ';' and the "
                       "steps with ','"),
            std::string::npos)
      << r.out;
  const CliRun ok = rein("envs rollout LunarLanderContinuous-v3 --seed 1 --actions '0.5;0.5,0;1'");
  EXPECT_EQ(ok.status, 0) << ok.out;
  const CliRun nan = rein("envs rollout LunarLanderContinuous-v3 --seed 1 --actions '0.5;nan'");
  EXPECT_EQ(nan.status, 1) << nan.out;
  EXPECT_EQ(nan.out.find("reset:"), std::string::npos) << nan.out;
  EXPECT_NE(nan.out.find("action: nan is not a finite number"), std::string::npos) << nan.out;
}

TEST_F(EnvsCli, RolloutPrintsImageObservationsAsBytesWithChannelMeans) {
  std::ifstream in(std::string(REIN_SOURCE_DIR) + "/tests/envs/data/CarRacing-v3.seeding.jsonl");
  std::string line;
  std::getline(in, line);
  const json rec = json::parse(line);
  const CliRun r =
      rein("envs rollout CarRacing-v3 --seed " + rec["seed"].dump() + " --sample 3 --json");
  ASSERT_EQ(r.status, 0) << r.out.substr(0, 500);
  std::istringstream lines(r.out);
  std::string text;
  for (int t = -1; t < 3 && std::getline(lines, text); ++t) {
    const json j = json::parse(text);
    ASSERT_EQ(j["obs"].size(), 96u * 96u * 3u);
    const json& expected = t < 0 ? rec["reset_obs_mean"] : rec["obs_mean"][t];
    for (size_t c = 0; c < 3; ++c) {
      EXPECT_NEAR(j["obs_mean"][c].get<double>(), expected[c].get<double>(), 3.0) << t;
    }
    if (t >= 0) {
      EXPECT_EQ(j["reward"].get<double>(), rec["rewards"][t].get<double>()) << t;
    }
  }
  const CliRun text_run = rein("envs rollout CarRacing-v3 --seed 1 --sample 1");
  EXPECT_NE(text_run.out.find("obs uint8 [96, 96, 3] channel means ["), std::string::npos)
      << text_run.out;
}

TEST_F(EnvsCli, TrainingOnImageObservationsFailsWithAHint) {
  const std::string db = testing::TempDir() + "/rein_images.db";
  // Without the preset (which picks CnnPolicy), PPO's default MlpPolicy meets the images.
  const CliRun r = rein("train ppo CarRacing-v3 --no-preset --steps 64 --no-progress --db " + db);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("cannot learn from the image observations Box(0, 255, (96, 96, 3), uint8)"),
            std::string::npos)
      << r.out;
}

}  // namespace
