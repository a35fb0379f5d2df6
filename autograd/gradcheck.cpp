// Full-Jacobian finite-difference check in float64 (see gradcheck.h).
#include "autograd/gradcheck.h"

#include <algorithm>
#include <cmath>

#include "tensor/ops.h"

namespace rein {

GradcheckResult gradcheck(const std::function<Var(const std::vector<Var>&)>& fn,
                          const std::vector<Var>& inputs, const GradcheckOptions& options) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].dtype() != Dtype::Float64 && is_floating(inputs[i].dtype())) {
      throw Error(str("gradcheck: input ", i, " is ", dtype_name(inputs[i].dtype()),
                      "; finite differences need float64 inputs"));
    }
    if (!inputs[i].value().is_contiguous()) {
      throw Error(str("gradcheck: input ", i, " must be contiguous"));
    }
  }
  GradcheckResult result;
  Tensor out0;
  {
    NoGradGuard guard;
    out0 = fn(inputs).value().clone();
  }
  if (out0.dtype() != Dtype::Float64) throw Error("gradcheck: fn must return a float64 Var");
  const int64_t n_out = out0.numel();

  // Analytic Jacobian rows: one backward per output element with a one-hot seed.
  std::vector<std::vector<Tensor>> analytic(static_cast<size_t>(n_out));
  for (int64_t o = 0; o < n_out; ++o) {
    for (const Var& in : inputs)
      if (in.requires_grad()) Var(in).zero_grad();
    Var out = fn(inputs);
    if (!out.requires_grad()) {
      result.message = "gradcheck: the output does not require grad";
      return result;
    }
    Tensor seed = zeros(out.shape(), Dtype::Float64);
    seed.data<double>()[o] = 1.0;  // fresh tensor: contiguous
    backward(out, seed);
    for (const Var& in : inputs) {
      analytic[o].push_back(in.requires_grad() && in.grad().defined() ? in.grad().clone()
                                                                      : zeros_like(in.value()));
    }
  }
  for (const Var& in : inputs)
    if (in.requires_grad()) Var(in).zero_grad();

  NoGradGuard guard;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad()) continue;
    Tensor x = inputs[i].value();
    double* p = x.data<double>();
    for (int64_t k = 0; k < x.numel(); ++k) {
      const double orig = p[k];
      p[k] = orig + options.eps;
      Tensor plus = fn(inputs).value().clone();
      p[k] = orig - options.eps;
      Tensor minus = fn(inputs).value().clone();
      p[k] = orig;
      for (int64_t o = 0; o < n_out; ++o) {
        const double numeric =
            (plus.data<double>()[o] - minus.data<double>()[o]) / (2.0 * options.eps);
        const double a = analytic[o][i].contiguous().data<double>()[k];
        const double err = std::abs(a - numeric) / std::max(1.0, std::abs(numeric));
        result.max_error = std::max(result.max_error, err);
        if (!(err <= options.tolerance) && result.message.empty()) {
          result.message = str("gradcheck: d output[", o, "] / d input", i, "[", k, "]: analytic ",
                               a, " vs numeric ", numeric, " (error ", err, ")");
        }
      }
    }
  }
  result.ok = result.message.empty();
  return result;
}

}  // namespace rein
