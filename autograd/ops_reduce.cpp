// Differentiable reductions: sum, mean, var/std, norm, logsumexp, max/min, softmax, log_softmax.
#include <cmath>

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

int64_t norm_dim(int64_t dim, int64_t rank, const char* op) {
  const int64_t r = rank == 0 ? 1 : rank;
  if (dim < -r || dim >= r) {
    throw Error(str(op, ": dim ", dim, " is out of range for a tensor of rank ", rank));
  }
  return dim < 0 ? dim + r : dim;
}

// Gradient of a reduced tensor g (keepdim or not, over `dim`; dim = -1 with i1 = 1 means over
// all) expanded back to `shape`: a view with stride 0.
Tensor expand_back(const Tensor& g, const Shape& shape, int64_t dim, bool all, bool keepdim) {
  if (all) return g.reshape(Shape()).expand(shape);
  Tensor gk = (keepdim || shape.size() == 0) ? g : g.unsqueeze(dim);
  return gk.expand(shape);
}

Var unary_record(const Var& a, Tensor out, const char* op, internal::BackwardFn fn) {
  if (!should_record(a)) return make_constant(std::move(out));
  return make_result(std::move(out), op, fn, a);
}

// s.i0 = dim, s.i1 = (all ? 1 : 0) | (keepdim ? 2 : 0), s.s0 = scale.
void sum_backward(VarImpl& s) {
  VarImpl* in = s.input(0);
  Tensor g = expand_back(s.grad, in->value.shape(), s.i0, s.i1 & 1, s.i1 & 2);
  if (s.s0 != 1.0) {
    accumulate_grad(in, g * s.s0, true);
  } else {
    accumulate_grad(in, g.contiguous(), false);
  }
}
Var reduce_record(const Var& a, Tensor out, const char* op, int64_t dim, bool all, bool keepdim,
                  double scale) {
  Var r = unary_record(a, std::move(out), op, sum_backward);
  if (r.impl()->backward) {
    r.impl()->i0 = dim;
    r.impl()->i1 = (all ? 1 : 0) | (keepdim ? 2 : 0);
    r.impl()->s0 = scale;
  }
  return r;
}

// var: d/dx = 2 (x - mean) / (N - correction), the gradient of the reduced value broadcast.
void var_backward(VarImpl& s) {  // saved0 = x, i0 = dim, i1 = flags, s0 = 2 / (N - c)
  VarImpl* in = s.input(0);
  const Tensor& x = s.saved0;
  const bool all = s.i1 & 1;
  Tensor centered = all ? sub(x, mean(x)) : sub(x, mean(x, s.i0, true));
  Tensor g = expand_back(s.grad, x.shape(), s.i0, all, s.i1 & 2);
  accumulate_grad(in, mul(centered, g) * s.s0, true);
}
Var var_impl(const Var& a, int64_t dim, bool all, bool unbiased, bool keepdim) {
  Tensor out = all ? var(a.value(), unbiased) : var(a.value(), dim, unbiased, keepdim);
  Var r = unary_record(a, std::move(out), "var", var_backward);
  if (r.impl()->backward) {
    const int64_t d = all ? 0 : norm_dim(dim, a.dim(), "var");
    const int64_t n = all ? a.numel() : (a.dim() == 0 ? 1 : a.size(d));
    r.impl()->saved0 = a.value();
    r.impl()->i0 = d;
    r.impl()->i1 = (all ? 1 : 0) | (keepdim ? 2 : 0);
    r.impl()->s0 = 2.0 / static_cast<double>(n - (unbiased ? 1 : 0));
  }
  return r;
}

void norm_backward(VarImpl& s) {  // saved0 = x, s0 = p, value = norm
  VarImpl* in = s.input(0);
  const Tensor& x = s.saved0;
  const double nrm = s.value.item();
  const double g = s.grad.item();
  if (s.s0 == 1.0) {
    accumulate_grad(in, sign(x) * g, true);
  } else if (nrm == 0.0) {
    accumulate_grad(in, zeros_like(x), true);
  } else {
    accumulate_grad(in, x * (g / nrm), true);
  }
}

void logsumexp_backward(VarImpl& s) {  // saved0 = x; softmax = exp(x - lse)
  VarImpl* in = s.input(0);
  const Tensor& x = s.saved0;
  const bool keepdim = s.i1 & 2;
  Tensor lse = keepdim ? s.value : s.value.unsqueeze(s.i0);
  Tensor g = keepdim ? s.grad : s.grad.unsqueeze(s.i0);
  accumulate_grad(in, mul(exp(sub(x, lse)), g), true);
}

// Over all elements: ties share the gradient evenly.
void max_all_backward(VarImpl& s) {  // saved0 = x
  const Tensor& x = s.saved0;
  Tensor mask = eq(x, s.value).to(x.dtype());
  const double count = sum(mask).item();
  accumulate_grad(s.input(0), mask * (s.grad.item() / count), true);
}

// Along a dim: the gradient goes to the returned index.
void max_dim_backward(VarImpl& s) {  // saved0 = indices, i0 = dim, i1 & 2 = keepdim
  VarImpl* in = s.input(0);
  const bool keepdim = s.i1 & 2;
  Tensor idx = keepdim ? s.saved0 : s.saved0.unsqueeze(s.i0);
  Tensor g = keepdim ? s.grad : s.grad.unsqueeze(s.i0);
  accumulate_grad(in, scatter_add(zeros_like(in->value), s.i0, idx, g.contiguous()), true);
}

std::pair<Var, Tensor> minmax_dim(const Var& a, int64_t dim, bool keepdim, bool is_max) {
  auto [values, indices] = is_max ? max(a.value(), dim, keepdim) : min(a.value(), dim, keepdim);
  Var r = unary_record(a, std::move(values), is_max ? "max" : "min", max_dim_backward);
  if (r.impl()->backward) {
    r.impl()->saved0 = indices;
    r.impl()->i0 = norm_dim(dim, a.dim(), is_max ? "max" : "min");
    r.impl()->i1 = keepdim ? 2 : 0;
  }
  return {r, indices};
}

void softmax_backward(VarImpl& s) {  // y = value: dx = y (g - sum(g y))
  const Tensor& y = s.value;
  Tensor gy = mul(s.grad, y);
  accumulate_grad(s.input(0), sub(gy, mul(y, sum(gy, s.i0, true))), true);
}
void log_softmax_backward(VarImpl& s) {  // dx = g - exp(y) sum(g)
  accumulate_grad(s.input(0), sub(s.grad, mul(exp(s.value), sum(s.grad, s.i0, true))), true);
}

}  // namespace

Var sum(const Var& a) { return reduce_record(a, sum(a.value()), "sum", 0, true, false, 1.0); }
Var sum(const Var& a, int64_t dim, bool keepdim) {
  Tensor out = sum(a.value(), dim, keepdim);
  return reduce_record(a, std::move(out), "sum", norm_dim(dim, a.dim(), "sum"), false, keepdim,
                       1.0);
}
Var mean(const Var& a) {
  return reduce_record(a, mean(a.value()), "mean", 0, true, false,
                       1.0 / static_cast<double>(a.numel()));
}
Var mean(const Var& a, int64_t dim, bool keepdim) {
  Tensor out = mean(a.value(), dim, keepdim);
  const int64_t d = norm_dim(dim, a.dim(), "mean");
  const int64_t n = a.dim() == 0 ? 1 : a.size(d);
  return reduce_record(a, std::move(out), "mean", d, false, keepdim, 1.0 / static_cast<double>(n));
}
Var var(const Var& a, bool unbiased) { return var_impl(a, 0, true, unbiased, false); }
Var var(const Var& a, int64_t dim, bool unbiased, bool keepdim) {
  return var_impl(a, dim, false, unbiased, keepdim);
}
Var std(const Var& a, bool unbiased) { return sqrt(var(a, unbiased)); }
Var std(const Var& a, int64_t dim, bool unbiased, bool keepdim) {
  return sqrt(var(a, dim, unbiased, keepdim));
}
Var norm(const Var& a, double p) {
  if (p != 1.0 && p != 2.0)
    throw Error(str("norm: only p = 1 and p = 2 are differentiable, got ", p));
  Var r = unary_record(a, norm(a.value(), p), "norm", norm_backward);
  if (r.impl()->backward) {
    r.impl()->saved0 = a.value();
    r.impl()->s0 = p;
  }
  return r;
}
Var logsumexp(const Var& a, int64_t dim, bool keepdim) {
  Var r = unary_record(a, logsumexp(a.value(), dim, keepdim), "logsumexp", logsumexp_backward);
  if (r.impl()->backward) {
    r.impl()->saved0 = a.value();
    r.impl()->i0 = norm_dim(dim, a.dim(), "logsumexp");
    r.impl()->i1 = keepdim ? 2 : 0;
  }
  return r;
}
Var max(const Var& a) {
  Var r = unary_record(a, max(a.value()), "max", max_all_backward);
  if (r.impl()->backward) r.impl()->saved0 = a.value();
  return r;
}
Var min(const Var& a) {
  Var r = unary_record(a, min(a.value()), "min", max_all_backward);
  if (r.impl()->backward) r.impl()->saved0 = a.value();
  return r;
}
std::pair<Var, Tensor> max(const Var& a, int64_t dim, bool keepdim) {
  return minmax_dim(a, dim, keepdim, true);
}
std::pair<Var, Tensor> min(const Var& a, int64_t dim, bool keepdim) {
  return minmax_dim(a, dim, keepdim, false);
}
Var softmax(const Var& a, int64_t dim) {
  Var r = unary_record(a, softmax(a.value(), dim), "softmax", softmax_backward);
  if (r.impl()->backward) r.impl()->i0 = norm_dim(dim, a.dim(), "softmax");
  return r;
}
Var log_softmax(const Var& a, int64_t dim) {
  Var r = unary_record(a, log_softmax(a.value(), dim), "log_softmax", log_softmax_backward);
  if (r.impl()->backward) r.impl()->i0 = norm_dim(dim, a.dim(), "log_softmax");
  return r;
}

}  // namespace rein
