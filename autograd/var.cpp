// Var, the graph cell, backward() and grad mode.
#include "autograd/var.h"

#include <atomic>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include "autograd/internal/node.h"
#include "tensor/ops.h"

namespace rein {
namespace internal {
namespace {

// The live-cell count, kept per thread. Every op makes a cell and frees one, and a process-wide
// atomic counter costs a locked read-modify-write at each: as much as the rest of the cells of
// a batch-1 inference. A thread adds to a slot of its own with a plain load and store (atomic
// only so that live_var_count() may read it meanwhile). Cells made on one thread may be freed on
// another, so only the sum of the slots means anything: a slot keeps its count when its thread
// ends and goes to the next thread that starts counting.
struct LiveCellSlots {
  std::mutex mutex;
  std::deque<std::atomic<int64_t>> slots;  // addresses stay valid as it grows
  std::vector<std::atomic<int64_t>*> unused;
};
LiveCellSlots& live_cell_slots() {
  static auto* slots = new LiveCellSlots;  // never destroyed: cells may be freed after exit()
  return *slots;
}
// Where a thread counts once its slot has gone back: cells freed by its last thread_local
// destructors, or by static destructors at process exit.
std::atomic<int64_t> g_cells_counted_after_exit{0};
// Trivially destructible, so readable until the thread ends.
thread_local std::atomic<int64_t>* t_slot = nullptr;
thread_local bool t_slot_returned = false;

struct SlotLease {
  SlotLease() {
    LiveCellSlots& s = live_cell_slots();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.unused.empty()) {
      t_slot = &s.slots.emplace_back(0);
    } else {
      t_slot = s.unused.back();
      s.unused.pop_back();
    }
  }
  ~SlotLease() {
    LiveCellSlots& s = live_cell_slots();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.unused.push_back(t_slot);
    t_slot = nullptr;
    t_slot_returned = true;
  }
  SlotLease(const SlotLease&) = delete;
  SlotLease& operator=(const SlotLease&) = delete;
};

void count_cells(int64_t delta) {
  if (t_slot == nullptr && !t_slot_returned) {
    thread_local SlotLease lease;
  }
  if (std::atomic<int64_t>* slot = t_slot) {
    slot->store(slot->load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  } else {
    g_cells_counted_after_exit.fetch_add(delta, std::memory_order_relaxed);
  }
}

std::atomic<uint32_t> g_epoch{0};
thread_local bool t_grad_enabled = true;
// While a cell is being destroyed, cells released by it are parked here instead of being
// destroyed recursively (a chain of 100k ops would otherwise overflow the stack).
thread_local std::vector<std::shared_ptr<VarImpl>>* t_pending = nullptr;

void released_backward(VarImpl& self) {
  throw Error(str("backward: trying to backward through the graph a second time (through '",
                  self.op, "'); its saved values were freed by the first backward. Pass ",
                  "retain_graph = true to the first call if you need to."));
}

}  // namespace

VarImpl::VarImpl() { count_cells(1); }

VarImpl::~VarImpl() {
  count_cells(-1);
  bool any = false;
  for (auto& in : inputs) any |= in != nullptr;
  if (!any && more_inputs.empty()) return;
  if (t_pending != nullptr) {
    for (auto& in : inputs)
      if (in) t_pending->push_back(std::move(in));
    for (auto& in : more_inputs) t_pending->push_back(std::move(in));
    return;
  }
  std::vector<std::shared_ptr<VarImpl>> stack;
  t_pending = &stack;
  for (auto& in : inputs)
    if (in) stack.push_back(std::move(in));
  for (auto& in : more_inputs) stack.push_back(std::move(in));
  while (!stack.empty()) {
    std::shared_ptr<VarImpl> last = std::move(stack.back());
    stack.pop_back();
    last.reset();  // may push its own inputs onto `stack`
  }
  t_pending = nullptr;
}

void VarImpl::release(std::vector<std::shared_ptr<VarImpl>>* graveyard) {
  for (auto& in : inputs)
    if (in) graveyard->push_back(std::move(in));
  for (auto& in : more_inputs) graveyard->push_back(std::move(in));
  more_inputs.clear();
  saved0 = Tensor();
  saved1 = Tensor();
  backward = released_backward;
  released = true;
}

bool should_record(const Var& a) {
  return t_grad_enabled && a.defined() && a.impl()->requires_grad;
}
bool should_record(const Var& a, const Var& b) {
  return t_grad_enabled &&
         ((a.defined() && a.impl()->requires_grad) || (b.defined() && b.impl()->requires_grad));
}
bool should_record(const Var& a, const Var& b, const Var& c) {
  return should_record(a, b) || should_record(c);
}

Var make_constant(Tensor value) {
  auto impl = std::make_shared<VarImpl>();
  impl->value = std::move(value);
  return Var(std::move(impl));
}

namespace {
std::shared_ptr<VarImpl> keep(const Var& v) {
  return v.defined() && v.impl()->requires_grad ? v.impl_ptr() : nullptr;
}
std::shared_ptr<VarImpl> new_node(Tensor value, const char* op, BackwardFn backward) {
  auto impl = std::make_shared<VarImpl>();
  impl->value = std::move(value);
  impl->op = op;
  impl->backward = backward;
  impl->requires_grad = true;
  impl->is_leaf = false;
  return impl;
}
}  // namespace

Var make_result(Tensor value, const char* op, BackwardFn backward, const Var& a) {
  auto impl = new_node(std::move(value), op, backward);
  impl->inputs[0] = keep(a);
  return Var(std::move(impl));
}
Var make_result(Tensor value, const char* op, BackwardFn backward, const Var& a, const Var& b) {
  auto impl = new_node(std::move(value), op, backward);
  impl->inputs[0] = keep(a);
  impl->inputs[1] = keep(b);
  return Var(std::move(impl));
}
Var make_result(Tensor value, const char* op, BackwardFn backward, const Var& a, const Var& b,
                const Var& c) {
  auto impl = new_node(std::move(value), op, backward);
  impl->inputs[0] = keep(a);
  impl->inputs[1] = keep(b);
  impl->inputs[2] = keep(c);
  return Var(std::move(impl));
}

void accumulate_grad(VarImpl* in, Tensor g, bool owned) {
  if (!needs_grad(in)) return;
  REIN_ASSERT(g.shape() == in->value.shape());
  if (g.dtype() != in->value.dtype()) {
    g = g.to(in->value.dtype());
    owned = true;
  }
  if (!in->grad.defined()) {
    // Leaves hand their grad to users and optimizers, which write into it: give them a
    // contiguous buffer of their own.
    if (in->is_leaf && (!owned || !g.is_contiguous())) {
      g = g.clone();
      owned = true;
    }
    in->grad = std::move(g);
    in->grad_owned = owned;
    return;
  }
  if (in->grad_owned) {
    in->grad.add_(g);
  } else {
    in->grad = add(in->grad, g);
    in->grad_owned = true;
  }
}

}  // namespace internal

using internal::VarImpl;

Var::Var(Tensor value, bool requires_grad) : impl_(std::make_shared<VarImpl>()) {
  if (!value.defined()) throw Error("Var: the value tensor is undefined");
  if (requires_grad && !is_floating(value.dtype())) {
    throw Error(
        str("Var: only floating tensors can require grad, got ", dtype_name(value.dtype())));
  }
  impl_->value = std::move(value);
  impl_->requires_grad = requires_grad;
}

namespace {
VarImpl& checked(const std::shared_ptr<VarImpl>& impl, const char* what) {
  if (!impl) throw Error(str("Var::", what, ": the Var is undefined"));
  return *impl;
}
}  // namespace

const Tensor& Var::value() const { return checked(impl_, "value").value; }
void Var::set_value(Tensor value) {
  if (!value.defined()) throw Error("Var::set_value: the tensor is undefined");
  checked(impl_, "set_value").value = std::move(value);
}
const Tensor& Var::grad() const { return checked(impl_, "grad").grad; }
void Var::set_grad(Tensor grad) {
  VarImpl& impl = checked(impl_, "set_grad");
  if (grad.defined() &&
      (!(grad.shape() == impl.value.shape()) || grad.dtype() != impl.value.dtype())) {
    throw Error(str("Var::set_grad: gradient ", grad.shape(), " ", dtype_name(grad.dtype()),
                    " does not match the value ", impl.value.shape(), " ",
                    dtype_name(impl.value.dtype())));
  }
  impl.grad = std::move(grad);
  impl.grad_owned = false;
}
void Var::zero_grad() {
  VarImpl& impl = checked(impl_, "zero_grad");
  impl.grad = Tensor();
  impl.grad_owned = false;
}
bool Var::requires_grad() const { return checked(impl_, "requires_grad").requires_grad; }
Var& Var::requires_grad_(bool requires_grad) {
  VarImpl& impl = checked(impl_, "requires_grad_");
  if (!impl.is_leaf) {
    throw Error(
        str("Var::requires_grad_: only leaves can change requires_grad; this Var was "
            "made by '",
            impl.op, "' (use detach() first)"));
  }
  if (requires_grad && !is_floating(impl.value.dtype())) {
    throw Error(str("Var::requires_grad_: only floating tensors can require grad, got ",
                    dtype_name(impl.value.dtype())));
  }
  impl.requires_grad = requires_grad;
  return *this;
}
bool Var::is_leaf() const { return checked(impl_, "is_leaf").is_leaf; }
void Var::retain_grad() { checked(impl_, "retain_grad").retains_grad = true; }
Var Var::detach() const { return internal::make_constant(checked(impl_, "detach").value); }
const char* Var::op_name() const { return checked(impl_, "op_name").op; }
void Var::backward(bool retain_graph) const { rein::backward(*this, retain_graph); }
void Var::backward(const Tensor& grad_output, bool retain_graph) const {
  rein::backward(*this, grad_output, retain_graph);
}

void backward(const Var& output, bool retain_graph) {
  if (!output.defined()) throw Error("backward: the output Var is undefined");
  if (output.numel() != 1) {
    throw Error(
        str("backward: grad can be implicitly created only for one-element outputs; "
            "this output has shape ",
            output.shape(), " (pass grad_output)"));
  }
  backward(output, ones(output.shape(), output.dtype()), retain_graph);
}

void backward(const Var& output, const Tensor& grad_output, bool retain_graph) {
  if (!output.defined()) throw Error("backward: the output Var is undefined");
  VarImpl* root = output.impl();
  if (!root->requires_grad) {
    throw Error(
        "backward: the output does not require grad (no input required grad, or it "
        "was computed under no_grad)");
  }
  if (!(grad_output.shape() == root->value.shape()) || grad_output.dtype() != root->value.dtype()) {
    throw Error(str("backward: grad_output ", grad_output.shape(), " ",
                    dtype_name(grad_output.dtype()), " does not match the output ",
                    root->value.shape(), " ", dtype_name(root->value.dtype())));
  }
  // Topological order by iterative depth-first search (post-order), marking cells with a fresh
  // epoch instead of a hash set.
  const uint32_t epoch = internal::g_epoch.fetch_add(1, std::memory_order_relaxed) + 1;
  std::vector<VarImpl*> order;
  std::vector<std::pair<VarImpl*, size_t>> stack;
  root->visit = epoch;
  stack.emplace_back(root, 0);
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (node->backward != nullptr && next < node->num_inputs()) {
      VarImpl* in = node->input(next++);
      if (in != nullptr && in->requires_grad && in->visit != epoch) {
        in->visit = epoch;
        stack.emplace_back(in, 0);
      }
      continue;
    }
    order.push_back(node);
    stack.pop_back();
  }

  internal::accumulate_grad(root, grad_output, false);
  // Released inputs are parked here: `order` holds raw pointers that must stay valid.
  std::vector<std::shared_ptr<VarImpl>> graveyard;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    VarImpl* node = *it;
    if (node->is_leaf) continue;
    if (node->grad.defined() && node->backward != nullptr) {
      node->backward(*node);
      // The grad may now be shared with an input's: never add into it in place again.
      node->grad_owned = false;
    }
    if (!node->retains_grad) node->grad = Tensor();
    if (!retain_graph) node->release(&graveyard);
  }
}

bool is_grad_enabled() { return internal::t_grad_enabled; }
void set_grad_enabled(bool enabled) { internal::t_grad_enabled = enabled; }

NoGradGuard::NoGradGuard() : previous_(internal::t_grad_enabled) {
  internal::t_grad_enabled = false;
}
NoGradGuard::~NoGradGuard() { internal::t_grad_enabled = previous_; }

GradModeGuard::GradModeGuard(bool enabled) : previous_(internal::t_grad_enabled) {
  internal::t_grad_enabled = enabled;
}
GradModeGuard::~GradModeGuard() { internal::t_grad_enabled = previous_; }

int64_t live_var_count() {
  internal::LiveCellSlots& s = internal::live_cell_slots();
  std::lock_guard<std::mutex> lock(s.mutex);
  int64_t count = internal::g_cells_counted_after_exit.load(std::memory_order_relaxed);
  for (const auto& slot : s.slots) count += slot.load(std::memory_order_relaxed);
  return count;
}

}  // namespace rein
