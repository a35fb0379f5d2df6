// NumPy's SeedSequence, PCG64 and the Generator methods Gymnasium calls, from NumPy's published
// algorithms (numpy/random: bit_generator.pyx SeedSequence, pcg64.h, distributions.c
// random_standard_normal and random_bounded_uint64_fill with use_masked=False).
#include "envs/np_random.h"

#include <cmath>
#include <cstdio>
#include <vector>

#include "base/error.h"

namespace rein::envs {
namespace {

using u128 = unsigned __int128;

// SeedSequence constants (NumPy bit_generator.pyx, after M. E. O'Neill's seed_seq_fe).
constexpr uint32_t kInitA = 0x43b0d7e5, kMultA = 0x931e8875;
constexpr uint32_t kInitB = 0x8b51f9dd, kMultB = 0x58f38ded;
constexpr uint32_t kMixMultL = 0xca01f9dd, kMixMultR = 0x4973f715;
constexpr int kPoolSize = 4;

uint32_t hashmix(uint32_t value, uint32_t& hash_const) {
  value ^= hash_const;
  hash_const *= kMultA;
  value *= hash_const;
  return value ^ (value >> 16);
}

uint32_t mix(uint32_t x, uint32_t y) {
  const uint32_t r = kMixMultL * x - kMixMultR * y;
  return r ^ (r >> 16);
}

constexpr u128 kPcgMultiplier =
    (static_cast<u128>(0x2360ed051fc65da4ULL) << 64) | 0x4385df649fccf645ULL;

// The 256-layer ziggurat for the standard normal of NumPy's Generator: x_i are the layer edges
// (x_255 = r, each layer of area v), ki the acceptance thresholds scaled by 2^52, wi = x_i / 2^52
// and fi = exp(-x_i^2 / 2). Built once in double with the recurrence NumPy's table generator
// uses, x_{i-1} = sqrt(-2 log(f(x_i) + v / x_i)). NumPy's printed tables came from another
// libm: wi differ in the last bits (draws agree to 1e-14 relative); ki and the branches agree.
constexpr double kZigR = 3.6541528853610087963519472518;
constexpr double kZigInvR = 0.27366123732975827203338247596;
constexpr double kZigV = 0.0049286732339746519;

struct Ziggurat {
  uint64_t ki[256];
  double wi[256];
  double fi[256];

  Ziggurat() {
    auto pdf = [](double x) { return std::exp(-0.5 * x * x); };
    double x[256];
    x[255] = kZigR;
    for (int i = 254; i >= 1; --i)
      x[i] = std::sqrt(-2.0 * std::log(pdf(x[i + 1]) + kZigV / x[i + 1]));
    x[0] = 0.0;
    constexpr double kScale = 4503599627370496.0;  // 2^52
    ki[0] = static_cast<uint64_t>(std::nearbyint(kZigR * pdf(kZigR) / kZigV * kScale));
    for (int i = 1; i < 256; ++i)
      ki[i] = static_cast<uint64_t>(std::nearbyint(x[i - 1] / x[i] * kScale));
    wi[0] = kZigV / pdf(kZigR) / kScale;
    fi[0] = 1.0;
    for (int i = 1; i < 256; ++i) {
      wi[i] = x[i] / kScale;
      fi[i] = pdf(x[i]);
    }
  }
};

const Ziggurat& ziggurat() {
  static const Ziggurat table;
  return table;
}

}  // namespace

std::array<uint64_t, 4> seed_sequence_state(uint64_t seed) {
  // The entropy as 32-bit words, least significant first (0 is one word 0).
  std::vector<uint32_t> words{static_cast<uint32_t>(seed)};
  if (seed >> 32) words.push_back(static_cast<uint32_t>(seed >> 32));
  uint32_t hash_const = kInitA;
  uint32_t pool[kPoolSize];
  for (int i = 0; i < kPoolSize; ++i) {
    pool[i] = hashmix(i < static_cast<int>(words.size()) ? words[static_cast<size_t>(i)] : 0u,
                      hash_const);
  }
  for (int src = 0; src < kPoolSize; ++src) {
    for (int dst = 0; dst < kPoolSize; ++dst) {
      if (src != dst) pool[dst] = mix(pool[dst], hashmix(pool[src], hash_const));
    }
  }
  // (A seed of up to 64 bits has at most two words, so no word is left to mix in.)
  uint32_t out_const = kInitB;
  std::array<uint64_t, 4> out{};
  for (int k = 0; k < 8; ++k) {
    uint32_t v = pool[k % kPoolSize] ^ out_const;
    out_const *= kMultB;
    v *= out_const;
    v ^= v >> 16;
    out[static_cast<size_t>(k / 2)] |= static_cast<uint64_t>(v) << (32 * (k % 2));
  }
  return out;
}

void NpRandom::seed(uint64_t seed) {
  const auto w = seed_sequence_state(seed);
  const u128 initstate = (static_cast<u128>(w[0]) << 64) | w[1];
  const u128 initseq = (static_cast<u128>(w[2]) << 64) | w[3];
  // pcg_setseq_128_srandom_r: state 0, step, add the seed, step.
  inc_ = (initseq << 1) | 1u;
  state_ = 0;
  state_ = state_ * kPcgMultiplier + inc_;
  state_ += initstate;
  state_ = state_ * kPcgMultiplier + inc_;
  has_u32_ = false;
  u32_ = 0;
}

uint64_t NpRandom::next_u64() {
  state_ = state_ * kPcgMultiplier + inc_;
  const uint64_t x = static_cast<uint64_t>(state_ >> 64) ^ static_cast<uint64_t>(state_);
  const unsigned rot = static_cast<unsigned>(state_ >> 122);
  return (x >> rot) | (x << ((64u - rot) & 63u));
}

uint32_t NpRandom::next_u32() {
  if (has_u32_) {
    has_u32_ = false;
    return u32_;
  }
  const uint64_t v = next_u64();
  has_u32_ = true;
  u32_ = static_cast<uint32_t>(v >> 32);
  return static_cast<uint32_t>(v);
}

double NpRandom::random() {
  return static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0);
}

double NpRandom::uniform(double low, double high) {
  const double range = high - low;
  return low + range * random();
}

int64_t NpRandom::integers(int64_t low, int64_t high) {
  REIN_ASSERT(low < high);
  const uint64_t rng = static_cast<uint64_t>(high) - static_cast<uint64_t>(low) - 1u;
  const uint64_t off = static_cast<uint64_t>(low);
  if (rng == 0) return low;
  if (rng <= 0xFFFFFFFFULL) {
    if (rng == 0xFFFFFFFFULL) return static_cast<int64_t>(off + next_u32());
    // Lemire's multiply-and-reject on 32-bit draws (buffered_bounded_lemire_uint32).
    const uint32_t rng_excl = static_cast<uint32_t>(rng) + 1u;
    uint64_t m = static_cast<uint64_t>(next_u32()) * rng_excl;
    uint32_t leftover = static_cast<uint32_t>(m);
    if (leftover < rng_excl) {
      const uint32_t threshold = (0xFFFFFFFFu - static_cast<uint32_t>(rng)) % rng_excl;
      while (leftover < threshold) {
        m = static_cast<uint64_t>(next_u32()) * rng_excl;
        leftover = static_cast<uint32_t>(m);
      }
    }
    return static_cast<int64_t>(off + (m >> 32));
  }
  if (rng == ~uint64_t{0}) return static_cast<int64_t>(off + next_u64());
  // The same on 64-bit draws with a 128-bit product (bounded_lemire_uint64).
  const uint64_t rng_excl = rng + 1u;
  u128 m = static_cast<u128>(next_u64()) * rng_excl;
  uint64_t leftover = static_cast<uint64_t>(m);
  if (leftover < rng_excl) {
    const uint64_t threshold = (~uint64_t{0} - rng) % rng_excl;
    while (leftover < threshold) {
      m = static_cast<u128>(next_u64()) * rng_excl;
      leftover = static_cast<uint64_t>(m);
    }
  }
  return static_cast<int64_t>(off + static_cast<uint64_t>(m >> 64));
}

double NpRandom::normal() {
  const Ziggurat& z = ziggurat();
  for (;;) {
    uint64_t r = next_u64();
    const int idx = static_cast<int>(r & 0xff);
    r >>= 8;
    const bool negative = (r & 1u) != 0;
    const uint64_t rabs = (r >> 1) & 0x000fffffffffffffULL;
    double x = static_cast<double>(rabs) * z.wi[idx];
    if (negative) x = -x;
    if (rabs < z.ki[idx]) return x;  // inside the layer's rectangle: ~99% of draws
    if (idx == 0) {
      // The tail beyond r (Marsaglia's method), with 1 - U so that log never sees 0.
      for (;;) {
        const double xx = -kZigInvR * std::log1p(-random());
        const double yy = -std::log1p(-random());
        if (yy + yy > xx * xx) return ((rabs >> 8) & 1u) ? -(kZigR + xx) : kZigR + xx;
      }
    }
    if ((z.fi[idx - 1] - z.fi[idx]) * random() + z.fi[idx] < std::exp(-0.5 * x * x)) return x;
  }
}

std::string NpRandom::state_string() const {
  char buf[96];
  std::snprintf(buf, sizeof buf, "v1:%016llx%016llx:%016llx%016llx:%d:%08x",
                static_cast<unsigned long long>(state_ >> 64),
                static_cast<unsigned long long>(state_),
                static_cast<unsigned long long>(inc_ >> 64), static_cast<unsigned long long>(inc_),
                has_u32_ ? 1 : 0, u32_);
  return buf;
}

void NpRandom::set_state_string(const std::string& s) {
  unsigned long long sh = 0, sl = 0, ih = 0, il = 0;
  int has = 0;
  unsigned int kept = 0;
  int consumed = 0;
  const int n = std::sscanf(s.c_str(), "v1:%16llx%16llx:%16llx%16llx:%d:%8x%n", &sh, &sl, &ih, &il,
                            &has, &kept, &consumed);
  if (n != 6 || static_cast<size_t>(consumed) != s.size() || s.size() != 79 ||
      (has != 0 && has != 1) || (il & 1u) == 0) {
    throw Error(str("NpRandom.set_state_string: '", s,
                    "' is not a state written by state_string() (v1:STATE:INC:KEPT:HALF in hex)"));
  }
  state_ = (static_cast<u128>(sh) << 64) | sl;
  inc_ = (static_cast<u128>(ih) << 64) | il;
  has_u32_ = has == 1;
  u32_ = kept;
}

}  // namespace rein::envs
