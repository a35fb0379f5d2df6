// QNetwork: DQN's action-value network, an MLP from observation features to one Q-value per
// action (SB3 QNetwork: net_arch hidden layers, ReLU, torch.nn.Linear default init), or with
// dueling heads (Wang et al. 2016, "Dueling Network Architectures", arXiv:1511.06581, eq. 9):
// Q(s, a) = V(s) + A(s, a) - mean_a' A(s, a') over a shared trunk.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "autograd/layers.h"
#include "autograd/module.h"
#include "rl/internal/off_policy.h"  // polyak_update
#include "tensor/generator.h"

namespace rein::rl::internal {

// Not copyable (a Module); copy weights through state_dict. Thread-safety: one thread at a time.
class QNetwork : public nn::Module {
 public:
  // hidden: sizes of the hidden layers (at least one when dueling). image: (C, H, W) for a
  // CnnPolicy, whose NatureCNN ("features_extractor", 512 features, torch's default init as
  // SB3's DQN keeps) feeds the layers; empty for an MlpPolicy.
  QNetwork(int64_t obs_dim, int64_t n_actions, const std::vector<int64_t>& hidden,
           nn::Activation activation, bool dueling, Generator& gen,
           const std::vector<int64_t>& image = {});
  // x (B, obs_dim) -> Q (B, n_actions).
  Var forward(const Var& x) override;
  std::string name() const override { return "QNetwork"; }
  int64_t n_actions() const { return n_actions_; }

 private:
  int64_t n_actions_;
  bool dueling_;
  nn::Activation activation_;
  std::shared_ptr<nn::Module> cnn_;  // CnnPolicy only
  std::shared_ptr<nn::MLP> q_;       // plain: obs -> hidden... -> actions
  std::shared_ptr<nn::MLP> trunk_;   // dueling: obs -> hidden... (activation applied after)
  std::shared_ptr<nn::Linear> value_, advantage_;
};

// The weights and biases of a QNetwork built with these arguments (for the memory check).
double q_network_parameters(int64_t obs_dim, int64_t n_actions, const std::vector<int64_t>& hidden,
                            bool dueling, const std::vector<int64_t>& image = {});

// TD targets y = returns + discounts * Q_target(s', a*) (B), from target_next_q (B, A): a* is
// the target's argmax (DQN), or online_next_q's argmax when double_q (van Hasselt et al. 2016,
// eq. 4; online_next_q is unused otherwise and may be undefined).
Tensor td_targets(const Tensor& target_next_q, const Tensor& online_next_q, const Tensor& returns,
                  const Tensor& discounts, bool double_q);

}  // namespace rein::rl::internal
