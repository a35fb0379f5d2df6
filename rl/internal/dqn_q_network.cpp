// QNetwork forward passes, the target-network update, TD targets and gradient clipping.
#include "rl/internal/dqn_q_network.h"

#include <cmath>
#include <cstring>

#include "autograd/ops.h"
#include "tensor/error.h"

namespace rein::rl::internal {

QNetwork::QNetwork(int64_t obs_dim, int64_t n_actions, const std::vector<int64_t>& hidden,
                   nn::Activation activation, bool dueling, Generator& gen)
    : n_actions_(n_actions), dueling_(dueling), activation_(activation) {
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

Var QNetwork::forward(const Var& x) {
  if (!dueling_) return q_->forward(x);
  Var h = trunk_->forward(x);
  switch (activation_) {  // the MLP leaves its last layer linear
    case nn::Activation::ReLU: h = relu(h); break;
    case nn::Activation::Tanh: h = tanh(h); break;
    case nn::Activation::ELU: h = elu(h); break;
    case nn::Activation::Identity: break;
  }
  Var v = value_->forward(h);      // (B, 1)
  Var a = advantage_->forward(h);  // (B, A)
  return v + (a - mean(a, 1, true));
}

void polyak_update(const QNetwork& online, QNetwork& target, double tau) {
  const std::vector<Var> src = online.parameters();
  const std::vector<Var> dst = target.parameters();
  for (size_t i = 0; i < src.size(); ++i) {
    Tensor t = dst[i].value();
    if (tau >= 1.0) {
      t.copy_(src[i].value());
    } else {
      t.mul_(1.0 - tau);
      t.add_(src[i].value(), tau);
    }
  }
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

// Eight lanes instead of one running sum: a single sum is a chain of dependent additions g++
// may not reorder (no -ffast-math), so it ran scalar, ~10% of CartPole training time
// (docs/PERFORMANCE.md). The lane order is fixed, so the result is deterministic.
double sum_of_squares(const float* x, int64_t n) {
  using Float8 = float __attribute__((vector_size(32)));
  using Double8 = double __attribute__((vector_size(64)));
  Double8 acc = {};
  int64_t k = 0;
  for (; k + 8 <= n; k += 8) {
    Float8 v;
    std::memcpy(&v, x + k, sizeof v);
    const Double8 d = __builtin_convertvector(v, Double8);
    acc += d * d;
  }
  for (int64_t j = 0; k < n; ++k, ++j) acc[j] += static_cast<double>(x[k]) * x[k];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

double dqn_clip_grad_norm(const std::vector<Var>& params, double max_norm) {
  double total = 0.0;
  for (const Var& p : params) {
    if (!p.grad().defined()) continue;
    const Tensor g = p.grad().contiguous();
    if (g.dtype() != Dtype::Float32)
      throw Error(str("dqn clip_grad_norm: gradients must be float32, got ", dtype_name(g.dtype())));
    total += sum_of_squares(g.data<float>(), g.numel());
  }
  total = std::sqrt(total);
  const double coef = max_norm / (total + 1e-6);
  if (coef < 1.0)
    for (const Var& p : params)
      if (p.grad().defined()) {
        Tensor g = p.grad();
        g.mul_(coef);
      }
  return total;
}

}  // namespace rein::rl::internal
