// Unary elementwise math (exp, log, tanh, sigmoid, relu ...) and clamp. exp/log/tanh/sigmoid
// on contiguous tensors run through Eigen's vectorised array functions (glibc's scalar tanhf
// costs ~9 ns an element; Eigen's SIMD version is several times faster at a few ulp).
#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "tensor/internal/dispatch.h"
#include "tensor/internal/loops.h"
#include "tensor/ops.h"

namespace rein {
namespace {

// out = f(a) for a floating tensor (or any numeric one when `numeric` is set).
template <typename F>
Tensor unary(const Tensor& a, const char* name, bool numeric, F f) {
  internal::check_defined(a, name);
  Tensor out(a.shape(), a.dtype());
  auto run = [&](auto tag) {
    using T = typename decltype(tag)::type;
    internal::unary_loop<T, T>(a, out, [&](T x) { return static_cast<T>(f(x)); });
  };
  if (numeric) {
    internal::dispatch_numeric(a.dtype(), name, run);
  } else {
    internal::dispatch_floating(a.dtype(), name, run);
  }
  return out;
}

// f(x) for floating a, with g(array) applied through Eigen when a is contiguous.
template <typename F, typename G>
Tensor unary_simd(const Tensor& a, const char* name, F f, G g) {
  internal::check_defined(a, name);
  if (!a.is_contiguous()) return unary(a, name, false, f);
  Tensor out(a.shape(), a.dtype());
  internal::dispatch_floating(a.dtype(), name, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using Arr = Eigen::Array<T, Eigen::Dynamic, 1>;
    Eigen::Map<Arr>(out.data<T>(), a.numel()) = g(Eigen::Map<const Arr>(a.data<T>(), a.numel()));
  });
  return out;
}

}  // namespace

Tensor neg(const Tensor& a) {
  return unary(a, "neg", true, [](auto x) { return -x; });
}
Tensor exp(const Tensor& a) {
  return unary_simd(
      a, "exp", [](auto x) { return std::exp(x); }, [](const auto& v) { return v.exp(); });
}
Tensor log(const Tensor& a) {
  return unary_simd(
      a, "log", [](auto x) { return std::log(x); }, [](const auto& v) { return v.log(); });
}
Tensor log1p(const Tensor& a) {
  return unary(a, "log1p", false, [](auto x) { return std::log1p(x); });
}
Tensor sqrt(const Tensor& a) {
  return unary(a, "sqrt", false, [](auto x) { return std::sqrt(x); });
}
Tensor rsqrt(const Tensor& a) {
  return unary(a, "rsqrt", false, [](auto x) { return decltype(x)(1) / std::sqrt(x); });
}
Tensor abs(const Tensor& a) {
  return unary(a, "abs", true, [](auto x) { return x < 0 ? -x : x; });
}
// -1, 0 or 1 (NaN stays NaN, as torch.sign).
Tensor sign(const Tensor& a) {
  return unary(a, "sign", true, [](auto x) {
    using T = decltype(x);
    return x != x ? x : static_cast<T>((x > 0) - (x < 0));
  });
}
Tensor tanh(const Tensor& a) {
  return unary_simd(
      a, "tanh", [](auto x) { return std::tanh(x); }, [](const auto& v) { return v.tanh(); });
}
// 1 / (1 + exp(-x)); exp(-x) overflowing to inf correctly gives 0.
Tensor sigmoid(const Tensor& a) {
  return unary_simd(
      a, "sigmoid",
      [](auto x) {
        using T = decltype(x);
        return T(1) / (T(1) + std::exp(-x));
      },
      [](const auto& v) { return v.logistic(); });
}
Tensor relu(const Tensor& a) {
  return unary(a, "relu", true, [](auto x) { return x > 0 ? x : decltype(x)(0); });
}
// log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): no overflow for large x, no loss for small.
Tensor softplus(const Tensor& a) {
  return unary(a, "softplus", false, [](auto x) {
    using T = decltype(x);
    return std::max(x, T(0)) + std::log1p(std::exp(-std::fabs(x)));
  });
}
Tensor square(const Tensor& a) {
  return unary(a, "square", true, [](auto x) { return x * x; });
}

Tensor clamp(const Tensor& a, std::optional<double> min, std::optional<double> max) {
  if (!min && !max) throw Error("clamp: at least one of min and max must be given");
  internal::check_defined(a, "clamp");
  Tensor out(a.shape(), a.dtype());
  internal::dispatch_numeric(a.dtype(), "clamp", [&](auto tag) {
    using T = typename decltype(tag)::type;
    // As torch.clamp: max wins when min > max; NaN propagates.
    const T lo = min ? static_cast<T>(*min) : T(0);
    const T hi = max ? static_cast<T>(*max) : T(0);
    if (min && max) {
      internal::unary_loop<T, T>(a, out, [lo, hi](T x) { return std::min(std::max(x, lo), hi); });
    } else if (min) {
      internal::unary_loop<T, T>(a, out, [lo](T x) { return std::max(x, lo); });
    } else {
      internal::unary_loop<T, T>(a, out, [hi](T x) { return std::min(x, hi); });
    }
  });
  return out;
}

}  // namespace rein
