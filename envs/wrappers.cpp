// Wrapper and the Gymnasium-named wrappers that change time, statistics, actions and rewards.
// Observation-changing wrappers live in observation_wrappers.cpp.
#include "envs/wrappers.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rein::envs {

// ---- Wrapper ----

Wrapper::Wrapper(std::unique_ptr<Env> env) : env_(std::move(env)) {
  if (!env_) throw Error("Wrapper: the wrapped env is null");
  observation_space_ = env_->observation_space();
  action_space_ = env_->action_space();
  if (env_->spec()) set_spec(*env_->spec());
}

ResetResult Wrapper::reset(std::optional<uint64_t> seed, const Kwargs& options) {
  return env_->reset(seed, options);
}
StepResult Wrapper::step(const Action& action) { return env_->step(action); }

ResetResult ObservationWrapper::reset(std::optional<uint64_t> seed, const Kwargs& options) {
  ResetResult r = env_->reset(seed, options);
  observation(r.obs);
  return {obs_, r.info};
}

StepResult ObservationWrapper::step(const Action& action) {
  StepResult r = env_->step(action);
  observation(r.obs);
  return {obs_, r.reward, r.terminated, r.truncated, r.info};
}
void Wrapper::render(DrawList& out) const { env_->render(out); }
std::string Wrapper::render_text() const { return env_->render_text(); }
RenderInfo Wrapper::render_info() const { return env_->render_info(); }
void Wrapper::set_state(std::span<const double> state) { env_->set_state(state); }
std::vector<double> Wrapper::state() const { return env_->state(); }

// ---- OrderEnforcing ----

ResetResult OrderEnforcing::reset(std::optional<uint64_t> seed, const Kwargs& options) {
  has_reset_ = true;
  return env_->reset(seed, options);
}

StepResult OrderEnforcing::step(const Action& action) {
  if (!has_reset_) {
    throw Error(str(name(), ".step: cannot call step() before reset()"));
  }
  return env_->step(action);
}

// ---- TimeLimit ----

TimeLimit::TimeLimit(std::unique_ptr<Env> env, int64_t max_episode_steps)
    : Wrapper(std::move(env)), max_episode_steps_(max_episode_steps) {
  if (max_episode_steps < 1) {
    throw Error(str("TimeLimit: max_episode_steps must be >= 1, got ", max_episode_steps));
  }
}

ResetResult TimeLimit::reset(std::optional<uint64_t> seed, const Kwargs& options) {
  elapsed_steps_ = 0;
  return env_->reset(seed, options);
}

void TimeLimit::set_elapsed_steps(int64_t steps) {
  if (steps < 0) throw Error(str("TimeLimit: elapsed steps must be >= 0, got ", steps));
  elapsed_steps_ = steps;
}

StepResult TimeLimit::step(const Action& action) {
  StepResult r = env_->step(action);
  ++elapsed_steps_;
  // Gymnasium: truncated on the limit step regardless of terminated.
  const bool truncated = r.truncated || elapsed_steps_ >= max_episode_steps_;
  return {r.obs, r.reward, r.terminated, truncated, r.info};
}

// ---- RecordEpisodeStatistics ----

RecordEpisodeStatistics::RecordEpisodeStatistics(std::unique_ptr<Env> env, size_t buffer_length)
    : Wrapper(std::move(env)), buffer_length_(buffer_length) {}

ResetResult RecordEpisodeStatistics::reset(std::optional<uint64_t> seed, const Kwargs& options) {
  ResetResult r = env_->reset(seed, options);
  episode_return_ = 0.0;
  episode_length_ = 0;
  episode_start_ = std::chrono::steady_clock::now();
  return r;
}

void RecordEpisodeStatistics::set_episode(double episode_return, int64_t episode_length) {
  if (episode_length < 0 || !std::isfinite(episode_return))
    throw Error(str("RecordEpisodeStatistics: episode return ", episode_return, " and length ",
                    episode_length, " (expected a finite return and a length >= 0)"));
  episode_return_ = episode_return;
  episode_length_ = episode_length;
}

StepResult RecordEpisodeStatistics::step(const Action& action) {
  StepResult r = env_->step(action);
  episode_return_ += r.reward;
  ++episode_length_;
  if (!r.terminated && !r.truncated) return r;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - episode_start_).count();
  info_ = r.info;  // copy assignment reuses capacity: no allocation once warmed up
  info_.set("episode_return", episode_return_);
  info_.set("episode_length", static_cast<double>(episode_length_));
  info_.set("episode_time", seconds);
  return_queue_.push_back(episode_return_);
  length_queue_.push_back(episode_length_);
  if (return_queue_.size() > buffer_length_) {
    return_queue_.pop_front();
    length_queue_.pop_front();
  }
  ++episode_count_;
  episode_return_ = 0.0;
  episode_length_ = 0;
  episode_start_ = std::chrono::steady_clock::now();
  return {r.obs, r.reward, r.terminated, r.truncated, info_};
}

// ---- RunningMeanStd ----

void RunningMeanStd::update(const double* x) {
  // A batch of one sample: batch mean x, batch variance 0.
  const size_t n = mean.size();
  const double total = count + 1.0;
  for (size_t i = 0; i < n; ++i) {
    const double delta = x[i] - mean[i];
    const double m_a = var[i] * count;
    const double m2 = m_a + delta * delta * count * 1.0 / total;
    mean[i] = mean[i] + delta * 1.0 / total;
    var[i] = m2 / total;
  }
  count = total;
}

void RunningMeanStd::state(StateIO& io) {
  io.numbers("mean", mean, mean.size());
  io.numbers("var", var, var.size(), 0.0);
  io.number("count", count, std::numeric_limits<double>::min());
}

void RunningMeanStd::update_from_moments(const double* batch_mean, const double* batch_var,
                                         double batch_count) {
  // Chan et al. parallel variance, as Gymnasium's update_mean_var_count_from_moments.
  const size_t n = mean.size();
  const double total = count + batch_count;
  for (size_t i = 0; i < n; ++i) {
    const double delta = batch_mean[i] - mean[i];
    const double m_a = var[i] * count;
    const double m_b = batch_var[i] * batch_count;
    const double m2 = m_a + m_b + delta * delta * count * batch_count / total;
    mean[i] = mean[i] + delta * batch_count / total;
    var[i] = m2 / total;
  }
  count = total;
}

// ---- NormalizeReward ----

NormalizeReward::NormalizeReward(std::unique_ptr<Env> env, double gamma, double epsilon)
    : Wrapper(std::move(env)), gamma_(gamma), epsilon_(epsilon) {}

StepResult NormalizeReward::step(const Action& action) {
  StepResult r = env_->step(action);
  discounted_return_ = discounted_return_ * gamma_ * (r.terminated ? 0.0 : 1.0) + r.reward;
  if (update_) rms_.update(&discounted_return_);
  const double reward = r.reward / std::sqrt(rms_.var[0] + epsilon_);
  return {r.obs, reward, r.terminated, r.truncated, r.info};
}

// ---- ClipAction ----

ClipAction::ClipAction(std::unique_ptr<Env> env) : Wrapper(std::move(env)) {
  if (!action_space_.is_box()) {
    throw Error(str("ClipAction: needs a Box action space, got ", action_space_.to_string()));
  }
  clipped_.resize(static_cast<size_t>(action_space_.flat_dim()));
}

StepResult ClipAction::step(const Action& action) {
  check_action(action_space_, action, "ClipAction.step");
  const Box& box = action_space_.box();
  const auto values = action.values();
  for (size_t i = 0; i < clipped_.size(); ++i) {
    clipped_[i] =
        static_cast<float>(std::clamp(static_cast<double>(values[i]), box.low[i], box.high[i]));
  }
  return env_->step(Action(std::span<const float>(clipped_)));
}

// ---- RescaleAction ----

RescaleAction::RescaleAction(std::unique_ptr<Env> env, double min_action, double max_action)
    : Wrapper(std::move(env)) {
  if (!action_space_.is_box() || !action_space_.box().is_bounded()) {
    throw Error(
        str("RescaleAction: needs a bounded Box action space, got ", action_space_.to_string()));
  }
  if (!(min_action < max_action)) {
    throw Error(
        str("RescaleAction: min_action ", min_action, " must be below max_action ", max_action));
  }
  const Box inner = action_space_.box();
  for (size_t i = 0; i < inner.low.size(); ++i) {
    // Gymnasium: low + (high - low) * ((a - min) / (max - min)).
    scale_.push_back((inner.high[i] - inner.low[i]) / (max_action - min_action));
    offset_.push_back(inner.low[i] - min_action * scale_.back());
  }
  mapped_.resize(inner.low.size());
  action_space_ = Box(min_action, max_action, inner.shape, inner.dtype);
}

StepResult RescaleAction::step(const Action& action) {
  check_action(action_space_, action, "RescaleAction.step");
  const auto values = action.values();
  for (size_t i = 0; i < mapped_.size(); ++i) {
    mapped_[i] = static_cast<float>(offset_[i] + scale_[i] * static_cast<double>(values[i]));
  }
  return env_->step(Action(std::span<const float>(mapped_)));
}

// ---- ClipReward / TransformReward ----

ClipReward::ClipReward(std::unique_ptr<Env> env, double min_reward, double max_reward)
    : Wrapper(std::move(env)), min_(min_reward), max_(max_reward) {
  if (!(min_reward <= max_reward)) {
    throw Error(str("ClipReward: min_reward ", min_reward, " is above max_reward ", max_reward));
  }
}

StepResult ClipReward::step(const Action& action) {
  StepResult r = env_->step(action);
  return {r.obs, std::clamp(r.reward, min_, max_), r.terminated, r.truncated, r.info};
}

TransformReward::TransformReward(std::unique_ptr<Env> env, std::function<double(double)> f)
    : Wrapper(std::move(env)), f_(std::move(f)) {
  if (!f_) throw Error("TransformReward: the function is empty");
}

StepResult TransformReward::step(const Action& action) {
  StepResult r = env_->step(action);
  return {r.obs, f_(r.reward), r.terminated, r.truncated, r.info};
}

}  // namespace rein::envs
