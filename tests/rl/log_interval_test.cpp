// The Trainer's log interval (RunConfig::log_interval): update metrics averaged over it, episode
// and evaluation points as they happen, training itself unchanged, the sums carried through a
// checkpoint, and the bad values users can type.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "autograd/checkpoint.h"
#include "rl/checkpoint.h"
#include "rl/internal/update_means.h"
#include "rl/metric_names.h"
#include "rl/metric_sink.h"
#include "rl/trainer.h"
#include "tests/rl/test_support.h"

namespace rein::rl {
namespace {

namespace fs = std::filesystem;

using test_support::error_of;
using test_support::settings_of;
using test_support::sps_as_zero;
using test_support::temp_dir;

using Points = std::vector<MemorySink::Point>;

// SAC on Pendulum, one gradient step per env step from step 200: six update points per step.
Settings short_sac(int64_t steps, int64_t log_interval) {
  return settings_of({{"total_timesteps", std::to_string(steps)},
                      {"net_arch", "32"},
                      {"learning_starts", "200"},
                      {"batch_size", "32"},
                      {"buffer_size", "2000"},
                      {"eval_episodes", "2"},
                      {"seed", "5"},
                      {"log_interval", std::to_string(log_interval)}});
}

std::vector<int64_t> steps_of(const MemorySink& sink, const char* name) {
  std::vector<int64_t> out;
  for (const auto& p : sink.points())
    if (p.name == name) out.push_back(p.step);
  return out;
}

// Runs `algo` on `env` with `s` and returns the points, the final eval and the agent's state.
struct TrainedRun {
  MemorySink sink;
  TrainResult result;
  std::vector<std::pair<std::string, Tensor>> state;
  std::string state_json;
};
void train(TrainedRun& run, const std::string& algo, const std::string& env, const Settings& s) {
  Trainer t(algo, env, {}, s);
  run.result = t.train(run.sink, "", {});
  run.state = t.agent().state_tensors();
  run.state_json = t.agent().state_json();
}

void expect_same_training(const TrainedRun& a, const TrainedRun& b) {
  ASSERT_TRUE(a.result.final_eval && b.result.final_eval);
  EXPECT_EQ(a.result.final_eval->returns, b.result.final_eval->returns);
  EXPECT_EQ(a.state_json, b.state_json);
  ASSERT_EQ(a.state.size(), b.state.size());
  for (size_t i = 0; i < a.state.size(); ++i)
    EXPECT_EQ(a.state[i].second.tolist(), b.state[i].second.tolist()) << a.state[i].first;
}

TEST(UpdateMeans, AMeanOfOneValueIsThatValueBitForBit) {
  internal::UpdateMeans means;
  MemorySink sink;
  for (double v : {-0.0, 0.1, 1e-310, -3.0e300}) {
    means.add("loss/q", v);
    means.flush(sink, 7);
  }
  ASSERT_EQ(sink.points().size(), 4u);
  EXPECT_TRUE(std::signbit(sink.points()[0].value));  // -0.0 stays -0.0 (0.0 + -0.0 would not)
  const double expected[] = {-0.0, 0.1, 1e-310, -3.0e300};
  for (size_t i = 0; i < 4; ++i)
    EXPECT_EQ(std::memcmp(&sink.points()[i].value, &expected[i], sizeof(double)), 0) << i;
}

TEST(UpdateMeans, FlushesEachNameOnceInTheOrderFirstLogged) {
  internal::UpdateMeans means;
  means.add("loss/critic", 1.0);
  means.add("train/learning_rate", 0.5);
  means.add("loss/critic", 2.0);
  means.add("loss/actor", -4.0);
  means.add("loss/critic", 6.0);
  MemorySink sink;
  means.flush(sink, 300);
  EXPECT_TRUE(means.empty());
  const Points expected = {
      {300, "loss/critic", 3.0}, {300, "train/learning_rate", 0.5}, {300, "loss/actor", -4.0}};
  EXPECT_EQ(sink.points(), expected);
}

TEST(UpdateMeans, NonFiniteUpdateValuesAreWrittenAtOnceAndKeepTheSumsSaveable) {
  internal::UpdateMeans means;
  MemorySink sink;
  internal::UpdateAveragingSink averaging(sink, means, true);
  averaging.log(10, "loss/actor", 1.0);
  averaging.log(11, "loss/actor", std::nan(""));
  averaging.log(12, "loss/actor", 3.0);
  ASSERT_EQ(sink.points().size(), 1u);  // the NaN, at its own step, not folded into a mean
  EXPECT_EQ(sink.points()[0].step, 11);
  EXPECT_TRUE(std::isnan(sink.points()[0].value));
  StateIO saved("trainer state");  // a NaN sum would be saved as null and refused on resume
  means.state(saved);
  internal::UpdateMeans resumed;
  StateIO loading("trainer state", saved.json(), saved.tensors());
  resumed.state(loading);
  resumed.flush(sink, 100);
  ASSERT_EQ(sink.points().size(), 2u);
  EXPECT_EQ(sink.points()[1], (MemorySink::Point{100, "loss/actor", 2.0}));
}

TEST(MetricNames, EpisodesAndEvaluationsAreEventsEverythingElseAnUpdate) {
  for (const char* name : {metric::kEpisodeReturn, metric::kEpisodeLength, metric::kEvalMeanReturn,
                           metric::kEvalSuccessRate})
    EXPECT_FALSE(metric::is_update_metric(name)) << name;
  for (const char* name : {metric::kQLoss, metric::kCriticLoss, metric::kGradNorm,
                           metric::kLearningRate, metric::kEpsilon, metric::kEntCoef,
                           metric::kActionStd, metric::kApproxKl, metric::kExplainedVariance})
    EXPECT_TRUE(metric::is_update_metric(name)) << name;
}

// Interval 0 writes what the agent logs, as it logs it, and train/sps after every iteration.
TEST(LogInterval, ZeroWritesEveryPointOfEveryIteration) {
  TrainedRun run;
  train(run, "sac", "Pendulum-v1", short_sac(400, 0));
  EXPECT_EQ(steps_of(run.sink, metric::kCriticLoss).size(), 200u);  // steps 201..400
  EXPECT_EQ(steps_of(run.sink, metric::kStepsPerSecond).size(), 400u);
  const auto& points = run.sink.points();
  // Each iteration's points end with train/sps at the iteration's step.
  for (size_t i = 0; i + 1 < points.size(); ++i)
    if (points[i + 1].step != points[i].step && points[i].name.rfind("eval/", 0) != 0) {
      EXPECT_EQ(points[i].name, metric::kStepsPerSecond) << "@" << points[i].step;
    }
}

// An iteration at least as long as the interval always crosses a multiple of it: its points are
// the ones interval 0 writes, bit for bit, in the same order. PPO's iterations here are 256 env
// steps; DQN with train_freq 128 updates every 128 steps; A2C's 5 x 4 = 20 steps are averaged.
TEST(LogInterval, IterationsLongerThanTheIntervalWriteTheSamePointsAsIntervalZero) {
  struct Case {
    const char* algo;
    const char* env;
    Settings settings;
  };
  std::vector<Case> cases = {
      {"ppo", "CartPole-v1",
       settings_of({{"total_timesteps", "2048"},
                    {"n_envs", "4"},
                    {"n_steps", "64"},
                    {"batch_size", "64"},
                    {"n_epochs", "2"},
                    {"eval_episodes", "2"},
                    {"eval_every", "1000"},
                    {"seed", "3"}})},
      {"ppo", "Pendulum-v1",
       settings_of({{"total_timesteps", "1024"},
                    {"n_envs", "2"},
                    {"n_steps", "128"},
                    {"batch_size", "64"},
                    {"n_epochs", "2"},
                    {"eval_episodes", "2"},
                    {"seed", "4"}})},
      {"dqn", "CartPole-v1",
       settings_of({{"total_timesteps", "2000"},
                    {"train_freq", "128"},
                    {"gradient_steps", "8"},
                    {"learning_starts", "300"},
                    {"batch_size", "16"},
                    {"net_arch", "16"},
                    {"buffer_size", "5000"},
                    {"eval_episodes", "2"},
                    {"seed", "2"}})},
  };
  for (Case& c : cases) {
    TrainedRun zero, hundred;
    c.settings.set("log_interval", "0", "test");
    train(zero, c.algo, c.env, c.settings);
    c.settings.set("log_interval", "100", "test");
    train(hundred, c.algo, c.env, c.settings);
    ASSERT_GT(zero.sink.points().size(), 50u) << c.algo;
    EXPECT_EQ(sps_as_zero(zero.sink), sps_as_zero(hundred.sink)) << c.algo << " " << c.env;
    expect_same_training(zero, hundred);
  }
}

// The averaged points are the means of what an interval-0 run of the same seed wrote, over the
// steps since the previous point; episodes and evaluations are the same points; training is
// the same. Off-policy (an update every step) and A2C (iterations of 20 steps).
TEST(LogInterval, AveragedPointsAreTheMeansOfTheUnaveragedRun) {
  struct Case {
    const char* algo;
    const char* env;
    Settings settings;
    int64_t interval;
  };
  std::vector<Case> cases = {
      {"sac", "Pendulum-v1", short_sac(730, 0), 100},
      {"a2c", "CartPole-v1",
       settings_of({{"total_timesteps", "1000"},
                    {"n_envs", "4"},
                    {"n_steps", "5"},
                    {"eval_episodes", "2"},
                    {"seed", "1"}}),
       150},
  };
  for (Case& c : cases) {
    SCOPED_TRACE(c.algo);
    TrainedRun zero, averaged;
    c.settings.set("log_interval", "0", "test");
    train(zero, c.algo, c.env, c.settings);
    c.settings.set("log_interval", std::to_string(c.interval), "test");
    train(averaged, c.algo, c.env, c.settings);
    expect_same_training(zero, averaged);

    // The steps with points: the first past each multiple of the interval, and the last.
    const std::vector<int64_t> flushes = steps_of(averaged.sink, metric::kStepsPerSecond);
    const int64_t total = averaged.result.global_step;
    ASSERT_FALSE(flushes.empty());
    EXPECT_EQ(flushes.back(), total);
    for (size_t k = 0; k + 1 < flushes.size(); ++k)
      EXPECT_GT(flushes[k] / c.interval, (k == 0 ? 0 : flushes[k - 1]) / c.interval);
    EXPECT_LT(flushes.size(), static_cast<size_t>(total / c.interval + 2));

    std::map<std::pair<int64_t, std::string>, std::pair<double, int64_t>> sums;
    Points events_zero, events_averaged;
    for (const auto& p : zero.sink.points()) {
      if (p.name == metric::kStepsPerSecond) continue;
      if (!metric::is_update_metric(p.name)) {
        events_zero.push_back(p);
        continue;
      }
      const int64_t at = *std::lower_bound(flushes.begin(), flushes.end(), p.step);
      auto& [sum, count] = sums[std::make_pair(at, p.name)];
      sum += p.value;
      ++count;
    }
    size_t compared = 0;
    for (const auto& p : averaged.sink.points()) {
      if (p.name == metric::kStepsPerSecond) continue;
      if (!metric::is_update_metric(p.name)) {
        events_averaged.push_back(p);
        continue;
      }
      auto it = sums.find(std::make_pair(p.step, p.name));
      ASSERT_NE(it, sums.end()) << p.name << " @" << p.step;
      EXPECT_DOUBLE_EQ(p.value, it->second.first / static_cast<double>(it->second.second))
          << p.name << " @" << p.step;
      sums.erase(it);
      ++compared;
    }
    EXPECT_TRUE(sums.empty()) << sums.size() << " means not written";
    EXPECT_GT(compared, 20u);
    EXPECT_EQ(events_zero, events_averaged);
    EXPECT_FALSE(events_zero.empty());
  }
}

// A run checkpointed in the middle of an interval and resumed writes the points of the run that
// was never interrupted: the sums of the interval so far are in the checkpoint.
TEST(LogInterval, ResumedInTheMiddleOfAnIntervalWritesTheSamePoints) {
  for (const char* algo : {"sac", "dqn"}) {
    SCOPED_TRACE(algo);
    const fs::path dir = temp_dir(std::string("log-interval-resume-") + algo);
    Settings s = short_sac(900, 100);
    if (std::string(algo) == "dqn")
      s = settings_of({{"total_timesteps", "900"},
                       {"train_freq", "4"},
                       {"learning_starts", "200"},
                       {"batch_size", "16"},
                       {"net_arch", "16"},
                       {"eval_episodes", "2"},
                       {"buffer_size", "2000"},
                       {"seed", "6"},
                       {"log_interval", "100"}});
    s.set("checkpoint_every", "450", "test");
    s.set("save_replay", "true", "test");
    const std::string env = std::string(algo) == "dqn" ? "CartPole-v1" : "Pendulum-v1";
    Trainer full(algo, env, {}, s);
    MemorySink full_sink;
    full.train(full_sink, dir.string(), {});
    const fs::path ckpt = dir / "step-000000452.safetensors";
    const fs::path at450 = dir / "step-000000450.safetensors";
    const std::string path = fs::exists(at450) ? at450.string() : ckpt.string();
    ASSERT_TRUE(fs::exists(path));
    const int64_t resumed_at = read_agent_checkpoint(path).global_step;
    EXPECT_NE(resumed_at % 100, 0);

    Trainer resumed = Trainer::resume(path);
    MemorySink resumed_sink;
    resumed.train(resumed_sink, "", {});
    const Points a = sps_as_zero(full_sink, resumed_at), b = sps_as_zero(resumed_sink);
    ASSERT_GT(a.size(), 20u);
    EXPECT_EQ(a, b);
  }
}

// Stopped by a request (Ctrl-C) in the middle of an interval: nothing of the interval is written
// at the stop, and the resumed run writes the rest as if never stopped.
TEST(LogInterval, StoppedRunWritesNoPartialMeansAndResumesExactly) {
  const fs::path dir = temp_dir("log-interval-stop");
  Settings s = short_sac(700, 100);
  s.set("save_replay", "true", "test");
  Trainer full("sac", "Pendulum-v1", {}, s);
  MemorySink full_sink;
  full.train(full_sink, "", {});

  Trainer stopped("sac", "Pendulum-v1", {}, s);
  std::atomic<bool> stop{false};
  TrainHooks hooks;
  hooks.stop = &stop;
  hooks.on_progress = [&](const TrainProgress& p) { stop = p.step >= 333; };
  MemorySink first;
  TrainResult r = stopped.train(first, dir.string(), hooks);
  ASSERT_TRUE(r.interrupted);
  EXPECT_EQ(r.global_step, 333);
  for (const auto& p : first.points())
    if (metric::is_update_metric(p.name)) {
      EXPECT_LE(p.step, 300) << p.name;
    }
  Trainer resumed = Trainer::resume(r.last_checkpoint);
  MemorySink second;
  resumed.train(second, "", {});
  Points joined = sps_as_zero(first);
  for (const auto& p : sps_as_zero(second)) joined.push_back(p);
  EXPECT_EQ(joined, sps_as_zero(full_sink));
}

// A checkpoint written before the Trainer had any state of its own resumes with nothing
// pending: its first means are those of the steps after it.
TEST(LogInterval, CheckpointWithoutTrainerStateResumesWithEmptySums) {
  const std::string fixture =
      std::string(REIN_SOURCE_DIR) + "/tests/rl/fixtures/checkpoints/sac.safetensors";
  ASSERT_TRUE(read_agent_checkpoint(fixture).trainer_state_json.empty());
  TrainedRun zero, averaged;
  for (TrainedRun* run : {&zero, &averaged}) {
    Trainer t =
        Trainer::resume(fixture, settings_of({{"total_timesteps", "250"},
                                              {"eval_episodes", "1"},
                                              {"log_interval", run == &zero ? "0" : "100"}}));
    EXPECT_EQ(t.agent().global_step(), 60);
    run->result = t.train(run->sink, "", {});
  }
  EXPECT_EQ(steps_of(averaged.sink, metric::kStepsPerSecond),
            (std::vector<int64_t>{100, 200, 250}));
  std::vector<double> first_window;
  for (const auto& p : zero.sink.points())
    if (p.name == metric::kCriticLoss && p.step <= 100) first_window.push_back(p.value);
  ASSERT_EQ(first_window.size(), 40u);  // steps 61..100
  double sum = 0.0;
  for (double v : first_window) sum += v;
  ASSERT_FALSE(averaged.sink.values(metric::kCriticLoss).empty());
  EXPECT_DOUBLE_EQ(averaged.sink.values(metric::kCriticLoss).front(), sum / 40.0);
}

// rein sweep pauses runs at its rungs and reads their step from train/sps: a rung between two
// multiples of the interval still gets its points.
TEST(LogInterval, WritesAtTheStepsAPausingDriverWaitsAt) {
  Trainer t("sac", "Pendulum-v1", {}, short_sac(400, 100));
  TrainHooks hooks;
  hooks.log_at = {250, 251};
  MemorySink sink;
  t.train(sink, "", hooks);
  EXPECT_EQ(steps_of(sink, metric::kStepsPerSecond),
            (std::vector<int64_t>{100, 200, 250, 251, 300, 400}));
}

TEST(LogInterval, BadValuesAreRefusedWithTheirName) {
  for (const char* bad : {"-1", "often", "1.5"}) {
    const std::string err = error_of([&] {
      Trainer("sac", "Pendulum-v1", {}, settings_of({{"log_interval", bad}}));
    });
    EXPECT_NE(err.find("log_interval"), std::string::npos) << err;
    EXPECT_NE(err.find(bad), std::string::npos) << err;
  }
  EXPECT_NE(error_of([] {
              Trainer("sac", "Pendulum-v1", {}, settings_of({{"log_interval", "-1"}}));
            }).find("must be >= 0"),
            std::string::npos);
}

// A checkpoint's trainer state is untrusted input like the agent's: a bad one is refused with
// the file and the field named, never half loaded.
TEST(LogInterval, BadTrainerStateInACheckpointIsRefused) {
  const fs::path dir = temp_dir("log-interval-bad-state");
  Trainer t("sac", "Pendulum-v1", {}, short_sac(250, 100));
  TrainHooks hooks;
  std::atomic<bool> stop{false};
  hooks.stop = &stop;
  hooks.on_progress = [&](const TrainProgress& p) { stop = p.step >= 230; };
  MemorySink sink;
  const std::string path = t.train(sink, dir.string(), hooks).last_checkpoint;
  SafetensorsFile file = load_safetensors(path);
  ASSERT_NE(file.metadata.at("trainer_state").find("loss/critic"), std::string::npos);
  EXPECT_NO_THROW(Trainer::resume(path));
  const std::pair<const char*, const char*> cases[] = {
      {R"({"pending_metrics": -1, "means": []})", "pending_metrics"},
      {R"({"pending_metrics": 1, "means": []})", "means"},
      {R"({"pending_metrics": 1, "means": [{"name": "loss/q", "sum": 1.0, "count": 0}]})", "count"},
      {R"({"pending_metrics": 2, "means": [{"name": "loss/q", "sum": 1.0, "count": 1},
           {"name": "loss/q", "sum": 2.0, "count": 1}]})",
       "two pending means"},
      {"not json", "trainer state"},
  };
  const fs::path bad = dir / "bad.safetensors";
  for (const auto& [state, expected] : cases) {
    file.metadata["trainer_state"] = state;
    save_safetensors(bad.string(), file.tensors, file.metadata);
    const std::string err = error_of([&] { Trainer::resume(bad.string()); });
    EXPECT_NE(err.find(bad.string()), std::string::npos) << err;
    EXPECT_NE(err.find(expected), std::string::npos) << err;
  }
}

}  // namespace
}  // namespace rein::rl
