// Fused losses: each is one node whose backward writes the input gradient in one pass.
#include "autograd/loss.h"

#include <cmath>
#include <type_traits>

#include "autograd/internal/node.h"
#include "autograd/ops.h"

namespace rein::nn {

using internal::accumulate_grad;
using internal::make_constant;
using internal::make_result;
using internal::needs_grad;
using internal::should_record;
using internal::VarImpl;

namespace {

void check_pair(const Var& input, const Var& target, const char* op) {
  if (!(input.shape() == target.shape())) {
    throw Error(str(op, ": input ", input.shape(), " and target ", target.shape(),
                    " must have the same shape"));
  }
  if (!is_floating(input.dtype()) || input.dtype() != target.dtype()) {
    throw Error(str(op, ": expected float input and target of one dtype, got ",
                    dtype_name(input.dtype()), " and ", dtype_name(target.dtype())));
  }
}

Tensor reduce(const Tensor& per_element, Reduction r) {
  if (r == Reduction::Sum) return sum(per_element);
  if (r == Reduction::Mean) return mean(per_element);
  return per_element;
}

// Upstream gradient broadcast per element, times 1/N for the mean.
Tensor upstream(const VarImpl& s, const Shape& shape) {
  const auto r = static_cast<Reduction>(s.i1);
  if (r == Reduction::None) return s.grad;
  double g = s.grad.item();
  if (r == Reduction::Mean) g /= static_cast<double>(shape.numel());
  return full(shape, g, s.grad.dtype());
}

// Pairwise losses store d loss / d input per element in saved0 (computed in forward: cheap,
// and it spares a second pass over input and target).
void pairwise_backward(VarImpl& s) {
  Tensor g = mul(s.saved0, upstream(s, s.saved0.shape()));
  if (needs_grad(s.input(1))) accumulate_grad(s.input(1), neg(g), true);
  if (needs_grad(s.input(0))) accumulate_grad(s.input(0), std::move(g), true);
}

template <typename PerElem>
Var pairwise(const Var& input, const Var& target, Reduction reduction, const char* op, PerElem f) {
  check_pair(input, target, op);
  Tensor x = input.value().contiguous(), t = target.value().contiguous();
  Tensor loss(x.shape(), x.dtype()), dloss(x.shape(), x.dtype());
  const int64_t n = x.numel();
  if (x.dtype() == Dtype::Float64) {
    for (int64_t i = 0; i < n; ++i) {
      f(x.data<double>()[i] - t.data<double>()[i], loss.data<double>()[i], dloss.data<double>()[i]);
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      f(x.data<float>()[i] - t.data<float>()[i], loss.data<float>()[i], dloss.data<float>()[i]);
    }
  }
  Tensor out = reduce(loss, reduction);
  if (!should_record(input, target)) return make_constant(std::move(out));
  Var r = make_result(std::move(out), op, pairwise_backward, input, target);
  r.impl()->saved0 = std::move(dloss);
  r.impl()->i1 = static_cast<int64_t>(reduction);
  return r;
}

Tensor check_target(const Var& scores, const Tensor& target, const char* op) {
  if (scores.dim() != 2) {
    throw Error(str(op, ": expected input of shape (N, C), got ", scores.shape()));
  }
  if (target.dtype() != Dtype::Int64 || target.dim() != 1 || target.size(0) != scores.size(0)) {
    throw Error(str(op, ": expected int64 target of shape (", scores.size(0), "), got ",
                    dtype_name(target.dtype()), " ", target.shape()));
  }
  Tensor t = target.contiguous();
  const int64_t c = scores.size(1);
  for (int64_t i = 0; i < t.numel(); ++i) {
    const int64_t k = t.data<int64_t>()[i];
    if (k < 0 || k >= c) {
      throw Error(
          str(op, ": target ", k, " at position ", i, " is out of range for ", c, " classes"));
    }
  }
  return t;
}

// d/d logp = -onehot(target) * upstream; for cross entropy add softmax * upstream.
// saved0 = target (N), saved1 = softmax (cross entropy) or undefined (nll).
void nll_backward(VarImpl& s) {
  VarImpl* in = s.input(0);
  const Shape& shape = in->value.shape();
  const int64_t n = shape[0];
  Tensor up = upstream(s, Shape{n}).contiguous().to(Dtype::Float64);
  Tensor g =
      s.saved1.defined() ? s.saved1.to(Dtype::Float64).contiguous() : zeros(shape, Dtype::Float64);
  const int64_t c = shape[1];
  double* gp = g.data<double>();
  const double* u = up.data<double>();
  const int64_t* t = s.saved0.data<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    if (s.saved1.defined()) {
      for (int64_t j = 0; j < c; ++j) gp[i * c + j] *= u[i];
    }
    gp[i * c + t[i]] -= u[i];
  }
  accumulate_grad(in, g.to(in->value.dtype()), true);
}

Var nll_impl(const Var& scores, const Tensor& log_probs, const Tensor& target, Reduction reduction,
             const char* op, Tensor softmax_saved) {
  Tensor picked = gather(log_probs, 1, target.unsqueeze(1)).reshape({target.size(0)});
  Tensor out = reduce(neg(picked), reduction);
  if (!should_record(scores)) return make_constant(std::move(out));
  Var r = make_result(std::move(out), op, nll_backward, scores);
  r.impl()->saved0 = target;
  r.impl()->saved1 = std::move(softmax_saved);
  r.impl()->i1 = static_cast<int64_t>(reduction);
  return r;
}

}  // namespace

Var mse_loss(const Var& input, const Var& target, Reduction reduction) {
  return pairwise(input, target, reduction, "mse_loss", [](auto d, auto& l, auto& g) {
    l = d * d;
    g = d + d;
  });
}

Var smooth_l1_loss(const Var& input, const Var& target, Reduction reduction, double beta) {
  if (beta < 0) throw Error(str("smooth_l1_loss: beta must be >= 0, got ", beta));
  return pairwise(input, target, reduction, "smooth_l1_loss", [beta](auto d, auto& l, auto& g) {
    using T = std::remove_reference_t<decltype(l)>;
    const T b = static_cast<T>(beta);
    const T ad = std::abs(d);
    if (ad < b) {
      l = T(0.5) * d * d / b;
      g = d / b;
    } else {
      l = ad - T(0.5) * b;
      g = d > T(0) ? T(1) : (d < T(0) ? T(-1) : T(0));
    }
  });
}

Var huber_loss(const Var& input, const Var& target, Reduction reduction, double delta) {
  if (delta <= 0) throw Error(str("huber_loss: delta must be > 0, got ", delta));
  return pairwise(input, target, reduction, "huber_loss", [delta](auto d, auto& l, auto& g) {
    using T = std::remove_reference_t<decltype(l)>;
    const T dl = static_cast<T>(delta);
    const T ad = std::abs(d);
    if (ad < dl) {
      l = T(0.5) * d * d;
      g = d;
    } else {
      l = dl * (ad - T(0.5) * dl);
      g = d > T(0) ? dl : -dl;
    }
  });
}

Var nll_loss(const Var& log_probs, const Tensor& target, Reduction reduction) {
  Tensor t = check_target(log_probs, target, "nll_loss");
  return nll_impl(log_probs, log_probs.value(), t, reduction, "nll_loss", Tensor());
}

Var cross_entropy(const Var& logits, const Tensor& target, Reduction reduction) {
  Tensor t = check_target(logits, target, "cross_entropy");
  Tensor logp = log_softmax(logits.value(), 1);
  Tensor probs = should_record(logits) ? exp(logp) : Tensor();
  return nll_impl(logits, logp, t, reduction, "cross_entropy", std::move(probs));
}

}  // namespace rein::nn
