// rein::envs::NpRandom, NumPy's default generator (`numpy.random.default_rng(seed)`, that is
// Generator(PCG64(SeedSequence(seed)))) reproduced bit for bit, so that an env seeded with S
// starts exactly where Gymnasium's env seeded with S starts, and a space seeded with S samples
// the same actions. Only the Generator methods Gymnasium's envs and spaces call are provided.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace rein::envs {

// NumPy's SeedSequence(seed).generate_state(4, uint64): the four words PCG64 starts from.
std::array<uint64_t, 4> seed_sequence_state(uint64_t seed);

// Generator(PCG64(SeedSequence(seed))) with NumPy 1.17+'s algorithms. Copies are independent
// streams with the same state. Not thread-safe: one thread at a time.
class NpRandom {
 public:
  explicit NpRandom(uint64_t seed = 0) { this->seed(seed); }
  void seed(uint64_t seed);  // as a fresh NpRandom(seed)

  // Raw PCG64 output (XSL-RR of the 128-bit LCG state).
  uint64_t next_u64();
  // Half of a 64-bit output: the low half of a fresh output, whose high half is kept for the
  // next call (NumPy's next_uint32).
  uint32_t next_u32();

  double random();                          // [0, 1), 53 bits: Generator.random()
  double uniform(double low, double high);  // low + (high - low) * random()
  // Generator.integers(low, high) for int64: [low, high), Lemire's rejection on 32-bit halves
  // when the range fits 32 bits, on 64-bit outputs otherwise. Requires low < high.
  int64_t integers(int64_t low, int64_t high);
  // N(0, 1) by NumPy's 256-layer ziggurat, taking the same outputs as NumPy; the layer tables
  // are computed at start-up and differ from NumPy's constants in the last bits, so values
  // agree with NumPy's to 1e-14 relative, not exactly (no built-in env or space draws them).
  double normal();
  double normal(double loc, double scale) { return loc + scale * normal(); }
  // Generator.choice(seq) (no probabilities): seq[integers(0, size)].
  template <typename T>
  const T& choice(std::span<const T> seq) {
    return seq[static_cast<size_t>(integers(0, static_cast<int64_t>(seq.size())))];
  }

  // The 128-bit PCG64 state and increment as NumPy's bit_generator.state shows them.
  unsigned __int128 pcg_state() const { return state_; }
  unsigned __int128 pcg_inc() const { return inc_; }

  // Full state (LCG state, increment and the kept half), for checkpoints: "v1:" then hex.
  std::string state_string() const;
  // Throws rein::Error on a string state_string() did not produce.
  void set_state_string(const std::string& s);

 private:
  unsigned __int128 state_ = 0;
  unsigned __int128 inc_ = 0;
  bool has_u32_ = false;  // a kept high half is waiting in u32_
  uint32_t u32_ = 0;
};

}  // namespace rein::envs
