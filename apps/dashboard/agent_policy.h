// What chooses the agent viewer's actions: the trained policy of a checkpoint (rl::Policy, the
// same agent `rein eval` rebuilds, acting deterministically), or uniform random actions when no
// checkpoint is picked. No ImGui here, so tests drive it without a window.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "envs/env.h"
#include "rl/blocks/policy.h"
#include "tensor/generator.h"

namespace rein::dashboard {

// Chooses actions for the viewer. act() returns an Action viewing the policy's own buffers,
// valid until the next call.
class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string describe() const = 0;
  virtual envs::Action act(const Tensor& obs) = 0;
  // A fresh env of the kind this policy acts in.
  virtual std::unique_ptr<envs::Env> make_env() const = 0;
};

// Uniform samples from the action space of `env_id`'s env.
class RandomPolicy : public Policy {
 public:
  RandomPolicy(std::string env_id, std::uint64_t seed);
  std::string describe() const override { return "random actions"; }
  envs::Action act(const Tensor& obs) override;
  std::unique_ptr<envs::Env> make_env() const override;

 private:
  std::string env_id_;
  envs::Space space_;
  Generator gen_;
  Tensor action_;
};

// The checkpoint's agent, deterministic (argmax / mean action), as `rein eval` plays it.
class CheckpointPolicy : public Policy {
 public:
  explicit CheckpointPolicy(rl::Policy policy) : policy_(std::move(policy)) {}
  // "ppo at step 100,000"
  std::string describe() const override;
  envs::Action act(const Tensor& obs) override;
  std::unique_ptr<envs::Env> make_env() const override { return policy_.make_env(); }
  const rl::Policy& policy() const { return policy_; }

 private:
  rl::Policy policy_;
  Tensor action_;
};

// The env plug-ins recorded in a run's params as `rein train --plugin` stores them ("plugin.0",
// "plugin.1", ... -> the library path as given), in order. `params` as RunRow holds them.
std::vector<std::string> recorded_plugins(
    const std::vector<std::pair<std::string, std::string>>& params);

// Makes `env_id` available before the viewer plays a run trained on it: when the registry does
// not know it, loads `plugins` (the run's recorded plug-ins) into the process-wide registry,
// each library once per process. Throws rein::Error when a plug-in cannot be loaded (naming the
// recorded path, relative to where the run was trained, and what to do), or when the env is
// still unknown afterwards.
void load_run_plugins(const std::string& env_id, const std::vector<std::string>& plugins);

// The trained policy of a checkpoint file. Throws rein::Error naming the file when it cannot be
// read or names an algorithm or env this build does not have.
std::unique_ptr<Policy> load_policy(const std::string& checkpoint_path);

}  // namespace rein::dashboard
