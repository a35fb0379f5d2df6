// Categorical (masked), diagonal Normal and tanh-squashed Normal (torch.distributions formulas).
#include "autograd/distributions.h"

#include <cmath>
#include <limits>

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
      throw Error(
          str("Categorical::log_prob: action ", a, " is out of range for ", n, " categories"));
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
Var log_det_tanh(const Var& u) { return sum(2.0 * (std::log(2.0) - u - softplus(-2.0 * u)), -1); }
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

// ---- gSDE (SB3 StateDependentNoiseDistribution) ----

namespace rein::distributions {

Var state_dependent_std(const Var& log_std, int64_t action_dim,
                        const StateDependentNoiseOptions& options) {
  if (!log_std.defined() || log_std.dim() != 2 ||
      log_std.size(1) != (options.full_std ? action_dim : 1)) {
    throw Error(str("gSDE: log_std must have shape (features, ", options.full_std ? action_dim : 1,
                    ")", options.full_std ? "" : " (full_std false)", ", got ",
                    log_std.defined() ? to_string(log_std.shape()) : std::string("undefined")));
  }
  Var std;
  if (options.use_expln) {
    // exp(x) for x <= 0, log1p(x + epsilon) + 1 above. Each branch sees its argument clamped to
    // its side, so the branch where() drops cannot overflow into a NaN gradient.
    Var below = exp(clamp(log_std, std::nullopt, 0.0));
    Var above = log1p(clamp(log_std, 0.0, std::nullopt) + options.epsilon) + 1.0;
    std = where(le(log_std.value(), 0.0), below, above);
  } else {
    std = exp(log_std);
  }
  if (options.full_std) return std;
  return expand(std, Shape{log_std.size(0), action_dim});
}

void ExplorationMatrices::resample(const Var& log_std, int64_t action_dim, int64_t batch,
                                   const StateDependentNoiseOptions& options, Generator& gen) {
  if (batch < 1)
    throw Error(str("gSDE: the batch of exploration matrices must be >= 1, got ", batch));
  if (!log_std.defined() || log_std.dim() != 2)
    throw Error("gSDE: log_std must be a (features, actions or 1) matrix");
  const int64_t f = log_std.size(0);
  Tensor eps_single = randn({f, action_dim}, gen, log_std.dtype());
  resample_from(log_std, eps_single, randn({batch, f, action_dim}, gen, log_std.dtype()), options);
}

void ExplorationMatrices::resample_from(const Var& log_std, const Tensor& eps_single,
                                        const Tensor& eps_batch,
                                        const StateDependentNoiseOptions& options) {
  if (eps_single.dim() != 2 || eps_batch.dim() != 3 || eps_batch.size(0) < 1)
    throw Error(str("gSDE: draws must be (F, A) and (n, F, A), got ", eps_single.shape(), " and ",
                    eps_batch.shape()));
  Var std = state_dependent_std(log_std, eps_single.size(1), options);  // (F, A)
  if (!(eps_single.shape() == std.shape()) || eps_batch.size(1) != std.size(0) ||
      eps_batch.size(2) != std.size(1))
    throw Error(str("gSDE: draws of shape ", eps_single.shape(), " and ", eps_batch.shape(),
                    " do not fit the std matrix ", std.shape()));
  single_ = std * Var(eps_single);
  batch_ = unsqueeze(std, 0) * Var(eps_batch);
}

Var ExplorationMatrices::noise(const Var& latent, const StateDependentNoiseOptions& options) const {
  if (!sampled()) throw Error("gSDE: noise() before the exploration matrices were sampled");
  if (latent.dim() != 2 || latent.size(1) != single_.size(0)) {
    throw Error(str("gSDE: latent features must be (B, ", single_.size(0), "), got ",
                    to_string(latent.shape())));
  }
  Var z = options.learn_features ? latent : latent.detach();
  const int64_t rows = z.size(0);
  if (rows == 1 || rows != batch_.size(0)) return mm(z, single_);
  return squeeze(bmm(unsqueeze(z, 1), batch_), 1);  // (B, 1, F) x (B, F, A) -> (B, A)
}

void ExplorationMatrices::set(const Tensor& single, const Tensor& batch) {
  if (single.dim() != 2 || batch.dim() != 3 || batch.size(1) != single.size(0) ||
      batch.size(2) != single.size(1) || single.dtype() != batch.dtype()) {
    throw Error(str("gSDE: exploration matrices must be (F, A) and (n, F, A) of one dtype, got ",
                    single.shape(), " and ", batch.shape()));
  }
  if (sampled() && !(single.shape() == single_.shape())) {
    throw Error(str("gSDE: exploration matrix of shape ", single.shape(),
                    " does not fit the policy's ", single_.shape()));
  }
  single_ = Var(single.clone());
  batch_ = Var(batch.clone());
}

void ExplorationMatrices::state(StateIO& io) {
  int64_t n = batch_.defined() ? batch_.value().size(0) : 0;
  io.integer("gsde_batch", n, 1, int64_t{1} << 24);
  if (!io.loading()) {
    io.put("gsde.exploration_mat", single_.value());
    io.put("gsde.exploration_matrices", batch_.value());
    return;
  }
  const Tensor& single = single_.value();
  set(io.get("gsde.exploration_mat", single.dtype(), single.shape()),
      io.get("gsde.exploration_matrices", single.dtype(),
             Shape{n, single.size(0), single.size(1)}));
}

namespace {

Normal state_dependent_gaussian(const Var& mean, const Var& log_std, const Var& latent,
                                const StateDependentNoiseOptions& options) {
  if (!mean.defined() || !latent.defined() || mean.dim() != 2 || latent.dim() != 2 ||
      mean.size(0) != latent.size(0) || latent.size(1) != log_std.size(0)) {
    throw Error(str("gSDE: expected mean (B, A), latent (B, F) and log_std (F, A or 1), got ",
                    mean.defined() ? to_string(mean.shape()) : std::string("undefined"), ", ",
                    latent.defined() ? to_string(latent.shape()) : std::string("undefined"),
                    " and ",
                    log_std.defined() ? to_string(log_std.shape()) : std::string("undefined")));
  }
  Var sigma = state_dependent_std(log_std, mean.size(1), options);
  Var variance = mm(square(latent), square(sigma));  // (B, A)
  return Normal(mean, sqrt(variance + options.epsilon));
}

}  // namespace

StateDependentNoise::StateDependentNoise(const Var& mean, const Var& log_std, const Var& latent,
                                         const StateDependentNoiseOptions& options)
    : options_(options),
      latent_(options.learn_features || !latent.defined() ? latent : latent.detach()),
      gaussian_(state_dependent_gaussian(mean, log_std, latent_, options)) {}

Var StateDependentNoise::sample(const ExplorationMatrices& noise) const {
  Var u = gaussian_.mean() + noise.noise(latent_, options_);
  return options_.squash_output ? tanh(u) : u;
}

Var StateDependentNoise::mode() const {
  return options_.squash_output ? tanh(gaussian_.mean()) : gaussian_.mean();
}

Var StateDependentNoise::log_prob(const Var& actions) const {
  if (!options_.squash_output) return gaussian_.log_prob(actions);
  // SB3 TanhBijector: atanh of the actions clipped by the dtype's machine epsilon, and the
  // correction log(1 - tanh(u)^2 + epsilon).
  const double eps = actions.dtype() == Dtype::Float64 ? std::numeric_limits<double>::epsilon()
                                                       : std::numeric_limits<float>::epsilon();
  Var a = clamp(actions, -1.0 + eps, 1.0 - eps);
  Var u = 0.5 * (log1p(a) - log1p(-a));
  return gaussian_.log_prob(u) - sum(log(1.0 - square(tanh(u)) + options_.epsilon), -1);
}

Var StateDependentNoise::entropy() const {
  if (options_.squash_output)
    throw Error("gSDE: squashed actions have no closed-form entropy (use -log_prob)");
  return gaussian_.entropy();
}

}  // namespace rein::distributions
