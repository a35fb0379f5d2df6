// Creation functions: empty/zeros/ones/full, ranges, eye, *_like, and tensors from C++ data.
#include <cmath>
#include <cstring>

#include "tensor/internal/dispatch.h"
#include "tensor/internal/strided.h"
#include "tensor/tensor.h"

namespace rein {

Tensor empty(const Shape& shape, Dtype dtype) { return Tensor(shape, dtype); }

Tensor zeros(const Shape& shape, Dtype dtype) {
  Tensor t(shape, dtype);
  // All-zero bytes are 0 for every dtype (IEEE 0.0, int 0, false).
  if (t.numel() > 0) {
    std::memset(internal::byte_ptr(t), 0, static_cast<size_t>(t.numel()) * element_size(dtype));
  }
  return t;
}

Tensor ones(const Shape& shape, Dtype dtype) { return full(shape, 1.0, dtype); }

Tensor full(const Shape& shape, double value, Dtype dtype) {
  Tensor t(shape, dtype);
  t.fill_(value);
  return t;
}

Tensor scalar(double value, Dtype dtype) { return full(Shape{}, value, dtype); }

Tensor arange(double end, Dtype dtype) { return arange(0.0, end, 1.0, dtype); }

Tensor arange(double start, double end, double step, Dtype dtype) {
  if (step == 0 || !std::isfinite(start) || !std::isfinite(end) || !std::isfinite(step)) {
    throw Error(str("arange: invalid range start=", start, " end=", end, " step=", step));
  }
  if ((end - start) * step < 0) {
    throw Error(str("arange: step ", step, " does not lead from ", start, " to ", end));
  }
  const auto n = static_cast<int64_t>(std::ceil((end - start) / step));
  Tensor t(Shape{n}, dtype);
  internal::dispatch_numeric(dtype, "arange", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = t.data<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(start + static_cast<double>(i) * step);
  });
  return t;
}

Tensor linspace(double start, double end, int64_t steps, Dtype dtype) {
  if (steps < 0) throw Error(str("linspace: number of steps must be >= 0, got ", steps));
  Tensor t(Shape{steps}, dtype);
  internal::dispatch_floating(dtype, "linspace", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = t.data<T>();
    const double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
    // Fill from both ends (as PyTorch does) so the last value is exactly `end`.
    const int64_t half = steps / 2;
    for (int64_t i = 0; i < steps; ++i) {
      p[i] = static_cast<T>(i < half ? start + step * static_cast<double>(i)
                                     : end - step * static_cast<double>(steps - 1 - i));
    }
  });
  return t;
}

Tensor eye(int64_t n, Dtype dtype) {
  if (n < 0) throw Error(str("eye: n must be >= 0, got ", n));
  Tensor t = zeros(Shape{n, n}, dtype);
  internal::dispatch_all(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = t.data<T>();
    for (int64_t i = 0; i < n; ++i) p[i * n + i] = static_cast<T>(1);
  });
  return t;
}

Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype()); }
Tensor full_like(const Tensor& t, double value) { return full(t.shape(), value, t.dtype()); }
Tensor empty_like(const Tensor& t) { return empty(t.shape(), t.dtype()); }

template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape) {
  if (static_cast<int64_t>(values.size()) != shape.numel()) {
    throw Error(str("from_vector: ", values.size(), " values do not fill shape ", shape, " (",
                    shape.numel(), " elements)"));
  }
  Tensor t(shape, dtype_of<T>());
  T* p = t.data<T>();
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i];  // vector<bool> has no data()
  return t;
}

template <typename T>
Tensor from_vector(const std::vector<T>& values) {
  return from_vector(values, Shape{static_cast<int64_t>(values.size())});
}

template Tensor from_vector<float>(const std::vector<float>&, const Shape&);
template Tensor from_vector<double>(const std::vector<double>&, const Shape&);
template Tensor from_vector<int64_t>(const std::vector<int64_t>&, const Shape&);
template Tensor from_vector<bool>(const std::vector<bool>&, const Shape&);
template Tensor from_vector<uint8_t>(const std::vector<uint8_t>&, const Shape&);
template Tensor from_vector<float>(const std::vector<float>&);
template Tensor from_vector<double>(const std::vector<double>&);
template Tensor from_vector<int64_t>(const std::vector<int64_t>&);
template Tensor from_vector<bool>(const std::vector<bool>&);
template Tensor from_vector<uint8_t>(const std::vector<uint8_t>&);

namespace {

Tensor from_doubles(const std::vector<double>& values, const Shape& shape, Dtype dtype) {
  return from_vector(values, shape).to(dtype);
}

}  // namespace

Tensor tensor(std::initializer_list<double> values, Dtype dtype) {
  return from_doubles(std::vector<double>(values), Shape{static_cast<int64_t>(values.size())},
                      dtype);
}

Tensor tensor(std::initializer_list<std::initializer_list<double>> rows, Dtype dtype) {
  std::vector<double> values;
  const int64_t cols = rows.size() > 0 ? static_cast<int64_t>(rows.begin()->size()) : 0;
  for (const auto& row : rows) {
    if (static_cast<int64_t>(row.size()) != cols) {
      throw Error(str("tensor: rows of different lengths (", cols, " and ", row.size(), ")"));
    }
    values.insert(values.end(), row.begin(), row.end());
  }
  return from_doubles(values, Shape{static_cast<int64_t>(rows.size()), cols}, dtype);
}

Tensor tensor(std::initializer_list<std::initializer_list<std::initializer_list<double>>> rows,
              Dtype dtype) {
  std::vector<double> values;
  const int64_t mid = rows.size() > 0 ? static_cast<int64_t>(rows.begin()->size()) : 0;
  int64_t cols = -1;
  for (const auto& plane : rows) {
    if (static_cast<int64_t>(plane.size()) != mid) {
      throw Error(str("tensor: rows of different lengths (", mid, " and ", plane.size(), ")"));
    }
    for (const auto& row : plane) {
      if (cols < 0) cols = static_cast<int64_t>(row.size());
      if (static_cast<int64_t>(row.size()) != cols) {
        throw Error(str("tensor: rows of different lengths (", cols, " and ", row.size(), ")"));
      }
      values.insert(values.end(), row.begin(), row.end());
    }
  }
  return from_doubles(values, Shape{static_cast<int64_t>(rows.size()), mid, cols < 0 ? 0 : cols},
                      dtype);
}

}  // namespace rein
