// Loss functions of rein::nn (torch.nn.functional names), fused: one node each, with the
// gradient written in one pass.
#pragma once

#include "autograd/var.h"

namespace rein::nn {

enum class Reduction { Mean, Sum, None };

// (input - target)^2, input and target of the same shape (no broadcasting, as PyTorch warns).
Var mse_loss(const Var& input, const Var& target, Reduction reduction = Reduction::Mean);

// Huber with threshold beta (torch smooth_l1_loss): 0.5 d^2 / beta if |d| < beta,
// else |d| - 0.5 beta. beta = 1 equals huber_loss with delta = 1 (what DQN uses).
Var smooth_l1_loss(const Var& input, const Var& target, Reduction reduction = Reduction::Mean,
                   double beta = 1.0);
// torch huber_loss: 0.5 d^2 if |d| < delta, else delta (|d| - 0.5 delta).
Var huber_loss(const Var& input, const Var& target, Reduction reduction = Reduction::Mean,
               double delta = 1.0);

// Negative log-likelihood of log-probabilities: log_probs (N, C), target int64 (N) of class
// indices in [0, C) (throws rein::Error naming a bad index). Mean divides by N.
Var nll_loss(const Var& log_probs, const Tensor& target, Reduction reduction = Reduction::Mean);
// log_softmax + nll_loss fused: logits (N, C), target int64 (N).
Var cross_entropy(const Var& logits, const Tensor& target, Reduction reduction = Reduction::Mean);

}  // namespace rein::nn
