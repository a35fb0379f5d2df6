// rein::nn::Module: the base of layers and models, with named, recursive parameters and buffers
// (torch.nn.Module), train()/eval() and a state dict for checkpoints.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/var.h"

namespace rein {
class StateIO;
}

namespace rein::nn {

// Names are dotted paths as in PyTorch: "0.weight", "actor.2.bias".
using NamedVars = std::vector<std::pair<std::string, Var>>;
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// Ownership: a module owns its parameter cells (Vars) and buffers; children are held by
// shared_ptr because sharing is the design (a model keeps a handle on a submodule it also put
// in a Sequential). Modules are not copyable: copy weights with
// load_state_dict(other.state_dict()). Thread-safety: none; one thread uses a module at a time
// (forward under no_grad included).
class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // One-input forward. The default throws rein::Error: modules with other signatures define
  // their own methods instead.
  virtual Var forward(const Var& x);
  Var operator()(const Var& x) { return forward(x); }
  // Short type name for messages and printing ("Linear", "Sequential").
  virtual std::string name() const { return "Module"; }

  // Recursive, in registration order: own entries first, then each child's with its prefix.
  std::vector<Var> parameters() const;
  NamedVars named_parameters() const;
  NamedTensors named_buffers() const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const;
  int64_t num_parameters() const;  // total elements

  // Parameters then buffers, by name; the tensors share storage with the module.
  NamedTensors state_dict() const;
  // Copies values into this module's parameters and buffers (in place). Throws rein::Error
  // naming every missing, unexpected and mis-shaped entry (dtype is converted).
  void load_state_dict(const NamedTensors& state);
  // Checkpoint state (tensor/state_io.h): the state_dict() tensors by name. Loading checks
  // each tensor's dtype and finite values, then load_state_dict's names and shapes; throws
  // rein::Error "<what>: tensors '<scope>*': ..." naming what was wrong.
  void state(StateIO& io);

  // Training mode, recursively (affects modules that behave differently, e.g. dropout).
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Drops every parameter's gradient.
  void zero_grad();

 protected:
  // Registers a trainable leaf (requires_grad true) and returns its handle.
  Var register_parameter(const std::string& name, Tensor value);
  // Registers a non-trainable tensor saved in the state dict (running statistics and the like).
  Tensor register_buffer(const std::string& name, Tensor value);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  void collect(const std::string& prefix, NamedVars* params, NamedTensors* buffers) const;

  NamedVars params_;
  NamedTensors buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace rein::nn
