// What SAC, TD3 and DDPG share: their agent skeleton (ContinuousOffPolicyAgent) and, about Box
// actions, the twin (or single) Q critics of SB3's ContinuousCritic (v2.x policies.py: each an MLP
// from [observation, action] to one value) and the map between the policy's [-1, 1] actions and
// the env's bounds (SB3 scale_action / unscale_action).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "autograd/layers.h"
#include "autograd/module.h"
#include "autograd/optim.h"
#include "envs/spaces.h"
#include "rl/algorithm.h"
#include "rl/internal/off_policy.h"
#include "rl/internal/on_policy.h"
#include "rl/metric_names.h"
#include "tensor/generator.h"
#include "tensor/ops.h"
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

// The memory of the actor and `n_critics` critics of `arch` (memory_budget.h): each parameter
// held five times (value, gradient, Adam's two moments, the target copy), an actor output of
// 2 x action_dim (SAC's mean and log std) as the largest. Checked with the replay buffer before
// either is built: net_arch = "30000,30000" otherwise allocated 18 GB of weights and met the
// OOM killer, or died of std::bad_alloc.
MemoryUse actor_critics_memory(int64_t obs_dim, int64_t action_dim, const ActorCriticArch& arch,
                               int64_t n_critics);

// What SAC, TD3 and DDPG share as agents (SB3's OffPolicyAlgorithm with a Box policy): the
// off-policy core, the action scale, the generator every draw comes from, the critics with their
// targets, the Adam of actor and critics, the gradient-update count, and learn()'s loop of
// collect then train. An algorithm builds its actor and writes act, train and state.
// Config: SB3's off-policy settings (off_policy_options), net_arch, activation, fields().
template <class Config>
class ContinuousOffPolicyAgent : public Agent {
 public:
  void iterate(MetricSink& sink) final {
    // A phase the stop flag cut is continued: its start is done (and in the checkpoint).
    if (!core_.phase_cut()) begin_collect();
    core_.collect(
        sink, [this](Tensor& env, Tensor& stored) { act(env, stored); },
        [this](const std::vector<uint8_t>& done) { after_step(done); });
    if (const int64_t steps = core_.due_gradient_steps(); steps > 0) train(steps, sink);
  }
  int64_t global_step() const final { return core_.global_step(); }
  void set_stop_flag(const std::atomic<bool>* stop) final { core_.set_stop_flag(stop); }
  std::optional<int64_t> cut_iteration_start() const final { return core_.cut_phase_start(); }
  std::vector<Param> params() override { return to_params(cfg_.fields()); }
  std::string state_name() const final { return algo_ + " state"; }

 protected:
  // `algo` names the agent in errors and checkpoints.
  ContinuousOffPolicyAgent(std::string algo, const AgentSetup& setup, const Config& config)
      : algo_(std::move(algo)),
        setup_(setup),
        cfg_(config),
        arch_(parse_actor_critic_arch(algo_, config.net_arch)),
        core_(algo_, setup, with_networks(off_policy_options(config), config)),
        scale_(algo_, core_.envs().single_action_space(), setup.env_id),
        N_(setup.run.n_envs),
        D_(core_.obs_dim()),
        A_(scale_.dim()),
        gen_(static_cast<uint64_t>(setup.run.seed)),
        activation_(nn::activation_from_string(config.activation)) {}

  // After the actor, from the same initialisation stream: n critics and their target copy (with
  // threads > 1 a worker runs the second half of their passes), and the Adam of actor and critics
  // (torch.optim.Adam defaults at the config's rate, as SB3's policies).
  void build_critics(const nn::Module& actor, int64_t n, Generator& init_gen) {
    critic_ = std::make_unique<Critics>(D_, A_, arch_.qf, activation_, n, init_gen);
    critic_target_ = std::make_unique<Critics>(D_, A_, arch_.qf, activation_, n, init_gen);
    critic_target_->load_state_dict(critic_->state_dict());
    if (setup_.run.threads > 1) {
      worker_ = std::make_unique<Worker>();
      critic_->set_worker(worker_.get());
      critic_target_->set_worker(worker_.get());
    }
    actor_opt_ = std::make_unique<optim::Adam>(actor.parameters(), adam_options());
    critic_opt_ = std::make_unique<optim::Adam>(critic_->parameters(), adam_options());
  }
  optim::AdamOptions adam_options() const { return {.lr = cfg_.learning_rate}; }
  // SB3 _update_learning_rate: the rate every optimizer follows in this training phase.
  double learning_rate() const {
    return learning_rate_at(cfg_.learning_rate, cfg_.anneal_lr, global_step(),
                            setup_.run.total_timesteps);
  }
  // SB3 samples the action space before learning_starts: (N, A) uniform in [-1, 1] once scaled.
  Tensor uniform_actions() { return rand({N_, A_}, gen_) * 2.0f - 1.0f; }
  void optimizer_step(optim::Adam& opt, const Var& loss, const char* loss_name) {
    step_optimizer(opt, loss, algo_, loss_name, global_step(), gradient_updates_);
  }
  void critic_step(const CriticLoss& loss) {
    step_optimizer(*critic_opt_, loss, worker_.get(), algo_, metric::kCriticLoss, global_step(),
                   gradient_updates_);
  }

  // The steps of iterate(): before a collect phase (not again when a cut phase continues); the env
  // and stored actions of one vector step; after it, with the envs whose episode ended; the
  // gradient steps due.
  virtual void begin_collect() {}
  virtual void act(Tensor& env_actions, Tensor& stored) = 0;
  virtual void after_step(const std::vector<uint8_t>& /*done*/) {}
  virtual void train(int64_t steps, MetricSink& sink) = 0;

  std::string algo_;
  AgentSetup setup_;
  Config cfg_;
  ActorCriticArch arch_;
  OffPolicyCore core_;
  ActionScale scale_;
  int64_t N_, D_, A_;
  Generator gen_;
  nn::Activation activation_;
  std::unique_ptr<Worker> worker_;  // declared first: the critics point to it until destroyed
  std::unique_ptr<Critics> critic_, critic_target_;
  std::unique_ptr<optim::Adam> actor_opt_, critic_opt_;
  int64_t gradient_updates_ = 0;

 private:
  // The off-policy options with the networks' share of the core's memory check (arch_ is set).
  OffPolicyOptions with_networks(OffPolicyOptions options, const Config& config) const {
    int64_t n_critics = 2;  // SAC's
    if constexpr (requires { config.n_critics; }) n_critics = config.n_critics;
    options.networks = [arch = arch_, n_critics](const ObsEncoder& obs,
                                                 const envs::Space& actions) {
      return actor_critics_memory(obs.dim(), actions.flat_dim(), arch, n_critics);
    };
    return options;
  }
};

}  // namespace rein::rl::internal
