// Wrappers with Gymnasium 1.x names and behaviour: each owns the env it wraps and changes one
// thing about it. Wrapper forwards everything; the others override what they change.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "envs/env.h"
#include "tensor/state_io.h"

namespace rein::envs {

// Forwards every call to the wrapped env; spaces are copied from it at construction.
class Wrapper : public Env {
 public:
  explicit Wrapper(std::unique_ptr<Env> env);  // throws rein::Error on a null env

  ResetResult reset(std::optional<uint64_t> seed = std::nullopt,
                    const Kwargs& options = {}) override;
  StepResult step(const Action& action) override;
  void render(DrawList& out) const override;
  std::string render_text() const override;
  RenderInfo render_info() const override;
  void set_state(std::span<const double> state) override;
  std::vector<double> state() const override;
  Env& unwrapped() override { return env_->unwrapped(); }
  const Env& unwrapped() const override { return env_->unwrapped(); }

  Env& env() { return *env_; }
  const Env& env() const { return *env_; }

 protected:
  std::unique_ptr<Env> env_;
};

// Base of the wrappers that change only the observation (Gymnasium's ObservationWrapper):
// reset and step pass everything else through and return obs_, which observation() fills from
// the inner env's observation. A subclass sizes obs_ and sets its observation space in its
// constructor; the returned tensor is overwritten by the next reset or step.
class ObservationWrapper : public Wrapper {
 public:
  using Wrapper::Wrapper;
  ResetResult reset(std::optional<uint64_t> seed = std::nullopt,
                    const Kwargs& options = {}) override;
  StepResult step(const Action& action) override;

 protected:
  // Writes what the wrapper makes of the inner env's observation `obs` into obs_.
  virtual void observation(const Tensor& obs) = 0;
  Tensor obs_;
};

// Finds the innermost wrapper of type W in a wrapper chain (nullptr if none), e.g.
// find_wrapper<NormalizeObservation>(env) to save its statistics.
template <typename W>
W* find_wrapper(Env& env) {
  for (Env* e = &env;;) {
    if (auto* w = dynamic_cast<W*>(e)) return w;
    auto* wrapper = dynamic_cast<Wrapper*>(e);
    if (wrapper == nullptr) return nullptr;
    e = &wrapper->env();
  }
}

// step() before the first reset() throws rein::Error (Gymnasium's OrderEnforcing).
class OrderEnforcing : public Wrapper {
 public:
  using Wrapper::Wrapper;
  ResetResult reset(std::optional<uint64_t> seed = std::nullopt,
                    const Kwargs& options = {}) override;
  StepResult step(const Action& action) override;

 private:
  bool has_reset_ = false;
};

// truncated = true on the max_episode_steps-th step since reset, whatever terminated says.
class TimeLimit : public Wrapper {
 public:
  TimeLimit(std::unique_ptr<Env> env, int64_t max_episode_steps);  // throws if < 1
  ResetResult reset(std::optional<uint64_t> seed = std::nullopt,
                    const Kwargs& options = {}) override;
  StepResult step(const Action& action) override;
  int64_t max_episode_steps() const { return max_episode_steps_; }
  int64_t elapsed_steps() const { return elapsed_steps_; }
  // Restores the step count of a saved episode (a resumed run continues it). Throws if < 0.
  void set_elapsed_steps(int64_t steps);

 private:
  int64_t max_episode_steps_;
  int64_t elapsed_steps_ = 0;
};

// On the step that ends an episode, adds to info "episode_return" (sum of rewards),
// "episode_length" (steps) and "episode_time" (seconds since reset), like Gymnasium's
// info["episode"] = {"r", "l", "t"}; also keeps the last buffer_length of each.
class RecordEpisodeStatistics : public Wrapper {
 public:
  explicit RecordEpisodeStatistics(std::unique_ptr<Env> env, size_t buffer_length = 100);
  ResetResult reset(std::optional<uint64_t> seed = std::nullopt,
                    const Kwargs& options = {}) override;
  StepResult step(const Action& action) override;

  const std::deque<double>& return_queue() const { return return_queue_; }
  const std::deque<int64_t>& length_queue() const { return length_queue_; }
  int64_t episode_count() const { return episode_count_; }
  // The return and length of the episode in progress, and their restore for a resumed run
  // (throws if length < 0 or the return is not finite).
  double episode_return() const { return episode_return_; }
  int64_t episode_length() const { return episode_length_; }
  void set_episode(double episode_return, int64_t episode_length);

 private:
  size_t buffer_length_;
  double episode_return_ = 0.0;
  int64_t episode_length_ = 0;
  int64_t episode_count_ = 0;
  std::chrono::steady_clock::time_point episode_start_;
  std::deque<double> return_queue_;
  std::deque<int64_t> length_queue_;
  Info info_out_;
};

// Running mean and variance (parallel Welford, as Gymnasium's RunningMeanStd): starts at mean 0,
// var 1, count 1e-4. Plain numbers so they can be saved in a checkpoint and restored.
struct RunningMeanStd {
  std::vector<double> mean;
  std::vector<double> var;
  double count = 1e-4;

  RunningMeanStd() = default;
  explicit RunningMeanStd(int64_t size) : mean(size, 0.0), var(size, 1.0) {}
  // One sample (x has mean.size() values).
  void update(const double* x);
  // Merge a batch's moments (count samples with these means/variances).
  void update_from_moments(const double* batch_mean, const double* batch_var, double batch_count);
  // Checkpoint state (tensor/state_io.h): "mean" and "var" of the current size (variances
  // >= 0: normalising divides by sqrt(var + eps)) and "count" > 0 (updates divide by it).
  void state(StateIO& io);
};

// Box observations -> float32 (obs - mean) / sqrt(var + epsilon), statistics updated on every
// reset and step while update_running_mean() (Gymnasium 1.x). Freeze for evaluation with
// set_update_running_mean(false); read/write the statistics with obs_rms().
class NormalizeObservation : public ObservationWrapper {
 public:
  explicit NormalizeObservation(std::unique_ptr<Env> env, double epsilon = 1e-8);

  RunningMeanStd& obs_rms() { return rms_; }
  const RunningMeanStd& obs_rms() const { return rms_; }
  bool update_running_mean() const { return update_; }
  void set_update_running_mean(bool update) { update_ = update; }

 private:
  void observation(const Tensor& obs) override;
  RunningMeanStd rms_;
  double epsilon_;
  bool update_ = true;
  std::vector<double> scratch_;
};

// reward / sqrt(return_rms.var + epsilon), where return_rms tracks the discounted return
// G = G * gamma * (1 - terminated) + reward (Gymnasium 1.x NormalizeReward).
class NormalizeReward : public Wrapper {
 public:
  explicit NormalizeReward(std::unique_ptr<Env> env, double gamma = 0.99, double epsilon = 1e-8);
  StepResult step(const Action& action) override;

  RunningMeanStd& return_rms() { return rms_; }
  const RunningMeanStd& return_rms() const { return rms_; }
  bool update_running_mean() const { return update_; }
  void set_update_running_mean(bool update) { update_ = update; }

 private:
  RunningMeanStd rms_{1};
  double gamma_;
  double epsilon_;
  double discounted_return_ = 0.0;
  bool update_ = true;
};

// Box actions clipped to the action space's bounds before they reach the env.
class ClipAction : public Wrapper {
 public:
  explicit ClipAction(std::unique_ptr<Env> env);
  StepResult step(const Action& action) override;

 private:
  std::vector<float> clipped_;
};

// The agent acts in [min_action, max_action] (per element, or one value for all); actions are
// mapped linearly onto the env's bounded Box.
class RescaleAction : public Wrapper {
 public:
  RescaleAction(std::unique_ptr<Env> env, double min_action, double max_action);
  StepResult step(const Action& action) override;

 private:
  std::vector<double> scale_, offset_;
  std::vector<float> mapped_;
};

// reward -> clamp(reward, min_reward, max_reward).
class ClipReward : public Wrapper {
 public:
  ClipReward(std::unique_ptr<Env> env, double min_reward, double max_reward);
  StepResult step(const Action& action) override;

 private:
  double min_, max_;
};

// reward -> f(reward).
class TransformReward : public Wrapper {
 public:
  TransformReward(std::unique_ptr<Env> env, std::function<double(double)> f);
  StepResult step(const Action& action) override;

 private:
  std::function<double(double)> f_;
};

// Box observations clamped to [low, high] (CleanRL's TransformObservation(np.clip(obs, -10, 10))).
class ClipObservation : public ObservationWrapper {
 public:
  ClipObservation(std::unique_ptr<Env> env, double low, double high);

 private:
  void observation(const Tensor& obs) override;
  double low_, high_;
};

// Observations as a flat float32 vector: Box -> (flat_dim,), Discrete -> one-hot (n,),
// MultiDiscrete -> concatenated one-hots (sum(nvec),), as gymnasium.spaces.flatten does.
class FlattenObservation : public ObservationWrapper {
 public:
  explicit FlattenObservation(std::unique_ptr<Env> env);

 private:
  void observation(const Tensor& obs) override;
  Space inner_space_;
};

// Discrete observations as float32 one-hot vectors of length n (FlattenObservation restricted
// to Discrete, with a clear error for other spaces). For tabular envs fed to networks.
class OneHotObservation : public FlattenObservation {
 public:
  explicit OneHotObservation(std::unique_ptr<Env> env);
};

}  // namespace rein::envs
