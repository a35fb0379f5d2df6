// rein::envs::Env, the environment interface with Gymnasium 1.x semantics, and the small value
// types it trades in: Kwargs (constructor arguments), Action (a non-owning view of one action),
// Info (the per-step extras) and the results of reset() and step().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envs/np_random.h"
#include "envs/render.h"
#include "envs/spaces.h"
#include "tensor/generator.h"
#include "tensor/tensor.h"

namespace rein::envs {

// Constructor arguments of make() and reset options, as text ("g" -> "9.81"): the same map comes
// from C++ code, `--env-arg key=value` and config files. Envs parse them with KwargsReader.
using Kwargs = std::map<std::string, std::string, std::less<>>;

// Reads typed values out of Kwargs and rejects unknown keys, so that a typo in --env-arg is an
// error instead of a silently ignored argument. Typical use in an env constructor:
//   KwargsReader kw("Pendulum-v1", kwargs);
//   g_ = kw.get_double("g", 10.0);
//   kw.finish();  // throws: "Pendulum-v1: unknown argument 'gg' (accepted: g)"
class KwargsReader {
 public:
  // `noun` names a key in messages: "argument" for make() kwargs, "option" for reset options.
  KwargsReader(std::string_view owner, const Kwargs& kwargs, std::string_view noun = "argument");
  double get_double(std::string_view key, double fallback);
  // Whether get_double_in's range includes its ends: [low, high] or (low, high).
  enum class Ends : uint8_t { Closed, Open };
  // As get_double, and throws rein::Error unless low <= value <= high (low < value < high with
  // Ends::Open; NaN never is), naming the value and the range, then `why` (what a value outside
  // would break). The fallback is not checked. For the values Gymnasium takes but that make an
  // env's state NaN, hang or never end, and for Gymnasium's own bounds.
  double get_double_in(std::string_view key, double fallback, double low, double high,
                       std::string_view why, Ends ends = Ends::Closed);
  int64_t get_int(std::string_view key, int64_t fallback);
  bool get_bool(std::string_view key, bool fallback);  // true/false/1/0/yes/no, any case
  std::string get_string(std::string_view key, std::string fallback);
  std::optional<std::string> get_optional(std::string_view key);
  // Throws rein::Error naming every key that was never read, and the accepted keys.
  void finish() const;

 private:
  std::string owner_;
  std::string noun_;
  const Kwargs& kwargs_;
  std::vector<std::string> accepted_;
};

// One value of an env's physical state as set_state() takes it: its name and the largest
// magnitude the env's step handles (beyond it an observation or reward overflows, or the step
// never ends).
struct StateValue {
  std::string_view name;
  double limit;
};

// For set_state(): throws rein::Error unless `state` has one value per entry of `values`, each
// finite and within [-limit, limit] (NaN never is). The message names `owner`, the value, its
// range and `why` (what a value outside would break).
void check_state(std::string_view owner, std::span<const double> state,
                 std::span<const StateValue> values, std::string_view why);

// One action, viewed without copying: a discrete index (Discrete), float32 values (Box) or int64
// values (MultiDiscrete). The span constructors borrow: the data must outlive the step() call.
//   env.step(1);                                   // Discrete
//   float a[1] = {0.5f}; env.step(std::span(a));   // Box
class Action {
 public:
  enum class Kind : uint8_t { Discrete, Continuous, MultiDiscrete };

  Action(int64_t index) : kind_(Kind::Discrete), index_(index) {}  // NOLINT: implicit
  Action(int index) : Action(static_cast<int64_t>(index)) {}       // NOLINT
  Action(std::span<const float> values)                            // NOLINT
      : kind_(Kind::Continuous), floats_(values.data()), size_(values.size()) {}
  Action(std::span<const int64_t> values)  // NOLINT
      : kind_(Kind::MultiDiscrete), ints_(values.data()), size_(values.size()) {}
  Action(const std::vector<float>& v) : Action(std::span<const float>(v)) {}      // NOLINT
  Action(const std::vector<int64_t>& v) : Action(std::span<const int64_t>(v)) {}  // NOLINT
  // A view of a contiguous tensor: a one-element int64 tensor is a discrete index, other int64
  // tensors are MultiDiscrete values, float32 tensors are continuous. Throws on other dtypes.
  static Action from_tensor(const Tensor& t);

  Kind kind() const { return kind_; }
  bool is_discrete() const { return kind_ == Kind::Discrete; }
  int64_t index() const { return index_; }                                // Discrete only
  std::span<const float> values() const { return {floats_, size_}; }      // Continuous only
  std::span<const int64_t> int_values() const { return {ints_, size_}; }  // MultiDiscrete only
  std::string to_string() const;                                          // "1", "[0.5, -0.25]"

 private:
  Kind kind_;
  int64_t index_ = 0;
  const float* floats_ = nullptr;
  const int64_t* ints_ = nullptr;
  size_t size_ = 0;
};

// Throws rein::Error unless `action` fits `space` (kind, size, and for discrete kinds the range;
// continuous values are not bounds-checked, as Gymnasium's PassiveEnvChecker does not).
// `op` names the caller in the message, e.g. "CartPole-v1.step".
void check_action(const Space& space, const Action& action, std::string_view op);

// Extra per-step information (Gymnasium's info dict): a few named numbers or tensors. Empty is
// the common case and costs nothing; clear() keeps capacity, so envs that fill the same keys
// every step (Taxi's "action_mask", a Bool tensor of shape (6,)) do not allocate.
class Info {
 public:
  struct Entry {
    std::string key;
    double number = 0.0;
    Tensor tensor;  // defined() for tensor entries
  };

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  void clear() { entries_.clear(); }
  void set(std::string_view key, double value);
  void set(std::string_view key, const Tensor& value);  // stores the handle (no copy of data)
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  const Entry* find(std::string_view key) const;
  // Throw rein::Error naming the key and the keys present when absent or of the other kind.
  double number(std::string_view key) const;
  const Tensor& tensor(std::string_view key) const;
  const std::vector<Entry>& entries() const { return entries_; }
  std::string to_string() const;  // {"prob": 1, "action_mask": [1, 0, ...]}

 private:
  std::vector<Entry> entries_;
};

// What reset() returns. Both refer to buffers owned by the env: valid, and overwritten, until
// the env's next reset()/step(); clone() the observation to keep it.
struct ResetResult {
  const Tensor& obs;
  const Info& info;
};

// What step() returns (same lifetime rule as ResetResult).
//   auto [obs, reward, terminated, truncated, info] = env.step(action);
struct StepResult {
  const Tensor& obs;
  double reward;
  bool terminated;  // the MDP reached a terminal state: do not bootstrap
  bool truncated;   // cut short (time limit): bootstrap from obs
  const Info& info;
};

// What the registry knows about an id (Gymnasium's EnvSpec). make() attaches it to the env.
struct EnvSpec {
  std::string id{};
  std::optional<int64_t> max_episode_steps{};  // make() adds TimeLimit when set
  std::optional<double> reward_threshold{};    // return at which the task counts as solved
  Kwargs kwargs{};                             // defaults, overridden by make()'s kwargs
  std::string description{};                   // one line for `rein envs list`
  bool nondeterministic = false;               // same seed may not give the same episode
  std::string render_mode{};  // make()'s "render_mode" ("rgb_array", "ansi"); empty: none given
};

// Rendering capabilities (Gymnasium's metadata["render_modes"], "render_fps").
struct RenderInfo {
  bool draws = false;  // render(DrawList&) produces shapes (classic control)
  bool text = false;   // render_text() produces a text frame (toy text)
  int fps = 30;
};

// The environment interface. Semantics follow Gymnasium 1.x:
// - reset(seed) reseeds the env's generator when a seed is given; without one the stream
//   continues (and an env never seeded is seeded from std::random_device on its first reset).
// - step() after termination is undefined (as in Gymnasium); step() before the first reset()
//   is an error (make() adds OrderEnforcing).
// - Envs return truncated = false; time limits live in the TimeLimit wrapper.
// The steady-state step must not allocate: envs write into observation/info members sized in
// the constructor. Thread-safety: one thread at a time per env; distinct envs are independent.
class Env {
 public:
  Env() = default;
  virtual ~Env() = default;
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  // `options` are Gymnasium's reset options as text (e.g. CartPole "low"/"high").
  virtual ResetResult reset(std::optional<uint64_t> seed = std::nullopt,
                            const Kwargs& options = {}) = 0;
  virtual StepResult step(const Action& action) = 0;

  const Space& observation_space() const { return observation_space_; }
  const Space& action_space() const { return action_space_; }

  // Drawing in world coordinates (see envs/render.h). The default draws render_text() as text.
  virtual void render(DrawList& out) const;
  // A text frame (Gymnasium's "ansi" mode). Default throws rein::Error: no text rendering.
  virtual std::string render_text() const;
  virtual RenderInfo render_info() const { return {}; }
  // The frame as an RGB image (Gymnasium's render() with render_mode="rgb_array"): render()
  // drawn by the software rasteriser at the viewport's pixel size. Throws rein::Error naming
  // the env when it can neither draw nor render text. `out` keeps its capacity between frames.
  void render_rgb(RgbImage& out) const;
  RgbImage render_rgb() const;

  // The physical state, as Gymnasium's unwrapped.state / unwrapped.s, for `rein envs rollout
  // --state` and tests: set_state() replaces it after a reset (the observation returned by the
  // next step follows from it); state() reads it. Defaults throw rein::Error (not supported).
  virtual void set_state(std::span<const double> state);
  virtual std::vector<double> state() const;

  // Wrappers forward to the env they wrap; a plain env is its own unwrapped().
  virtual Env& unwrapped() { return *this; }
  virtual const Env& unwrapped() const { return *this; }
  // A short name for messages ("CartPole-v1" once made through the registry).
  std::string name() const;

  // Set by make(); nullopt for an env constructed directly.
  const std::optional<EnvSpec>& spec() const { return spec_; }
  void set_spec(EnvSpec spec) { spec_ = std::move(spec); }

  // The env's random stream, Gymnasium's np_random: reset(seed) makes it NumPy's
  // default_rng(seed), so start states equal Gymnasium's bit for bit.
  NpRandom& rng() { return rng_; }

 protected:
  // Call at the top of reset(), like Gymnasium's super().reset(seed=seed).
  void seed_rng(std::optional<uint64_t> seed);

  Space observation_space_;
  Space action_space_;
  Info info_;  // the info most envs return; cleared/filled in place

 private:
  NpRandom rng_{0};
  bool seeded_ = false;
  std::optional<EnvSpec> spec_;
};

}  // namespace rein::envs
