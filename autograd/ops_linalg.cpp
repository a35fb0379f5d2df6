// Differentiable linear algebra: matmul/mm/bmm/outer/dot and the fused linear layer.
#include <array>

#include "autograd/internal/fused_linear.h"
#include "autograd/internal/kernels.h"
#include "autograd/internal/node.h"
#include "autograd/ops.h"

namespace rein {

using internal::accumulate_grad;
using internal::make_constant;
using internal::make_result;
using internal::needs_grad;
using internal::should_record;
using internal::VarImpl;

namespace {

void check_floating_same(const Tensor& a, const Tensor& b, const char* op) {
  if (!is_floating(a.dtype()) || a.dtype() != b.dtype()) {
    throw Error(str(op, ": expected two float32 or two float64 tensors, got ",
                    dtype_name(a.dtype()), " and ", dtype_name(b.dtype())));
  }
}

// mm: C = A B; dA = G B^T, dB = A^T G. saved0 = A, saved1 = B.
void mm_backward(VarImpl& s) {
  if (needs_grad(s.input(0))) {
    accumulate_grad(s.input(0), internal::matmul2d(s.grad, false, s.saved1, true), true);
  }
  if (needs_grad(s.input(1))) {
    accumulate_grad(s.input(1), internal::matmul2d(s.saved0, true, s.grad, false), true);
  }
}

// Generic matmul (1-D and batched cases) through the tensor library's matmul.
// saved0 = A, saved1 = B; the 1-D operands are promoted as torch.matmul does.
void matmul_backward(VarImpl& s) {
  const Tensor& a = s.saved0;
  const Tensor& b = s.saved1;
  Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a;   // (1, k) or (..., n, k)
  Tensor b2 = b.dim() == 1 ? b.unsqueeze(-1) : b;  // (k, 1) or (..., k, m)
  Tensor g = s.grad;
  if (a.dim() == 1 && b.dim() == 1) {
    g = g.reshape({1, 1});
  } else if (a.dim() == 1) {
    g = g.unsqueeze(-2);
  } else if (b.dim() == 1) {
    g = g.unsqueeze(-1);
  }
  if (needs_grad(s.input(0))) {
    Tensor ga = matmul(g, b2.transpose(-1, -2));
    ga = sum_to(ga, a2.shape());
    accumulate_grad(s.input(0), ga.reshape(a.shape()).contiguous(), true);
  }
  if (needs_grad(s.input(1))) {
    Tensor gb = matmul(a2.transpose(-1, -2), g);
    gb = sum_to(gb, b2.shape());
    accumulate_grad(s.input(1), gb.reshape(b.shape()).contiguous(), true);
  }
}

// linear (and linear + activation): saved0 = x (2-D view), saved1 = weight; i0 = 1 when x was
// 1-D; i1 = the fused activation, whose derivative comes from the output (s.value).
void linear_backward_fn(VarImpl& s) {
  VarImpl* x = s.input(0);
  VarImpl* w = s.input(1);
  VarImpl* b = s.input(2);
  Tensor g =
      internal::activation_backward(s.grad, s.value, static_cast<internal::FusedActivation>(s.i1));
  if (s.i0) g = g.unsqueeze(0);
  Tensor dx, dw, db;
  internal::linear_backward(g, s.saved0, s.saved1, needs_grad(x) ? &dx : nullptr,
                            needs_grad(w) ? &dw : nullptr, needs_grad(b) ? &db : nullptr);
  if (needs_grad(x)) accumulate_grad(x, s.i0 ? dx.reshape(x->value.shape()) : dx, true);
  if (needs_grad(w)) accumulate_grad(w, std::move(dw), true);
  if (needs_grad(b)) accumulate_grad(b, std::move(db), true);
}

void check_linear(const Tensor& x, const Tensor& w, const Var& bias) {
  if (w.dim() != 2 || (x.dim() != 1 && x.dim() != 2) || x.size(-1) != w.size(1)) {
    throw Error(str("linear: input ", x.shape(), " does not match weight ", w.shape(),
                    " (expected input (N, ", w.dim() == 2 ? w.size(1) : -1, ") or (",
                    w.dim() == 2 ? w.size(1) : -1, "))"));
  }
  check_floating_same(x, w, "linear");
  if (bias.defined() &&
      (bias.dim() != 1 || bias.size(0) != w.size(0) || bias.dtype() != w.dtype())) {
    throw Error(str("linear: bias ", bias.shape(), " ", dtype_name(bias.dtype()),
                    " does not match weight ", w.shape(), " ", dtype_name(w.dtype())));
  }
}

// y = act(x W^T + b) on tensors, 1-D x as one row.
Tensor linear_value(const Tensor& x, const Tensor& w, const Var& bias,
                    internal::FusedActivation act) {
  check_linear(x, w, bias);
  const bool vec = x.dim() == 1;
  Tensor out = internal::linear_forward(vec ? x.unsqueeze(0) : x, w,
                                        bias.defined() ? bias.value() : Tensor(), act);
  return vec ? out.reshape({w.size(0)}) : out;
}

Var linear_op(const Var& x, const Var& weight, const Var& bias, internal::FusedActivation act) {
  const Tensor& w = weight.value();
  Tensor out = linear_value(x.value(), w, bias, act);
  if (!should_record(x, weight, bias)) return make_constant(std::move(out));
  const bool vec = x.dim() == 1;
  static constexpr const char* kNames[] = {"linear", "linear_relu", "linear_tanh"};
  Var r = make_result(std::move(out), kNames[static_cast<int>(act)], linear_backward_fn, x, weight,
                      bias);
  r.impl()->saved0 = vec ? x.value().unsqueeze(0) : x.value();
  r.impl()->saved1 = w;
  r.impl()->i0 = vec ? 1 : 0;
  r.impl()->i1 = static_cast<int64_t>(act);
  return r;
}

}  // namespace

Var mm(const Var& a, const Var& b) {
  if (a.dim() != 2 || b.dim() != 2 || a.size(1) != b.size(0)) {
    throw Error(str("mm: shapes ", a.shape(), " and ", b.shape(), " cannot be multiplied"));
  }
  check_floating_same(a.value(), b.value(), "mm");
  Tensor out = internal::matmul2d(a.value(), false, b.value(), false);
  if (!should_record(a, b)) return make_constant(std::move(out));
  Var r = make_result(std::move(out), "mm", mm_backward, a, b);
  r.impl()->saved0 = a.value();
  r.impl()->saved1 = b.value();
  return r;
}

Var matmul(const Var& a, const Var& b) {
  if (a.dim() == 2 && b.dim() == 2) return mm(a, b);
  Tensor out = matmul(a.value(), b.value());
  if (!should_record(a, b)) return make_constant(std::move(out));
  Var r = make_result(std::move(out), "matmul", matmul_backward, a, b);
  r.impl()->saved0 = a.value();
  r.impl()->saved1 = b.value();
  return r;
}

Var bmm(const Var& a, const Var& b) {
  if (a.dim() != 3 || b.dim() != 3 || a.size(0) != b.size(0) || a.size(2) != b.size(1)) {
    throw Error(str("bmm: shapes ", a.shape(), " and ", b.shape(), " cannot be multiplied"));
  }
  return matmul(a, b);
}

Var outer(const Var& a, const Var& b) {
  if (a.dim() != 1 || b.dim() != 1) {
    throw Error(str("outer: expected 1-D tensors, got ", a.shape(), " and ", b.shape()));
  }
  return mm(unsqueeze(a, 1), unsqueeze(b, 0));
}

Var dot(const Var& a, const Var& b) {
  if (a.dim() != 1 || b.dim() != 1 || a.size(0) != b.size(0)) {
    throw Error(str("dot: expected 1-D tensors of one size, got ", a.shape(), " and ", b.shape()));
  }
  return sum(mul(a, b));
}

Var linear(const Var& x, const Var& weight, const Var& bias) {
  return linear_op(x, weight, bias, internal::FusedActivation::None);
}

namespace internal {

Var linear_activation(const Var& x, const Var& weight, const Var& bias, FusedActivation act) {
  return linear_op(x, weight, bias, act);
}

Var mlp_forward_no_graph(const Var& x, const std::vector<std::shared_ptr<nn::Linear>>& layers,
                         FusedActivation act) {
  if (is_grad_enabled()) {
    if (x.requires_grad()) return Var();
    for (const auto& layer : layers)
      if (layer->weight.requires_grad() || (layer->bias.defined() && layer->bias.requires_grad()))
        return Var();
  }
  const Tensor& in = x.value();
  std::array<LinearLayerRef, kMaxMlpLayers> refs;
  if (layers.size() <= refs.size() && (in.dim() == 1 || in.dim() == 2)) {
    for (size_t i = 0; i < layers.size(); ++i) {
      const Var& bias = layers[i]->bias;
      refs[i] = {&layers[i]->weight.value(), bias.defined() ? &bias.value() : nullptr};
    }
    // `in` itself when 2-D, not a copy: a copy costs two atomic reference-count updates.
    Tensor y = in.dim() == 2 ? mlp_forward(in, refs.data(), layers.size(), act)
                             : mlp_forward(in.unsqueeze(0), refs.data(), layers.size(), act);
    if (y.defined()) return make_constant(in.dim() == 2 ? std::move(y) : y.reshape({y.size(1)}));
  }
  Tensor h = in;  // layer by layer, with linear's checks and errors
  for (size_t i = 0; i < layers.size(); ++i) {
    const bool last = i + 1 == layers.size();
    h = linear_value(h, layers[i]->weight.value(), layers[i]->bias,
                     last ? FusedActivation::None : act);
  }
  return make_constant(std::move(h));
}

}  // namespace internal

}  // namespace rein
