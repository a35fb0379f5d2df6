// SAC's gSDE actor (see rl/internal/sac_actor.h).
#include "rl/internal/sac_actor.h"

#include "autograd/ops.h"
#include "tensor/ops.h"

namespace rein::rl::internal {

GsdeActor::GsdeActor(int64_t obs_dim, int64_t action_dim, const std::vector<int64_t>& hidden,
                     nn::Activation activation, const GsdeActorOptions& options,
                     Generator& init_gen)
    : A_(action_dim),
      clip_mean_(options.clip_mean),
      options_{.full_std = options.full_std,
               .use_expln = options.use_expln,
               .squash_output = true,
               .learn_features = true} {
  // SB3 create_mlp(features, -1, net_arch) then mu = Linear(net_arch[-1], A): one MLP whose
  // last hidden layer's output (after its activation) is the latent z(s).
  std::vector<int64_t> sizes{obs_dim};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(action_dim);
  net_ = register_module("net", std::make_shared<nn::MLP>(sizes, activation, init_gen));
  const int64_t features = hidden.empty() ? obs_dim : hidden.back();
  log_std_ = register_parameter("log_std", full({features, options.full_std ? action_dim : 1},
                                                static_cast<float>(options.log_std_init)));
}

std::pair<Var, Var> GsdeActor::mean_and_latent(const Var& obs) {
  auto [latent, mean] = net_->forward_with_latent(obs);
  // SB3 wraps mu in Hardtanh(-clip_mean, clip_mean): tanh(mean) stays away from +-1, where
  // the atanh of the log-probability would blow up.
  if (clip_mean_ > 0) mean = clamp(mean, -clip_mean_, clip_mean_);
  return {mean, latent};
}

std::pair<Var, Var> GsdeActor::sample(const Var& obs, Generator&) {
  auto [mean, latent] = mean_and_latent(obs);
  const distributions::StateDependentNoise dist(mean, log_std_, latent, options_);
  Var actions = dist.sample(exploration_);
  // SB3 log_prob_from_params: the log-probability of the squashed action, through the inverse
  // of tanh, so its gradient reaches the mean, log_std and the features along both paths.
  Var log_prob = unsqueeze(dist.log_prob(actions), 1);
  return {actions, log_prob};
}

Tensor GsdeActor::mode(const Tensor& obs) {
  no_grad guard;
  return rein::tanh(mean_and_latent(Var(obs)).first.value());
}

void GsdeActor::reset_noise(int64_t batch, Generator& gen) {
  exploration_.resample(log_std_, A_, batch, options_, gen);
}

double GsdeActor::mean_std() const {
  no_grad guard;
  return distributions::state_dependent_std(log_std_, A_, options_).value().mean().item<float>();
}

}  // namespace rein::rl::internal
