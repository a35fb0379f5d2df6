// PPO: the rollout / GAE / update loop (rl/algorithms/ppo.h cites the sources). The update reads
// top to bottom like CleanRL's ppo.py; the loss follows SB3's PPO.train() term by term.
#include "rl/algorithms/ppo.h"

#include <algorithm>
#include <cmath>

#include "autograd/loss.h"
#include "autograd/ops.h"
#include "autograd/optim.h"
#include "rl/blocks/actor_critic.h"
#include "rl/internal/algorithm_entry.h"
#include "rl/internal/on_policy.h"
#include "rl/internal/vec_rollout.h"
#include "rl/metric_names.h"

namespace rein::rl {

std::vector<Field> PPOConfig::fields() {
  std::vector<Field> out = {
      {"n_steps", &n_steps, "steps per env per rollout"},
      {"batch_size", &batch_size, "minibatch size"},
      {"n_epochs", &n_epochs, "passes over each rollout"},
      {"learning_rate", &learning_rate, "Adam step size (initial value when annealed)"},
      {"anneal_lr", &anneal_lr, "decay the learning rate linearly to 0"},
      {"gamma", &gamma, "discount factor"},
      {"gae_lambda", &gae_lambda, "GAE lambda"},
      {"clip_range", &clip_range, "PPO ratio clip (initial value when annealed)"},
      {"anneal_clip_range", &anneal_clip_range, "decay the clip range linearly to 0"},
      {"clip_range_vf", &clip_range_vf, "value clip around old values (0: off)"},
      {"normalize_advantage", &normalize_advantage, "normalise advantages per minibatch"},
      {"ent_coef", &ent_coef, "entropy bonus weight"},
      {"vf_coef", &vf_coef, "value loss weight"},
      {"max_grad_norm", &max_grad_norm, "global gradient-norm clip"},
      {"target_kl", &target_kl, "early stop when approx KL > 1.5 target_kl (0: off)"},
      {"policy", &policy, "MlpPolicy, or CnnPolicy for image observations (NatureCNN)"},
      {"net_arch", &net_arch, "hidden sizes of actor and critic, e.g. 64,64"},
      {"activation", &activation, "tanh, relu, elu or gelu"},
      {"shared_network", &shared_network, "one trunk for actor and critic"},
      {"ortho_init", &ortho_init, "orthogonal initialisation"},
      {"log_std_init", &log_std_init, "initial log std (Box actions)"},
      {"adam_eps", &adam_eps, "Adam epsilon"},
  };
  sde.add_fields(out);
  return out;
}

void PPOConfig::validate() const {
  auto need = [](bool ok, const char* key, const std::string& why) {
    if (!ok) throw Error(str("ppo: ", key, " ", why));
  };
  need(n_steps >= 1, "n_steps", str("must be >= 1, got ", n_steps));
  need(batch_size >= 1, "batch_size", str("must be >= 1, got ", batch_size));
  need(n_epochs >= 1, "n_epochs", str("must be >= 1, got ", n_epochs));
  need(learning_rate > 0, "learning_rate", str("must be > 0, got ", learning_rate));
  need(gamma >= 0 && gamma <= 1, "gamma", str("must be in [0, 1], got ", gamma));
  need(gae_lambda >= 0 && gae_lambda <= 1, "gae_lambda",
       str("must be in [0, 1], got ", gae_lambda));
  need(clip_range > 0, "clip_range", str("must be > 0, got ", clip_range));
  need(clip_range_vf >= 0, "clip_range_vf", str("must be >= 0, got ", clip_range_vf));
  need(max_grad_norm > 0, "max_grad_norm", str("must be > 0, got ", max_grad_norm));
  need(target_kl >= 0, "target_kl", str("must be >= 0, got ", target_kl));
  need(adam_eps > 0, "adam_eps", str("must be > 0, got ", adam_eps));
  is_cnn_policy(policy);
  parse_net_arch(net_arch);
  nn::activation_from_string(activation);
  sde.validate("ppo");
}

namespace {

class PPOAgent final : public internal::RolloutAgent<PPOConfig> {
 public:
  PPOAgent(const AgentSetup& setup, const PPOConfig& config);

 private:
  void update(MetricSink& sink) override;

  Minibatch mb_;
};

PPOAgent::PPOAgent(const AgentSetup& setup, const PPOConfig& config)
    : RolloutAgent(setup, config, /*store_log_probs=*/true,
                   {.algo = "ppo",
                    .copies = 4,
                    .held = "value, gradient, Adam's two moments",
                    .batch_rows = static_cast<double>(config.batch_size),
                    .batch_setting = "batch_size"}) {
  opt_ = std::make_unique<optim::Adam>(
      model_->parameters(), optim::AdamOptions{.lr = cfg_.learning_rate, .eps = cfg_.adam_eps});
}

void PPOAgent::update(MetricSink& sink) {
  const int64_t global_step = roll_.global_step;
  const double progress = internal::progress_remaining(global_step, setup_.run.total_timesteps);
  const double lr = cfg_.anneal_lr ? cfg_.learning_rate * progress : cfg_.learning_rate;
  const double clip = cfg_.anneal_clip_range ? cfg_.clip_range * progress : cfg_.clip_range;
  opt_->set_lr(lr);
  RolloutBuffer& buf = roll_.buffer;
  buf.compute_returns_and_advantages(cfg_.gamma, cfg_.gae_lambda);

  const int64_t n = buf.size();
  const int64_t B = std::min(cfg_.batch_size, n);
  const std::vector<Var> params = model_->parameters();
  double pg_sum = 0, v_sum = 0, ent_sum = 0, clipfrac_sum = 0, gn_sum = 0, kl_last_sum = 0;
  int64_t updates = 0, kl_last_count = 0;
  bool stop = false;
  for (int64_t epoch = 0; epoch < cfg_.n_epochs && !stop; ++epoch) {
    kl_last_sum = 0;
    kl_last_count = 0;
    Tensor perm = randperm(n, roll_.policy.gen);
    const int64_t* order = perm.data<int64_t>();
    for (int64_t start = 0; start < n; start += B) {
      const int64_t len = std::min(B, n - start);
      buf.gather({order + start, static_cast<size_t>(len)}, mb_);

      Tensor adv = mb_.advantages;
      if (cfg_.normalize_advantage && len > 1) {
        // SB3: (adv - mean) / (std + 1e-8), std unbiased (torch.Tensor.std).
        adv = (adv - mean(adv)) / (std(adv) + 1e-8);
      }
      // SB3 redraws gSDE's matrices per minibatch ("the log_std has changed"); the loss does not
      // use them, but the generator advances as there.
      if (roll_.policy.sde) roll_.policy.reset_noise(cfg_.batch_size);
      auto [v, log_prob, entropy] = roll_.policy.evaluate_actions(mb_.obs, mb_.actions);
      Var log_ratio = log_prob - Var(mb_.old_log_probs);
      Var ratio = exp(log_ratio);
      // Clipped surrogate objective (PPO paper eq. 7), negated for minimisation.
      Var policy_loss =
          -mean(minimum(ratio * Var(adv), clamp(ratio, 1 - clip, 1 + clip) * Var(adv)));
      Var v_pred = v;
      if (cfg_.clip_range_vf > 0) {
        v_pred = Var(mb_.old_values) +
                 clamp(v - Var(mb_.old_values), -cfg_.clip_range_vf, cfg_.clip_range_vf);
      }
      Var value_loss = nn::mse_loss(v_pred, Var(mb_.returns));
      Var entropy_loss = -mean(entropy);
      Var loss = policy_loss + cfg_.ent_coef * entropy_loss + cfg_.vf_coef * value_loss;

      const double pl = policy_loss.item(), vl = value_loss.item(), el = entropy_loss.item();
      internal::check_losses("ppo", global_step, iteration_, pl, vl, el);
      double approx_kl, clipfrac;
      {
        // approx KL (Schulman's k3 estimator, as SB3/CleanRL) and the clipped fraction.
        const Tensor& r = ratio.value();
        const Tensor& lr_t = log_ratio.value();
        approx_kl = mean((r - 1.0) - lr_t).item();
        clipfrac = mean(gt(abs(r - 1.0), clip).to(Dtype::Float32)).item();
      }
      if (cfg_.target_kl > 0 && approx_kl > 1.5 * cfg_.target_kl) {
        stop = true;  // SB3: stop before stepping on this minibatch
        break;
      }
      kl_last_sum += approx_kl;
      ++kl_last_count;

      const double gn =
          internal::backward_and_step(*opt_, loss, params, cfg_.max_grad_norm, "ppo", global_step);
      pg_sum += pl;
      v_sum += vl;
      ent_sum += el;
      clipfrac_sum += clipfrac;
      gn_sum += gn;
      ++updates;
    }
  }
  const double u = std::max<int64_t>(updates, 1);
  sink.log(global_step, metric::kPolicyLoss, pg_sum / u);
  sink.log(global_step, metric::kValueLoss, v_sum / u);
  sink.log(global_step, metric::kEntropyLoss, ent_sum / u);
  sink.log(global_step, metric::kApproxKl, kl_last_sum / std::max<int64_t>(kl_last_count, 1));
  sink.log(global_step, metric::kClipFraction, clipfrac_sum / u);
  sink.log(global_step, metric::kGradNorm, gn_sum / u);
  sink.log(global_step, metric::kLearningRate, lr);
  sink.log(global_step, metric::kClipRange, clip);
  roll_.log_fit_metrics(sink);
}

}  // namespace

std::unique_ptr<Agent> make_ppo(const AgentSetup& setup, const PPOConfig& config) {
  config.validate();
  return std::make_unique<PPOAgent>(setup, config);
}

AlgorithmInfo ppo_algorithm() {
  return internal::algorithm_entry<PPOConfig>(
      "ppo", "Proximal Policy Optimization (clipped surrogate, GAE), as SB3/CleanRL",
      {envs::SpaceKind::Discrete, envs::SpaceKind::Box}, make_ppo);
}

}  // namespace rein::rl
