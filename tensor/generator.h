// rein::Generator, a seeded random stream, and the random tensor functions that draw from it.
// Nothing in rein draws from a hidden global generator.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "tensor/tensor.h"

namespace rein {

// A small, fast, splittable generator (the algorithm is documented in generator.cpp). The same
// seed gives the same numbers on every run and machine. Copies are independent streams with the
// same state. Not thread-safe: give each thread its own (see split()).
class Generator {
 public:
  explicit Generator(uint64_t seed = 0);

  void manual_seed(uint64_t seed);
  uint64_t next_u64();
  uint32_t next_u32() { return static_cast<uint32_t>(next_u64() >> 32); }
  double uniform();                         // [0, 1)
  double uniform(double lo, double hi);     // [lo, hi)
  double normal();                          // standard normal
  int64_t randint(int64_t lo, int64_t hi);  // [lo, hi), unbiased
  // A new generator whose stream is independent of this one's; advances this one.
  Generator split();

  // Full state, for checkpoints: save with state(), restore with set_state().
  std::array<uint64_t, 4> state() const;
  void set_state(const std::array<uint64_t, 4>& state);
  std::string state_string() const;             // hex, for JSON checkpoints
  void set_state_string(const std::string& s);  // throws rein::Error on a malformed string

 private:
  std::array<uint64_t, 4> s_{};  // the whole state: normal() keeps no spare value
};

Tensor rand(const Shape& shape, Generator& gen, Dtype dtype = Dtype::Float32);   // U[0, 1)
Tensor randn(const Shape& shape, Generator& gen, Dtype dtype = Dtype::Float32);  // N(0, 1)
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator& gen);   // int64
Tensor bernoulli(const Tensor& probs, Generator& gen);  // same dtype as probs, values 0/1
// Samples from each row of non-negative weights (1-D or 2-D); int64 of shape (rows, n).
Tensor multinomial(const Tensor& probs, int64_t num_samples, Generator& gen,
                   bool replacement = false);
Tensor randperm(int64_t n, Generator& gen);  // int64

}  // namespace rein
