// Elementwise differentiable ops: binary (broadcasting), scalar, unary, where/masked_fill.
#include <cmath>

#include "autograd/internal/kernels.h"
#include "autograd/internal/node.h"
#include "autograd/ops.h"

namespace rein {

using internal::accumulate_grad;
using internal::make_constant;
using internal::make_result;
using internal::map1;
using internal::map2;
using internal::needs_grad;
using internal::should_record;
using internal::VarImpl;

namespace {

// Accumulates g into `in`, summed back over broadcast dims when shapes differ.
void acc_reduced(VarImpl* in, const Tensor& g, bool owned) {
  if (!needs_grad(in)) return;
  if (g.shape() == in->value.shape()) {
    accumulate_grad(in, g, owned);
  } else {
    accumulate_grad(in, sum_to(g, in->value.shape()), true);
  }
}

// ---- binary ----
void add_backward(VarImpl& s) {
  acc_reduced(s.input(0), s.grad, false);
  acc_reduced(s.input(1), s.grad, false);
}
void sub_backward(VarImpl& s) {
  acc_reduced(s.input(0), s.grad, false);
  if (needs_grad(s.input(1))) acc_reduced(s.input(1), neg(s.grad), true);
}
void mul_backward(VarImpl& s) {  // saved0 = a, saved1 = b
  if (needs_grad(s.input(0))) acc_reduced(s.input(0), mul(s.grad, s.saved1), true);
  if (needs_grad(s.input(1))) acc_reduced(s.input(1), mul(s.grad, s.saved0), true);
}
void div_backward(VarImpl& s) {  // saved0 = a, saved1 = b; d/db = -g a / b^2 = -g out / b
  Tensor gb = div(s.grad, s.saved1);
  if (needs_grad(s.input(1))) acc_reduced(s.input(1), neg(mul(gb, s.value)), true);
  if (needs_grad(s.input(0))) acc_reduced(s.input(0), std::move(gb), true);
}
void pow_backward(VarImpl& s) {  // saved0 = a, saved1 = b
  if (needs_grad(s.input(0))) {
    // b a^(b - 1), written as b * a^(b-1) so a = 0 with b >= 1 stays finite.
    acc_reduced(s.input(0), mul(s.grad, mul(s.saved1, pow(s.saved0, s.saved1 - 1.0))), true);
  }
  if (needs_grad(s.input(1))) {
    // a^b log a; PyTorch masks a = 0 to a zero gradient (where b >= 0).
    Tensor la = where(eq(s.saved0, 0.0), zeros_like(s.saved0), log(s.saved0));
    acc_reduced(s.input(1), mul(s.grad, mul(s.value, la)), true);
  }
}
// minimum/maximum: the chosen side gets the gradient; ties split it in half.
void minmax_backward(VarImpl& s) {  // saved0 = a, saved1 = b, i0 = 1 for maximum
  Tensor a_wins = s.i0 ? gt(s.saved0, s.saved1) : lt(s.saved0, s.saved1);
  Tensor tie = eq(s.saved0, s.saved1);
  Tensor half = s.grad * 0.5;
  Tensor zero = zeros_like(s.grad);
  if (needs_grad(s.input(0))) {
    acc_reduced(s.input(0), where(a_wins, s.grad, where(tie, half, zero)), true);
  }
  if (needs_grad(s.input(1))) {
    Tensor b_wins = logical_not(logical_or(a_wins, tie));
    acc_reduced(s.input(1), where(b_wins, s.grad, where(tie, half, zero)), true);
  }
}

Var binary(const Var& a, const Var& b, Tensor out, const char* op, internal::BackwardFn fn,
           bool save) {
  if (!should_record(a, b)) return make_constant(std::move(out));
  Var r = make_result(std::move(out), op, fn, a, b);
  if (save) {
    r.impl()->saved0 = a.value();
    r.impl()->saved1 = b.value();
  }
  return r;
}

// ---- scalar ----
void pass_backward(VarImpl& s) { accumulate_grad(s.input(0), s.grad, false); }
void scale_backward(VarImpl& s) { accumulate_grad(s.input(0), s.grad * s.s0, true); }
void rdiv_backward(VarImpl& s) {  // out = c / a: d/da = -out / a
  accumulate_grad(s.input(0),
                  map2(s.grad, map2(s.value, s.saved0, [](auto y, auto x) { return -y / x; }),
                       [](auto g, auto d) { return g * d; }),
                  true);
}
void pow_scalar_backward(VarImpl& s) {  // saved0 = a, s0 = exponent
  const double e = s.s0;
  accumulate_grad(s.input(0), mul(s.grad, pow(s.saved0, e - 1.0) * e), true);
}

Var unary(const Var& a, Tensor out, const char* op, internal::BackwardFn fn, bool save_input) {
  if (!should_record(a)) return make_constant(std::move(out));
  Var r = make_result(std::move(out), op, fn, a);
  if (save_input) r.impl()->saved0 = a.value();
  return r;
}
Var scalar_op(const Var& a, Tensor out, const char* op, internal::BackwardFn fn, double s0) {
  Var r = unary(a, std::move(out), op, fn, false);
  if (r.impl()->backward) r.impl()->s0 = s0;
  return r;
}

// ---- unary (g = s.grad, y = s.value, x = s.saved0) ----
void neg_backward(VarImpl& s) { accumulate_grad(s.input(0), neg(s.grad), true); }
void exp_backward(VarImpl& s) {
  accumulate_grad(s.input(0), map2(s.grad, s.value, [](auto g, auto y) { return g * y; }), true);
}
void log_backward(VarImpl& s) {
  accumulate_grad(s.input(0), map2(s.grad, s.saved0, [](auto g, auto x) { return g / x; }), true);
}
void log1p_backward(VarImpl& s) {
  accumulate_grad(s.input(0),
                  map2(s.grad, s.saved0, [](auto g, auto x) { return g / (x + decltype(x)(1)); }),
                  true);
}
void sqrt_backward(VarImpl& s) {
  accumulate_grad(s.input(0),
                  map2(s.grad, s.value, [](auto g, auto y) { return g / (decltype(y)(2) * y); }),
                  true);
}
void rsqrt_backward(VarImpl& s) {  // d x^-1/2 = -1/2 y^3
  accumulate_grad(
      s.input(0),
      map2(s.grad, s.value, [](auto g, auto y) { return decltype(y)(-0.5) * g * y * y * y; }),
      true);
}
void abs_backward(VarImpl& s) {
  accumulate_grad(s.input(0),
                  map2(s.grad, s.saved0,
                       [](auto g, auto x) {
                         using T = decltype(x);
                         return x > T(0) ? g : (x < T(0) ? -g : T(0));
                       }),
                  true);
}
void tanh_backward(VarImpl& s) {
  accumulate_grad(
      s.input(0),
      map2(s.grad, s.value, [](auto g, auto y) { return g * (decltype(y)(1) - y * y); }), true);
}
void sigmoid_backward(VarImpl& s) {
  accumulate_grad(
      s.input(0),
      map2(s.grad, s.value, [](auto g, auto y) { return g * y * (decltype(y)(1) - y); }), true);
}
void relu_backward(VarImpl& s) {
  accumulate_grad(
      s.input(0),
      map2(s.grad, s.value, [](auto g, auto y) { return y > decltype(y)(0) ? g : decltype(y)(0); }),
      true);
}
void elu_backward(VarImpl& s) {  // y > 0 ? g : g (y + alpha)
  const double alpha = s.s0;
  accumulate_grad(s.input(0),
                  map2(s.grad, s.saved0,
                       [alpha](auto g, auto x) {
                         using T = decltype(x);
                         return x > T(0) ? g : g * T(alpha) * std::exp(x);
                       }),
                  true);
}
void gelu_backward(VarImpl& s) {  // g (Phi(x) + x phi(x)), in torch's order of operations
  accumulate_grad(s.input(0),
                  map2(s.grad, s.saved0,
                       [](auto g, auto x) {
                         using T = decltype(x);
                         const T cdf = T(0.5) * (T(1) + std::erf(x * T(M_SQRT1_2)));
                         const T pdf = std::exp(T(-0.5) * x * x) * T(M_2_SQRTPI * M_SQRT1_2 * 0.5);
                         return g * (cdf + x * pdf);
                       }),
                  true);
}
void softplus_backward(VarImpl& s) {  // sigmoid(x)
  accumulate_grad(s.input(0),
                  map2(s.grad, s.saved0,
                       [](auto g, auto x) {
                         using T = decltype(x);
                         return g / (T(1) + std::exp(-x));
                       }),
                  true);
}
void square_backward(VarImpl& s) {
  accumulate_grad(s.input(0),
                  map2(s.grad, s.saved0, [](auto g, auto x) { return decltype(x)(2) * g * x; }),
                  true);
}
void clamp_backward(VarImpl& s) {  // i0 bit 1: has min (s0), bit 2: has max (s1)
  const bool has_min = s.i0 & 1, has_max = s.i0 & 2;
  const double lo = s.s0, hi = s.s1;
  accumulate_grad(s.input(0),
                  map2(s.grad, s.saved0,
                       [=](auto g, auto x) {
                         using T = decltype(x);
                         const bool pass = (!has_min || x >= T(lo)) && (!has_max || x <= T(hi));
                         return pass ? g : T(0);
                       }),
                  true);
}

void where_backward(VarImpl& s) {  // saved0 = condition
  Tensor zero = zeros_like(s.grad);
  if (needs_grad(s.input(0))) acc_reduced(s.input(0), where(s.saved0, s.grad, zero), true);
  if (needs_grad(s.input(1))) acc_reduced(s.input(1), where(s.saved0, zero, s.grad), true);
}
void masked_fill_backward(VarImpl& s) {  // saved0 = mask
  accumulate_grad(s.input(0), where(expand(s.saved0, s.grad.shape()), zeros_like(s.grad), s.grad),
                  true);
}

}  // namespace

Var add(const Var& a, const Var& b) {
  return binary(a, b, add(a.value(), b.value()), "add", add_backward, false);
}
Var sub(const Var& a, const Var& b) {
  return binary(a, b, sub(a.value(), b.value()), "sub", sub_backward, false);
}
Var mul(const Var& a, const Var& b) {
  return binary(a, b, mul(a.value(), b.value()), "mul", mul_backward, true);
}
Var div(const Var& a, const Var& b) {
  return binary(a, b, div(a.value(), b.value()), "div", div_backward, true);
}
Var pow(const Var& a, const Var& b) {
  return binary(a, b, pow(a.value(), b.value()), "pow", pow_backward, true);
}
Var minimum(const Var& a, const Var& b) {
  Var r = binary(a, b, minimum(a.value(), b.value()), "minimum", minmax_backward, true);
  return r;
}
Var maximum(const Var& a, const Var& b) {
  Var r = binary(a, b, maximum(a.value(), b.value()), "maximum", minmax_backward, true);
  if (r.impl()->backward) r.impl()->i0 = 1;
  return r;
}
Var operator+(const Var& a, const Var& b) { return add(a, b); }
Var operator-(const Var& a, const Var& b) { return sub(a, b); }
Var operator*(const Var& a, const Var& b) { return mul(a, b); }
Var operator/(const Var& a, const Var& b) { return div(a, b); }

Var operator+(const Var& a, double b) {
  return unary(a, a.value() + b, "add_scalar", pass_backward, false);
}
Var operator-(const Var& a, double b) {
  return unary(a, a.value() - b, "sub_scalar", pass_backward, false);
}
Var operator*(const Var& a, double b) {
  return scalar_op(a, a.value() * b, "mul_scalar", scale_backward, b);
}
Var operator/(const Var& a, double b) {
  return scalar_op(a, a.value() / b, "div_scalar", scale_backward, 1.0 / b);
}
Var operator+(double a, const Var& b) { return b + a; }
Var operator-(double a, const Var& b) {
  return scalar_op(b, a - b.value(), "rsub_scalar", scale_backward, -1.0);
}
Var operator*(double a, const Var& b) { return b * a; }
Var operator/(double a, const Var& b) {
  return unary(b, a / b.value(), "rdiv_scalar", rdiv_backward, true);
}
Var operator-(const Var& a) { return neg(a); }

Var pow(const Var& a, double exponent) {
  Var r = unary(a, pow(a.value(), exponent), "pow_scalar", pow_scalar_backward, true);
  if (r.impl()->backward) r.impl()->s0 = exponent;
  return r;
}

Var neg(const Var& a) { return unary(a, neg(a.value()), "neg", neg_backward, false); }
Var exp(const Var& a) { return unary(a, exp(a.value()), "exp", exp_backward, false); }
Var log(const Var& a) { return unary(a, log(a.value()), "log", log_backward, true); }
Var log1p(const Var& a) { return unary(a, log1p(a.value()), "log1p", log1p_backward, true); }
Var sqrt(const Var& a) { return unary(a, sqrt(a.value()), "sqrt", sqrt_backward, false); }
Var rsqrt(const Var& a) { return unary(a, rsqrt(a.value()), "rsqrt", rsqrt_backward, false); }
Var abs(const Var& a) { return unary(a, abs(a.value()), "abs", abs_backward, true); }
Var tanh(const Var& a) {
  if (!is_floating(a.dtype())) return unary(a, tanh(a.value()), "tanh", tanh_backward, false);
  return unary(a, internal::tanh_kernel(a.value()), "tanh", tanh_backward, false);
}
Var sigmoid(const Var& a) {
  return unary(a, sigmoid(a.value()), "sigmoid", sigmoid_backward, false);
}
Var relu(const Var& a) {
  if (!is_floating(a.dtype())) return unary(a, relu(a.value()), "relu", relu_backward, false);
  return unary(a, map1(a.value(), [](auto x) { return x > decltype(x)(0) ? x : decltype(x)(0); }),
               "relu", relu_backward, false);
}
Var elu(const Var& a, double alpha) {
  if (!is_floating(a.dtype()))
    throw Error(str("elu: expected a floating tensor, got ", dtype_name(a.dtype())));
  Tensor y = map1(a.value(), [alpha](auto x) {
    using T = decltype(x);
    return x > T(0) ? x : T(alpha) * std::expm1(x);
  });
  Var r = unary(a, std::move(y), "elu", elu_backward, true);
  if (r.impl()->backward) r.impl()->s0 = alpha;
  return r;
}
Var gelu(const Var& a) {
  if (!is_floating(a.dtype()))
    throw Error(str("gelu: expected a floating tensor, got ", dtype_name(a.dtype())));
  Tensor y = map1(a.value(), [](auto x) {
    using T = decltype(x);
    return x * T(0.5) * (T(1) + std::erf(x * T(M_SQRT1_2)));
  });
  return unary(a, std::move(y), "gelu", gelu_backward, true);
}
Var softplus(const Var& a) {
  return unary(a, softplus(a.value()), "softplus", softplus_backward, true);
}
Var square(const Var& a) { return unary(a, square(a.value()), "square", square_backward, true); }
Var clamp(const Var& a, std::optional<double> min, std::optional<double> max) {
  Var r = unary(a, clamp(a.value(), min, max), "clamp", clamp_backward, true);
  if (r.impl()->backward) {
    r.impl()->i0 = (min ? 1 : 0) | (max ? 2 : 0);
    r.impl()->s0 = min.value_or(0.0);
    r.impl()->s1 = max.value_or(0.0);
  }
  return r;
}

Var where(const Tensor& condition, const Var& a, const Var& b) {
  Tensor out = where(condition, a.value(), b.value());
  if (!should_record(a, b)) return make_constant(std::move(out));
  Var r = make_result(std::move(out), "where", where_backward, a, b);
  r.impl()->saved0 = condition;
  return r;
}
Var masked_fill(const Var& a, const Tensor& mask, double value) {
  Var r = unary(a, masked_fill(a.value(), mask, value), "masked_fill", masked_fill_backward, false);
  if (r.impl()->backward) r.impl()->saved0 = mask;
  return r;
}

}  // namespace rein
