// SAC: the actor, the entropy coefficient and the gradient step (rl/algorithms/sac.h cites the
// sources). train() follows SB3's SAC.train() step for step.
#include "rl/algorithms/sac.h"

#include <cmath>
#include <numbers>

#include "autograd/loss.h"
#include "autograd/ops.h"
#include "autograd/optim.h"
#include "rl/internal/algorithm_entry.h"
#include "rl/internal/continuous.h"
#include "rl/internal/off_policy.h"
#include "rl/internal/on_policy.h"
#include "rl/internal/sac_actor.h"
#include "rl/metric_names.h"

namespace rein::rl {

std::vector<Field> SACConfig::fields() {
  std::vector<Field> out{
      {"learning_rate", &learning_rate, "Adam step size (initial value when annealed)"},
      {"anneal_lr", &anneal_lr, "decay the learning rate linearly to 0"},
      {"buffer_size", &buffer_size, "replay buffer slots over all envs"},
      {"learning_starts", &learning_starts, "env steps of random actions before learning"},
      {"batch_size", &batch_size, "transitions per gradient step"},
      {"tau", &tau, "Polyak coefficient of the target critics"},
      {"gamma", &gamma, "discount factor"},
      {"train_freq", &train_freq, "vector-env steps between training phases"},
      {"train_freq_unit", &train_freq_unit, "step or episode: what train_freq counts"},
      {"gradient_steps", &gradient_steps, "gradient steps per phase (-1: env steps collected)"},
      {"ent_coef", &ent_coef, "entropy coefficient: a number, auto or auto_X (learned from X)"},
      {"target_entropy", &target_entropy, "auto (-dim(A)) or a number"},
      {"target_update_interval", &target_update_interval, "gradient steps between target updates"},
      {"net_arch", &net_arch, "hidden sizes, e.g. 256,256, or pi=[64,64], qf=[400,300]"},
      {"activation", &activation, "relu, tanh, elu or gelu"},
  };
  sde.add_fields(out, /*with_squash_output=*/false);
  out.push_back({"use_sde_at_warmup", &use_sde_at_warmup,
                 "gSDE: act with the policy before learning_starts, not uniformly"});
  out.push_back({"log_std_init", &log_std_init, "gSDE: initial log std"});
  out.push_back(
      {"clip_mean", &clip_mean, "gSDE: clip the mean to [-clip_mean, clip_mean] (0: off)"});
  out.push_back(
      {"save_replay", &save_replay, "checkpoints include the replay buffer (exact resume)"});
  return out;
}

namespace {

struct EntCoef {
  bool learned;
  double init;
};

// "0.1" -> fixed 0.1; "auto" -> learned from 1; "auto_0.1" -> learned from 0.1 (SB3).
EntCoef parse_ent_coef(const std::string& text) {
  const bool learned = text.rfind("auto", 0) == 0;
  std::string number = learned ? (text.size() > 5 && text[4] == '_' ? text.substr(5) : "") : text;
  if (learned && number.empty() && text != "auto")
    throw Error(str("sac: ent_coef '", text, "' (expected a number > 0, auto or auto_X)"));
  double v = 1.0;
  if (!number.empty()) {
    char* end = nullptr;
    v = std::strtod(number.c_str(), &end);
    if (*end != '\0' || !(v > 0) || !std::isfinite(v))
      throw Error(str("sac: ent_coef '", text, "' (expected a number > 0, auto or auto_X)"));
  }
  return {learned, v};
}

}  // namespace

void SACConfig::validate() const {
  auto need = [](bool ok, const char* key, const std::string& why) {
    if (!ok) throw Error(str("sac: ", key, " ", why));
  };
  sde.validate("sac");
  need(sde.use_sde || !use_sde_at_warmup, "use_sde_at_warmup",
       "applies only with use_sde = true (set use_sde = true for state-dependent exploration, "
       "or drop use_sde_at_warmup)");
  need(clip_mean >= 0, "clip_mean", str("must be >= 0 (0: no clipping), got ", clip_mean));
  internal::validate_off_policy_settings("sac", *this);
  need(target_update_interval >= 1, "target_update_interval",
       str("must be >= 1, got ", target_update_interval));
  parse_ent_coef(ent_coef);
  if (target_entropy != "auto") {
    char* end = nullptr;
    const double v = std::strtod(target_entropy.c_str(), &end);
    need(*end == '\0' && !target_entropy.empty() && std::isfinite(v), "target_entropy",
         str("must be auto or a number, got '", target_entropy, "'"));
  }
  internal::parse_actor_critic_arch("sac", net_arch);
  nn::activation_from_string(activation);
}

namespace {

constexpr double kLogStdMin = -20.0, kLogStdMax = 2.0;  // SB3 LOG_STD_MIN / LOG_STD_MAX
constexpr double kSquashEps = 1e-6;  // SB3 TanhBijector epsilon in log(1 - tanh^2 + eps)

// SB3's SAC Actor: a ReLU MLP whose last layer gives the mean and the log std of each action
// (one Linear of 2A outputs: SB3's mu and log_std layers side by side), log std clipped to
// [-20, 2], actions tanh(mu + std * noise).
class SquashedGaussianActor : public internal::SacActor {
 public:
  SquashedGaussianActor(int64_t obs_dim, int64_t action_dim, const std::vector<int64_t>& hidden,
                        nn::Activation activation, Generator& gen)
      : A_(action_dim) {
    std::vector<int64_t> sizes{obs_dim};
    sizes.insert(sizes.end(), hidden.begin(), hidden.end());
    sizes.push_back(2 * action_dim);
    net_ = register_module("net", std::make_shared<nn::MLP>(sizes, activation, gen));
  }
  Var forward(const Var& x) override { return net_->forward(x); }
  std::string name() const override { return "SquashedGaussianActor"; }

  // Reparameterised sample: actions (B, A) in (-1, 1) and their log-probability (B, 1) under
  // the squashed Gaussian (SB3 SquashedDiagGaussianDistribution.log_prob_from_params).
  std::pair<Var, Var> sample(const Var& obs, Generator& gen) override {
    const Var out = forward(obs);
    const Var mu = narrow(out, 1, 0, A_);
    const Var log_std = clamp(narrow(out, 1, A_, A_), kLogStdMin, kLogStdMax);
    const Tensor noise = randn({obs.value().size(0), A_}, gen);
    const Var actions = tanh(mu + exp(log_std) * Var(noise));
    // log N(x; mu, std) with x - mu = std * noise, so ((x - mu) / std)^2 = noise^2.
    const double log_sqrt_2pi = 0.5 * std::log(2.0 * std::numbers::pi);
    Var log_prob = sum(Var(noise * noise * -0.5f) - log_std - log_sqrt_2pi, 1, true);
    log_prob = log_prob - sum(log(1.0 - square(actions) + kSquashEps), 1, true);
    return {actions, log_prob};
  }
  // The deterministic action tanh(mu) (B, A).
  Tensor mode(const Tensor& obs) override {
    no_grad guard;
    return rein::tanh(forward(Var(obs)).value().narrow(1, 0, A_));
  }

 private:
  int64_t A_;
  std::shared_ptr<nn::MLP> net_;
};

class SACAgent final : public internal::ContinuousOffPolicyAgent<SACConfig> {
 public:
  SACAgent(const AgentSetup& setup, const SACConfig& config);

  Tensor predict(const Tensor& obs, bool deterministic) override;
  void state(StateIO& io) override;

 private:
  void begin_collect() override;
  void act(Tensor& env_actions, Tensor& stored) override;
  void train(int64_t steps, MetricSink& sink) override;

  EntCoef ent_;
  double target_entropy_;
  std::unique_ptr<internal::SacActor> actor_;
  internal::GsdeActor* sde_actor_ = nullptr;  // actor_ when use_sde, else null
  int64_t sde_steps_ = 0;                     // vector steps of the current collect phase
  std::unique_ptr<optim::Adam> ent_opt_;
  Var log_ent_coef_;  // (1), learned entropy coefficient only
};

SACAgent::SACAgent(const AgentSetup& setup, const SACConfig& config)
    : ContinuousOffPolicyAgent("sac", setup, config),
      ent_(parse_ent_coef(config.ent_coef)),
      target_entropy_(config.target_entropy == "auto" ? -static_cast<double>(A_)
                                                      : std::stod(config.target_entropy)) {
  Generator init_gen = gen_.split();
  if (cfg_.sde.use_sde) {
    auto actor = std::make_unique<internal::GsdeActor>(
        D_, A_, arch_.pi, activation_,
        internal::GsdeActorOptions{.full_std = cfg_.sde.full_std,
                                   .use_expln = cfg_.sde.use_expln,
                                   .log_std_init = cfg_.log_std_init,
                                   .clip_mean = cfg_.clip_mean},
        init_gen);
    sde_actor_ = actor.get();
    actor_ = std::move(actor);
  } else {
    actor_ = std::make_unique<SquashedGaussianActor>(D_, A_, arch_.pi, activation_, init_gen);
  }
  build_critics(*actor_, 2, init_gen);
  if (ent_.learned) {
    log_ent_coef_ = Var(full({1}, static_cast<float>(std::log(ent_.init))), true);
    ent_opt_ = std::make_unique<optim::Adam>(std::vector<Var>{log_ent_coef_}, adam_options());
  }
  if (sde_actor_) {
    // SB3 draws one exploration matrix when it builds the distribution.
    no_grad guard;
    sde_actor_->reset_noise(1, gen_);
  }
}

void SACAgent::act(Tensor& env_actions, Tensor& stored) {
  // SB3 collect_rollouts: a new noise matrix every sde_sample_freq steps of the phase, counted
  // from its first step (so step 0 draws again after the draw at the phase's start).
  if (sde_actor_ && cfg_.sde.sde_sample_freq > 0 && sde_steps_ % cfg_.sde.sde_sample_freq == 0) {
    no_grad guard;
    sde_actor_->reset_noise(N_, gen_);
  }
  ++sde_steps_;
  if (core_.warmup() && !(sde_actor_ && cfg_.use_sde_at_warmup)) {
    stored = uniform_actions();
  } else {
    no_grad guard;
    stored = actor_->sample(Var(core_.obs()), gen_).first.value();
  }
  env_actions = scale_.to_env(stored);
}

void SACAgent::train(int64_t steps, MetricSink& sink) {
  const double lr = learning_rate();
  for (optim::Adam* o : {actor_opt_.get(), critic_opt_.get(), ent_opt_.get()})
    if (o) o->set_lr(lr);
  internal::ReplayBatch batch;
  double actor_sum = 0, critic_sum = 0, ent_loss_sum = 0, ent_sum = 0;
  for (int64_t g = 0; g < steps; ++g) {
    core_.buffer().sample(cfg_.batch_size, gen_, 1.0, batch);
    // SB3: "We need to sample because `log_std` may have changed between two gradient steps";
    // one matrix, drawn with gradients so the actor loss reaches log_std through it.
    if (sde_actor_) sde_actor_->reset_noise(1, gen_);
    const Var obs(batch.obs);
    auto [actions_pi, log_prob] = actor_->sample(obs, gen_);

    double ent_coef = ent_.init;
    if (ent_.learned) {
      ent_coef = std::exp(static_cast<double>(log_ent_coef_.value().item<float>()));
      const Tensor gap = log_prob.value() + static_cast<float>(target_entropy_);
      const Var ent_loss = -mean(log_ent_coef_ * Var(gap));
      optimizer_step(*ent_opt_, ent_loss, metric::kEntCoefLoss);
      ent_loss_sum += ent_loss.item();
    }
    const auto ent = static_cast<float>(ent_coef);

    Tensor target_q;
    {
      no_grad guard;
      auto [next_actions, next_log_prob] = actor_->sample(Var(batch.next_obs), gen_);
      const auto next = critic_target_->values(Var(batch.next_obs), next_actions);
      const Tensor next_q = minimum(next[0].value(), next[1].value()) - next_log_prob.value() * ent;
      target_q = batch.returns.reshape({-1, 1}) + batch.discounts.reshape({-1, 1}) * next_q;
    }
    const internal::CriticLoss critic_loss = critic_->loss(obs, Var(batch.actions), target_q, 0.5f);
    critic_step(critic_loss);

    Var actor_loss;
    {
      internal::FrozenParameters frozen(critic_->parameters());
      const auto q_pi = critic_->values(obs, actions_pi);
      actor_loss = mean(log_prob * ent - minimum(q_pi[0], q_pi[1]));
    }
    optimizer_step(*actor_opt_, actor_loss, metric::kActorLoss);

    if (g % cfg_.target_update_interval == 0)
      internal::polyak_update(*critic_, *critic_target_, cfg_.tau);
    actor_sum += actor_loss.item();
    critic_sum += critic_loss.total.item();
    ent_sum += ent_coef;
    ++gradient_updates_;
  }
  const double n = static_cast<double>(std::max<int64_t>(steps, 1));
  sink.log(global_step(), metric::kActorLoss, actor_sum / n);
  sink.log(global_step(), metric::kCriticLoss, critic_sum / n);
  sink.log(global_step(), metric::kEntCoef, ent_sum / n);
  if (ent_.learned) sink.log(global_step(), metric::kEntCoefLoss, ent_loss_sum / n);
  if (sde_actor_) sink.log(global_step(), metric::kActionStd, sde_actor_->mean_std());
  sink.log(global_step(), metric::kLearningRate, lr);
}

void SACAgent::begin_collect() {
  if (!sde_actor_) return;
  // SB3 collect_rollouts: one matrix per env at the start of every collect phase.
  no_grad guard;
  sde_actor_->reset_noise(N_, gen_);
  sde_steps_ = 0;
}

Tensor SACAgent::predict(const Tensor& obs, bool deterministic) {
  const Tensor x = core_.encode(obs);
  if (deterministic) return scale_.to_env(actor_->mode(x));
  no_grad guard;
  return scale_.to_env(actor_->sample(Var(x), gen_).first.value());
}

void SACAgent::state(StateIO& io) {
  io.only_tensors({"actor.", "critic.", "critic_target.", "actor_optimizer.", "critic_optimizer.",
                   "log_ent_coef", "ent_coef_optimizer.", "replay.", "env.obs", "gsde."});
  io.object("actor", *actor_);
  io.object("critic", *critic_);
  io.object("critic_target", *critic_target_);
  io.object("actor_optimizer", *actor_opt_);
  io.object("critic_optimizer", *critic_opt_);
  if (ent_.learned) {
    Tensor log_ent_coef = log_ent_coef_.value();  // a handle: loading writes the parameter
    io.tensor("log_ent_coef", log_ent_coef);
    io.object("ent_coef_optimizer", *ent_opt_);
  }
  io.integer("gradient_updates", gradient_updates_, 0, kMaxCounter);
  io.generator("generator", gen_);
  // The matrices a loaded policy samples with; a resumed run redraws them from the saved
  // generator at its next collect phase, as the saving run did, or acts on with them when it
  // continues a phase a stop cut.
  if (sde_actor_) sde_actor_->exploration().state(io);
  // A collect phase a stop cut goes on with these matrices and its step count (sde_sample_freq
  // counts from the phase's first step); at a phase boundary the count restarts anyway.
  if (sde_actor_ && (io.loading() ? io.has("gsde_phase_steps") : core_.phase_cut()))
    io.integer("gsde_phase_steps", sde_steps_, 0, kMaxCounter);
  core_.state(io);
}

}  // namespace

std::unique_ptr<Agent> make_sac(const AgentSetup& setup, const SACConfig& config) {
  config.validate();
  return std::make_unique<SACAgent>(setup, config);
}

AlgorithmInfo sac_algorithm() {
  return internal::algorithm_entry<SACConfig>(
      "sac", "Soft Actor-Critic (squashed Gaussian or gSDE, twin critics, learned entropy), as SB3",
      {envs::SpaceKind::Box}, make_sac, internal::kDiscreteActionsNote);
}

}  // namespace rein::rl
