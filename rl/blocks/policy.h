// A trained policy loaded from a checkpoint, for code that only needs to act: the dashboard's
// agent viewer, scripts, anything that plays an agent without training it. It rebuilds the
// agent exactly as `rein eval` does (read_agent_checkpoint + load_acting_agent), so for the same
// observations it chooses the same actions, for every registered algorithm.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "envs/env.h"
#include "rl/algorithm.h"
#include "tensor/tensor.h"

namespace rein::rl {

// Not thread-safe (one thread acts at a time). Move-only.
class Policy {
 public:
  Policy(Policy&&) noexcept;
  Policy& operator=(Policy&&) noexcept;
  ~Policy();

  const std::string& algorithm() const { return algorithm_; }
  const std::string& env_id() const { return env_id_; }
  const envs::Kwargs& env_kwargs() const { return env_kwargs_; }
  int64_t global_step() const { return global_step_; }  // the checkpoint's training step
  const std::string& checkpoint_path() const { return path_; }

  // Actions for a batch of raw observations (B, *obs_shape), as Agent::predict: int64 (B) for
  // Discrete, float32 (B, A) clipped to the bounds for Box. Deterministic by default (argmax or
  // mean action), like `rein eval`.
  Tensor predict(const Tensor& obs, bool deterministic = true);
  // The action for one observation of one env (no batch dimension): a one-element int64 tensor
  // for Discrete, float32 (A) for Box; pass it to envs::Action::from_tensor. The tensor is
  // valid until the next call.
  Tensor act(const Tensor& obs, bool deterministic = true);
  // A fresh env of the kind the policy was trained on (env id and constructor arguments).
  std::unique_ptr<envs::Env> make_env() const;

  // The agent itself (e.g. for rl::evaluate).
  Agent& agent() { return *agent_; }

 private:
  friend Policy load_policy(const std::string& checkpoint_path);
  Policy() = default;
  std::string path_;
  std::string algorithm_;
  std::string env_id_;
  envs::Kwargs env_kwargs_;
  int64_t global_step_ = 0;
  std::unique_ptr<Agent> agent_;
  Tensor action_;
};

// Reads a checkpoint written by training (rl/checkpoint.h). Throws rein::Error naming the file
// if it is not a rein agent checkpoint, or the algorithm/env it names is not registered (load
// env plug-ins first).
Policy load_policy(const std::string& checkpoint_path);

}  // namespace rein::rl
