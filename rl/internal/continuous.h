// What SAC, TD3 and DDPG share about Box actions: the twin (or single) Q critics of SB3's
// ContinuousCritic (v2.x policies.py: each an MLP from [observation, action] to one value) and
// the map between the policy's [-1, 1] actions and the env's bounds (SB3 scale_action /
// unscale_action).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "autograd/layers.h"
#include "autograd/module.h"
#include "autograd/optim.h"
#include "envs/spaces.h"
#include "rl/internal/replay_buffer.h"
#include "tensor/generator.h"
#include "tensor/worker.h"

namespace rein::rl::internal {

// The registry's note on SAC, TD3 and DDPG, which take Box actions only.
inline constexpr const char* kDiscreteActionsNote = "for Discrete actions use dqn, ppo or a2c";

// One optimizer step on `loss` (SAC's and TD3's critic, actor and entropy losses). A non-finite
// loss throws NonFiniteError "ALGO: NAME is X at step S (update U)" before any parameter moves.
void step_optimizer(optim::Adam& opt, const Var& loss, const std::string& algo,
                    const char* loss_name, int64_t step, int64_t update);

// The critics' regression loss, weight * sum_k MSE(Q_k, target) (SAC: weight 0.5, TD3: 1):
// its value, and the terms MSE(Q_k, target), whose backward passes are independent (each
// reaches one critic only) and get `weight` as their output gradient, as through the sum.
struct CriticLoss {
  Var total;
  std::vector<Var> terms;
  float weight = 1.0f;
};

// step_optimizer for the critics: the terms' backward passes and the Adam step run in two
// halves, the second on `worker` when there is one. Same numbers with or without a worker.
void step_optimizer(optim::Adam& opt, const CriticLoss& loss, Worker* worker,
                    const std::string& algo, const char* loss_name, int64_t step, int64_t update);

// n Q-networks Q_k(s, a). Not copyable (a Module); copy weights through state_dict.
class Critics : public nn::Module {
 public:
  Critics(int64_t obs_dim, int64_t action_dim, const std::vector<int64_t>& hidden,
          nn::Activation activation, int64_t n, Generator& gen);
  // Forward passes of the second half of the critics run on `worker` (null: one thread).
  void set_worker(Worker* worker) { worker_ = worker; }
  // obs (B, obs_dim), actions (B, action_dim) -> n values (B, 1).
  std::vector<Var> values(const Var& obs, const Var& actions);
  // The regression loss of the critics' values on (obs, actions) towards target (B, 1).
  CriticLoss loss(const Var& obs, const Var& actions, const Tensor& target, float weight);
  // Q_0 only (TD3's actor loss).
  Var first(const Var& obs, const Var& actions);
  Var forward(const Var& x) override;  // x = [obs, actions] (B, obs_dim + action_dim) -> Q_0
  std::string name() const override { return "Critics"; }
  int64_t size() const { return static_cast<int64_t>(q_.size()); }

 private:
  std::vector<std::shared_ptr<nn::MLP>> q_;
  Worker* worker_ = nullptr;
};

// The critics of SAC, TD3 and DDPG with their target copy (same weights at the start) and, with
// threads > 1, the worker both run the second half of their passes on.
struct CriticPair {
  CriticPair(int64_t obs_dim, int64_t action_dim, const std::vector<int64_t>& hidden,
             nn::Activation activation, int64_t n, Generator& gen, int64_t threads);
  std::unique_ptr<Worker> worker;  // declared first: the critics point to it until destroyed
  std::unique_ptr<Critics> online, target;
};

// The regression target r + discount * next_q (B, 1) of a replay batch (returns and discounts
// (B)) and the target critics' next value next_q (B, 1).
Tensor bootstrapped_target(const ReplayBatch& batch, const Tensor& next_q);

// Parameters stop collecting gradients while the guard lives: the actor losses of SAC and TD3
// read the critics, whose gradients SB3 computes and then discards.
class FrozenParameters {
 public:
  explicit FrozenParameters(std::vector<Var> params);
  ~FrozenParameters();
  FrozenParameters(const FrozenParameters&) = delete;
  FrozenParameters& operator=(const FrozenParameters&) = delete;

 private:
  std::vector<Var> params_;
};

// The affine map between [-1, 1]^A and a bounded Box. Throws rein::Error naming `algo` and
// the fix when the Box has an infinite bound (a squashed or clipped policy cannot reach it).
class ActionScale {
 public:
  ActionScale(const std::string& algo, const envs::Space& space, const std::string& env_id);
  int64_t dim() const { return static_cast<int64_t>(low_.size()); }
  // rows x dim() policy actions in [-1, 1] -> env actions, clipped to the bounds.
  Tensor to_env(const Tensor& scaled) const;

 private:
  std::vector<float> low_, high_;
};

// "64,64" or SB3's dict form "pi=[64, 64], qf=[400, 300]" (also with "vf" for critics):
// the hidden sizes of the actor and of the critics.
struct ActorCriticArch {
  std::vector<int64_t> pi, qf;
};
ActorCriticArch parse_actor_critic_arch(const std::string& algo, const std::string& text);

}  // namespace rein::rl::internal
