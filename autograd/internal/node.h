// The graph cell behind rein::Var and the helpers every op implementation uses to record
// itself. A cell is value + gradient + (for op results) a plain function pointer for backward,
// its inputs and a few saved values: one allocation per op, no std::function.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "autograd/var.h"
#include "tensor/tensor.h"

namespace rein::internal {

struct VarImpl;
// Reads self.grad (the gradient of the output, same shape as self.value) and accumulates the
// gradients of self's inputs with accumulate_grad().
using BackwardFn = void (*)(VarImpl& self);

struct VarImpl {
  VarImpl();
  ~VarImpl();  // frees input chains iteratively (no deep recursion on long graphs)
  VarImpl(const VarImpl&) = delete;
  VarImpl& operator=(const VarImpl&) = delete;

  Tensor value;
  Tensor grad;
  BackwardFn backward = nullptr;  // null for leaves and for nodes already released
  const char* op = "leaf";
  bool requires_grad = false;
  bool is_leaf = true;
  bool grad_owned = false;  // grad's storage is this cell's alone: safe to add into in place
  bool retains_grad = false;
  bool released = false;  // backward ran without retain_graph: saved state is gone
  uint32_t visit = 0;     // topological-sort mark (epoch of the last backward that saw it)

  // Inputs (only those that may need a gradient are kept; others are null).
  std::array<std::shared_ptr<VarImpl>, 3> inputs;
  std::vector<std::shared_ptr<VarImpl>> more_inputs;  // cat/stack beyond three

  // Saved for backward, meaning per op.
  Tensor saved0;
  Tensor saved1;
  double s0 = 0.0;
  double s1 = 0.0;
  int64_t i0 = 0;
  int64_t i1 = 0;
  Shape shape0;

  VarImpl* input(size_t i) const { return i < 3 ? inputs[i].get() : more_inputs[i - 3].get(); }
  size_t num_inputs() const { return 3 + more_inputs.size(); }
  // Drops saved state and moves the inputs into `graveyard` (the caller frees them once no
  // raw pointer into the graph is in use).
  void release(std::vector<std::shared_ptr<VarImpl>>* graveyard);
};

// True when the op should record a node: grad mode on and some input requires grad.
bool should_record(const Var& a);
bool should_record(const Var& a, const Var& b);
bool should_record(const Var& a, const Var& b, const Var& c);

// A result Var with no node (value only).
Var make_constant(Tensor value);
// A result Var with a node: requires_grad true, inputs stored where they require grad.
Var make_result(Tensor value, const char* op, BackwardFn backward, const Var& a);
Var make_result(Tensor value, const char* op, BackwardFn backward, const Var& a, const Var& b);
Var make_result(Tensor value, const char* op, BackwardFn backward, const Var& a, const Var& b,
                const Var& c);

// Adds g (shape of in.value) into in.grad. `owned`: g's storage is fresh and used by nobody
// else, so it may become in.grad and be added into later without a copy. Null `in` (an input
// that did not require grad) is ignored.
void accumulate_grad(VarImpl* in, Tensor g, bool owned);

inline bool needs_grad(const VarImpl* in) { return in != nullptr && in->requires_grad; }

}  // namespace rein::internal
