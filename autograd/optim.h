// Optimizers of rein::optim (torch.optim 1.13 update rules, checked against PyTorch fixtures),
// gradient clipping and learning-rate / parameter schedules.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "autograd/var.h"
#include "tensor/worker.h"

namespace rein {
class StateIO;
}

namespace rein::optim {

// Holds handles to the parameters it updates (shared with the model) and its per-parameter
// state. step() reads each parameter's grad() and writes its value() in place; parameters whose
// grad is undefined are skipped (as PyTorch). Thread-safety: none.
class Optimizer {
 public:
  explicit Optimizer(std::vector<Var> params, double lr);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  virtual void step() = 0;
  virtual std::string name() const = 0;
  // Drops every parameter's gradient (set_to_none, PyTorch's default since 2.0).
  void zero_grad();

  double lr() const { return lr_; }
  void set_lr(double lr) { lr_ = lr; }
  const std::vector<Var>& params() const { return params_; }
  int64_t step_count() const { return steps_; }

  // State for checkpoints: named tensors ("step", "exp_avg.3", ...) sharing storage with the
  // optimizer, and a loader that copies them back (throws rein::Error naming missing or
  // mis-shaped entries).
  virtual std::vector<std::pair<std::string, Tensor>> state_dict() const;
  virtual void load_state_dict(const std::vector<std::pair<std::string, Tensor>>& state);
  // Checkpoint state (tensor/state_io.h): state_dict() by name. Loading checks "step" (an
  // int64 scalar in [0, kMaxCounter]) and each slot tensor's dtype and finite values, then
  // load_state_dict's names and shapes.
  void state(StateIO& io);

 protected:
  // Per-parameter state buffers, created lazily (zeros like the parameter).
  Tensor& state(std::vector<Tensor>& slot, size_t i);
  // Named slots for state_dict(); subclasses register theirs in their constructor.
  void register_slot(const std::string& name, std::vector<Tensor>* slot);

  std::vector<Var> params_;
  double lr_;
  int64_t steps_ = 0;

 private:
  std::vector<std::pair<std::string, std::vector<Tensor>*>> slots_;
};

struct SGDOptions {
  double lr = 1e-2;
  double momentum = 0.0;      // heavy-ball coefficient (0 = plain SGD)
  double dampening = 0.0;     // scales the new gradient in the momentum buffer by (1 - dampening)
  double weight_decay = 0.0;  // L2 penalty added to the gradient
  bool nesterov = false;      // needs momentum > 0 and dampening 0
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Var> params, const SGDOptions& options = {});
  void step() override;
  std::string name() const override { return "SGD"; }

 private:
  SGDOptions options_;
  std::vector<Tensor> momentum_;
};

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;    // first-moment decay
  double beta2 = 0.999;  // second-moment decay
  double eps = 1e-8;     // added to sqrt(v_hat), after bias correction (as torch.optim.Adam)
  double weight_decay = 0.0;
  // false: L2 (weight_decay * p added to the gradient, torch.optim.Adam);
  // true: decoupled p *= 1 - lr * weight_decay before the update (torch.optim.AdamW).
  bool decoupled_weight_decay = false;
};

// Adam (Kingma & Ba 2015) with bias correction; one fused loop per parameter.
class Adam : public Optimizer {
 public:
  Adam(std::vector<Var> params, const AdamOptions& options = {});
  void step() override { step(nullptr); }
  // The same step with the parameters split in two halves of about equal size, the second
  // half updated on `worker` (none: on this thread). Each element's update is the same
  // arithmetic either way, so the result is bit for bit that of step().
  void step(Worker* worker);
  std::string name() const override { return options_.decoupled_weight_decay ? "AdamW" : "Adam"; }
  const AdamOptions& options() const { return options_; }

 private:
  void update(size_t begin, size_t end, double step_size, double bc2_sqrt);

  AdamOptions options_;
  std::vector<Tensor> exp_avg_;
  std::vector<Tensor> exp_avg_sq_;
};

struct RMSpropOptions {
  double lr = 1e-2;
  double alpha = 0.99;  // smoothing of the squared-gradient average
  double eps = 1e-8;    // added to the root (after the centring)
  double weight_decay = 0.0;
  double momentum = 0.0;
  bool centered = false;  // divide by the estimated variance instead of the raw second moment
};

class RMSprop : public Optimizer {
 public:
  RMSprop(std::vector<Var> params, const RMSpropOptions& options = {});
  void step() override;
  std::string name() const override { return "RMSprop"; }

 private:
  RMSpropOptions options_;
  std::vector<Tensor> square_avg_;
  std::vector<Tensor> grad_avg_;
  std::vector<Tensor> momentum_;
};

// Scales all gradients together so that their global norm is at most max_norm; returns the
// norm before clipping (torch.nn.utils.clip_grad_norm_, factor max_norm / (norm + 1e-6), applied
// only when below 1). An infinite max_norm only measures. norm_type: any p > 0 or infinity
// (std::numeric_limits<double>::infinity()); throws otherwise. Undefined grads are skipped. The
// L2 norm (the default, what every rein agent uses) sums each gradient's squares with
// rein::sum_of_squares (double lanes, deterministic) and adds them in parameter order.
double clip_grad_norm_(const std::vector<Var>& params, double max_norm, double norm_type = 2.0);

// A value that depends on the step: a learning rate, an exploration epsilon, a clip range.
// Value type; copyable. value(step) for step in [0, total_steps]; past the end it stays at end.
class Schedule {
 public:
  enum class Kind { Constant, Linear, Cosine };
  static Schedule constant(double value);
  // start at step 0 -> end at total_steps, linearly (PPO's annealed lr: linear(lr, 0, updates)).
  static Schedule linear(double start, double end, int64_t total_steps);
  // start -> end along half a cosine (SGDR without restarts).
  static Schedule cosine(double start, double end, int64_t total_steps);

  double value(int64_t step) const;
  double operator()(int64_t step) const { return value(step); }
  Kind kind() const { return kind_; }

 private:
  Schedule(Kind kind, double start, double end, int64_t total_steps);
  Kind kind_;
  double start_;
  double end_;
  int64_t total_steps_;
};

}  // namespace rein::optim
