// Config fields, Settings (--set, TOML) and their error texts; the built-in presets.
#include "rl/config.h"

#include <gtest/gtest.h>

#include <map>

#include "base/error.h"
#include "rl/algorithms/ppo.h"
#include "rl/presets.h"
#include "rl/run_config.h"

namespace rein::rl {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Settings, SetAppliesTypedValues) {
  PPOConfig c;
  Settings s;
  s.set_assignment("n_steps=1e3", "--set");
  s.set_assignment("gamma=0.9", "--set");
  s.set_assignment("anneal_lr=yes", "--set");
  s.set_assignment("net_arch=32,32", "--set");
  auto f = c.fields();
  s.apply(f);
  s.finish();
  EXPECT_EQ(c.n_steps, 1000);
  EXPECT_DOUBLE_EQ(c.gamma, 0.9);
  EXPECT_TRUE(c.anneal_lr);
  EXPECT_EQ(c.net_arch, "32,32");
}

TEST(Settings, LaterValuesWin) {
  Settings s;
  s.set("gamma", "0.9", "preset");
  s.set("gamma", "0.95", "--set");
  EXPECT_EQ(*s.get("gamma"), "0.95");
  EXPECT_EQ(s.items().size(), 1u);
}

TEST(Settings, BadValueNamesKeyOriginAndExpectedType) {
  PPOConfig c;
  Settings s;
  s.set_assignment("n_steps=12.5", "--set");
  auto f = c.fields();
  EXPECT_EQ(error_of([&] { s.apply(f); }),
            "--set: bad value '12.5' for key 'n_steps' (expected an integer)");
  Settings b;
  b.set_assignment("anneal_lr=maybe", "--set");
  EXPECT_EQ(error_of([&] { b.apply(f); }),
            "--set: bad value 'maybe' for key 'anneal_lr' (expected true or false)");
  // 2^62 is an integer and 1e-320 a finite number: the message says which ones are taken.
  Settings huge;
  huge.set_assignment("n_steps=4611686018427387904", "--set");
  EXPECT_EQ(error_of([&] { huge.apply(f); }),
            "--set: bad value '4611686018427387904' for key 'n_steps' (expected an integer of at "
            "most 9e15 in magnitude)");
  Settings tiny;
  tiny.set_assignment("gamma=1e-320", "--set");
  EXPECT_NE(error_of([&] { tiny.apply(f); }).find("0, or 2.3e-308 to 1.7e308 in magnitude"),
            std::string::npos);
}

TEST(Settings, UnknownKeySuggestsAndListsValidKeys) {
  PPOConfig c;
  RunConfig r;
  Settings s;
  s.set_assignment("n_step=64", "--set");
  auto pf = c.fields();
  auto rf = r.fields();
  s.apply(rf);
  s.apply(pf);
  std::string msg = error_of([&] { s.finish(); });
  EXPECT_EQ(msg.rfind("--set: unknown key 'n_step' (did you mean 'n_steps'?); valid keys: ", 0), 0u)
      << msg;
  EXPECT_NE(msg.find("batch_size"), std::string::npos);
  EXPECT_NE(msg.find("total_timesteps"), std::string::npos);
}

TEST(Settings, AssignmentWithoutEqualsIsAnError) {
  Settings s;
  EXPECT_EQ(error_of([&] { s.set_assignment("gamma", "--set"); }),
            "--set: expected key=value, got 'gamma'");
}

TEST(Settings, ConfigThatIsADirectoryIsAnError) {
  Settings s;
  const std::string dir = REIN_BINARY_DIR;
  EXPECT_EQ(error_of([&] { s.merge_toml_file(dir); }),
            "--config: '" + dir + "' is a directory; give a TOML file (e.g. " + dir + "/ppo.toml)");
}

TEST(Settings, MergesTomlScalars) {
  Settings s;
  s.merge_toml("n_steps = 128\ngamma = 0.98\nanneal_lr = true\nactivation = \"relu\"\n", "my.toml");
  PPOConfig c;
  auto f = c.fields();
  s.apply(f);
  EXPECT_EQ(c.n_steps, 128);
  EXPECT_DOUBLE_EQ(c.gamma, 0.98);
  EXPECT_TRUE(c.anneal_lr);
  EXPECT_EQ(c.activation, "relu");
}

// A list field is written as a TOML array (before: "must be a number, bool or string, not a
// array"); nested lists and tables stay errors.
TEST(Settings, TomlArraysFillListFields) {
  Settings s;
  s.merge_toml("net_arch = [64, 64]\n", "my.toml");
  PPOConfig c;
  auto f = c.fields();
  s.apply(f);
  EXPECT_EQ(c.net_arch, "64,64");
  Settings nested;
  EXPECT_EQ(error_of([&] { nested.merge_toml("net_arch = [[64], 64]\n", "my.toml"); }),
            "my.toml: key 'net_arch' must be a list of numbers, bools or strings, not of lists "
            "or tables");
}

TEST(Settings, TomlSyntaxErrorNamesFileAndLine) {
  Settings s;
  std::string msg = error_of([&] { s.merge_toml("gamma = 0.9\nn_steps = = 3\n", "bad.toml"); });
  EXPECT_EQ(msg.rfind("bad.toml:2:", 0), 0u) << msg;
}

TEST(Fields, FloatsRoundTripThroughText) {
  PPOConfig c;
  c.learning_rate = 0.001;
  c.gamma = 0.1 + 0.2;  // not exactly 0.3
  auto params = to_params(c.fields());
  PPOConfig d;
  Settings s;
  for (auto& [k, v] : param_texts(params)) s.set(k, v, "params");
  auto f = d.fields();
  s.apply(f);
  EXPECT_EQ(d.learning_rate, c.learning_rate);
  EXPECT_EQ(d.gamma, c.gamma);
  EXPECT_EQ(*s.get("learning_rate"), "0.001");
}

TEST(Fields, ParamsKeepTheFieldTypes) {
  PPOConfig c;
  c.net_arch = "64";    // reads like an int, is a string field
  c.learning_rate = 1;  // reads like an int, is a float field
  std::map<std::string, ParamValue> by_key;
  for (const Param& p : to_params(c.fields())) by_key[p.key] = p.value;
  EXPECT_EQ(by_key.at("net_arch"), ParamValue(std::string("64")));
  EXPECT_EQ(by_key.at("learning_rate"), ParamValue(1.0));
  EXPECT_EQ(by_key.at("n_steps"), ParamValue(int64_t{c.n_steps}));
  EXPECT_EQ(by_key.at("normalize_advantage"), ParamValue(c.normalize_advantage));
  EXPECT_EQ(param_text(by_key.at("learning_rate")), "1.0");  // and its text reads as a float
}

TEST(PPOConfig, ValidateNamesTheField) {
  PPOConfig c;
  c.batch_size = 0;
  EXPECT_EQ(error_of([&] { c.validate(); }), "ppo: batch_size must be >= 1, got 0");
}

TEST(Presets, CartPoleIsTheZooTunedEntry) {
  auto p = find_preset("ppo", "CartPole-v1");
  ASSERT_TRUE(p.has_value());
  PPOConfig c;
  RunConfig r;
  auto pf = c.fields();
  auto rf = r.fields();
  p->settings.apply(rf);
  p->settings.apply(pf);
  p->settings.finish();
  EXPECT_EQ(r.n_envs, 8);
  EXPECT_EQ(r.total_timesteps, 100000);
  EXPECT_EQ(c.n_steps, 32);
  EXPECT_EQ(c.batch_size, 256);
  EXPECT_DOUBLE_EQ(c.gae_lambda, 0.8);
  EXPECT_DOUBLE_EQ(c.gamma, 0.98);
  EXPECT_EQ(c.n_epochs, 20);
  EXPECT_DOUBLE_EQ(c.learning_rate, 0.001);
  EXPECT_TRUE(c.anneal_lr);
  EXPECT_TRUE(c.anneal_clip_range);
}

TEST(Presets, EveryPresetUsesOnlyValidKeys) {
  auto all = list_presets();
  ASSERT_GE(all.size(), 3u);
  for (Preset& p : all) {
    if (p.algorithm != "ppo") continue;  // other algorithms check their presets in their tests
    PPOConfig c;
    RunConfig r;
    auto pf = c.fields();
    auto rf = r.fields();
    p.settings.apply(rf);
    p.settings.apply(pf);
    EXPECT_NO_THROW(p.settings.finish()) << p.env_id;
    EXPECT_NO_THROW(c.validate()) << p.env_id;
  }
}

// The zoo's entries (ppo, a2c, dqn, sac, td3 and ddpg .yml) for every env rein has, the zoo's
// -v2 names mapped to Gymnasium's -v3 and Pendulum-v0 to -v1.
TEST(Presets, EveryZooEntryOfAnEnvReinHasIsAPreset) {
  const std::map<std::string, std::vector<std::string>> zoo = {
      {"ppo",
       {"CartPole-v1", "Acrobot-v1", "MountainCar-v0", "Pendulum-v1", "MountainCarContinuous-v0",
        "LunarLander-v3", "LunarLanderContinuous-v3", "BipedalWalker-v3",
        "BipedalWalkerHardcore-v3", "CarRacing-v3"}},
      {"a2c",
       {"CartPole-v1", "Acrobot-v1", "MountainCar-v0", "Pendulum-v1", "MountainCarContinuous-v0",
        "LunarLander-v3", "LunarLanderContinuous-v3", "BipedalWalker-v3",
        "BipedalWalkerHardcore-v3"}},
      {"dqn", {"CartPole-v1", "MountainCar-v0", "Acrobot-v1", "LunarLander-v3"}},
      {"sac",
       {"Pendulum-v1", "MountainCarContinuous-v0", "LunarLanderContinuous-v3", "BipedalWalker-v3",
        "BipedalWalkerHardcore-v3"}},
      {"td3",
       {"Pendulum-v1", "MountainCarContinuous-v0", "LunarLanderContinuous-v3", "BipedalWalker-v3",
        "BipedalWalkerHardcore-v3"}},
      {"ddpg",
       {"Pendulum-v1", "MountainCarContinuous-v0", "LunarLanderContinuous-v3", "BipedalWalker-v3",
        "BipedalWalkerHardcore-v3"}},
  };
  for (const auto& [algorithm, envs] : zoo)
    for (const std::string& env : envs)
      EXPECT_TRUE(find_preset(algorithm, env).has_value()) << algorithm << " " << env;

  auto sac = find_preset("sac", "BipedalWalkerHardcore-v3");  // the zoo's "almost tuned" entry
  ASSERT_TRUE(sac.has_value());
  EXPECT_EQ(sac->settings.get("total_timesteps"), "10000000");
  EXPECT_EQ(sac->settings.get("learning_rate"), "0.00073");
  EXPECT_EQ(sac->settings.get("anneal_lr"), "true");
  EXPECT_EQ(sac->settings.get("ent_coef"), "0.005");
  EXPECT_EQ(sac->settings.get("tau"), "0.01");
  EXPECT_EQ(sac->settings.get("net_arch"), "400,300");
}

TEST(Presets, UnknownPairHasNoPreset) {
  EXPECT_FALSE(find_preset("ppo", "NoSuchEnv-v0").has_value());
  EXPECT_FALSE(find_preset("nope", "CartPole-v1").has_value());
  EXPECT_TRUE(preset_file_text("ppo").has_value());
}

}  // namespace
}  // namespace rein::rl
