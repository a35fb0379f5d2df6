// Random tensors drawn from a Generator: rand, randn, randint, bernoulli, multinomial, randperm.
// Values are produced in row-major order, so a seed fixes every element on every machine.
#include <algorithm>
#include <cmath>

#include "tensor/generator.h"
#include "tensor/internal/dispatch.h"

namespace rein {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

// Float32 uniforms use the top 24 bits so that the value stays below 1 after rounding.
float uniform_f32(Generator& gen) { return static_cast<float>(gen.next_u64() >> 40) * 0x1.0p-24f; }

}  // namespace

Tensor rand(const Shape& shape, Generator& gen, Dtype dtype) {
  Tensor t(shape, dtype);
  internal::dispatch_floating(dtype, "rand", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      if constexpr (std::is_same_v<T, float>) {
        p[i] = uniform_f32(gen);
      } else {
        p[i] = gen.uniform();
      }
    }
  });
  return t;
}

Tensor randn(const Shape& shape, Generator& gen, Dtype dtype) {
  Tensor t(shape, dtype);
  internal::dispatch_floating(dtype, "randn", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = t.data<T>();
    const int64_t n = t.numel();
    // Box-Muller: both the cos and the sin branch of each pair of uniforms are used.
    for (int64_t i = 0; i < n; i += 2) {
      const double r = std::sqrt(-2.0 * std::log(1.0 - gen.uniform()));
      const double theta = kTwoPi * gen.uniform();
      p[i] = static_cast<T>(r * std::cos(theta));
      if (i + 1 < n) p[i + 1] = static_cast<T>(r * std::sin(theta));
    }
  });
  return t;
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator& gen) {
  if (high <= low) throw Error(str("randint: empty range [", low, ", ", high, ")"));
  Tensor t(shape, Dtype::Int64);
  int64_t* p = t.data<int64_t>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = gen.randint(low, high);
  return t;
}

Tensor bernoulli(const Tensor& probs, Generator& gen) {
  Tensor p = probs.contiguous();
  Tensor out(probs.shape(), probs.dtype());
  internal::dispatch_floating(probs.dtype(), "bernoulli", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = p.data<T>();
    T* dst = out.data<T>();
    for (int64_t i = 0; i < p.numel(); ++i) {
      if (!(src[i] >= 0 && src[i] <= 1)) {
        throw Error(str("bernoulli: probabilities must be in [0, 1], got ", src[i]));
      }
      dst[i] = gen.uniform() < static_cast<double>(src[i]) ? T(1) : T(0);
    }
  });
  return out;
}

Tensor multinomial(const Tensor& probs, int64_t num_samples, Generator& gen, bool replacement) {
  if (probs.dim() != 1 && probs.dim() != 2) {
    throw Error(
        str("multinomial: expected a 1-D or 2-D tensor of weights, got shape ", probs.shape()));
  }
  if (num_samples < 0) throw Error(str("multinomial: num_samples must be >= 0, got ", num_samples));
  const Tensor w = probs.to(Dtype::Float64).contiguous().reshape(Shape{-1, probs.size(-1)});
  const int64_t rows = w.size(0);
  const int64_t k = w.size(1);
  Tensor out(Shape{rows, num_samples}, Dtype::Int64);
  int64_t* dst = out.data<int64_t>();
  std::vector<double> cdf(static_cast<size_t>(k));
  std::vector<double> weights(static_cast<size_t>(k));
  for (int64_t r = 0; r < rows; ++r) {
    const double* row = w.data<double>() + r * k;
    int64_t nonzero = 0;
    for (int64_t j = 0; j < k; ++j) {
      if (!(row[j] >= 0) || std::isinf(row[j])) {
        throw Error(str("multinomial: weights must be finite and non-negative, got ", row[j]));
      }
      weights[j] = row[j];
      nonzero += row[j] > 0;
    }
    if (nonzero == 0) throw Error("multinomial: the weights of a row sum to zero");
    if (!replacement && num_samples > nonzero) {
      throw Error(str("multinomial: cannot draw ", num_samples, " samples without replacement ",
                      "from ", nonzero, " categories with non-zero weight"));
    }
    for (int64_t s = 0; s < num_samples; ++s) {
      // Inverse CDF: the first category whose cumulative weight exceeds u * total.
      double total = 0;
      for (int64_t j = 0; j < k; ++j) cdf[j] = (total += weights[j]);
      const double u = gen.uniform() * total;
      auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
      int64_t j = std::min<int64_t>(it - cdf.begin(), k - 1);
      while (weights[j] == 0) --j;  // u landed on the boundary after a zero-weight run
      dst[r * num_samples + s] = j;
      if (!replacement) weights[j] = 0;
    }
  }
  return probs.dim() == 1 ? out.reshape(Shape{num_samples}) : out;
}

Tensor randperm(int64_t n, Generator& gen) {
  if (n < 0) throw Error(str("randperm: n must be >= 0, got ", n));
  Tensor t(Shape{n}, Dtype::Int64);
  int64_t* p = t.data<int64_t>();
  for (int64_t i = 0; i < n; ++i) p[i] = i;
  // Fisher-Yates, from the back.
  for (int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[gen.randint(0, i + 1)]);
  return t;
}

}  // namespace rein
