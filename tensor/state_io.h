// StateIO: one declaration of an object's checkpoint state serves both saving and loading. A
// stateful object writes one function, state(StateIO& io), that names each piece of its state
// once; the same call saves it (io.loading() is false: values are read from the references it is
// given) or loads it (values are checked and written through them):
//
//   void ReplayRing::state(StateIO& io) {
//     io.integer("transitions", transitions_, 0, capacity_);  // JSON field
//     io.tensor("rewards", rewards_);                          // tensor "<scope>rewards"
//     io.object("tree", tree_);                                // tree_.state(io.object("tree"))
//   }
//
// State is a JSON object (numbers, strings, arrays) and a list of named tensors. A nested
// object(key) scopes both: its fields live in the JSON member `key` and its tensors are named
// "<key>.<name>"; the JSON member is only created when a field is written in it, so an object
// of tensors alone (a module's weights) adds nothing to the JSON.
//
// Loading treats the state as untrusted input (a file can be truncated, bit-flipped or crafted):
// every value is checked for presence, type, size, range and integrality before it is stored,
// and every tensor for dtype, shape and finite values. Errors are rein::Error naming the field,
// the value and what was expected:
//   "dqn state: field 'replay.pos[0]' is 100000000, expected an integer in [0, 499]"
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "tensor/tensor.h"

namespace rein {

using NamedTensorList = std::vector<std::pair<std::string, Tensor>>;

// Counters (steps, updates) are read through this range: large enough for any real run, small
// enough that adding a batch of steps never overflows.
inline constexpr int64_t kMaxCounter = int64_t{1} << 53;

// A handle: copies share the state being written or read. Thread-safety: one thread at a time.
class StateIO {
 public:
  // Saving: collects the JSON object and the tensors (json(), tensors()). `what` prefixes
  // errors ("dqn state").
  explicit StateIO(std::string what);
  // Loading: parses `json` (an object) and borrows `tensors`, which must outlive the StateIO.
  StateIO(std::string what, const std::string& json, const NamedTensorList& tensors);
  ~StateIO();
  StateIO(const StateIO&);
  StateIO& operator=(const StateIO&);

  bool loading() const;
  const std::string& what() const;
  // What was saved: the JSON object's text and the tensors in the order they were declared.
  std::string json() const;
  const NamedTensorList& tensors() const;

  // The nested object `key` (see above); saving creates its JSON member on first write, loading
  // requires it to be an object when a field of it is read.
  StateIO object(const std::string& key) const;
  // Declares `obj`'s state (obj.state(StateIO&)) inside object(key).
  template <class T>
  void object(const std::string& key, T& obj) const {
    StateIO inner = object(key);
    obj.state(inner);
  }
  // The member `key` as an array of exactly `size` objects (fields "key[i].field").
  std::vector<StateIO> objects(const std::string& key, size_t size) const;
  // Loading: true when the member `key` is present and not null. Saving: true.
  bool has(const std::string& key) const;
  // Saving: writes null at `key` (a piece of state this run could not save). Loading: nothing.
  void null(const std::string& key) const;

  // JSON values: saved from `v`, or loaded into `v` when in [lo, hi] (and of `size` elements).
  void integer(const std::string& key, int64_t& v, int64_t lo, int64_t hi) const;
  void number(const std::string& key, double& v, double lo = std::numeric_limits<double>::lowest(),
              double hi = std::numeric_limits<double>::max()) const;
  void integers(const std::string& key, std::vector<int64_t>& v, std::optional<size_t> size,
                int64_t lo, int64_t hi) const;
  void numbers(const std::string& key, std::vector<double>& v, std::optional<size_t> size,
               double lo = std::numeric_limits<double>::lowest(),
               double hi = std::numeric_limits<double>::max()) const;
  void text(const std::string& key, std::string& v) const;
  // A random stream by its state string (tensor Generator, an env's NpRandom: 64 hex digits).
  template <class G>
  void generator(const std::string& key, G& gen) const {
    std::string s;
    if (!loading()) s = gen.state_string();
    text(key, s);
    if (!loading()) return;
    try {
      gen.set_state_string(s);
    } catch (const Error& e) {
      fail_value(key, str("a generator state (", e.what(), ")"));
    }
  }

  // The tensor "<scope><name>". Saving stores `t` (a handle: its current values are written
  // when the file is). Loading requires t's dtype and shape, finite values, and copies them
  // into t's storage.
  void tensor(const std::string& name, Tensor& t) const;
  // A vector saved as a tensor of `shape` (float32 for float, float64 for double, int64 for
  // int64_t, uint8 for uint8_t); loading checks it as tensor() does and replaces v's elements.
  template <class T>
  void tensor(const std::string& name, std::vector<T>& v, const Shape& shape) const;
  // Saving only: stores `t` as "<scope><name>".
  void put(const std::string& name, const Tensor& t) const;
  // Loading only: the tensor "<scope><name>", exactly `dtype` and `shape`, every float finite.
  Tensor get(const std::string& name, Dtype dtype, const Shape& shape) const;
  // Loading only: the int64 tensor "<scope><name>" of `count` elements, each in [lo, hi].
  std::vector<int64_t> get_integers(const std::string& name, int64_t count, int64_t lo,
                                    int64_t hi) const;
  // Loading only: every tensor of this scope, named without its prefix.
  NamedTensorList scoped_tensors() const;
  // Loading only: throws when tensor "<scope><name>" is not `dtype` or holds NaN or infinity.
  void check_tensor(const std::string& name, const Tensor& t, Dtype dtype) const;
  // Loading only: throws on a tensor whose name starts with none of `prefixes`.
  void only_tensors(const std::vector<std::string>& prefixes) const;

  // Throws rein::Error "<what>: field '<scope><key>' is <value>, expected <expected>".
  [[noreturn]] void fail_value(const std::string& key, const std::string& expected) const;
  // Throws rein::Error "<what>: <message>".
  [[noreturn]] void fail(const std::string& message) const;
  // "<scope prefix><name>": the full name of a tensor of this scope.
  std::string tensor_name(const std::string& name) const { return prefix_ + name; }

 private:
  struct Root;
  struct Step {
    std::string key;  // a member, or "" for array element `index`
    size_t index = 0;
  };
  StateIO(std::shared_ptr<Root> root, std::vector<Step> path, std::string field,
          std::string prefix);
  // The JSON node of this scope: created when saving, checked when loading.
  void* node(bool create) const;
  const void* member(const std::string& key) const;  // loading: throws when missing
  void* slot(const std::string& key) const;          // saving: the member to assign
  // Loading: the member `key`, an array (of `size` elements when given) of `noun`.
  const void* array(const std::string& key, std::optional<size_t> size, const char* noun) const;
  std::string field(const std::string& key) const { return field_ + key; }

  std::shared_ptr<Root> root_;
  std::vector<Step> path_;
  std::string field_;   // "" or "replay." or "envs[1]." (field names in messages)
  std::string prefix_;  // "" or "replay." (tensor names)
};

template <class T>
void StateIO::tensor(const std::string& name, std::vector<T>& v, const Shape& shape) const {
  if (!loading()) {
    put(name, from_vector(v, shape));
    return;
  }
  const Dtype dtype = std::is_same_v<T, float>     ? Dtype::Float32
                      : std::is_same_v<T, double>  ? Dtype::Float64
                      : std::is_same_v<T, uint8_t> ? Dtype::UInt8
                                                   : Dtype::Int64;
  const Tensor t = get(name, dtype, shape);
  v.assign(t.data<T>(), t.data<T>() + t.numel());
}

}  // namespace rein
