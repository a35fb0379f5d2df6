// nn::Module: registration, recursive named parameters/buffers, state dicts, modes.
#include "autograd/module.h"

#include <map>

#include "tensor/ops.h"
#include "tensor/state_io.h"

namespace rein::nn {

Var Module::forward(const Var&) {
  throw Error(str(name(), ": this module has no one-input forward(Var); call its own methods"));
}

Var Module::register_parameter(const std::string& name, Tensor value) {
  if (name.empty() || name.find('.') != std::string::npos) {
    throw Error(str(this->name(), ": parameter name '", name, "' must be non-empty without '.'"));
  }
  Var v(std::move(value), true);
  params_.emplace_back(name, v);
  return v;
}

Tensor Module::register_buffer(const std::string& name, Tensor value) {
  if (name.empty() || name.find('.') != std::string::npos) {
    throw Error(str(this->name(), ": buffer name '", name, "' must be non-empty without '.'"));
  }
  buffers_.emplace_back(name, value);
  return value;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  if (!module) throw Error(str(this->name(), ": submodule '", name, "' is null"));
  if (name.empty() || name.find('.') != std::string::npos) {
    throw Error(str(this->name(), ": submodule name '", name, "' must be non-empty without '.'"));
  }
  children_.emplace_back(name, std::move(module));
}

void Module::collect(const std::string& prefix, NamedVars* params, NamedTensors* buffers) const {
  if (params != nullptr) {
    for (const auto& [n, v] : params_) params->emplace_back(prefix + n, v);
  }
  if (buffers != nullptr) {
    for (const auto& [n, t] : buffers_) buffers->emplace_back(prefix + n, t);
  }
  for (const auto& [n, child] : children_) child->collect(prefix + n + ".", params, buffers);
}

std::vector<Var> Module::parameters() const {
  std::vector<Var> out;
  for (auto& [n, v] : named_parameters()) out.push_back(v);
  return out;
}
NamedVars Module::named_parameters() const {
  NamedVars out;
  collect("", &out, nullptr);
  return out;
}
NamedTensors Module::named_buffers() const {
  NamedTensors out;
  collect("", nullptr, &out);
  return out;
}
std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_children() const {
  return children_;
}
int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (const Var& v : parameters()) n += v.numel();
  return n;
}

NamedTensors Module::state_dict() const {
  NamedVars params;
  NamedTensors out;
  collect("", &params, &out);
  NamedTensors all;
  for (auto& [n, v] : params) all.emplace_back(n, v.value());
  for (auto& entry : out) all.push_back(entry);
  return all;
}

void Module::load_state_dict(const NamedTensors& state) {
  std::map<std::string, const Tensor*> given;
  for (const auto& [n, t] : state) given[n] = &t;
  NamedTensors mine = state_dict();
  std::string missing, mismatched, unexpected;
  for (const auto& [n, t] : mine) {
    auto it = given.find(n);
    if (it == given.end()) {
      missing += (missing.empty() ? "" : ", ") + n;
    } else if (!(it->second->shape() == t.shape())) {
      mismatched += str(mismatched.empty() ? "" : ", ", n, " (expected ", t.shape(), ", got ",
                        it->second->shape(), ")");
    }
  }
  std::map<std::string, bool> known;
  for (const auto& [n, t] : mine) known[n] = true;
  for (const auto& [n, t] : state) {
    if (!known.count(n)) unexpected += (unexpected.empty() ? "" : ", ") + n;
  }
  if (!missing.empty() || !mismatched.empty() || !unexpected.empty()) {
    std::string msg = str("load_state_dict: state does not match ", name());
    if (!missing.empty()) msg += "; missing: " + missing;
    if (!unexpected.empty()) msg += "; unexpected: " + unexpected;
    if (!mismatched.empty()) msg += "; wrong shape: " + mismatched;
    throw Error(msg);
  }
  for (auto& [n, t] : mine) {
    Tensor dst = t;
    dst.copy_(*given[n]);
  }
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [n, child] : children_) child->train(on);
}

void Module::zero_grad() {
  for (Var& v : parameters()) v.zero_grad();
}

void Module::state(StateIO& io) {
  if (!io.loading()) {
    for (const auto& [name, t] : state_dict()) io.put(name, t);
    return;
  }
  std::map<std::string, Dtype> dtypes;
  for (const auto& [n, t] : state_dict()) dtypes[n] = t.dtype();
  const NamedTensors saved = io.scoped_tensors();
  for (const auto& [n, t] : saved)
    if (auto it = dtypes.find(n); it != dtypes.end()) io.check_tensor(n, t, it->second);
  try {
    load_state_dict(saved);
  } catch (const Error& e) {
    io.fail(str("tensors '", io.tensor_name(""), "*': ", e.what()));
  }
}

}  // namespace rein::nn
