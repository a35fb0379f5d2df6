// Elementwise loop templates shared by the elementwise, comparison and in-place kernels. Each has
// a flat fast path for contiguous operands of one shape and for a scalar operand; everything
// else runs through a coalesced strided plan (tensor/internal/strided.h).
#pragma once

#include "tensor/internal/strided.h"
#include "tensor/tensor.h"

namespace rein::internal {

// out = op(a): out is a fresh contiguous tensor of a's shape.
template <typename T, typename R, typename Op>
void unary_loop(const Tensor& a, Tensor& out, Op op) {
  R* o = reinterpret_cast<R*>(byte_ptr(out));
  if (a.is_contiguous()) {
    const T* x = reinterpret_cast<const T*>(byte_ptr(a));
    const int64_t n = a.numel();
    for (int64_t i = 0; i < n; ++i) o[i] = op(x[i]);
    return;
  }
  auto plan = make_plan<2>(out.shape(), {out.strides(), a.strides()},
                           {int64_t{sizeof(R)}, int64_t{sizeof(T)}});
  run_plan<2>(plan, {byte_ptr(out), byte_ptr(a)}, [&](auto p, auto s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      *reinterpret_cast<R*>(p[0] + i * s[0]) = op(*reinterpret_cast<const T*>(p[1] + i * s[1]));
    }
  });
}

// out = op(a, b) with broadcasting: out is a fresh contiguous tensor of the broadcast shape.
template <typename T, typename R, typename Op>
void binary_loop(const Tensor& a, const Tensor& b, Tensor& out, Op op) {
  const Shape& shape = out.shape();
  R* o = reinterpret_cast<R*>(byte_ptr(out));
  const T* x = reinterpret_cast<const T*>(byte_ptr(a));
  const T* y = reinterpret_cast<const T*>(byte_ptr(b));
  const int64_t n = out.numel();
  const bool a_full = a.shape() == shape && a.is_contiguous();
  const bool b_full = b.shape() == shape && b.is_contiguous();
  if (a_full && b_full) {
    for (int64_t i = 0; i < n; ++i) o[i] = op(x[i], y[i]);
    return;
  }
  if (a_full && b.numel() == 1) {
    const T s = *y;
    for (int64_t i = 0; i < n; ++i) o[i] = op(x[i], s);
    return;
  }
  if (b_full && a.numel() == 1) {
    const T s = *x;
    for (int64_t i = 0; i < n; ++i) o[i] = op(s, y[i]);
    return;
  }
  auto plan =
      make_plan<3>(shape, {out.strides(), broadcast_strides(a, shape), broadcast_strides(b, shape)},
                   {int64_t{sizeof(R)}, int64_t{sizeof(T)}, int64_t{sizeof(T)}});
  run_plan<3>(plan, {byte_ptr(out), byte_ptr(a), byte_ptr(b)}, [&](auto p, auto s, int64_t len) {
    R* po = reinterpret_cast<R*>(p[0]);
    const T* pa = reinterpret_cast<const T*>(p[1]);
    const T* pb = reinterpret_cast<const T*>(p[2]);
    // The common inner patterns of broadcasting: both rows contiguous, or one side repeated.
    if (s[0] == sizeof(R) && s[1] == sizeof(T) && s[2] == sizeof(T)) {
      for (int64_t i = 0; i < len; ++i) po[i] = op(pa[i], pb[i]);
    } else if (s[0] == sizeof(R) && s[1] == sizeof(T) && s[2] == 0) {
      const T v = *pb;
      for (int64_t i = 0; i < len; ++i) po[i] = op(pa[i], v);
    } else if (s[0] == sizeof(R) && s[1] == 0 && s[2] == sizeof(T)) {
      const T v = *pa;
      for (int64_t i = 0; i < len; ++i) po[i] = op(v, pb[i]);
    } else {
      for (int64_t i = 0; i < len; ++i) {
        *reinterpret_cast<R*>(p[0] + i * s[0]) = op(*reinterpret_cast<const T*>(p[1] + i * s[1]),
                                                    *reinterpret_cast<const T*>(p[2] + i * s[2]));
      }
    }
  });
}

// self = op(self, other) in place, other broadcast to self's shape. The caller has removed any
// overlap between other and self (other may be self itself with the same layout).
template <typename T, typename Op>
void inplace_loop(Tensor& self, const Tensor& other, Op op) {
  const Shape& shape = self.shape();
  T* o = reinterpret_cast<T*>(byte_ptr(self));
  const T* y = reinterpret_cast<const T*>(byte_ptr(other));
  if (self.is_contiguous()) {
    const int64_t n = self.numel();
    if (other.shape() == shape && other.is_contiguous()) {
      for (int64_t i = 0; i < n; ++i) o[i] = op(o[i], y[i]);
      return;
    }
    if (other.numel() == 1) {
      const T s = *y;
      for (int64_t i = 0; i < n; ++i) o[i] = op(o[i], s);
      return;
    }
  }
  auto plan = make_plan<2>(shape, {self.strides(), broadcast_strides(other, shape)},
                           {int64_t{sizeof(T)}, int64_t{sizeof(T)}});
  run_plan<2>(plan, {byte_ptr(self), byte_ptr(other)}, [&](auto p, auto s, int64_t len) {
    for (int64_t i = 0; i < len; ++i) {
      T* d = reinterpret_cast<T*>(p[0] + i * s[0]);
      *d = op(*d, *reinterpret_cast<const T*>(p[1] + i * s[1]));
    }
  });
}

// self = op(self) in place.
template <typename T, typename Op>
void inplace_unary_loop(Tensor& self, Op op) {
  if (self.is_contiguous()) {
    T* o = reinterpret_cast<T*>(byte_ptr(self));
    const int64_t n = self.numel();
    for (int64_t i = 0; i < n; ++i) o[i] = op(o[i]);
    return;
  }
  auto plan = make_plan<1>(self.shape(), {self.strides()}, {int64_t{sizeof(T)}});
  run_plan<1>(plan, {byte_ptr(self)}, [&](auto p, auto s, int64_t len) {
    for (int64_t i = 0; i < len; ++i) {
      T* d = reinterpret_cast<T*>(p[0] + i * s[0]);
      *d = op(*d);
    }
  });
}

// Checks both defined and of one dtype; throws "op: dtypes .. and .. differ (shapes .. and ..)".
void check_same_dtype(const Tensor& a, const Tensor& b, const char* op);
// Throws "op: tensor is undefined".
void check_defined(const Tensor& a, const char* op);

}  // namespace rein::internal
