// `rein record`: a trained agent's episodes as MP4, decoded back (frame count against the
// episode lengths `rein eval` reports for the same seeds, size, rate, pixels of the first
// frame), and the errors for bad output paths, bad checkpoints and envs that cannot render.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "envs/video/video.h"
#include "tests/apps/cli_test_support.h"
#include "tracker/store.h"

namespace rein::cli::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kShort =
    " --set n_steps=64 --n-envs 2 --eval-episodes 1 --no-progress --seed 1";

TEST(RecordCli, RecordsTheEpisodesEvalPlaysAsDecodableVideo) {
  const fs::path dir = fresh_dir("record_video");
  const std::string db = (dir / "runs.db").string();
  ASSERT_EQ(run_rein("train ppo CartPole-v1 --steps 256 --name r --db " + db + kShort).status, 0);
  const std::string video = (dir / "r.mp4").string();
  Output out = run_rein("record r --episodes 2 --seed 7 -o " + video + " --db " + db);
  ASSERT_EQ(out.status, 0) << out.text;
  EXPECT_NE(out.text.find("wrote " + video), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("2 episodes (deterministic policy)"), std::string::npos) << out.text;

  // The same deterministic policy and seeds in `rein eval`: episode i resets with seed + i.
  Output eval = run_rein("eval r --episodes 2 --seed 7 --json --db " + db, false);
  ASSERT_EQ(eval.status, 0) << eval.text;
  int64_t steps = 0;
  const nlohmann::json result = nlohmann::json::parse(eval.text);
  for (const auto& l : result["lengths"]) steps += l.get<int64_t>();

  video::Mp4Reader reader(video);
  EXPECT_EQ(reader.info().width, 600);
  EXPECT_EQ(reader.info().height, 400);
  EXPECT_DOUBLE_EQ(reader.info().fps, 50.0);  // CartPole's render_fps
  envs::RgbImage frame;
  int64_t frames = 0;
  while (reader.next(frame)) {
    if (frames == 0) {  // the reset frame: the cart within a few pixels of the centre, upright
      const uint8_t* pole = frame.at(300, 232);
      EXPECT_NEAR(pole[0], 202, 16);
      EXPECT_NEAR(pole[1], 152, 16);
      EXPECT_NEAR(pole[2], 101, 16);
      EXPECT_NEAR(frame.at(280, 290)[0], 0, 16);  // the cart, beside the axle
      EXPECT_NEAR(frame.at(20, 100)[1], 255, 8);  // background
    }
    ++frames;
  }
  EXPECT_EQ(frames, steps + 2);  // a reset frame per episode, then one per step
}

TEST(RecordCli, BadInputFailsClearlyAndWritesNothing) {
  const fs::path dir = fresh_dir("record_errors");
  const std::string db = (dir / "runs.db").string();
  ASSERT_EQ(run_rein("train ppo CartPole-v1 --steps 128 --name r --db " + db + kShort).status, 0);

  Output out = run_rein("record r -o " + (dir / "no/such/dir/r.mp4").string() + " --db " + db);
  EXPECT_NE(out.status, 0);
  EXPECT_NE(out.text.find("cannot write"), std::string::npos) << out.text;

  const fs::path junk = dir / "junk.ckpt";
  std::ofstream(junk) << "not a checkpoint";
  out = run_rein("record " + junk.string() + " -o " + (dir / "j.mp4").string() + " --db " + db);
  EXPECT_NE(out.status, 0);
  EXPECT_NE(out.text.find("junk.ckpt"), std::string::npos) << out.text;

  out = run_rein("record r -o " + (dir / "x.mp4").string() + " --episodes 0 --db " + db);
  EXPECT_NE(out.status, 0);
  EXPECT_NE(out.text.find("--episodes"), std::string::npos) << out.text;

  out = run_rein("record r -o " + (dir / "x.mp4").string() + " --fps -5 --db " + db);
  EXPECT_NE(out.status, 0);
  EXPECT_NE(out.text.find("or 0 for the env's own rate, got -5"), std::string::npos) << out.text;

  out = run_rein("record r -o " + (dir / "x.mp4").string() + " --deterministic --stochastic --db " +
                 db);
  EXPECT_NE(out.status, 0);

  // The example plug-in's env draws nothing and has no text frame.
  ASSERT_EQ(run_rein(std::string("train ppo Corridor-v0 --plugin ") + REIN_TEST_PLUGIN_CORRIDOR +
                     " --steps 128 --name c --db " + db + kShort)
                .status,
            0);
  out = run_rein("record c -o " + (dir / "c.mp4").string() + " --db " + db);
  EXPECT_NE(out.status, 0);
  EXPECT_NE(out.text.find("cannot render"), std::string::npos) << out.text;

  for (const char* name : {"j.mp4", "x.mp4", "c.mp4", "c.mp4.part"})
    EXPECT_FALSE(fs::exists(dir / name)) << name;
}

// Ctrl-C during a long recording: the command stops with an error and leaves no file behind
// (neither the video nor its temporary .part).
TEST(RecordCli, InterruptedRecordingLeavesNoFile) {
  const fs::path dir = fresh_dir("record_interrupt");
  const std::string db = (dir / "runs.db").string();
  ASSERT_EQ(run_rein("train ppo CartPole-v1 --steps 128 --name r --db " + db + kShort).status, 0);
  const fs::path video = dir / "long.mp4";
  const std::string out = shell_output(
      std::string(REIN_BINARY_DIR) + "/bin/rein record r --episodes 100000 -q -o " +
      video.string() + " --db " + db +
      " > /dev/null 2>&1 & pid=$!; sleep 1.5; kill -INT $pid; wait $pid; echo status=$?");
  EXPECT_NE(out.find("status="), std::string::npos) << out;
  EXPECT_EQ(out.find("status=0"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(video));
  EXPECT_FALSE(fs::exists(video.string() + ".part"));
}

// Two iterations of 128 steps with --video-every 128: a video after each, listed by `runs show`,
// decodable, and training itself unchanged (the same final evaluation as without videos).
TEST(RecordCli, TrainVideoEveryRecordsEpisodesAsArtifacts) {
  const fs::path dir = fresh_dir("train_video_every");
  const std::string db = (dir / "runs.db").string();
  Output out =
      run_rein("train ppo CartPole-v1 --steps 256 --video-every 128 --name v --db " + db + kShort);
  ASSERT_EQ(out.status, 0) << out.text;
  ASSERT_EQ(run_rein("train ppo CartPole-v1 --steps 256 --name plain --db " + db + kShort).status,
            0);

  tracker::Store store(db);
  const tracker::RunInfo run = store.resolve_run("v");
  std::vector<std::string> videos;
  for (const tracker::Artifact& a : store.artifacts(run.id)) {
    if (a.kind == "video") videos.push_back(a.path);
  }
  ASSERT_EQ(videos.size(), 2u);
  EXPECT_EQ(fs::path(videos[0]).filename(), "video-step-000000128.mp4");
  // Beside the run's checkpoints: checkpoints/RUN next to the database.
  EXPECT_EQ(fs::path(videos[1]).parent_path(), fs::absolute(dir / "checkpoints" / "v"));
  EXPECT_TRUE(fs::exists(fs::path(videos[1]).parent_path() / "step-000000256.safetensors"));
  for (const std::string& v : videos) {
    video::Mp4Reader reader(v);
    envs::RgbImage frame;
    int frames = 0;
    while (reader.next(frame)) ++frames;
    EXPECT_GE(frames, 2) << v;  // the reset frame and at least one step
    EXPECT_EQ(frame.width, 600);
  }
  Output show = run_rein("runs show v --db " + db, false);
  EXPECT_NE(show.text.find("video  " + videos[1] + "  (step 256)"), std::string::npos) << show.text;

  const auto final_return = [&](const std::string& name) {
    return store.latest({store.resolve_run(name).id}, {"eval/mean_return"}).at(0).point.value;
  };
  EXPECT_EQ(final_return("v"), final_return("plain"));

  out = run_rein(std::string("train ppo Corridor-v0 --plugin ") + REIN_TEST_PLUGIN_CORRIDOR +
                 " --steps 128 --video-every 64 --name c --db " + db + kShort);
  EXPECT_NE(out.status, 0);
  EXPECT_NE(out.text.find("cannot render"), std::string::npos) << out.text;
  out = run_rein("train ppo CartPole-v1 --steps 128 --video-every -5 --name n --db " + db + kShort);
  EXPECT_NE(out.status, 0);
  EXPECT_NE(out.text.find("--video-every"), std::string::npos) << out.text;
}

}  // namespace
}  // namespace rein::cli::testing
