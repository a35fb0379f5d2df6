// ActorCritic networks with SB3's initialisation (stable_baselines3/common/policies.py).
#include "rl/blocks/actor_critic.h"

#include <cmath>
#include <sstream>

#include "autograd/init.h"
#include "autograd/ops.h"
#include "rl/blocks/nature_cnn.h"

namespace rein::rl {
namespace {

std::vector<int64_t> concat(int64_t first, const std::vector<int64_t>& mid, int64_t last) {
  std::vector<int64_t> out{first};
  out.insert(out.end(), mid.begin(), mid.end());
  if (last > 0) out.push_back(last);
  return out;
}

// Hidden layers get gain sqrt(2), the last layer `head_gain`, biases 0 (SB3 ortho_init).
void init_mlp(nn::MLP& mlp, double head_gain, bool last_is_head, Generator& gen) {
  for (size_t i = 0; i < mlp.num_linear(); ++i) {
    const bool head = last_is_head && i + 1 == mlp.num_linear();
    nn::init::orthogonal_(mlp.linear(i).weight, head ? head_gain : std::sqrt(2.0), gen);
    nn::init::zeros_(mlp.linear(i).bias);
  }
}

}  // namespace

std::vector<int64_t> parse_net_arch(const std::string& text) {
  std::vector<int64_t> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    char* end = nullptr;
    long long v = std::strtoll(item.c_str(), &end, 10);
    if (*end != '\0' || v <= 0 || v > 65536)
      throw Error(str("net_arch: bad layer size '", item, "' in '", text,
                      "' (expected positive integers separated by commas, e.g. 64,64)"));
    out.push_back(v);
  }
  return out;
}

ActorCritic::ActorCritic(const ActorCriticSpec& spec, Generator& gen)
    : continuous_(spec.action_space.is_box()), activation_(spec.activation) {
  if (spec.action_space.is_discrete()) {
    action_dim_ = spec.action_space.discrete().n;
  } else if (spec.action_space.is_box()) {
    action_dim_ = spec.action_space.flat_dim();
  } else {
    throw Error(str("ActorCritic: unsupported action space ", spec.action_space.to_string()));
  }
  int64_t in = spec.obs_dim;
  if (!spec.image.empty()) {
    auto cnn = std::make_shared<NatureCNN>(spec.image, spec.features_dim, gen);
    // SB3 module_gains: the feature extractor's layers get orthogonal init with gain sqrt(2).
    if (spec.ortho_init) cnn->orthogonal_init(std::sqrt(2.0), gen);
    cnn_ = register_module("features_extractor", cnn);
    in = spec.features_dim;
  }
  if (!spec.shared || spec.hidden.empty()) {
    pi_ = register_module("pi", std::make_shared<nn::MLP>(concat(in, spec.hidden, action_dim_),
                                                          spec.activation, gen));
    vf_ = register_module(
        "vf", std::make_shared<nn::MLP>(concat(in, spec.hidden, 1), spec.activation, gen));
    if (spec.ortho_init) {
      init_mlp(*pi_, 0.01, true, gen);
      init_mlp(*vf_, 1.0, true, gen);
    }
  } else {
    trunk_ = register_module(
        "trunk", std::make_shared<nn::MLP>(concat(in, spec.hidden, 0), spec.activation, gen));
    const int64_t h = spec.hidden.back();
    pi_head_ = register_module("pi_head", std::make_shared<nn::Linear>(h, action_dim_, gen));
    vf_head_ = register_module("vf_head", std::make_shared<nn::Linear>(h, 1, gen));
    if (spec.ortho_init) {
      init_mlp(*trunk_, 0.0, false, gen);
      nn::init::orthogonal_(pi_head_->weight, 0.01, gen);
      nn::init::zeros_(pi_head_->bias);
      nn::init::orthogonal_(vf_head_->weight, 1.0, gen);
      nn::init::zeros_(vf_head_->bias);
    }
  }
  latent_dim_ = spec.hidden.empty() ? in : spec.hidden.back();
  if (spec.sde && !continuous_)
    throw Error(str("ActorCritic: gSDE (use_sde) needs a Box action space, got ",
                    spec.action_space.to_string()));
  if (spec.sde) {
    // SB3 proba_distribution_net: ones(F, A) (or (F, 1)) * log_std_init.
    log_std_ = register_parameter(
        "log_std", full({latent_dim_, spec.sde->full_std ? action_dim_ : 1}, spec.log_std_init));
  } else if (continuous_) {
    log_std_ = register_parameter("log_std", full({action_dim_}, spec.log_std_init));
  }
}

Var ActorCritic::features(const Var& obs) { return cnn_ ? cnn_->forward(obs) : obs; }

std::pair<Var, Var> ActorCritic::forward_both(const Var& obs) {
  const Var f = features(obs);
  if (trunk_) {
    Var h = nn::activate(trunk_->forward(f), activation_);
    Var v = pi_head_->forward(h);
    return {v, reshape(vf_head_->forward(h), Shape{-1})};
  }
  return {pi_->forward(f), reshape(vf_->forward(f), Shape{-1})};
}

ActorCritic::Outputs ActorCritic::forward_latent(const Var& obs) {
  const Var f = features(obs);
  if (trunk_) {
    Var h = nn::activate(trunk_->forward(f), activation_);
    return {pi_head_->forward(h), h, reshape(vf_head_->forward(h), Shape{-1})};
  }
  auto [latent, head] = pi_->forward_with_latent(f);
  return {head, latent, reshape(vf_->forward(f), Shape{-1})};
}

Var ActorCritic::values(const Var& obs) {
  const Var f = features(obs);
  if (trunk_)
    return reshape(vf_head_->forward(nn::activate(trunk_->forward(f), activation_)), Shape{-1});
  return reshape(vf_->forward(f), Shape{-1});
}

}  // namespace rein::rl
