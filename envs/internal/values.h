// Reading tensor elements as double whatever their dtype: wrappers and the checker handle
// observations of any space without templating on the dtype.
#pragma once

#include <cstdint>

#include "tensor/tensor.h"

namespace rein::envs::internal {

// Element `flat` (row-major) of t, honouring strides, as double.
inline double read_value(const Tensor& t, int64_t flat) {
  int64_t offset = 0;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    const int64_t size = t.shape()[d];
    offset += (flat % size) * t.strides()[d];
    flat /= size;
  }
  switch (t.dtype()) {
    case Dtype::Float32:
      return t.data<float>()[offset];
    case Dtype::Float64:
      return t.data<double>()[offset];
    case Dtype::Int64:
      return static_cast<double>(t.data<int64_t>()[offset]);
    case Dtype::Bool:
      return t.data<bool>()[offset] ? 1.0 : 0.0;
    case Dtype::UInt8:
      return t.data<uint8_t>()[offset];
  }
  return 0.0;
}

// All elements of t into out[0 .. numel).
inline void read_values(const Tensor& t, double* out) {
  const int64_t n = t.numel();
  if (t.is_contiguous() && t.dtype() == Dtype::Float32) {
    const float* p = t.data<float>();
    for (int64_t i = 0; i < n; ++i) out[i] = p[i];
    return;
  }
  for (int64_t i = 0; i < n; ++i) out[i] = read_value(t, i);
}

}  // namespace rein::envs::internal
