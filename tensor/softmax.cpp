// logsumexp, softmax and log_softmax along a dim, all shifted by the lane maximum so that large
// logits neither overflow nor lose precision (the standard max-subtraction trick).
#include <cmath>
#include <limits>

#include "tensor/internal/dispatch.h"
#include "tensor/internal/lanes.h"
#include "tensor/internal/loops.h"
#include "tensor/ops.h"

namespace rein {
namespace {

template <typename T>
double lane_max(const T* p, int64_t stride, int64_t n) {
  double m = -std::numeric_limits<double>::infinity();
  for (int64_t k = 0; k < n; ++k) m = std::max(m, static_cast<double>(p[k * stride]));
  return m;
}

// log(sum(exp(x))) of one lane; -inf for an empty or all -inf lane, inf if any x is inf.
template <typename T>
double lane_logsumexp(const T* p, int64_t stride, int64_t n) {
  const double m = lane_max(p, stride, n);
  if (std::isinf(m)) return m;
  double s = 0;
  for (int64_t k = 0; k < n; ++k) s += std::exp(static_cast<double>(p[k * stride]) - m);
  return m + std::log(s);
}

enum class Kind { Softmax, LogSoftmax };

Tensor softmax_impl(const Tensor& a, int64_t dim, Kind kind, const char* op) {
  internal::check_defined(a, op);
  const internal::Lanes l = internal::lanes_along(a.shape(), dim, true, op);
  const Tensor c = a.contiguous();
  Tensor out(a.shape(), a.dtype());
  internal::dispatch_floating(a.dtype(), op, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* base = out.data<T>();
    const T* in = c.data<T>();
    internal::for_each_lane<T>(c, l, [&](const T* p, int64_t stride, int64_t) {
      T* o = base + (p - in);  // the same lane in the output
      const double lse = lane_logsumexp(p, stride, l.n);
      for (int64_t k = 0; k < l.n; ++k) {
        const double z = static_cast<double>(p[k * stride]) - lse;
        o[k * stride] = static_cast<T>(kind == Kind::Softmax ? std::exp(z) : z);
      }
    });
  });
  return out;
}

}  // namespace

Tensor logsumexp(const Tensor& a, int64_t dim, bool keepdim) {
  internal::check_defined(a, "logsumexp");
  const internal::Lanes l = internal::lanes_along(a.shape(), dim, keepdim, "logsumexp");
  const Tensor c = a.contiguous();
  Tensor out(l.out_shape, a.dtype());
  internal::dispatch_floating(a.dtype(), "logsumexp", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = out.data<T>();
    internal::for_each_lane<T>(c, l, [&](const T* p, int64_t stride, int64_t lane) {
      o[lane] = static_cast<T>(lane_logsumexp(p, stride, l.n));
    });
  });
  return out;
}

Tensor softmax(const Tensor& a, int64_t dim) {
  return softmax_impl(a, dim, Kind::Softmax, "softmax");
}
Tensor log_softmax(const Tensor& a, int64_t dim) {
  return softmax_impl(a, dim, Kind::LogSoftmax, "log_softmax");
}

}  // namespace rein
