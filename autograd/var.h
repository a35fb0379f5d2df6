// rein::Var, a differentiable value recorded on a define-by-run graph (as torch.Tensor with
// requires_grad), the reverse pass backward(), and the thread-local no-grad mode.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tensor/tensor.h"

namespace rein {

namespace internal {
struct VarImpl;
}

// A Var holds a value tensor, its gradient, and (for results of ops) the node that made it.
//
// Ownership: Var is a cheap handle (one shared_ptr); copies share the same value, gradient and
// node, like torch.Tensor. A result points to its inputs, never to its outputs, so the graph lives
// exactly as long as a Var that can reach it; backward() frees it unless retain_graph is set.
// Values are read by backward: do not modify a value in place between forward and backward
// (rein does not track versions as PyTorch does; optimizers update parameters after backward).
//
// Thread-safety: none. One thread builds and differentiates a graph at a time; different threads
// may use disjoint graphs (the no-grad flag is per thread).
//
// A default-constructed Var is undefined (defined() == false). A Tensor converts implicitly to a
// constant Var (requires_grad false), so ops take tensors where a Var is expected.
class Var {
 public:
  Var() = default;
  Var(Tensor value, bool requires_grad = false);  // NOLINT(google-explicit-constructor)

  bool defined() const { return impl_ != nullptr; }
  // The value. Writing through it (optimizer steps, init) is seen by every copy of this Var.
  const Tensor& value() const;
  // PyTorch's spelling of value(): v.data().
  const Tensor& data() const { return value(); }
  // Replaces the value tensor (same shape not required); used by load_state_dict-like code.
  void set_value(Tensor value);

  // Gradient accumulated by backward(); undefined until the first backward reaches this Var
  // and after zero_grad(). Same shape and dtype as value(). Non-leaf Vars keep their gradient
  // only after retain_grad().
  const Tensor& grad() const;
  void set_grad(Tensor grad);  // grad must match value's shape and dtype, or be undefined
  // Drops the gradient (PyTorch's zero_grad(set_to_none=True)).
  void zero_grad();

  bool requires_grad() const;
  // Only on leaves (Vars not produced by a recorded op). Returns *this.
  Var& requires_grad_(bool requires_grad = true);
  // True when this Var was not produced by a recorded op (parameters, inputs, constants).
  bool is_leaf() const;
  // Keep the gradient of a non-leaf Var after backward (torch.Tensor.retain_grad).
  void retain_grad();
  // A new leaf Var sharing the value's storage, with no gradient and requires_grad false.
  Var detach() const;
  // Name of the op that produced this Var ("mul", "linear", ...), or "leaf".
  const char* op_name() const;

  // Convenience accessors of value().
  const Shape& shape() const { return value().shape(); }
  int64_t dim() const { return value().dim(); }
  int64_t size(int64_t d) const { return value().size(d); }
  int64_t numel() const { return value().numel(); }
  Dtype dtype() const { return value().dtype(); }
  double item() const { return value().item(); }

  // Reverse pass. See rein::backward below.
  void backward(bool retain_graph = false) const;
  void backward(const Tensor& grad_output, bool retain_graph = false) const;

  // Identity of the underlying value-and-gradient cell (copies compare equal).
  bool is_same(const Var& other) const { return impl_ == other.impl_; }

  // For the implementation of ops (autograd/internal): the shared cell.
  explicit Var(std::shared_ptr<internal::VarImpl> impl) : impl_(std::move(impl)) {}
  internal::VarImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<internal::VarImpl>& impl_ptr() const { return impl_; }

 private:
  std::shared_ptr<internal::VarImpl> impl_;
};

// Computes d(output)/d(leaf) for every leaf reachable from `output` that requires grad and adds
// it into the leaf's grad() (gradients accumulate across calls until zero_grad()).
// The one-argument form needs a one-element output (seed 1); otherwise pass grad_output of the
// output's shape and dtype. Unless retain_graph, the graph behind `output` is freed afterwards,
// and a second backward through it throws rein::Error. Throws if output does not require grad.
void backward(const Var& output, bool retain_graph = false);
void backward(const Var& output, const Tensor& grad_output, bool retain_graph = false);

// Gradient recording mode, one flag per thread (the one documented hidden global of rein).
// While it is off, ops compute values only: results have requires_grad false and no node.
bool is_grad_enabled();
void set_grad_enabled(bool enabled);

// RAII: disables recording on this thread for its lifetime and restores the previous mode
// (torch.no_grad(); C++ libtorch calls it NoGradGuard). Nests.
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};
// PyTorch's spelling: `rein::no_grad guard;`.
using no_grad = NoGradGuard;

// RAII: sets the mode to `enabled` (torch.set_grad_enabled / enable_grad) and restores it.
class GradModeGuard {
 public:
  explicit GradModeGuard(bool enabled);
  ~GradModeGuard();
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool previous_;
};

// Number of graph cells currently alive in this process (for tests that show the graph is freed).
int64_t live_var_count();

}  // namespace rein
