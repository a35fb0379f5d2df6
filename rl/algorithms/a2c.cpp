// A2C: n-step rollout, returns/advantages, one RMSprop step per rollout (rl/algorithms/a2c.h cites
// the sources). The loss follows SB3's A2C.train() term by term.
#include "rl/algorithms/a2c.h"

#include <cmath>
#include <numeric>

#include "autograd/loss.h"
#include "autograd/ops.h"
#include "autograd/optim.h"
#include "rl/blocks/actor_critic.h"
#include "rl/internal/algorithm_entry.h"
#include "rl/internal/on_policy.h"
#include "rl/internal/vec_rollout.h"
#include "rl/metric_names.h"

namespace rein::rl {

std::vector<Field> A2CConfig::fields() {
  std::vector<Field> out = {
      {"n_steps", &n_steps, "steps per env per update"},
      {"learning_rate", &learning_rate, "optimizer step size (initial value when annealed)"},
      {"anneal_lr", &anneal_lr, "decay the learning rate linearly to 0"},
      {"gamma", &gamma, "discount factor"},
      {"gae_lambda", &gae_lambda, "GAE lambda (1: n-step returns)"},
      {"ent_coef", &ent_coef, "entropy bonus weight"},
      {"vf_coef", &vf_coef, "value loss weight"},
      {"max_grad_norm", &max_grad_norm, "global gradient-norm clip"},
      {"normalize_advantage", &normalize_advantage, "standardise each rollout's advantages"},
      {"use_rms_prop", &use_rms_prop, "RMSprop (alpha 0.99) if true, else Adam"},
      {"rms_prop_eps", &rms_prop_eps, "RMSprop (or Adam) epsilon"},
      {"policy", &policy, "MlpPolicy, or CnnPolicy for image observations (NatureCNN)"},
      {"net_arch", &net_arch, "hidden sizes of actor and critic, e.g. 64,64"},
      {"activation", &activation, "tanh, relu, elu or gelu"},
      {"shared_network", &shared_network, "one trunk for actor and critic"},
      {"ortho_init", &ortho_init, "orthogonal initialisation"},
      {"log_std_init", &log_std_init, "initial log std (Box actions)"},
  };
  sde.add_fields(out);
  return out;
}

void A2CConfig::validate() const {
  auto need = [](bool ok, const char* key, const std::string& why) {
    if (!ok) throw Error(str("a2c: ", key, " ", why));
  };
  need(n_steps >= 1, "n_steps", str("must be >= 1, got ", n_steps));
  need(learning_rate > 0, "learning_rate", str("must be > 0, got ", learning_rate));
  need(gamma >= 0 && gamma <= 1, "gamma", str("must be in [0, 1], got ", gamma));
  need(gae_lambda >= 0 && gae_lambda <= 1, "gae_lambda",
       str("must be in [0, 1], got ", gae_lambda));
  need(vf_coef >= 0, "vf_coef", str("must be >= 0, got ", vf_coef));
  need(max_grad_norm > 0, "max_grad_norm", str("must be > 0, got ", max_grad_norm));
  need(rms_prop_eps > 0, "rms_prop_eps", str("must be > 0, got ", rms_prop_eps));
  is_cnn_policy(policy);
  parse_net_arch(net_arch);
  nn::activation_from_string(activation);
  sde.validate("a2c");
}

namespace {

class A2CAgent final : public internal::RolloutAgent<A2CConfig> {
 public:
  A2CAgent(const AgentSetup& setup, const A2CConfig& config);

 private:
  void update(MetricSink& sink) override;

  std::vector<int64_t> all_rows_;  // 0 .. T*N-1: the whole rollout is one batch
  Minibatch batch_;
};

A2CAgent::A2CAgent(const AgentSetup& setup, const A2CConfig& config)
    : RolloutAgent(setup, config, /*store_log_probs=*/false,
                   {.algo = "a2c",
                    .copies = config.use_rms_prop ? 3 : 4,
                    .held = config.use_rms_prop ? "value, gradient, RMSprop's square average"
                                                : "value, gradient, Adam's two moments",
                    // the whole rollout
                    .batch_rows =
                        static_cast<double>(config.n_steps) * static_cast<double>(setup.run.n_envs),
                    .batch_setting = "n_steps or n_envs"}) {
  if (cfg_.use_rms_prop) {
    // SB3 A2C: th.optim.RMSprop(alpha=0.99, eps=rms_prop_eps, weight_decay=0).
    opt_ = std::make_unique<optim::RMSprop>(
        model_->parameters(),
        optim::RMSpropOptions{.lr = cfg_.learning_rate, .alpha = 0.99, .eps = cfg_.rms_prop_eps});
  } else {
    opt_ = std::make_unique<optim::Adam>(
        model_->parameters(),
        optim::AdamOptions{.lr = cfg_.learning_rate, .eps = cfg_.rms_prop_eps});
  }
  all_rows_.resize(static_cast<size_t>(roll_.buffer.size()));
  std::iota(all_rows_.begin(), all_rows_.end(), int64_t{0});
}

void A2CAgent::update(MetricSink& sink) {
  const int64_t global_step = roll_.global_step;
  const double lr = internal::learning_rate_at(cfg_.learning_rate, cfg_.anneal_lr, global_step,
                                               setup_.run.total_timesteps);
  opt_->set_lr(lr);
  // gae_lambda = 1: A_t = sum_k gamma^k r_{t+k} + gamma^n V(s_{t+n}) - V(s_t), the n-step
  // advantage of the A3C paper (each step bootstraps from the end of its rollout).
  roll_.buffer.compute_returns_and_advantages(cfg_.gamma, cfg_.gae_lambda);
  roll_.buffer.gather(all_rows_, batch_);

  Tensor adv = batch_.advantages;
  if (cfg_.normalize_advantage && adv.numel() > 1) adv = (adv - mean(adv)) / (std(adv) + 1e-8);

  auto [v, log_prob, entropy] = roll_.policy.evaluate_actions(batch_.obs, batch_.actions);
  // Policy gradient with the advantage as a constant weight (Mnih et al. 2016, algorithm S3).
  Var policy_loss = -mean(Var(adv) * log_prob);
  Var value_loss = nn::mse_loss(v, Var(batch_.returns));
  Var entropy_loss = -mean(entropy);
  Var loss = policy_loss + cfg_.ent_coef * entropy_loss + cfg_.vf_coef * value_loss;

  const double pl = policy_loss.item(), vl = value_loss.item(), el = entropy_loss.item();
  internal::check_losses("a2c", global_step, iteration_, pl, vl, el);
  const double gn = internal::backward_and_step(*opt_, loss, model_->parameters(),
                                                cfg_.max_grad_norm, "a2c", global_step);

  sink.log(global_step, metric::kPolicyLoss, pl);
  sink.log(global_step, metric::kValueLoss, vl);
  sink.log(global_step, metric::kEntropyLoss, el);
  sink.log(global_step, metric::kGradNorm, gn);
  sink.log(global_step, metric::kLearningRate, lr);
  roll_.log_fit_metrics(sink);
}

}  // namespace

std::unique_ptr<Agent> make_a2c(const AgentSetup& setup, const A2CConfig& config) {
  config.validate();
  return std::make_unique<A2CAgent>(setup, config);
}

AlgorithmInfo a2c_algorithm() {
  return internal::algorithm_entry<A2CConfig>(
      "a2c", "Advantage Actor-Critic (n-step returns, RMSprop), as SB3",
      {envs::SpaceKind::Discrete, envs::SpaceKind::Box}, make_a2c);
}

}  // namespace rein::rl
