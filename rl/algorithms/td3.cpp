// TD3 and DDPG: the actor, action noise and the gradient step (rl/algorithms/td3.h cites the
// sources). train() follows SB3's TD3.train() step for step.
#include "rl/algorithms/td3.h"

#include <cmath>

#include "autograd/loss.h"
#include "autograd/ops.h"
#include "autograd/optim.h"
#include "rl/internal/algorithm_entry.h"
#include "rl/internal/continuous.h"
#include "rl/internal/off_policy.h"
#include "rl/internal/on_policy.h"
#include "rl/metric_names.h"

namespace rein::rl {

std::vector<Field> TD3Config::fields() {
  return {
      {"learning_rate", &learning_rate, "Adam step size (initial value when annealed)"},
      {"anneal_lr", &anneal_lr, "decay the learning rate linearly to 0"},
      {"buffer_size", &buffer_size, "replay buffer slots over all envs"},
      {"learning_starts", &learning_starts, "env steps of random actions before learning"},
      {"batch_size", &batch_size, "transitions per gradient step"},
      {"tau", &tau, "Polyak coefficient of the target networks"},
      {"gamma", &gamma, "discount factor"},
      {"train_freq", &train_freq, "vector-env steps (or episodes) between training phases"},
      {"train_freq_unit", &train_freq_unit, "step or episode: what train_freq counts"},
      {"gradient_steps", &gradient_steps, "gradient steps per phase (-1: env steps collected)"},
      {"policy_delay", &policy_delay, "critic updates per actor and target update"},
      {"target_policy_noise", &target_policy_noise, "std of the target action smoothing noise"},
      {"target_noise_clip", &target_noise_clip, "clip of the target action smoothing noise"},
      {"noise_type", &noise_type, "exploration noise: none, normal or ornstein-uhlenbeck"},
      {"noise_std", &noise_std, "exploration noise sigma on the [-1, 1] actions"},
      {"net_arch", &net_arch, "hidden sizes, e.g. 400,300, or pi=[64,64], qf=[400,300]"},
      {"activation", &activation, "relu, tanh, elu or gelu"},
      {"n_critics", &n_critics, "Q-networks (the target takes their minimum)"},
      {"save_replay", &save_replay, "checkpoints include the replay buffer (exact resume)"},
  };
}

std::vector<Field> DDPGConfig::fields() {
  std::vector<Field> out;
  for (const Field& f : TD3Config::fields()) {
    const std::string_view n = f.name;
    if (n != "policy_delay" && n != "target_policy_noise" && n != "target_noise_clip" &&
        n != "n_critics")
      out.push_back(f);
  }
  return out;
}

void TD3Config::validate(const char* algo) const {
  auto need = [algo](bool ok, const char* key, const std::string& why) {
    if (!ok) throw Error(str(algo, ": ", key, " ", why));
  };
  internal::validate_off_policy_settings(algo, *this);
  need(policy_delay >= 1, "policy_delay",
       str("must be >= 1 (1 updates the actor with every critic step, TD3 uses 2), got ",
           policy_delay));
  need(target_policy_noise >= 0, "target_policy_noise",
       str("must be >= 0 (0: no target smoothing), got ", target_policy_noise));
  need(target_noise_clip >= 0, "target_noise_clip", str("must be >= 0, got ", target_noise_clip));
  need(noise_type == "none" || noise_type == "normal" || noise_type == "ornstein-uhlenbeck",
       "noise_type", str("must be none, normal or ornstein-uhlenbeck, got '", noise_type, "'"));
  need(noise_std >= 0, "noise_std", str("must be >= 0, got ", noise_std));
  need(n_critics >= 1 && n_critics <= 16, "n_critics", str("must be in [1, 16], got ", n_critics));
  internal::parse_actor_critic_arch(algo, net_arch);
  nn::activation_from_string(activation);
}

namespace {

// Exploration noise on the [-1, 1] actions, one stream per env (SB3 NormalActionNoise and
// OrnsteinUhlenbeckActionNoise with theta 0.15, dt 1e-2, reset to 0 when the env's episode ends).
class ActionNoise {
 public:
  ActionNoise(const std::string& type, double sigma, int64_t n_envs, int64_t action_dim)
      : type_(type),
        sigma_(sigma),
        A_(action_dim),
        ou_(static_cast<size_t>(n_envs * action_dim), 0.0) {}
  bool active() const { return type_ != "none"; }
  // Adds one draw per element to the (N, A) actions.
  void add(float* actions, Generator& gen) {
    for (size_t k = 0; k < ou_.size(); ++k) {
      double n = sigma_ * gen.normal();
      if (type_ == "ornstein-uhlenbeck") {
        ou_[k] += kTheta * (0.0 - ou_[k]) * kDt + std::sqrt(kDt) * n;
        n = ou_[k];
      }
      actions[k] += static_cast<float>(n);
    }
  }
  void reset(int64_t env) { std::fill(ou_.begin() + env * A_, ou_.begin() + (env + 1) * A_, 0.0); }
  const std::vector<double>& state() const { return ou_; }
  void set_state(std::vector<double> s) { ou_ = std::move(s); }

 private:
  static constexpr double kTheta = 0.15, kDt = 1e-2;
  std::string type_;
  double sigma_;
  int64_t A_;
  std::vector<double> ou_;  // (N, A) previous OU values
};

// SB3's TD3 Actor: an MLP whose output goes through tanh.
class DeterministicActor : public nn::Module {
 public:
  DeterministicActor(int64_t obs_dim, int64_t action_dim, const std::vector<int64_t>& hidden,
                     nn::Activation activation, Generator& gen) {
    std::vector<int64_t> sizes{obs_dim};
    sizes.insert(sizes.end(), hidden.begin(), hidden.end());
    sizes.push_back(action_dim);
    net_ = register_module("net", std::make_shared<nn::MLP>(sizes, activation, gen));
  }
  Var forward(const Var& x) override { return tanh(net_->forward(x)); }
  std::string name() const override { return "DeterministicActor"; }

 private:
  std::shared_ptr<nn::MLP> net_;
};

class TD3Agent final : public internal::ContinuousOffPolicyAgent<TD3Config> {
 public:
  TD3Agent(std::string algo, const AgentSetup& setup, const TD3Config& config);

  Tensor predict(const Tensor& obs, bool deterministic) override;
  std::vector<Param> params() override {
    if (algo_ != "ddpg") return to_params(cfg_.fields());
    DDPGConfig d;  // DDPG lists its own subset of the settings
    static_cast<TD3Config&>(d) = cfg_;
    return to_params(d.fields());
  }
  void state(StateIO& io) override;

 private:
  void act(Tensor& env_actions, Tensor& stored) override;
  void after_step(const std::vector<uint8_t>& done) override {
    for (int64_t i = 0; i < N_; ++i)
      if (done[static_cast<size_t>(i)]) noise_.reset(i);
  }
  void train(int64_t steps, MetricSink& sink) override;

  ActionNoise noise_;
  std::unique_ptr<DeterministicActor> actor_, actor_target_;
};

TD3Agent::TD3Agent(std::string algo, const AgentSetup& setup, const TD3Config& config)
    : ContinuousOffPolicyAgent(std::move(algo), setup, config),
      noise_(config.noise_type, config.noise_std, N_, A_) {
  Generator init_gen = gen_.split();
  actor_ = std::make_unique<DeterministicActor>(D_, A_, arch_.pi, activation_, init_gen);
  actor_target_ = std::make_unique<DeterministicActor>(D_, A_, arch_.pi, activation_, init_gen);
  actor_target_->load_state_dict(actor_->state_dict());
  build_critics(*actor_, cfg_.n_critics, init_gen);
}

void TD3Agent::act(Tensor& env_actions, Tensor& stored) {
  // SB3 _sample_action: the action space's samples before learning_starts, then the actor; the
  // noise is added to either and the sum clipped to [-1, 1].
  if (core_.warmup()) {
    stored = uniform_actions();
  } else {
    no_grad guard;
    stored = actor_->forward(Var(core_.obs())).value().clone();
  }
  if (noise_.active()) {
    noise_.add(stored.data<float>(), gen_);
    stored.clamp_(-1.0, 1.0);
  }
  env_actions = scale_.to_env(stored);
}

void TD3Agent::train(int64_t steps, MetricSink& sink) {
  const double lr = learning_rate();
  actor_opt_->set_lr(lr);
  critic_opt_->set_lr(lr);
  internal::ReplayBatch batch;
  double actor_sum = 0, critic_sum = 0;
  int64_t actor_updates = 0;
  for (int64_t g = 0; g < steps; ++g) {
    ++gradient_updates_;
    core_.buffer().sample(cfg_.batch_size, gen_, 1.0, batch);
    Tensor target_q;
    {
      no_grad guard;
      Tensor next_actions = actor_target_->forward(Var(batch.next_obs)).value();
      if (cfg_.target_policy_noise > 0) {
        Tensor smoothing =
            randn(next_actions.shape(), gen_) * static_cast<float>(cfg_.target_policy_noise);
        smoothing.clamp_(-cfg_.target_noise_clip, cfg_.target_noise_clip);
        next_actions = next_actions + smoothing;
      }
      next_actions.clamp_(-1.0, 1.0);
      const auto next = critic_target_->values(Var(batch.next_obs), Var(next_actions));
      Tensor next_q = next[0].value();
      for (size_t k = 1; k < next.size(); ++k) next_q = minimum(next_q, next[k].value());
      target_q = batch.returns.reshape({-1, 1}) + batch.discounts.reshape({-1, 1}) * next_q;
    }
    const internal::CriticLoss critic_loss =
        critic_->loss(Var(batch.obs), Var(batch.actions), target_q, 1.0f);
    critic_step(critic_loss);
    critic_sum += critic_loss.total.item();

    if (gradient_updates_ % cfg_.policy_delay == 0) {
      Var actor_loss;
      {
        internal::FrozenParameters frozen(critic_->parameters());
        actor_loss = -mean(critic_->first(Var(batch.obs), actor_->forward(Var(batch.obs))));
      }
      optimizer_step(*actor_opt_, actor_loss, metric::kActorLoss);
      internal::polyak_update(*critic_, *critic_target_, cfg_.tau);
      internal::polyak_update(*actor_, *actor_target_, cfg_.tau);
      actor_sum += actor_loss.item();
      ++actor_updates;
    }
  }
  const double n = static_cast<double>(std::max<int64_t>(steps, 1));
  sink.log(global_step(), metric::kCriticLoss, critic_sum / n);
  if (actor_updates > 0)
    sink.log(global_step(), metric::kActorLoss, actor_sum / static_cast<double>(actor_updates));
  sink.log(global_step(), metric::kLearningRate, lr);
}

Tensor TD3Agent::predict(const Tensor& obs, bool deterministic) {
  const Tensor x = core_.encode(obs);
  Tensor a;
  {
    no_grad guard;
    a = actor_->forward(Var(x)).value().clone();
  }
  // Not deterministic: the exploration noise's distribution, without touching its OU state.
  if (!deterministic && noise_.active()) {
    a = a + randn(a.shape(), gen_) * static_cast<float>(cfg_.noise_std);
    a.clamp_(-1.0, 1.0);
  }
  return scale_.to_env(a);
}

void TD3Agent::state(StateIO& io) {
  io.only_tensors({"actor.", "actor_target.", "critic.", "critic_target.", "actor_optimizer.",
                   "critic_optimizer.", "replay.", "env.obs"});
  io.object("actor", *actor_);
  io.object("actor_target", *actor_target_);
  io.object("critic", *critic_);
  io.object("critic_target", *critic_target_);
  io.object("actor_optimizer", *actor_opt_);
  io.object("critic_optimizer", *critic_opt_);
  io.integer("gradient_updates", gradient_updates_, 0, kMaxCounter);
  io.generator("generator", gen_);
  std::vector<double> noise = noise_.state();
  io.numbers("noise", noise, static_cast<size_t>(N_ * A_), -1e6, 1e6);
  if (io.loading()) noise_.set_state(std::move(noise));
  core_.state(io);
}

}  // namespace

std::unique_ptr<Agent> make_td3(const AgentSetup& setup, const TD3Config& config) {
  config.validate();
  return std::make_unique<TD3Agent>("td3", setup, config);
}

std::unique_ptr<Agent> make_ddpg(const AgentSetup& setup, const DDPGConfig& config) {
  config.validate();
  return std::make_unique<TD3Agent>("ddpg", setup, config);
}

AlgorithmInfo td3_algorithm() {
  return internal::algorithm_entry<TD3Config>(
      "td3", "Twin Delayed DDPG (clipped double Q, delayed actor, target smoothing), as SB3",
      {envs::SpaceKind::Box}, make_td3, internal::kDiscreteActionsNote);
}

AlgorithmInfo ddpg_algorithm() {
  return internal::algorithm_entry<DDPGConfig>(
      "ddpg", "Deep Deterministic Policy Gradient (TD3 with one critic, no delay), as SB3",
      {envs::SpaceKind::Box}, make_ddpg, internal::kDiscreteActionsNote);
}

}  // namespace rein::rl
