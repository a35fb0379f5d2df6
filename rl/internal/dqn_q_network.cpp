// QNetwork forward passes, the target-network update and TD targets.
#include "rl/internal/dqn_q_network.h"

#include "autograd/ops.h"
#include "base/error.h"
#include "rl/blocks/nature_cnn.h"
#include "rl/internal/memory_budget.h"

namespace rein::rl::internal {

QNetwork::QNetwork(int64_t obs_dim, int64_t n_actions, const std::vector<int64_t>& hidden,
                   nn::Activation activation, bool dueling, Generator& gen,
                   const std::vector<int64_t>& image)
    : n_actions_(n_actions), dueling_(dueling), activation_(activation) {
  if (!image.empty()) {
    auto cnn = std::make_shared<NatureCNN>(image, 512, gen);
    obs_dim = cnn->features_dim();
    cnn_ = register_module("features_extractor", cnn);
  }
  std::vector<int64_t> sizes{obs_dim};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  if (!dueling_) {
    sizes.push_back(n_actions);
    q_ = register_module("q", std::make_shared<nn::MLP>(sizes, activation, gen));
    return;
  }
  if (hidden.empty()) throw Error("dqn: dueling heads need at least one hidden layer in net_arch");
  trunk_ = register_module("trunk", std::make_shared<nn::MLP>(sizes, activation, gen));
  value_ = register_module("value", std::make_shared<nn::Linear>(hidden.back(), 1, gen));
  advantage_ =
      register_module("advantage", std::make_shared<nn::Linear>(hidden.back(), n_actions, gen));
}

double q_network_parameters(int64_t obs_dim, int64_t n_actions, const std::vector<int64_t>& hidden,
                            bool dueling, const std::vector<int64_t>& image) {
  double cnn = 0;
  if (!image.empty()) {
    cnn = nature_cnn_parameters(image, 512);
    obs_dim = 512;
  }
  if (!dueling || hidden.empty()) return cnn + mlp_parameters(obs_dim, hidden, n_actions);
  // The trunk, then Linear(h, 1) and Linear(h, n_actions).
  const auto h = static_cast<double>(hidden.back() + 1);
  return cnn + mlp_parameters(obs_dim, hidden, 0) + h + h * static_cast<double>(n_actions);
}

Var QNetwork::forward(const Var& obs) {
  const Var x = cnn_ ? cnn_->forward(obs) : obs;
  if (!dueling_) return q_->forward(x);
  Var h = trunk_->forward(x);
  h = nn::activate(h, activation_);  // the MLP leaves its last layer linear
  Var v = value_->forward(h);        // (B, 1)
  Var a = advantage_->forward(h);    // (B, A)
  return v + (a - mean(a, 1, true));
}

Tensor td_targets(const Tensor& target_next_q, const Tensor& online_next_q, const Tensor& returns,
                  const Tensor& discounts, bool double_q) {
  Tensor best;
  if (double_q) {
    Tensor pick = argmax(online_next_q, 1, true);  // (B, 1): the online network chooses
    best = gather(target_next_q, 1, pick).reshape({-1});
  } else {
    best = std::get<0>(max(target_next_q, 1));
  }
  return returns + discounts * best;
}

}  // namespace rein::rl::internal
