// Dtype dispatch for kernels inside .cpp files: calls f(Tag<T>{}) with the C++ type of a Dtype.
#pragma once

#include <cstdint>

#include "tensor/tensor.h"

namespace rein::internal {

template <typename T>
struct Tag {
  using type = T;
};

// float32 / float64 only; anything else throws "<op>: expected a floating tensor ...".
template <typename F>
decltype(auto) dispatch_floating(Dtype dtype, const char* op, F&& f) {
  switch (dtype) {
    case Dtype::Float32:
      return f(Tag<float>{});
    case Dtype::Float64:
      return f(Tag<double>{});
    default:
      throw Error(
          str(op, ": expected a floating tensor (float32 or float64), got ", dtype_name(dtype)));
  }
}

// float32 / float64 / int64 (the numeric dtypes); bool throws.
template <typename F>
decltype(auto) dispatch_numeric(Dtype dtype, const char* op, F&& f) {
  switch (dtype) {
    case Dtype::Float32:
      return f(Tag<float>{});
    case Dtype::Float64:
      return f(Tag<double>{});
    case Dtype::Int64:
      return f(Tag<int64_t>{});
    default:
      throw Error(str(op, ": expected a numeric tensor, got ", dtype_name(dtype)));
  }
}

// Every dtype.
template <typename F>
decltype(auto) dispatch_all(Dtype dtype, F&& f) {
  switch (dtype) {
    case Dtype::Float32:
      return f(Tag<float>{});
    case Dtype::Float64:
      return f(Tag<double>{});
    case Dtype::Int64:
      return f(Tag<int64_t>{});
    case Dtype::UInt8:
      return f(Tag<uint8_t>{});
    case Dtype::Bool:
      break;
  }
  return f(Tag<bool>{});
}

}  // namespace rein::internal
