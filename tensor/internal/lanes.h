// Reductions along one dim see a contiguous tensor as (outer, n, inner): each of the outer *
// inner "lanes" holds n elements spaced `inner` apart. Lane k of the input maps to element k of
// the (contiguous) output.
#pragma once

#include "tensor/internal/strided.h"
#include "tensor/tensor.h"

namespace rein::internal {

struct Lanes {
  int64_t outer = 1;
  int64_t n = 1;
  int64_t inner = 1;
  Shape out_shape;  // the reduced shape (dim kept as 1 when keepdim)
};

// Lanes along `dim` (may be negative; rank 0 counts as one lane of one element).
Lanes lanes_along(const Shape& shape, int64_t dim, bool keepdim, const char* op);
// A single lane over every element; out_shape is rank 0.
Lanes lanes_all(const Shape& shape);

// f(const T* first, int64_t stride, int64_t lane) for every lane of contiguous `t`.
template <typename T, typename F>
void for_each_lane(const Tensor& t, const Lanes& lanes, F&& f) {
  const T* base = reinterpret_cast<const T*>(byte_ptr(t));
  for (int64_t o = 0; o < lanes.outer; ++o) {
    for (int64_t i = 0; i < lanes.inner; ++i) {
      f(base + o * lanes.n * lanes.inner + i, lanes.inner, o * lanes.inner + i);
    }
  }
}

}  // namespace rein::internal
