// Helpers shared by every kernel: contiguous strides, dim normalisation, broadcasting.
#include "tensor/internal/strided.h"

#include "tensor/internal/storage.h"
#include "tensor/ops.h"

namespace rein {
namespace internal {

Shape contiguous_strides(const Shape& shape) {
  Shape strides = shape;
  int64_t stride = 1;
  for (int64_t d = shape.size() - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= shape[d] > 0 ? shape[d] : 1;
  }
  return strides;
}

int64_t normalize_dim(int64_t dim, int64_t ndim, const char* op) {
  // Like PyTorch, a rank-0 tensor accepts dim 0 and -1.
  const int64_t range = ndim > 0 ? ndim : 1;
  if (dim < -range || dim >= range) {
    throw Error(str(op, ": dim ", dim, " out of range for a tensor of rank ", ndim,
                    " (expected in [", -range, ", ", range - 1, "])"));
  }
  return dim < 0 ? dim + range : dim;
}

Shape broadcast_strides(const Tensor& t, const Shape& shape) {
  Shape strides = shape;
  const int64_t lead = shape.size() - t.dim();
  for (int64_t d = 0; d < shape.size(); ++d) {
    const int64_t td = d - lead;
    strides[d] = (td < 0 || t.shape()[td] == 1) ? 0 : t.strides()[td];
  }
  return strides;
}

bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const int64_t lead = to.size() - from.size();
  for (int64_t d = 0; d < from.size(); ++d) {
    if (from[d] != 1 && from[d] != to[d + lead]) return false;
  }
  return true;
}

char* byte_ptr(const Tensor& t) {
  return static_cast<char*>(Storage::of(t)->data) +
         t.offset() * static_cast<int64_t>(element_size(t.dtype()));
}

}  // namespace internal

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  if (a == b) return a;
  const int64_t n = a.size() > b.size() ? a.size() : b.size();
  Shape out;
  for (int64_t d = 0; d < n; ++d) {
    const int64_t ad = d - (n - a.size());
    const int64_t bd = d - (n - b.size());
    const int64_t x = ad >= 0 ? a[ad] : 1;
    const int64_t y = bd >= 0 ? b[bd] : 1;
    if (x != y && x != 1 && y != 1) {
      throw Error(str(op, ": shapes ", a, " and ", b, " cannot be broadcast"));
    }
    out.push_back(x == 1 ? y : x);
  }
  return out;
}

}  // namespace rein
