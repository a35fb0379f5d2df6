// session::train: what a tracked run leaves in the tracker, for every way a run ends.
#include "session/train.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "rl/metric_names.h"
#include "rl/metric_sink.h"
#include "rl/trainer.h"
#include "tests/tracker/temp_dir.h"
#include "tracker/artifact_kinds.h"
#include "tracker/store.h"

namespace rein::session {
namespace {

using tracker::testing::TempDir;

// PPO on CartPole-v1 for four iterations of 2 x 32 steps: a few seconds' worth in milliseconds.
TrainRequest tiny_ppo(const TempDir& dir) {
  TrainRequest r;
  r.algorithm = "ppo";
  r.env_id = "CartPole-v1";
  for (const char* kv : {"total_timesteps=256", "n_envs=2", "n_steps=32", "batch_size=32",
                         "n_epochs=1", "eval_episodes=2", "net_arch=64", "checkpoint_every=64"})
    r.settings.set_assignment(kv, "test");
  r.db = dir.file("runs.db");
  r.checkpoint_minutes = 0;
  return r;
}

tracker::ParamValue param(tracker::Store& store, int64_t run, const std::string& key) {
  for (const tracker::Param& p : store.params(run))
    if (p.key == key) return p.value;
  ADD_FAILURE() << "no param " << key;
  return {};
}

TEST(SessionTrain, RecordsTypedParamsCheckpointsSummaryAndTheEndState) {
  TempDir dir;
  TrainRequest r = tiny_ppo(dir);
  r.keep_checkpoints = 2;
  r.extra_params = {{"group", std::string("g1")}};
  std::optional<StartedRun> started;
  r.on_start = [&](const StartedRun& s) { started = s; };
  const TrainResult out = train(r);
  ASSERT_TRUE(started);
  EXPECT_EQ(started->run_id, out.run_id);
  EXPECT_EQ(started->total_timesteps, 256);
  ASSERT_TRUE(out.train.final_eval);

  tracker::Store store(r.db);
  const tracker::RunInfo run = store.resolve_run(out.run_name);
  EXPECT_EQ(run.status, tracker::RunStatus::Finished);
  // The config's types reach the tracker: net_arch is text even when it reads like a number.
  EXPECT_EQ(param(store, run.id, "net_arch"), tracker::ParamValue(std::string("64")));
  EXPECT_EQ(param(store, run.id, "n_steps"), tracker::ParamValue(int64_t{32}));
  EXPECT_TRUE(std::holds_alternative<double>(param(store, run.id, "learning_rate")));
  EXPECT_EQ(param(store, run.id, "group"), tracker::ParamValue(std::string("g1")));
  const auto summary = nlohmann::json::parse(run.summary);
  EXPECT_EQ(summary["global_step"], 256);
  EXPECT_DOUBLE_EQ(summary["eval_mean_return"].get<double>(), out.train.final_eval->mean_return);
  // Every checkpoint is an artifact; only the newest two files stay on disk.
  const auto artifacts = store.artifacts(run.id);
  ASSERT_EQ(artifacts.size(), 4u);
  int on_disk = 0;
  for (const tracker::Artifact& a : artifacts) {
    EXPECT_EQ(a.kind, tracker::kCheckpointArtifact);
    on_disk += std::filesystem::exists(a.path);
  }
  EXPECT_EQ(on_disk, 2);
  EXPECT_EQ(artifacts.back().path, std::filesystem::absolute(out.train.last_checkpoint).string());
  EXPECT_EQ(store.series({run.id}, rl::metric::kEvalMeanReturn).size(), 1u);
}

TEST(SessionTrain, AStoppedRunIsInterruptedAndResumesInPlace) {
  TempDir dir;
  TrainRequest r = tiny_ppo(dir);
  std::atomic<bool> stop{false};
  r.stop = &stop;
  r.on_progress = [&](const rl::TrainProgress& p) {
    if (p.step >= 128) stop = true;
  };
  const TrainResult first = train(r);
  EXPECT_TRUE(first.train.interrupted);
  EXPECT_EQ(first.train.global_step, 128);

  TrainRequest again;
  again.resume = first.run_name;
  again.db = r.db;
  again.checkpoint_minutes = 0;
  std::vector<std::string> notices;
  again.on_notice = [&](const std::string& text) { notices.push_back(text); };
  const TrainResult second = train(again);
  EXPECT_EQ(second.run_id, first.run_id);  // the same run continues
  EXPECT_EQ(second.start_step, 128);
  EXPECT_EQ(second.train.global_step, 256);
  ASSERT_FALSE(notices.empty());
  EXPECT_NE(notices[0].find("resuming " + first.run_name), std::string::npos) << notices[0];

  tracker::Store store(r.db);
  EXPECT_EQ(store.list_runs().size(), 1u);
  const tracker::RunInfo run = store.resolve_run(first.run_name);
  EXPECT_EQ(run.status, tracker::RunStatus::Finished);
  EXPECT_EQ(param(store, run.id, "resumed_at_step"), tracker::ParamValue(int64_t{128}));
  // One training-return curve without a step logged twice past the resume point.
  const auto sps = store.series({run.id}, rl::metric::kStepsPerSecond, {.max_points = 0});
  ASSERT_EQ(sps.size(), 1u);
  for (size_t i = 1; i < sps[0].points.size(); ++i)
    EXPECT_LT(sps[0].points[i - 1].step, sps[0].points[i].step);
}

// Sets the stop flag at the end of the `n`-th episode (inside an off-policy collect phase).
class StopAtEpisode final : public rl::MetricSink {
 public:
  StopAtEpisode(std::atomic<bool>& stop, int n) : stop_(stop), n_(n) {}
  void log(int64_t, std::string_view name, double) override {
    if (name == rl::metric::kEpisodeReturn && ++episodes_ == n_) stop_ = true;
  }

 private:
  std::atomic<bool>& stop_;
  int n_;
  int episodes_ = 0;
};

// A stop inside a collect phase that runs past the total (TD3, phases of two Pendulum episodes,
// total 500: the phase of episodes 3 and 4 ends at 800) leaves a checkpoint at 600 whose resume
// finishes that phase, as the run never stopped; it was refused as "already trained 600 of its
// 500 steps".
TEST(SessionTrain, ACollectPhaseStoppedPastTheTotalIsFinishedOnResume) {
  TempDir dir;
  rl::Settings s;
  for (const char* kv :
       {"total_timesteps=500", "train_freq=2", "train_freq_unit=episode", "learning_starts=100",
        "batch_size=16", "net_arch=16", "buffer_size=2000", "eval_episodes=0", "save_replay=true"})
    s.set_assignment(kv, "test");
  rl::Trainer stopped("td3", "Pendulum-v1", {}, s);
  std::atomic<bool> stop{false};
  StopAtEpisode sink(stop, 3);
  rl::TrainHooks hooks;
  hooks.stop = &stop;
  const rl::TrainResult cut = stopped.train(sink, dir.file("checkpoints"), hooks);
  ASSERT_TRUE(cut.interrupted);
  ASSERT_EQ(cut.global_step, 600);

  TrainRequest r;
  r.resume = cut.last_checkpoint;
  r.db = dir.file("runs.db");
  r.checkpoint_minutes = 0;
  const TrainResult out = train(r);
  EXPECT_FALSE(out.train.interrupted);
  EXPECT_EQ(out.train.global_step, 800);
}

// A run paused at fixed steps (rein sweep's rungs) trains exactly as one that is not: the
// pauses come after the first iteration past each step (not after the last), with every point
// logged so far already committed, and the metrics are the same to the bit.
TEST(SessionTrain, PausesAtStepsWithEverythingCommittedAndTrainsTheSame) {
  TempDir dir;
  TrainRequest plain = tiny_ppo(dir);
  plain.name = "plain";
  TrainRequest paused = tiny_ppo(dir);
  paused.name = "paused";
  paused.pause_at = {64, 100, 128, 256};  // iterations end at 64, 128, 192, 256
  std::vector<int64_t> pauses;
  paused.on_pause = [&](int64_t step) {
    pauses.push_back(step);
    tracker::Store store(paused.db, {.mode = tracker::OpenMode::ReadOnly});
    const tracker::RunInfo run = store.resolve_run("paused");
    const auto latest = store.latest({run.id}, {rl::metric::kStepsPerSecond});
    ASSERT_EQ(latest.size(), 1u);
    EXPECT_EQ(latest[0].point.step, step);  // committed before the pause
  };
  const TrainResult a = train(plain), b = train(paused);
  EXPECT_EQ(pauses, (std::vector<int64_t>{64, 128}));

  tracker::Store store(plain.db);
  for (const std::string key : {rl::metric::kEpisodeReturn, rl::metric::kEvalMeanReturn}) {
    const auto series = store.series({a.run_id, b.run_id}, key, {.max_points = 0});
    ASSERT_EQ(series.size(), 2u) << key;
    ASSERT_EQ(series[0].points.size(), series[1].points.size()) << key;
    for (size_t i = 0; i < series[0].points.size(); ++i) {
      EXPECT_EQ(series[0].points[i].step, series[1].points[i].step) << key;
      EXPECT_EQ(series[0].points[i].value, series[1].points[i].value) << key;
    }
  }
}

TEST(SessionTrain, UserErrorsAreThrownBeforeAnyRunIsRecorded) {
  TempDir dir;
  TrainRequest r = tiny_ppo(dir);
  r.settings.set("n_step", "8", "--set");
  try {
    train(r);
    FAIL() << "an unknown key must throw";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'n_steps'"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(r.db));

  TrainRequest resume;
  resume.resume = "no-such-run";
  resume.db = r.db;
  EXPECT_THROW(train(resume), std::exception);
}

}  // namespace
}  // namespace rein::session
