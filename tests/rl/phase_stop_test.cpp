// A stop (Ctrl-C, SIGTERM) that ends an off-policy collect phase in the middle: the checkpoint
// carries the phase's progress, and the resumed run finishes that phase before its gradient
// steps, so it writes the points and ends with the weights of the run never stopped.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "autograd/checkpoint.h"
#include "rl/metric_names.h"
#include "rl/metric_sink.h"
#include "rl/trainer.h"
#include "tensor/ops.h"
#include "tests/rl/test_support.h"

namespace rein::rl {
namespace {

namespace fs = std::filesystem;

using test_support::error_of;
using test_support::settings_of;
using test_support::sps_as_zero;
using test_support::temp_dir;

using Points = std::vector<MemorySink::Point>;

// Records the points and sets the stop flag at the first episode that ends after `after` env
// steps at a step that is not a multiple of `phase` (so inside a phase of `phase` steps), or at
// the `episode`-th episode end when `episode` > 0.
class StopInsideAPhase final : public MetricSink {
 public:
  StopInsideAPhase(std::atomic<bool>& stop, int64_t after, int64_t phase, int episode)
      : stop_(stop), after_(after), phase_(phase), episode_(episode) {}
  void log(int64_t step, std::string_view name, double value) override {
    points_.log(step, name, value);
    if (name != metric::kEpisodeReturn || stop_) return;
    ++episodes_;
    const bool at = episode_ > 0 ? episodes_ == episode_ : step > after_ && step % phase_ != 0;
    if (at) {
      stop_ = true;
      stopped_at_ = step;
    }
  }
  const MemorySink& points() const { return points_; }
  int64_t stopped_at() const { return stopped_at_; }

 private:
  std::atomic<bool>& stop_;
  int64_t after_, phase_;
  int episode_;
  int episodes_ = 0;
  int64_t stopped_at_ = -1;
  MemorySink points_;
};

// The same points in the same order; else the first that differs (gtest would print bytes).
void expect_same_points(const Points& got, const Points& expected) {
  const size_t n = std::min(got.size(), expected.size());
  for (size_t i = 0; i < n; ++i)
    if (!(got[i] == expected[i])) {
      ADD_FAILURE() << "point " << i << ": got (" << got[i].step << ", " << got[i].name << ", "
                    << got[i].value << "), expected (" << expected[i].step << ", "
                    << expected[i].name << ", " << expected[i].value << ")";
      return;
    }
  EXPECT_EQ(got.size(), expected.size());
}

// Every tensor and metadata entry of two checkpoints agree.
void expect_same_checkpoint(const std::string& a_path, const std::string& b_path) {
  const SafetensorsFile a = load_safetensors(a_path), b = load_safetensors(b_path);
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  std::vector<std::string> differ;
  for (size_t i = 0; i < a.tensors.size(); ++i)
    if (a.tensors[i].first != b.tensors[i].first ||
        !equal(a.tensors[i].second, b.tensors[i].second))
      differ.push_back(a.tensors[i].first);
  EXPECT_TRUE(differ.empty()) << differ.size() << " tensors differ, the first " << differ[0];
  for (const auto& [key, value] : a.metadata) {
    auto it = b.metadata.find(key);
    EXPECT_TRUE(it != b.metadata.end() && it->second == value) << "metadata " << key;
  }
  EXPECT_EQ(a.metadata.size(), b.metadata.size());
}

struct Case {
  const char* algo;
  const char* env;
  Settings settings;
  int64_t after;    // stop after this many env steps ...
  int64_t phase;    // ... at an episode end inside a phase of this many steps
  int episode = 0;  // or at this episode end (train_freq counted in episodes)
};

// Runs `c` once through, then stopped inside a phase and resumed from the stop's checkpoint
// (log_interval 0 and the default): the same points and the same final checkpoint.
void expect_exact_resume(const Case& c, const std::string& name) {
  for (const char* log_interval : {"0", "100"}) {
    SCOPED_TRACE(name + " log_interval " + log_interval);
    Settings s = c.settings;
    s.set("save_replay", "true", "test");
    s.set("log_interval", log_interval, "test");
    const fs::path full_dir = temp_dir("phase-stop-full-" + name);
    const fs::path stop_dir = temp_dir("phase-stop-stopped-" + name);
    const fs::path resumed_dir = temp_dir("phase-stop-resumed-" + name);

    Trainer full(c.algo, c.env, {}, s);
    MemorySink full_sink;
    const TrainResult f = full.train(full_sink, full_dir.string(), {});

    Trainer stopped(c.algo, c.env, {}, s);
    std::atomic<bool> stop{false};
    StopInsideAPhase first(stop, c.after, c.phase, c.episode);
    TrainHooks hooks;
    hooks.stop = &stop;
    const TrainResult r = stopped.train(first, stop_dir.string(), hooks);
    ASSERT_TRUE(r.interrupted);
    // The stop ends the phase right after the step it was set in: inside the phase.
    ASSERT_EQ(r.global_step, first.stopped_at());
    ASSERT_GT(r.global_step, c.after);

    Trainer resumed = Trainer::resume(r.last_checkpoint);
    MemorySink second;
    const TrainResult rr = resumed.train(second, resumed_dir.string(), {});
    EXPECT_FALSE(rr.interrupted);
    EXPECT_EQ(rr.global_step, f.global_step);

    Points joined = sps_as_zero(first.points());
    for (const auto& p : sps_as_zero(second)) joined.push_back(p);
    const Points expected = sps_as_zero(full_sink);
    ASSERT_GT(expected.size(), 10u);
    expect_same_points(joined, expected);
    expect_same_checkpoint(f.last_checkpoint, rr.last_checkpoint);
  }
}

TEST(PhaseStop, DqnStoppedInsideAPhaseResumesExactly) {
  // Phases of 4 steps, gradient steps = the env steps collected (both parts of the cut phase),
  // epsilon logged at the phase's end with its value at the phase's start.
  Case c{"dqn", "CartPole-v1",
         settings_of({{"total_timesteps", "700"},
                      {"train_freq", "4"},
                      {"gradient_steps", "-1"},
                      {"learning_starts", "100"},
                      {"target_update_interval", "50"},
                      {"exploration_fraction", "0.5"},
                      {"batch_size", "16"},
                      {"net_arch", "16"},
                      {"buffer_size", "2000"},
                      {"eval_episodes", "2"},
                      {"seed", "3"}}),
         300, 4};
  expect_exact_resume(c, "dqn");
}

TEST(PhaseStop, SacWithGsdeStoppedInsideAPhaseResumesExactly) {
  // Phases of 16 steps; Pendulum's episodes end every 200 steps, 8 steps into a phase. gSDE
  // draws its matrices at a phase's start (and every sde_sample_freq steps of it): a continued
  // phase must keep them and its step count.
  for (const char* sample_freq : {"-1", "3"}) {
    Case c{"sac", "Pendulum-v1",
           settings_of({{"total_timesteps", "480"},
                        {"train_freq", "16"},
                        {"gradient_steps", "-1"},
                        {"learning_starts", "64"},
                        {"use_sde", "true"},
                        {"sde_sample_freq", sample_freq},
                        {"batch_size", "16"},
                        {"net_arch", "16"},
                        {"buffer_size", "2000"},
                        {"eval_episodes", "2"},
                        {"seed", "4"}}),
           100, 16};
    expect_exact_resume(c, std::string("sac-sde") + sample_freq);
  }
}

TEST(PhaseStop, Td3WithEpisodicPhasesStoppedInsideAPhaseResumesExactly) {
  // Phases of 2 episodes: the stop at the 3rd episode's end cuts the phase of episodes 3 and 4.
  // Ornstein-Uhlenbeck noise carries its state across the cut. With a total of 500 the stop
  // (at 600) is past the total: the resumed run still finishes the phase, to 800, as the run
  // never stopped.
  for (const char* total : {"1000", "500"}) {
    Case c{"td3",
           "Pendulum-v1",
           settings_of({{"total_timesteps", total},
                        {"train_freq", "2"},
                        {"train_freq_unit", "episode"},
                        {"gradient_steps", "-1"},
                        {"learning_starts", "100"},
                        {"noise_type", "ornstein-uhlenbeck"},
                        {"noise_std", "0.3"},
                        {"batch_size", "16"},
                        {"net_arch", "16"},
                        {"buffer_size", "2000"},
                        {"eval_episodes", "2"},
                        {"seed", "5"}}),
           0,
           1,
           3};
    expect_exact_resume(c, std::string("td3-") + total);
  }
}

// The phase's progress is untrusted input as every other value: a phase that began after the
// step count (or before step 0) is refused naming the key, not trained with a negative count.
TEST(PhaseStop, ACheckpointWhosePhaseBeganAfterItsStepCountIsRefused) {
  const fs::path dir = temp_dir("phase-stop-refused");
  Settings s = settings_of({{"total_timesteps", "400"},
                            {"train_freq", "4"},
                            {"learning_starts", "100"},
                            {"batch_size", "16"},
                            {"net_arch", "16"},
                            {"buffer_size", "1000"},
                            {"eval_episodes", "0"},
                            {"seed", "3"}});
  Trainer stopped("dqn", "CartPole-v1", {}, s);
  std::atomic<bool> stop{false};
  StopInsideAPhase sink(stop, 100, 4, 0);
  TrainHooks hooks;
  hooks.stop = &stop;
  const TrainResult r = stopped.train(sink, dir.string(), hooks);
  ASSERT_TRUE(r.interrupted);
  ASSERT_NE(r.global_step % 4, 0);

  SafetensorsFile file = load_safetensors(r.last_checkpoint);
  std::string& state = file.metadata["state"];
  const std::string key = "\"phase_start_step\":";
  const size_t at = state.find(key);
  ASSERT_NE(at, std::string::npos) << state.substr(0, 200);
  const size_t end = state.find_first_of(",}", at);
  for (const int64_t bad : {r.global_step + 4, int64_t{-4}}) {
    SafetensorsFile mutated = file;
    mutated.metadata["state"] =
        state.substr(0, at + key.size()) + std::to_string(bad) + state.substr(end);
    const std::string path = (dir / "mutated.safetensors").string();
    save_safetensors(path, mutated.tensors, mutated.metadata);
    const std::string error = error_of([&] { Trainer::resume(path); });
    EXPECT_NE(error.find("phase_start_step"), std::string::npos) << bad << ": " << error;
  }
}

}  // namespace
}  // namespace rein::rl
