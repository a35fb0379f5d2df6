// rein::Generator: xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number
// generators", 2018/2021), a 256-bit state with a 64-bit output, period 2^256 - 1, seeded by
// expanding a 64-bit seed through splitmix64 (Steele, Lea & Flood, "Fast splittable
// pseudorandom number generators", 2014) as the xoshiro authors recommend. Both were written
// here from the published algorithm descriptions.
//
// Derived draws: uniform() uses the top 53 bits (x >> 11) * 2^-53; normal() is Box-Muller on
// two uniforms (cos branch only, so the state alone fixes the stream); randint() rejects the
// low end of the 64-bit range to stay unbiased. split() seeds a child through splitmix64 from
// one draw of the parent, so the child's state is a bijective scramble of fresh parent output.
#include "tensor/generator.h"

#include <cmath>
#include <cstdio>

#include "tensor/internal/random.h"

namespace rein {

namespace internal {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace internal

namespace {

inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

constexpr double kTwoPi = 6.283185307179586476925286766559;

}  // namespace

Generator::Generator(uint64_t seed) { manual_seed(seed); }

void Generator::manual_seed(uint64_t seed) {
  uint64_t x = seed;
  for (auto& word : s_) word = internal::splitmix64(x);
  // splitmix64 is a bijection of its counter, so four consecutive outputs are never all zero.
}

uint64_t Generator::next_u64() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Generator::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Generator::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

double Generator::normal() {
  const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

int64_t Generator::randint(int64_t lo, int64_t hi) {
  if (hi <= lo) throw Error(str("randint: empty range [", lo, ", ", hi, ")"));
  const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  // Reject the first (2^64 mod range) values so every residue is equally likely.
  const uint64_t threshold = (0 - range) % range;
  uint64_t x = next_u64();
  while (x < threshold) x = next_u64();
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + x % range);
}

Generator Generator::split() {
  Generator child(0);
  uint64_t x = next_u64();
  for (auto& word : child.s_) word = internal::splitmix64(x);
  return child;
}

std::array<uint64_t, 4> Generator::state() const { return s_; }

void Generator::set_state(const std::array<uint64_t, 4>& state) {
  if (state[0] == 0 && state[1] == 0 && state[2] == 0 && state[3] == 0) {
    throw Error("Generator::set_state: the all-zero state is invalid for xoshiro256**");
  }
  s_ = state;
}

std::string Generator::state_string() const {
  std::string s;
  char buf[17];
  for (uint64_t word : s_) {
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(word));
    s += buf;
  }
  return s;
}

void Generator::set_state_string(const std::string& s) {
  if (s.size() != 64) {
    throw Error(
        str("Generator::set_state_string: expected 64 hex digits, got ", s.size(), " characters"));
  }
  std::array<uint64_t, 4> state{};
  for (size_t i = 0; i < 64; ++i) {
    const char c = s[i];
    uint64_t v;
    if (c >= '0' && c <= '9') {
      v = static_cast<uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v = static_cast<uint64_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      v = static_cast<uint64_t>(c - 'A' + 10);
    } else {
      throw Error(str("Generator::set_state_string: invalid hex digit '", c, "' at position ", i));
    }
    state[i / 16] = (state[i / 16] << 4) | v;
  }
  set_state(state);
}

}  // namespace rein
