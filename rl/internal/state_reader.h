// StateReader: the one way an agent reads its checkpoint state back. Everything in a checkpoint
// is untrusted input (a file can be truncated, bit-flipped or crafted), so every value is checked
// for presence, type, size, range and integrality before an agent uses it as a size, an index
// or a counter, and every tensor for dtype, shape and finite values before it is copied in.
// Errors name the field and the value and what was expected:
//   "dqn state: field 'replay.pos[0]' is 100000000, expected an integer in [0, 499]"
// (load_agent() prefixes the checkpoint file).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "autograd/module.h"
#include "autograd/optim.h"
#include "envs/np_random.h"
#include "tensor/generator.h"
#include "tensor/tensor.h"

namespace rein::rl::internal {

using NamedTensorList = std::vector<std::pair<std::string, Tensor>>;

// Counters (steps, updates) read through this range: large enough for any real run, small
// enough that adding a batch of steps never overflows.
inline constexpr int64_t kMaxCounter = int64_t{1} << 53;

// Borrows the tensors it is given (they must outlive the reader); owns the parsed JSON.
// Every accessor throws rein::Error "<what>: field '<path>' ..." on a value it refuses.
class StateReader {
 public:
  // `what` prefixes every message ("dqn state"); `json` is the agent's state object text.
  StateReader(std::string what, const std::string& json, const NamedTensorList& tensors);
  ~StateReader();
  StateReader(const StateReader&);

  // The member object `key`; its fields are named "<key>.<field>" in messages.
  StateReader object(const std::string& key) const;
  // The member `key` as an array of exactly `size` objects.
  std::vector<StateReader> objects(const std::string& key, size_t size) const;
  // True when `key` is present and not null.
  bool has(const std::string& key) const;

  int64_t integer(const std::string& key, int64_t lo, int64_t hi) const;
  // A finite number in [lo, hi].
  double number(const std::string& key, double lo = std::numeric_limits<double>::lowest(),
                double hi = std::numeric_limits<double>::max()) const;
  // An array of integers (of exactly `size` elements when given), each in [lo, hi].
  std::vector<int64_t> integers(const std::string& key, std::optional<size_t> size, int64_t lo,
                                int64_t hi) const;
  std::vector<double> numbers(const std::string& key, std::optional<size_t> size,
                              double lo = std::numeric_limits<double>::lowest(),
                              double hi = std::numeric_limits<double>::max()) const;
  std::string text(const std::string& key) const;
  // Restores `gen` from its state string (64 hex digits, not all zero; an env's NumPy stream:
  // NpRandom::state_string's form).
  void generator(const std::string& key, Generator& gen) const;
  void generator(const std::string& key, envs::NpRandom& gen) const;

  // The tensor `name`: exactly `dtype` and `shape`, every float finite. Contiguous.
  Tensor tensor(const std::string& name, Dtype dtype, const Shape& shape) const;
  bool has_tensor(const std::string& name) const;
  // The elements of tensor `name` (int64, `count` of them) each in [lo, hi].
  std::vector<int64_t> integer_tensor(const std::string& name, int64_t count, int64_t lo,
                                      int64_t hi) const;
  // Loads `module` from the tensors "<prefix><parameter name>": each of the parameter's dtype,
  // finite, with names and shapes as load_state_dict requires.
  void module(const std::string& prefix, nn::Module& module) const;
  // Loads `optimizer` from "<prefix>step" (an int64 scalar in [0, kMaxCounter]) and
  // "<prefix><slot>.<i>" (each the dtype and shape of parameter i, finite).
  void optimizer(const std::string& prefix, optim::Optimizer& optimizer) const;
  // Throws on a tensor whose name starts with none of `prefixes`.
  void only_tensors(const std::vector<std::string>& prefixes) const;

 private:
  template <typename G>
  void restore_generator(const std::string& key, G& gen) const;
  struct Root;
  StateReader(std::shared_ptr<const Root> root, const nlohmann::json* node, std::string path);
  const nlohmann::json& member(const std::string& key) const;
  std::string field(const std::string& key) const { return path_ + key; }
  [[noreturn]] void fail(const std::string& field, const std::string& value,
                         const std::string& expected) const;
  std::vector<std::pair<std::string, Tensor>> with_prefix(const std::string& prefix) const;
  void check_tensor(const std::string& name, const Tensor& t, Dtype dtype) const;

  std::shared_ptr<const Root> root_;
  const nlohmann::json* node_;  // an object inside root_->json
  std::string path_;            // "" or "replay." ...
};

}  // namespace rein::rl::internal
