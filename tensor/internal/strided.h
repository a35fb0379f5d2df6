// Loops over N operands that share one (broadcast) shape but have their own strides. Dims are
// coalesced first, so a contiguous or row-broadcast operand runs as a few long inner loops.
#pragma once

#include <array>
#include <cstdint>

#include "tensor/tensor.h"

namespace rein::internal {

// Strides of a contiguous row-major tensor of this shape, in elements.
Shape contiguous_strides(const Shape& shape);

// Normalises a possibly negative dim against rank `ndim`; throws "<op>: dim d out of range ...".
int64_t normalize_dim(int64_t dim, int64_t ndim, const char* op);

// Strides (in elements) that read `t` as if expanded to `shape` (0 on broadcast dims). The
// caller has checked that t.shape() broadcasts to shape.
Shape broadcast_strides(const Tensor& t, const Shape& shape);

// A loop nest over `ndim` dims with per-operand byte strides; the last dim is the inner one.
template <size_t N>
struct StridedPlan {
  int64_t ndim = 0;
  int64_t numel = 0;
  std::array<int64_t, kMaxDims> sizes{};
  std::array<std::array<int64_t, kMaxDims>, N> strides{};  // bytes
};

// strides[k] are operand k's element strides for `shape`; elem_sizes[k] its element size.
template <size_t N>
StridedPlan<N> make_plan(const Shape& shape, const std::array<Shape, N>& strides,
                         const std::array<int64_t, N>& elem_sizes) {
  StridedPlan<N> plan;
  plan.numel = shape.numel();
  // Drop size-1 dims, then merge dim d into d+1 when every operand steps through them as one.
  for (int64_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    int64_t nd = plan.ndim;
    if (nd > 0) {
      bool merge = true;
      for (size_t k = 0; k < N; ++k) {
        if (plan.strides[k][nd - 1] != strides[k][d] * elem_sizes[k] * shape[d]) merge = false;
      }
      if (merge) {
        plan.sizes[nd - 1] *= shape[d];
        for (size_t k = 0; k < N; ++k) plan.strides[k][nd - 1] = strides[k][d] * elem_sizes[k];
        continue;
      }
    }
    plan.sizes[nd] = shape[d];
    for (size_t k = 0; k < N; ++k) plan.strides[k][nd] = strides[k][d] * elem_sizes[k];
    ++plan.ndim;
  }
  return plan;
}

// Calls inner(ptrs, inner_byte_strides, count) for every inner row of the plan.
template <size_t N, typename Inner>
void run_plan(const StridedPlan<N>& plan, std::array<char*, N> base, Inner&& inner) {
  if (plan.numel == 0) return;
  std::array<int64_t, N> inner_strides{};
  if (plan.ndim == 0) {
    inner(base, inner_strides, int64_t{1});
    return;
  }
  const int64_t last = plan.ndim - 1;
  for (size_t k = 0; k < N; ++k) inner_strides[k] = plan.strides[k][last];
  std::array<int64_t, kMaxDims> index{};
  std::array<char*, N> ptrs = base;
  while (true) {
    inner(ptrs, inner_strides, plan.sizes[last]);
    // Odometer increment over the outer dims.
    int64_t d = last - 1;
    for (; d >= 0; --d) {
      if (++index[d] < plan.sizes[d]) {
        for (size_t k = 0; k < N; ++k) ptrs[k] += plan.strides[k][d];
        break;
      }
      for (size_t k = 0; k < N; ++k) ptrs[k] -= plan.strides[k][d] * (plan.sizes[d] - 1);
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

// Whether a tensor of shape `from` can be broadcast (expanded) to exactly `to`.
bool broadcasts_to(const Shape& from, const Shape& to);

// Byte pointer to a tensor's first element (offset applied).
char* byte_ptr(const Tensor& t);

}  // namespace rein::internal
