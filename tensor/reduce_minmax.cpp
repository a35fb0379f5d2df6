// max/min (values and indices), argmax/argmin. NaN wins, as in PyTorch; among equal values the
// first index is returned (PyTorch on CPU).
#include "tensor/internal/dispatch.h"
#include "tensor/internal/lanes.h"
#include "tensor/internal/loops.h"
#include "tensor/ops.h"

namespace rein {
namespace {

// Index of the extreme element of one lane: max when `want_max`, else min.
template <typename T>
int64_t lane_arg(const T* p, int64_t stride, int64_t n, bool want_max) {
  int64_t best = 0;
  T bv = p[0];
  for (int64_t k = 1; k < n; ++k) {
    const T v = p[k * stride];
    if (bv != bv) break;  // NaN already found
    if (v != v || (want_max ? v > bv : v < bv)) {
      bv = v;
      best = k;
    }
  }
  return best;
}

void check_nonempty(const Tensor& a, const internal::Lanes& l, const char* op) {
  internal::check_defined(a, op);
  if (l.n == 0) {
    throw Error(str(op, ": cannot reduce over an empty dim of a tensor of shape ", a.shape()));
  }
}

// Values (a's dtype) and int64 indices of the extreme along lanes.
std::pair<Tensor, Tensor> extreme(const Tensor& a, const internal::Lanes& l, bool want_max,
                                  const char* op) {
  check_nonempty(a, l, op);
  const Tensor c = a.contiguous();
  Tensor values(l.out_shape, a.dtype());
  Tensor indices(l.out_shape, Dtype::Int64);
  int64_t* idx = indices.data<int64_t>();
  internal::dispatch_numeric(a.dtype(), op, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* v = values.data<T>();
    internal::for_each_lane<T>(c, l, [&](const T* p, int64_t stride, int64_t lane) {
      const int64_t k = lane_arg(p, stride, l.n, want_max);
      idx[lane] = k;
      v[lane] = p[k * stride];
    });
  });
  return {values, indices};
}

}  // namespace

Tensor max(const Tensor& a) {
  return extreme(a, internal::lanes_all(a.shape()), true, "max").first;
}
Tensor min(const Tensor& a) {
  return extreme(a, internal::lanes_all(a.shape()), false, "min").first;
}
std::pair<Tensor, Tensor> max(const Tensor& a, int64_t dim, bool keepdim) {
  return extreme(a, internal::lanes_along(a.shape(), dim, keepdim, "max"), true, "max");
}
std::pair<Tensor, Tensor> min(const Tensor& a, int64_t dim, bool keepdim) {
  return extreme(a, internal::lanes_along(a.shape(), dim, keepdim, "min"), false, "min");
}
Tensor argmax(const Tensor& a) {
  return extreme(a, internal::lanes_all(a.shape()), true, "argmax").second;
}
Tensor argmax(const Tensor& a, int64_t dim, bool keepdim) {
  return extreme(a, internal::lanes_along(a.shape(), dim, keepdim, "argmax"), true, "argmax")
      .second;
}
Tensor argmin(const Tensor& a, int64_t dim, bool keepdim) {
  return extreme(a, internal::lanes_along(a.shape(), dim, keepdim, "argmin"), false, "argmin")
      .second;
}

}  // namespace rein
