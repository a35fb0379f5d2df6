// Optimizers as fused per-parameter loops following torch.optim 1.13's single-tensor code
// paths (same operation order, constants cast to the parameter's dtype), gradient clipping
// and schedules.
#include "autograd/optim.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "tensor/ops.h"
#include "tensor/state_io.h"

namespace rein::optim {
namespace {

// Calls f.template operator()<T>() with T = float or double per the parameter's dtype.
template <typename F>
void dispatch(const Tensor& t, F&& f) {
  if (t.dtype() == Dtype::Float64) {
    f(double{});
  } else if (t.dtype() == Dtype::Float32) {
    f(float{});
  } else {
    throw Error(
        str("optimizer: parameters must be float32 or float64, got ", dtype_name(t.dtype())));
  }
}

// The parameter's gradient as a contiguous tensor (grads of leaves are contiguous already).
Tensor grad_of(const Var& p) { return p.grad().contiguous(); }

}  // namespace

Optimizer::Optimizer(std::vector<Var> params, double lr) : params_(std::move(params)), lr_(lr) {
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i].defined() || !params_[i].is_leaf()) {
      throw Error(str("optimizer: parameter ", i, " is ",
                      params_[i].defined() ? "not a leaf" : "undefined",
                      " (optimizers update leaves such as module parameters)"));
    }
    if (!params_[i].value().is_contiguous()) {
      throw Error(str("optimizer: parameter ", i, " is not contiguous"));
    }
  }
}

void Optimizer::zero_grad() {
  for (Var& p : params_) p.zero_grad();
}

Tensor& Optimizer::state(std::vector<Tensor>& slot, size_t i) {
  if (slot.size() < params_.size()) slot.resize(params_.size());
  if (!slot[i].defined()) slot[i] = zeros_like(params_[i].value());
  return slot[i];
}

void Optimizer::register_slot(const std::string& name, std::vector<Tensor>* slot) {
  slots_.emplace_back(name, slot);
}

std::vector<std::pair<std::string, Tensor>> Optimizer::state_dict() const {
  std::vector<std::pair<std::string, Tensor>> out;
  out.emplace_back("step", full({}, static_cast<double>(steps_), Dtype::Int64));
  for (const auto& [name, slot] : slots_) {
    for (size_t i = 0; i < slot->size(); ++i) {
      if ((*slot)[i].defined()) out.emplace_back(str(name, ".", i), (*slot)[i]);
    }
  }
  return out;
}

void Optimizer::load_state_dict(const std::vector<std::pair<std::string, Tensor>>& state) {
  std::map<std::string, std::pair<std::vector<Tensor>*, size_t>> known;
  for (const auto& [name, slot] : slots_) {
    for (size_t i = 0; i < params_.size(); ++i) known[str(name, ".", i)] = {slot, i};
  }
  std::string problems;
  bool has_step = false;
  for (const auto& [name, t] : state) {
    if (name == "step") {
      has_step = true;
      continue;
    }
    auto it = known.find(name);
    if (it == known.end()) {
      problems += str(problems.empty() ? "" : "; ", "unexpected: ", name);
    } else if (!(t.shape() == params_[it->second.second].shape())) {
      problems += str(problems.empty() ? "" : "; ", "wrong shape: ", name, " (expected ",
                      params_[it->second.second].shape(), ", got ", t.shape(), ")");
    }
  }
  if (!has_step) problems += str(problems.empty() ? "" : "; ", "missing: step");
  if (!problems.empty()) throw Error(str(name(), "::load_state_dict: ", problems));
  for (const auto& [name, slot] : slots_) {
    slot->assign(params_.size(), Tensor());
  }
  for (const auto& [name, t] : state) {
    if (name == "step") {
      steps_ = static_cast<int64_t>(t.item());
      continue;
    }
    auto [slot, i] = known[name];
    (*slot)[i] = zeros_like(params_[i].value());
    (*slot)[i].copy_(t);
  }
}

// ---- SGD ----
SGD::SGD(std::vector<Var> params, const SGDOptions& options)
    : Optimizer(std::move(params), options.lr), options_(options) {
  if (options.nesterov && (options.momentum <= 0 || options.dampening != 0)) {
    throw Error("SGD: nesterov needs momentum > 0 and dampening 0");
  }
  register_slot("momentum_buffer", &momentum_);
}

void SGD::step() {
  ++steps_;
  momentum_.resize(params_.size());
  for (size_t i = 0; i < params_.size(); ++i) {
    Var& p = params_[i];
    if (!p.grad().defined()) continue;
    Tensor g = grad_of(p);
    Tensor value = p.value();
    const bool first = !momentum_[i].defined();
    Tensor& buf = state(momentum_, i);
    dispatch(value, [&](auto tag) {
      using T = decltype(tag);
      T* w = value.template data<T>();
      const T* gp = g.template data<T>();
      T* b = buf.template data<T>();
      const T wd = T(options_.weight_decay), mom = T(options_.momentum);
      const T damp = T(1.0 - options_.dampening), lr = T(lr_);
      const bool use_mom = options_.momentum != 0.0, nesterov = options_.nesterov;
      for (int64_t k = 0, n = value.numel(); k < n; ++k) {
        T d = options_.weight_decay != 0.0 ? gp[k] + wd * w[k] : gp[k];
        if (use_mom) {
          b[k] = first ? d : b[k] * mom + damp * d;
          d = nesterov ? d + mom * b[k] : b[k];
        }
        w[k] = w[k] + (-lr) * d;
      }
    });
  }
}

// ---- Adam / AdamW ----
Adam::Adam(std::vector<Var> params, const AdamOptions& options)
    : Optimizer(std::move(params), options.lr), options_(options) {
  if (options.beta1 < 0 || options.beta1 >= 1 || options.beta2 < 0 || options.beta2 >= 1) {
    throw Error(str("Adam: betas must be in [0, 1), got ", options.beta1, ", ", options.beta2));
  }
  register_slot("exp_avg", &exp_avg_);
  register_slot("exp_avg_sq", &exp_avg_sq_);
}

void Adam::step(Worker* worker) {
  ++steps_;
  const double bc1 = 1.0 - std::pow(options_.beta1, static_cast<double>(steps_));
  const double bc2 = 1.0 - std::pow(options_.beta2, static_cast<double>(steps_));
  const double step_size = lr_ / bc1;
  const double bc2_sqrt = std::sqrt(bc2);
  if (worker == nullptr) {
    update(0, params_.size(), step_size, bc2_sqrt);
    return;
  }
  // The moment buffers are created here, not on two threads at once; the split falls where
  // half of the elements to update are behind it.
  int64_t total = 0;
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i].grad().defined()) continue;
    state(exp_avg_, i);
    state(exp_avg_sq_, i);
    total += params_[i].value().numel();
  }
  size_t split = 0;
  for (int64_t seen = 0; split < params_.size() && 2 * seen < total; ++split)
    if (params_[split].grad().defined()) seen += params_[split].value().numel();
  run_pair(
      worker, [&] { update(split, params_.size(), step_size, bc2_sqrt); },
      [&] { update(0, split, step_size, bc2_sqrt); });
}

void Adam::update(size_t begin, size_t end, double step_size, double bc2_sqrt) {
  for (size_t i = begin; i < end; ++i) {
    Var& p = params_[i];
    if (!p.grad().defined()) continue;
    Tensor g = grad_of(p);
    Tensor value = p.value();
    Tensor& m = state(exp_avg_, i);
    Tensor& v = state(exp_avg_sq_, i);
    dispatch(value, [&](auto tag) {
      using T = decltype(tag);
      T* w = value.template data<T>();
      const T* gp = g.template data<T>();
      T* mp = m.template data<T>();
      T* vp = v.template data<T>();
      const T b1 = T(options_.beta1), b2 = T(options_.beta2);
      const T one_b1 = T(1.0 - options_.beta1), one_b2 = T(1.0 - options_.beta2);
      const T wd = T(options_.weight_decay), eps = T(options_.eps);
      const T decay = T(1.0 - lr_ * options_.weight_decay);
      const T neg_step = T(-step_size), c2 = T(bc2_sqrt);
      const bool l2 = options_.weight_decay != 0.0 && !options_.decoupled_weight_decay;
      const bool decoupled = options_.weight_decay != 0.0 && options_.decoupled_weight_decay;
      for (int64_t k = 0, n = value.numel(); k < n; ++k) {
        if (decoupled) w[k] *= decay;
        const T gk = l2 ? gp[k] + wd * w[k] : gp[k];
        mp[k] = mp[k] * b1 + one_b1 * gk;
        vp[k] = vp[k] * b2 + one_b2 * gk * gk;
        const T denom = std::sqrt(vp[k]) / c2 + eps;
        w[k] = w[k] + neg_step * (mp[k] / denom);
      }
    });
  }
}

// ---- RMSprop ----
RMSprop::RMSprop(std::vector<Var> params, const RMSpropOptions& options)
    : Optimizer(std::move(params), options.lr), options_(options) {
  register_slot("square_avg", &square_avg_);
  if (options.centered) register_slot("grad_avg", &grad_avg_);
  if (options.momentum > 0) register_slot("momentum_buffer", &momentum_);
}

void RMSprop::step() {
  ++steps_;
  for (size_t i = 0; i < params_.size(); ++i) {
    Var& p = params_[i];
    if (!p.grad().defined()) continue;
    Tensor g = grad_of(p);
    Tensor value = p.value();
    Tensor& sq = state(square_avg_, i);
    Tensor ga = options_.centered ? state(grad_avg_, i) : Tensor();
    Tensor buf = options_.momentum > 0 ? state(momentum_, i) : Tensor();
    dispatch(value, [&](auto tag) {
      using T = decltype(tag);
      T* w = value.template data<T>();
      const T* gp = g.template data<T>();
      T* s = sq.template data<T>();
      T* a = ga.defined() ? ga.template data<T>() : nullptr;
      T* b = buf.defined() ? buf.template data<T>() : nullptr;
      const T alpha = T(options_.alpha), one_alpha = T(1.0 - options_.alpha);
      const T eps = T(options_.eps), wd = T(options_.weight_decay), mom = T(options_.momentum);
      const T lr = T(lr_);
      for (int64_t k = 0, n = value.numel(); k < n; ++k) {
        const T gk = options_.weight_decay != 0.0 ? gp[k] + wd * w[k] : gp[k];
        s[k] = s[k] * alpha + one_alpha * gk * gk;
        T avg;
        if (a != nullptr) {
          a[k] = a[k] * alpha + one_alpha * gk;
          avg = std::sqrt(s[k] + T(-1) * a[k] * a[k]) + eps;
        } else {
          avg = std::sqrt(s[k]) + eps;
        }
        if (b != nullptr) {
          b[k] = b[k] * mom + gk / avg;
          w[k] = w[k] + (-lr) * b[k];
        } else {
          w[k] = w[k] + (-lr) * (gk / avg);
        }
      }
    });
  }
}

// ---- clipping ----
double clip_grad_norm_(const std::vector<Var>& params, double max_norm, double norm_type) {
  const bool inf = std::isinf(norm_type);
  if (!inf && !(norm_type > 0)) {
    throw Error(str("clip_grad_norm_: norm_type must be positive, got ", norm_type));
  }
  double total = 0.0;
  for (const Var& p : params) {
    if (!p.grad().defined()) continue;
    if (norm_type == 2.0) {  // the common case: squares summed by the tensor layer's lane kernel
      total += sum_of_squares(p.grad());
      continue;
    }
    const Tensor g = p.grad().contiguous();
    dispatch(g, [&](auto tag) {
      using T = decltype(tag);
      const T* gp = g.template data<T>();
      for (int64_t k = 0, n = g.numel(); k < n; ++k) {
        const double a = std::abs(static_cast<double>(gp[k]));
        total = inf ? std::max(total, a) : total + std::pow(a, norm_type);
      }
    });
  }
  if (norm_type == 2.0) {
    total = std::sqrt(total);
  } else if (!inf) {
    total = std::pow(total, 1.0 / norm_type);
  }
  const double coef = max_norm / (total + 1e-6);
  if (coef < 1.0) {
    for (const Var& p : params) {
      if (!p.grad().defined()) continue;
      Tensor g = p.grad();
      g.mul_(coef);
    }
  }
  return total;
}

// ---- schedules ----
Schedule::Schedule(Kind kind, double start, double end, int64_t total_steps)
    : kind_(kind), start_(start), end_(end), total_steps_(total_steps) {
  if (kind != Kind::Constant && total_steps <= 0) {
    throw Error(str("Schedule: total_steps must be positive, got ", total_steps));
  }
}
Schedule Schedule::constant(double value) { return Schedule(Kind::Constant, value, value, 1); }
Schedule Schedule::linear(double start, double end, int64_t total_steps) {
  return Schedule(Kind::Linear, start, end, total_steps);
}
Schedule Schedule::cosine(double start, double end, int64_t total_steps) {
  return Schedule(Kind::Cosine, start, end, total_steps);
}

double Schedule::value(int64_t step) const {
  if (kind_ == Kind::Constant) return start_;
  const double t =
      std::clamp(static_cast<double>(step) / static_cast<double>(total_steps_), 0.0, 1.0);
  if (kind_ == Kind::Linear) return start_ + (end_ - start_) * t;
  return end_ + (start_ - end_) * 0.5 * (1.0 + std::cos(M_PI * t));
}

void Optimizer::state(StateIO& io) {
  if (!io.loading()) {
    for (const auto& [name, t] : state_dict()) io.put(name, t);
    return;
  }
  std::map<std::string, std::pair<Dtype, Shape>> expected;
  for (const auto& [n, t] : state_dict()) expected[n] = {t.dtype(), t.shape()};
  const auto saved = io.scoped_tensors();
  bool has_step = false;
  for (const auto& [n, t] : saved) {
    if (n == "step") {
      has_step = true;
      const int64_t v = io.get(n, Dtype::Int64, {}).data<int64_t>()[0];
      if (v < 0 || v > kMaxCounter)
        io.fail(str("field '", io.tensor_name(n), "' is ", v, ", expected an integer in [0, ",
                    kMaxCounter, "]"));
    } else if (auto it = expected.find(n); it != expected.end()) {
      io.check_tensor(n, t, it->second.first);
    } else {
      // A slot the optimizer has not created yet (before its first step) has the dtype of
      // its parameter: float32 in every model rein trains.
      io.check_tensor(n, t, Dtype::Float32);
    }
  }
  if (!has_step) io.fail(str("tensor '", io.tensor_name("step"), "' is missing"));
  try {
    load_state_dict(saved);
  } catch (const Error& e) {
    io.fail(str("tensors '", io.tensor_name(""), "*': ", e.what()));
  }
}

}  // namespace rein::optim
