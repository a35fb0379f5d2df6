// Vector envs: N copies of an env stepped together, with batched observation, reward and flag
// buffers written in place (no allocation per step). SyncVectorEnv steps them one after another
// on the caller's thread; ThreadedVectorEnv splits them over worker threads.
//
// Autoreset ("same-step", as Stable-Baselines3 and Gymnasium 0.29 / AutoresetMode.SAME_STEP):
// when env i ends an episode in step(), terminated[i] / truncated[i] report it, rewards[i] is the
// reward of that last step, final_obs[i] holds that step's observation (the one to bootstrap a
// truncated episode from), final_info(i) its info, and done[i] = terminated[i] || truncated[i].
// The env is then reset at once (its stream continues; no new seed) and obs[i] is the first
// observation of the next episode, info(i) the reset info. Rows of final_obs with done[i] false
// hold stale data.
//
// Autoreset "next-step" (Gymnasium 1.x's default, AutoresetMode.NEXT_STEP; opt in with
// VectorOptions::autoreset or set_autoreset()): when env i ends an episode, obs[i] and info(i) are
// that step's own observation and info and the env is left as it is; the NEXT step() ignores
// action i, resets env i (its stream continues) and reports the reset observation and info with
// reward 0 and both flags false. final_obs is not written in this mode.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "envs/env.h"

namespace rein::envs {

// The batched buffers. Owned by the vector env, allocated once, overwritten by each reset/step.
struct VectorStep {
  Tensor obs;         // (N, *obs_shape), the observation space's dtype
  Tensor rewards;     // (N,) float32
  Tensor terminated;  // (N,) bool
  Tensor truncated;   // (N,) bool
  Tensor done;        // (N,) bool: terminated || truncated, i.e. final_obs row is valid
  Tensor final_obs;   // (N, *obs_shape): last observation of the episodes that just ended
};

enum class AutoresetMode : uint8_t { SameStep, NextStep };

// Thread-safety: a vector env is driven by one thread at a time (its workers are internal).
class VectorEnv {
 public:
  virtual ~VectorEnv() = default;

  int64_t num_envs() const { return static_cast<int64_t>(envs_.size()); }
  const Space& single_observation_space() const { return envs_.front()->observation_space(); }
  const Space& single_action_space() const { return envs_.front()->action_space(); }

  // Resets every env; with a seed, env i is reset with seed + i. Flags, rewards and done are
  // cleared; obs holds the reset observations.
  virtual const VectorStep& reset(std::optional<uint64_t> seed = std::nullopt,
                                  const Kwargs& options = {}) = 0;
  // actions: Discrete -> int64 (N,); Box -> float32 (N, *action_shape); MultiDiscrete -> int64
  // (N, k). Contiguous. Throws rein::Error on a wrong shape/dtype or before the first reset.
  virtual const VectorStep& step(const Tensor& actions) = 0;

  // Which autoreset rule step() follows (see the top of this file); SameStep unless told.
  AutoresetMode autoreset() const { return autoreset_; }
  void set_autoreset(AutoresetMode mode) { autoreset_ = mode; }

  const VectorStep& buffers() const { return buf_; }
  const Info& info(int64_t i) const { return infos_[static_cast<size_t>(i)]; }
  const Info& final_info(int64_t i) const { return final_infos_[static_cast<size_t>(i)]; }
  Env& env(int64_t i) { return *envs_[static_cast<size_t>(i)]; }
  const Env& env(int64_t i) const { return *envs_[static_cast<size_t>(i)]; }

 protected:
  // Takes ownership; throws rein::Error if empty or if the envs' spaces differ.
  explicit VectorEnv(std::vector<std::unique_ptr<Env>> envs);
  // The work of one env in reset()/step(), shared by both implementations. Touches only row i
  // of the buffers (and infos_[i]), so different i may run on different threads.
  void reset_one(int64_t i, std::optional<uint64_t> seed, const Kwargs& options);
  // `actions` is the data of the checked actions tensor (int64 or float32 rows).
  void step_one(int64_t i, const void* actions);
  static const void* action_data(const Tensor& actions);
  void check_actions(const Tensor& actions) const;
  // Copies one env's observation into row i of a batched buffer; throws if it does not fit.
  void write_row(char* batch, int64_t i, const Tensor& obs) const;

  std::vector<std::unique_ptr<Env>> envs_;
  VectorStep buf_;
  std::vector<Info> infos_;
  std::vector<Info> final_infos_;
  bool needs_reset_ = true;
  AutoresetMode autoreset_ = AutoresetMode::SameStep;
  std::vector<uint8_t> reset_next_;  // NextStep: env i ended its episode in the last step()
  int64_t obs_row_bytes_ = 0;
  // Raw views of buf_ (the hot loop skips the dtype checks of Tensor::data<T>()).
  char* obs_ptr_ = nullptr;
  char* final_obs_ptr_ = nullptr;
  float* rewards_ptr_ = nullptr;
  bool* terminated_ptr_ = nullptr;
  bool* truncated_ptr_ = nullptr;
  bool* done_ptr_ = nullptr;
};

class SyncVectorEnv final : public VectorEnv {
 public:
  explicit SyncVectorEnv(std::vector<std::unique_ptr<Env>> envs);
  const VectorStep& reset(std::optional<uint64_t> seed = std::nullopt,
                          const Kwargs& options = {}) override;
  const VectorStep& step(const Tensor& actions) override;
};

// Env i is stepped by worker i % num_threads (static partition: deterministic, and each env
// stays on one thread). num_threads = 0 means std::thread::hardware_concurrency(), capped at N.
// Results are identical to SyncVectorEnv's. An exception in an env is rethrown by step()/reset().
class ThreadedVectorEnv final : public VectorEnv {
 public:
  explicit ThreadedVectorEnv(std::vector<std::unique_ptr<Env>> envs, int num_threads = 0);
  ~ThreadedVectorEnv() override;
  const VectorStep& reset(std::optional<uint64_t> seed = std::nullopt,
                          const Kwargs& options = {}) override;
  const VectorStep& step(const Tensor& actions) override;
  int num_threads() const;

 private:
  struct Pool;
  void run_share(int worker);  // the envs of one worker for the current task
  void run_all();              // wakes the workers, runs share 0, waits, rethrows
  std::unique_ptr<Pool> pool_;
};

enum class VectorMode : uint8_t { Sync, Threaded };

struct VectorOptions {
  VectorMode mode = VectorMode::Sync;  // Threaded pays off for expensive envs only
  int num_threads = 0;                 // Threaded only; 0 = hardware concurrency
  AutoresetMode autoreset = AutoresetMode::SameStep;
  Kwargs kwargs;  // passed to make() for every env
  // Applied to each env after make() (e.g. RecordEpisodeStatistics); may be empty.
  std::function<std::unique_ptr<Env>(std::unique_ptr<Env>)> wrap;
};

// gymnasium.make_vec: num_envs copies of make(id, options.kwargs), each passed through wrap.
std::unique_ptr<VectorEnv> make_vec(std::string_view id, int64_t num_envs,
                                    const VectorOptions& options = {});

}  // namespace rein::envs
