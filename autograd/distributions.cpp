// Categorical (masked), diagonal Normal and tanh-squashed Normal (torch.distributions formulas).
#include "autograd/distributions.h"

#include <cmath>

#include "autograd/ops.h"
#include "tensor/ops.h"

namespace rein::distributions {
namespace {

// Masked logits get this value rather than -inf: p = exp(-1e9 - lse) is exactly 0 in float32
// and float64, and p * log p and its gradient stay finite (0 * -1e9 instead of 0 * -inf).
constexpr double kMaskedLogit = -1e9;
const double kLogSqrt2Pi = 0.5 * std::log(2.0 * M_PI);

}  // namespace

Categorical::Categorical(const Var& logits, const Tensor& mask) {
  if (!logits.defined() || (logits.dim() != 1 && logits.dim() != 2) || logits.numel() == 0 ||
      !is_floating(logits.dtype())) {
    throw Error(str("Categorical: expected float logits of shape (A) or (B, A), got ",
                    logits.defined() ? to_string(logits.shape()) : std::string("undefined")));
  }
  batched_ = logits.dim() == 2;
  Var l = batched_ ? logits : unsqueeze(logits, 0);  // (B, A)
  if (mask.defined()) {
    if (mask.dtype() != Dtype::Bool || !(mask.shape() == logits.shape())) {
      throw Error(str("Categorical: mask must be bool of the logits' shape ", logits.shape(),
                      ", got ", dtype_name(mask.dtype()), " ", mask.shape()));
    }
    mask_ = batched_ ? mask : mask.unsqueeze(0);
    Tensor any_allowed = sum(mask_.to(Dtype::Int64), 1);
    for (int64_t b = 0; b < any_allowed.numel(); ++b) {
      if (any_allowed.at({b}) == 0) {
        throw Error(str("Categorical: row ", b, " of the action mask allows no action"));
      }
    }
    l = masked_fill(l, logical_not(mask_), kMaskedLogit);
  }
  log_probs_ = log_softmax(l, 1);
}

Var Categorical::probs() const {
  Var p = exp(log_probs_);
  return batched_ ? p : squeeze(p, 0);
}

Tensor Categorical::sample(Generator& gen) const {
  // Inverse CDF per row, in double.
  Tensor p = exp(log_probs_.value()).to(Dtype::Float64).contiguous();
  const int64_t rows = p.size(0), n = p.size(1);
  Tensor out({rows}, Dtype::Int64);
  const double* pp = p.data<double>();
  for (int64_t b = 0; b < rows; ++b) {
    const double u = gen.uniform();
    double cum = 0.0;
    int64_t choice = -1;
    for (int64_t a = 0; a < n; ++a) {
      const double pa = pp[b * n + a];
      if (pa <= 0.0) continue;
      choice = a;  // the last action with mass, if rounding leaves u above the total
      cum += pa;
      if (u < cum) break;
    }
    out.data<int64_t>()[b] = choice;
  }
  return batched_ ? out : out.reshape(Shape());
}

Var Categorical::log_prob(const Tensor& actions) const {
  const int64_t rows = log_probs_.size(0);
  if (actions.dtype() != Dtype::Int64 || actions.numel() != rows ||
      (batched_ ? actions.dim() != 1 : actions.dim() > 1)) {
    throw Error(str("Categorical::log_prob: expected int64 actions of shape ",
                    batched_ ? str("(", rows, ")") : std::string("()"), ", got ",
                    dtype_name(actions.dtype()), " ", actions.shape()));
  }
  Tensor idx = actions.reshape({rows, 1});
  const int64_t n = log_probs_.size(1);
  Tensor ic = idx.contiguous();
  for (int64_t b = 0; b < rows; ++b) {
    const int64_t a = ic.data<int64_t>()[b];
    if (a < 0 || a >= n) {
      throw Error(str("Categorical::log_prob: action ", a, " is out of range for ", n,
                      " categories"));
    }
  }
  Var lp = reshape(gather(log_probs_, 1, idx), Shape{rows});
  return batched_ ? lp : reshape(lp, Shape());
}

Var Categorical::entropy() const {
  Var p_log_p = exp(log_probs_) * log_probs_;
  if (mask_.defined()) p_log_p = where(mask_, p_log_p, zeros_like(p_log_p.value()));
  Var h = -sum(p_log_p, 1);
  return batched_ ? h : reshape(h, Shape());
}

Tensor Categorical::mode() const {
  Tensor m = argmax(log_probs_.value(), 1);
  return batched_ ? m : m.reshape(Shape());
}

Normal::Normal(const Var& mean, const Var& std) : mean_(mean), std_(std) {
  if (!mean.defined() || !std.defined() || !is_floating(mean.dtype()) ||
      mean.dtype() != std.dtype()) {
    throw Error("Normal: mean and std must be defined float Vars of one dtype");
  }
  broadcast_shapes(mean.shape(), std.shape(), "Normal");
  if (mean.dim() == 0 && std.dim() == 0) {
    throw Error("Normal: mean/std need at least one dimension (the action dimension)");
  }
}

Tensor Normal::sample(Generator& gen) const {
  const Shape shape = broadcast_shapes(mean_.shape(), std_.shape(), "Normal");
  return add(mean_.value(), mul(std_.value(), randn(shape, gen, mean_.dtype())));
}

Var Normal::rsample(Generator& gen) const {
  const Shape shape = broadcast_shapes(mean_.shape(), std_.shape(), "Normal");
  return mean_ + std_ * Var(randn(shape, gen, mean_.dtype()));
}

Var Normal::log_prob(const Var& value) const {
  Var z = (value - mean_) / std_;
  Var lp = -0.5 * square(z) - log(std_) - kLogSqrt2Pi;
  return sum(lp, -1);
}

Var Normal::entropy() const {
  const Shape shape = broadcast_shapes(mean_.shape(), std_.shape(), "Normal");
  Var h = log(std_) + (0.5 + kLogSqrt2Pi);
  if (!(h.shape() == shape)) h = expand(h, shape);
  return sum(h, -1);
}

TanhNormal::TanhNormal(const Var& mean, const Var& std) : base_(mean, std) {}

namespace {
// sum over the last dim of log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)).
Var log_det_tanh(const Var& u) {
  return sum(2.0 * (std::log(2.0) - u - softplus(-2.0 * u)), -1);
}
}  // namespace

std::pair<Var, Var> TanhNormal::rsample_with_log_prob(Generator& gen) const {
  Var u = base_.rsample(gen);
  return {tanh(u), base_.log_prob(u) - log_det_tanh(u)};
}

Tensor TanhNormal::sample(Generator& gen) const { return rein::tanh(base_.sample(gen)); }

Var TanhNormal::log_prob(const Var& action) const {
  Var a = clamp(action, -1.0 + 1e-6, 1.0 - 1e-6);
  Var u = 0.5 * (log1p(a) - log1p(-a));  // atanh
  return base_.log_prob(u) - log_det_tanh(u);
}

Var TanhNormal::mode() const { return tanh(base_.mean()); }

}  // namespace rein::distributions
