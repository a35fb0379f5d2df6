// The env checker finds every problem of a broken env; plug-ins load, register and run through
// the C ABI, and broken plug-ins fail with clear messages instead of crashing.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "envs/env_checker.h"
#include "envs/plugin.h"
#include "envs/registry.h"

namespace rein::envs {
namespace {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(EnvChecker, PassesEveryBuiltInEnv) {
  for (const EnvSpec& spec : list_envs()) {
    if (spec.description.find("plug-in") != std::string::npos) continue;
    if (spec.id.find("Broken") != std::string::npos || spec.id == "Counter-v0") continue;
    auto env = make(spec.id);
    const CheckReport report = check_env(*env);
    EXPECT_TRUE(report.ok()) << spec.id << "\n" << report.to_string();
    EXPECT_GT(report.steps_taken, 0) << spec.id;
  }
}

// Breaks three rules at once: observations outside the space, a NaN reward, and a reset that
// ignores its seed.
class Sloppy final : public Env {
 public:
  Sloppy() {
    observation_space_ = Box(-1.0, 1.0, Shape{2});
    action_space_ = Discrete(2);
    obs_ = zeros(Shape{2});
  }
  ResetResult reset(std::optional<uint64_t>, const Kwargs&) override {
    obs_.data<float>()[0] = static_cast<float>(++calls_) * 0.01f;
    return {obs_, info_};
  }
  StepResult step(const Action&) override {
    obs_.data<float>()[1] = 5.0f;
    return {obs_, std::nan(""), false, false, info_};
  }

 private:
  Tensor obs_;
  int calls_ = 0;
};

TEST(EnvChecker, ReportsEveryProblemNotOnlyTheFirst) {
  Sloppy env;
  const CheckReport report = check_env(env, {.seed = 1, .num_steps = 20});
  EXPECT_FALSE(report.ok());
  const std::string text = report.to_string();
  EXPECT_NE(text.find("observation from step 0 is not in the observation space"), std::string::npos)
      << text;
  EXPECT_NE(text.find("non-finite reward"), std::string::npos) << text;
  EXPECT_NE(text.find("reset(seed=1) twice gave different observations"), std::string::npos)
      << text;
}

TEST(Plugin, RegistersAndRunsTheExampleCorridor) {
  Registry r;
  const auto ids = load_plugin(REIN_TEST_PLUGIN_CORRIDOR, r);
  ASSERT_EQ(ids, (std::vector<std::string>{"Corridor-v0", "ContinuousCorridor-v0"}));
  EXPECT_EQ(r.spec("Corridor-v0").max_episode_steps, 100);
  auto env = r.make("Corridor-v0", {{"length", "5"}});
  EXPECT_EQ(env->observation_space().to_string(), "Discrete(5)");
  env->reset(3);
  const std::vector<double> near_goal = {3};
  env->set_state(near_goal);
  bool done = false;
  for (int t = 0; t < 100 && !done; ++t) done = env->step(1).terminated;
  EXPECT_TRUE(done);
  EXPECT_TRUE(check_env(*env).ok()) << check_env(*env).to_string();
  auto cont = r.make("ContinuousCorridor-v0");
  EXPECT_EQ(cont->action_space().to_string(), "Box(-1.0, 1.0, (1,), float32)");
  EXPECT_TRUE(check_env(*cont).ok()) << check_env(*cont).to_string();
  EXPECT_EQ(error_of([&] {
              r.make("Corridor-v0", {{"width", "3"}});
            }),
            "Corridor-v0: create: unknown argument 'width' (accepted: length)");
}

TEST(Plugin, MissingFileMissingSymbolAndWrongVersionFailClearly) {
  Registry r;
  EXPECT_NE(error_of([&] {
              load_plugin("./no-such-plugin.so", r);
            }).find("load_plugin: cannot load './no-such-plugin.so'"),
            std::string::npos);
  EXPECT_EQ(error_of([&] { load_plugin(REIN_TEST_PLUGIN_NO_ENTRY, r); }),
            str("load_plugin: '", REIN_TEST_PLUGIN_NO_ENTRY,
                "' has no entry point 'rein_env_plugin_entry' (is it a rein env plug-in? see "
                "docs/CUSTOM_ENVS.md)"));
  EXPECT_EQ(error_of([&] { load_plugin(REIN_TEST_PLUGIN_OLD_ABI, r); }),
            str("load_plugin: '", REIN_TEST_PLUGIN_OLD_ABI,
                "' was built for plug-in ABI version 999, this rein speaks version 1 (rebuild "
                "the plug-in against this rein)"));
  EXPECT_TRUE(r.specs().empty());
}

// dlopen("libfoo.so") never looks in the current directory; the error says so and names
// the "./" spelling when the file is right there.
TEST(Plugin, BareFileNameGetsAPathHint) {
  Registry r;
  const std::filesystem::path lib = REIN_TEST_PLUGIN_CORRIDOR;
  const std::filesystem::path before = std::filesystem::current_path();
  std::filesystem::current_path(lib.parent_path());
  const std::string here = error_of([&] { load_plugin(lib.filename().string(), r); });
  const std::string absent = error_of([&] { load_plugin("libno-such-plugin.so", r); });
  std::filesystem::current_path(before);
  EXPECT_NE(here.find(str("did you mean './", lib.filename().string(), "'?")), std::string::npos)
      << here;
  EXPECT_NE(absent.find("give a path such as './libno-such-plugin.so'"), std::string::npos)
      << absent;
}

TEST(Plugin, EnvsThatBreakTheContractFailWithTheirMessage) {
  Registry r;
  load_plugin(REIN_TEST_PLUGIN_BROKEN, r);
  EXPECT_EQ(error_of([&] { r.make("BrokenSpace-v0"); }),
            "BrokenSpace-v0: observation space: Discrete space with n = 0");
  EXPECT_EQ(error_of([&] { r.make("BrokenCreate-v0"); }),
            "BrokenCreate-v0: create: no such map 'moon'");
  auto env = r.make("BrokenObs-v0");
  EXPECT_EQ(error_of([&] { env->reset(0); }),
            "BrokenObs-v0.reset: the plug-in returned observation 99, not in Discrete(3)");
  EXPECT_EQ(error_of([&] { env->step(0); }), "BrokenObs-v0.step: simulator exploded");
  EXPECT_FALSE(check_env(*env).ok());
}

}  // namespace
}  // namespace rein::envs
