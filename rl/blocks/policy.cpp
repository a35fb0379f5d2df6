// load_policy(): a checkpoint's agent, wrapped for acting only.
#include "rl/blocks/policy.h"

#include "envs/registry.h"
#include "rl/checkpoint.h"

namespace rein::rl {

Policy::Policy(Policy&&) noexcept = default;
Policy& Policy::operator=(Policy&&) noexcept = default;
Policy::~Policy() = default;

Policy load_policy(const std::string& checkpoint_path) {
  CheckpointInfo info = read_agent_checkpoint(checkpoint_path);
  Policy p;
  p.path_ = checkpoint_path;
  p.algorithm_ = info.algorithm;
  p.env_id_ = info.env_id;
  p.env_kwargs_ = info.env_kwargs;
  p.global_step_ = info.global_step;
  p.agent_ = load_acting_agent(info);
  return p;
}

Tensor Policy::predict(const Tensor& obs, bool deterministic) {
  return agent_->predict(obs, deterministic);
}

Tensor Policy::act(const Tensor& obs, bool deterministic) {
  // The batch of one is copied out, so the returned action owns its storage.
  action_ = agent_->predict(obs.unsqueeze(0), deterministic).select(0, 0).clone();
  return action_;
}

std::unique_ptr<envs::Env> Policy::make_env() const { return envs::make(env_id_, env_kwargs_); }

}  // namespace rein::rl
