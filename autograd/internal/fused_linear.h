// The fused linear + activation op behind nn::MLP's hidden layers: one graph node and one
// output tensor instead of two of each, and no separate pass for the activation.
#pragma once

#include <memory>
#include <vector>

#include "autograd/internal/kernels.h"
#include "autograd/layers.h"
#include "autograd/var.h"

namespace rein::internal {

// act(linear(x, weight, bias)) with rein::linear's checks, shapes and errors. Its gradient is
// that of rein::linear followed by rein::relu / rein::tanh (computed from the saved output).
Var linear_activation(const Var& x, const Var& weight, const Var& bias, FusedActivation act);

// The same forward pass through a whole MLP when no graph is recorded (no grad mode, or nothing
// requires grad): layer i applies `act` unless it is the last. Returns an undefined Var when a
// graph must be recorded (the caller then goes layer by layer).
Var mlp_forward_no_graph(const Var& x, const std::vector<std::shared_ptr<nn::Linear>>& layers,
                         FusedActivation act);

}  // namespace rein::internal
