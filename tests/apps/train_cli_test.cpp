// `rein train`, `rein eval` and `--resume` where features meet: plug-in runs evaluated and
// resumed without --plugin, resuming a finished run, and the wall-clock safety checkpoints with
// their bound on disk.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/apps/cli_test_support.h"
#include "tracker/store.h"

namespace rein::cli::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kShort =
    " --set n_steps=64 --n-envs 2 --eval-episodes 2 --no-progress --seed 1";

std::size_t files_in(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

// The run records its plug-in; eval and resume load it from there (before: "unknown env id
// 'Corridor-v0'" unless --plugin was given again).
TEST(TrainCli, PluginRunsAreEvaluatedAndResumedWithoutPluginAgain) {
  const fs::path dir = fresh_dir("plugin_run");
  const std::string db = (dir / "runs.db").string();
  Output train =
      run_rein(std::string("train ppo Corridor-v0 --plugin ") + REIN_TEST_PLUGIN_CORRIDOR +
               " --steps 128 --name corridor" + kShort + " --db " + db);
  ASSERT_EQ(train.status, 0) << train.text;

  Output eval = run_rein("eval corridor --episodes 2 --db " + db);
  ASSERT_EQ(eval.status, 0) << eval.text;
  EXPECT_NE(eval.text.find("ppo on Corridor-v0"), std::string::npos) << eval.text;

  Output resumed = run_rein("train --resume corridor --steps 256 --no-progress --db " + db);
  ASSERT_EQ(resumed.status, 0) << resumed.text;
  EXPECT_NE(resumed.text.find("256 steps"), std::string::npos) << resumed.text;
}

// The README's first command: the default database, rein.db, in the working directory (its
// parent path is empty, which the checkpoint-folder check once turned into an exception).
TEST(TrainCli, DefaultDatabaseInTheWorkingDirectoryTrains) {
  const std::filesystem::path dir = fresh_dir("default_db");
  Output out = run_rein("train ppo CartPole-v1 --steps 128" + std::string(kShort), true,
                        "cd " + dir.string() + " &&");
  ASSERT_EQ(out.status, 0) << out.text;
  EXPECT_TRUE(std::filesystem::exists(dir / "rein.db")) << out.text;
  EXPECT_TRUE(std::filesystem::exists(dir / "checkpoints")) << out.text;
}

TEST(TrainCli, ResumingAFinishedRunSaysSoAndHowToTrainMore) {
  const fs::path dir = fresh_dir("resume_finished");
  const std::string db = (dir / "runs.db").string();
  ASSERT_EQ(run_rein("train ppo CartPole-v1 --steps 128 --name done" + std::string(kShort) +
                     " --db " + db)
                .status,
            0);
  Output again = run_rein("train --resume done --db " + db);
  EXPECT_NE(again.status, 0) << again.text;
  EXPECT_NE(again.text.find("already trained 128 of its 128 steps"), std::string::npos)
      << again.text;
  EXPECT_NE(again.text.find("rein train --resume done --steps 256"), std::string::npos)
      << again.text;
  // Nothing was reopened or dropped: the run is still finished with its final evaluation.
  tracker::Store store(db);
  const tracker::RunInfo run = store.resolve_run("done");
  EXPECT_EQ(run.status, tracker::RunStatus::Finished);
  EXPECT_EQ(store.latest({run.id}, {"eval/mean_return"}).size(), 1u);
}

// With a period shorter than an iteration every iteration checkpoints; --keep-checkpoints bounds
// the files on disk and the newest (the final one) is always kept.
TEST(TrainCli, TimedCheckpointsKeepOnlyTheNewestFiles) {
  const fs::path dir = fresh_dir("timed_checkpoints");
  const std::string db = (dir / "runs.db").string();
  Output out = run_rein(
      "train ppo CartPole-v1 --steps 768 --name timed --checkpoint-minutes 1e-9"
      " --keep-checkpoints 2" +
      std::string(kShort) + " --db " + db);
  ASSERT_EQ(out.status, 0) << out.text;
  const fs::path ckpt_dir = dir / "checkpoints" / "timed";
  EXPECT_EQ(files_in(ckpt_dir), 2u);
  EXPECT_TRUE(fs::exists(ckpt_dir / "step-000000768.safetensors"));
  EXPECT_TRUE(fs::exists(ckpt_dir / "step-000000640.safetensors"));
}

}  // namespace
}  // namespace rein::cli::testing
