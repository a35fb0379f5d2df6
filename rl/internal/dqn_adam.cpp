// VectorAdam (see the header). Built with -fno-math-errno (rl/CMakeLists.txt) so sqrt vectorises.
#include "rl/internal/dqn_adam.h"

#include <cmath>

#include "tensor/error.h"

namespace rein::rl::internal {

VectorAdam::VectorAdam(std::vector<Var> params, double lr, double beta1, double beta2, double eps)
    : Optimizer(std::move(params), lr), beta1_(beta1), beta2_(beta2), eps_(eps) {
  for (const Var& p : params_)
    if (p.dtype() != Dtype::Float32)
      throw Error(str("VectorAdam: parameters must be float32, got ", dtype_name(p.dtype())));
  register_slot("exp_avg", &exp_avg_);
  register_slot("exp_avg_sq", &exp_avg_sq_);
}

namespace {

// w -= step * m / (sqrt(v) / c2 + eps), with m and v updated first (torch.optim.Adam, as
// optim::Adam computes it).
void adam_update(float* __restrict w, const float* __restrict g, float* __restrict m,
                 float* __restrict v, int64_t n, float b1, float b2, float neg_step, float c2,
                 float eps) {
  const float one_b1 = 1.0f - b1, one_b2 = 1.0f - b2;
  for (int64_t k = 0; k < n; ++k) {
    const float gk = g[k];
    const float mk = m[k] * b1 + one_b1 * gk;
    const float vk = v[k] * b2 + one_b2 * gk * gk;
    m[k] = mk;
    v[k] = vk;
    w[k] = w[k] + neg_step * (mk / (std::sqrt(vk) / c2 + eps));
  }
}

}  // namespace

void VectorAdam::step() {
  ++steps_;
  const double bc1 = 1.0 - std::pow(beta1_, static_cast<double>(steps_));
  const double bc2 = 1.0 - std::pow(beta2_, static_cast<double>(steps_));
  const float neg_step = static_cast<float>(-lr_ / bc1);
  const float c2 = static_cast<float>(std::sqrt(bc2));
  for (size_t i = 0; i < params_.size(); ++i) {
    Var& p = params_[i];
    if (!p.grad().defined()) continue;
    const Tensor g = p.grad().contiguous();
    Tensor value = p.value();
    Tensor& m = state(exp_avg_, i);
    Tensor& v = state(exp_avg_sq_, i);
    adam_update(value.data<float>(), g.data<float>(), m.data<float>(), v.data<float>(),
                value.numel(), static_cast<float>(beta1_), static_cast<float>(beta2_), neg_step, c2,
                static_cast<float>(eps_));
  }
}

}  // namespace rein::rl::internal
