// The agent viewer's policies: a checkpoint's trained agent, or random actions.
#include "apps/dashboard/agent_policy.h"

#include <string>

#include "envs/registry.h"

namespace rein::dashboard {

namespace {

// 100000 -> "100,000"
std::string with_commas(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace

RandomPolicy::RandomPolicy(std::string env_id, std::uint64_t seed)
    : env_id_(std::move(env_id)), space_(envs::make(env_id_)->action_space()), gen_(seed) {}

envs::Action RandomPolicy::act(const Tensor&) {
  action_ = space_.sample(gen_);
  return envs::Action::from_tensor(action_);
}

std::unique_ptr<envs::Env> RandomPolicy::make_env() const { return envs::make(env_id_); }

std::string CheckpointPolicy::describe() const {
  return policy_.algorithm() + " at step " + with_commas(policy_.global_step());
}

envs::Action CheckpointPolicy::act(const Tensor& obs) {
  action_ = policy_.act(obs, /*deterministic=*/true);
  return envs::Action::from_tensor(action_);
}

std::unique_ptr<Policy> load_policy(const std::string& checkpoint_path) {
  return std::make_unique<CheckpointPolicy>(rl::load_policy(checkpoint_path));
}

}  // namespace rein::dashboard
