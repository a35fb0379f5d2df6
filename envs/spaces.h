// Observation and action spaces with Gymnasium's names and meaning: Discrete, Box, MultiDiscrete,
// and Space, a value that holds any one of them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "envs/np_random.h"
#include "tensor/generator.h"
#include "tensor/tensor.h"

namespace rein::envs {

// {start, ..., start + n - 1}. Elements are int64 scalars (rank-0 int64 tensors); batched by a
// vector env they become int64 of shape (N,).
struct Discrete {
  int64_t n = 0;
  int64_t start = 0;

  Discrete() = default;
  explicit Discrete(int64_t n, int64_t start = 0);  // throws rein::Error if n <= 0
};

// A box in R^shape with per-element bounds (which may be +-infinity). Elements are tensors of
// `shape` and `dtype` (float32 unless told; float64 and int64 are allowed). Bounds are kept as
// double, flattened row-major, one per element.
struct Box {
  std::vector<double> low;
  std::vector<double> high;
  Shape shape;
  Dtype dtype = Dtype::Float32;

  Box() = default;
  // Scalar bounds broadcast to `shape`.
  Box(double low, double high, const Shape& shape, Dtype dtype = Dtype::Float32);
  // Per-element bounds; their size must equal shape.numel() (shape defaults to 1-D).
  Box(std::vector<double> low, std::vector<double> high, Dtype dtype = Dtype::Float32);
  Box(std::vector<double> low, std::vector<double> high, const Shape& shape,
      Dtype dtype = Dtype::Float32);

  bool is_bounded() const;  // every bound finite
};

// A vector of independent discrete values, element i in [0, nvec[i]). Elements are int64 of
// shape (nvec.size(),). A Gymnasium Tuple of Discretes (Blackjack's observation) maps onto this.
struct MultiDiscrete {
  std::vector<int64_t> nvec;

  MultiDiscrete() = default;
  explicit MultiDiscrete(std::vector<int64_t> nvec);  // throws if empty or any n <= 0
};

enum class SpaceKind : uint8_t { Discrete, Box, MultiDiscrete };

// Any one of the spaces above, by value (copies are deep and cheap for the small spaces envs
// use). A default-constructed Space is Discrete with n = 0 and contains nothing.
class Space {
 public:
  Space() = default;
  Space(Discrete d) : v_(std::move(d)) {}       // NOLINT: implicit by design
  Space(Box b) : v_(std::move(b)) {}            // NOLINT
  Space(MultiDiscrete m) : v_(std::move(m)) {}  // NOLINT

  SpaceKind kind() const { return static_cast<SpaceKind>(v_.index()); }
  bool is_discrete() const { return kind() == SpaceKind::Discrete; }
  bool is_box() const { return kind() == SpaceKind::Box; }
  bool is_multi_discrete() const { return kind() == SpaceKind::MultiDiscrete; }
  // Access to the held space; throws rein::Error naming the actual kind on a mismatch.
  const Discrete& discrete() const;
  const Box& box() const;
  const MultiDiscrete& multi_discrete() const;

  // Shape and dtype of one element: Discrete () int64, Box its own, MultiDiscrete (k,) int64.
  Shape shape() const;
  Dtype dtype() const;
  // Number of scalars in one element (1 for Discrete). The width of FlattenObservation's output
  // is flat_dim(), except Discrete, whose one-hot width is n (see one_hot_dim()).
  int64_t flat_dim() const;
  int64_t one_hot_dim() const;  // Discrete: n; MultiDiscrete: sum(nvec); Box: flat_dim()

  // True iff x has this space's shape and dtype and every value lies inside the bounds.
  bool contains(const Tensor& x) const;
  // The first reason x is not contained, or "" if it is (for checkers and error messages).
  std::string why_not_contains(const Tensor& x) const;
  // The element whose values (row-major) a user typed, e.g. `rein envs rollout --actions`:
  // exactly flat_dim() finite values, integers for Discrete and MultiDiscrete, inside the
  // bounds. Throws rein::Error "action 1.5 is not an integer (Discrete(2) takes 0..1)" and the
  // like; NaN, infinities and values no float32 holds never reach an env.
  Tensor from_values(std::span<const double> values) const;
  // A uniform sample (Box: uniform on bounded dims, normal on unbounded, exponential on
  // half-bounded, as Gymnasium). Allocates a new tensor. With an NpRandom seeded with S the
  // samples are Gymnasium's `space.seed(S); space.sample()` bit for bit (bounded Boxes,
  // Discrete, MultiDiscrete); with a rein Generator they follow the same distribution.
  Tensor sample(NpRandom& gen) const;
  Tensor sample(Generator& gen) const;
  // Same, written into `out` (shape and dtype of one element): no allocation.
  void sample_into(NpRandom& gen, Tensor& out) const;
  void sample_into(Generator& gen, Tensor& out) const;

  bool operator==(const Space& other) const;
  // Gymnasium's repr: "Discrete(2)", "Box(-1.0, 1.0, (1,), float32)", "MultiDiscrete([3 2])".
  std::string to_string() const;

 private:
  void check_sample_out(const Tensor& out) const;  // throws unless out fits one element

  std::variant<Discrete, Box, MultiDiscrete> v_;
};

}  // namespace rein::envs
