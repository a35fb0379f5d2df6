// rein::Tensor: a dense, strided, n-d array (float32, float64, int64, bool, uint8) and its creation
// functions. Operations live in tensor/ops.h; random numbers in tensor/generator.h.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"

namespace rein {

// float32 is the working dtype; float64 is for gradient checks; int64 holds indices (argmax,
// gather, randint); bool holds masks (comparisons, where, masked_fill); uint8 holds images
// (pixel observations): it can be created, copied, compared, printed and cast with to(), but
// arithmetic wants a numeric dtype (cast with to(Dtype::Float32) first).
enum class Dtype : uint8_t { Float32, Float64, Int64, Bool, UInt8 };

size_t element_size(Dtype dtype);
const char* dtype_name(Dtype dtype);  // "float32", "float64", "int64", "bool", "uint8"
bool is_floating(Dtype dtype);

template <typename T>
constexpr Dtype dtype_of();
template <>
constexpr Dtype dtype_of<float>() {
  return Dtype::Float32;
}
template <>
constexpr Dtype dtype_of<double>() {
  return Dtype::Float64;
}
template <>
constexpr Dtype dtype_of<int64_t>() {
  return Dtype::Int64;
}
template <>
constexpr Dtype dtype_of<bool>() {
  return Dtype::Bool;
}
template <>
constexpr Dtype dtype_of<uint8_t>() {
  return Dtype::UInt8;
}

constexpr int kMaxDims = 8;

// Sizes (or strides) of up to kMaxDims dimensions, stored inline: no heap allocation. Only the
// first size() entries are meaningful; the rest are left uninitialised, so that constructing a
// Tensor (two Shapes) or a graph cell (four Tensors) writes a few words instead of zero-filling
// hundreds of bytes, which is a measurable part of a batch-1 forward pass.
class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);
  explicit Shape(const std::vector<int64_t>& dims);
  template <typename It>
  Shape(It first, It last) {
    for (; first != last; ++first) push_back(static_cast<int64_t>(*first));
  }

  int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t& operator[](int64_t i) { return dims_[i]; }
  int64_t operator[](int64_t i) const { return dims_[i]; }
  const int64_t* begin() const { return dims_.data(); }
  const int64_t* end() const { return dims_.data() + size_; }
  int64_t* begin() { return dims_.data(); }
  int64_t* end() { return dims_.data() + size_; }
  int64_t back() const { return dims_[size_ - 1]; }
  void push_back(int64_t d);  // throws rein::Error past kMaxDims
  void pop_back() { --size_; }
  int64_t numel() const;  // product of the dims (1 for rank 0)
  std::vector<int64_t> to_vector() const { return {begin(), end()}; }
  bool operator==(const Shape& other) const;

 private:
  std::array<int64_t, kMaxDims> dims_;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  int64_t size_ = 0;
};

std::string to_string(const Shape& shape);  // "[3, 4]"
std::ostream& operator<<(std::ostream& os, const Shape& shape);

namespace internal {
struct Storage;
}

// A Tensor is a cheap handle: copies share storage (like torch.Tensor), views (reshape of a
// contiguous tensor, transpose, permute, narrow/slice, select, expand, squeeze/unsqueeze) share it
// too, and clone() copies the data. Writing through one handle is seen by every handle that
// shares the storage. A default-constructed Tensor is undefined (defined() == false).
// Thread-safety: none beyond shared_ptr's; one thread writes a tensor at a time.
class Tensor {
 public:
  Tensor() = default;
  // Uninitialised contiguous tensor (use zeros() for zeroed memory).
  Tensor(const Shape& shape, Dtype dtype = Dtype::Float32);

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  const Shape& strides() const { return strides_; }  // in elements
  int64_t offset() const { return offset_; }         // in elements, into the storage
  int64_t dim() const { return shape_.size(); }
  // Negative d counts from the end; throws rein::Error out of range. Inline: shape checks in
  // hot ops call it several times per op.
  int64_t size(int64_t d) const {
    const int64_t n = dim();
    if (d >= 0 && d < n) return shape_[d];
    if (d < 0 && d >= -n) return shape_[d + n];
    return size_slow(d);
  }
  int64_t numel() const { return shape_.numel(); }
  Dtype dtype() const { return dtype_; }
  bool is_contiguous() const;
  bool shares_storage(const Tensor& other) const { return storage_ == other.storage_; }

  // Pointer to the first element (offset applied). Throws rein::Error if T does not match
  // dtype(). Elements are at data<T>()[sum_i index_i * strides()[i]].
  template <typename T>
  T* data();
  template <typename T>
  const T* data() const;
  // The first element's bytes, whatever the dtype (for serialisation and memcpy of contiguous
  // tensors); nullptr when undefined.
  const void* raw_data() const;
  void* raw_data();
  // The value of a one-element tensor, converted to double. Throws if numel() != 1.
  double item() const;
  template <typename T>
  T item() const {
    return static_cast<T>(item());
  }
  // Element at a full index, converted to double (slow: for tests and printing).
  double at(std::initializer_list<int64_t> index) const;

  Tensor clone() const;                // contiguous copy with its own storage
  Tensor contiguous() const;           // *this if already contiguous, else a contiguous copy
  Tensor to(Dtype dtype) const;        // *this if same dtype, else a converted copy
  std::vector<double> tolist() const;  // all elements in row-major order, as double

  // Views and shape (PyTorch names; negative dims count from the end).
  Tensor reshape(const Shape& shape) const;  // a view when possible; one dim may be -1
  Tensor view(const Shape& shape) const;     // throws if a view is impossible
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;  // transpose of a 2-D tensor
  Tensor permute(const Shape& dims) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;  // removes dim
  Tensor expand(const Shape& shape) const;          // -1 keeps a size; stride 0 broadcast
  Tensor repeat(const Shape& repeats) const;        // copies

  // Reductions (same as the free functions in tensor/ops.h).
  Tensor sum() const;
  Tensor sum(int64_t dim, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(int64_t dim, bool keepdim = false) const;

  // In place (trailing underscore as in PyTorch). They write through shared storage.
  Tensor& fill_(double value);
  Tensor& zero_();
  Tensor& copy_(const Tensor& src);  // src broadcast to shape(); converts dtype
  Tensor& add_(const Tensor& other, double alpha = 1.0);  // this += alpha * other
  Tensor& sub_(const Tensor& other);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(double value);
  Tensor& div_(const Tensor& other);
  Tensor& clamp_(double min, double max);

 private:
  friend struct internal::Storage;
  friend Tensor make_tensor(std::shared_ptr<internal::Storage>, const Shape&, const Shape&, int64_t,
                            Dtype);
  int64_t size_slow(int64_t d) const;  // rank 0 (dim 0 and -1 allowed), or throws
  std::shared_ptr<internal::Storage> storage_;
  Shape shape_;
  Shape strides_;
  int64_t offset_ = 0;
  Dtype dtype_ = Dtype::Float32;
};

// Builds a view on existing storage (used by the implementation of views).
Tensor make_tensor(std::shared_ptr<internal::Storage> storage, const Shape& shape,
                   const Shape& strides, int64_t offset, Dtype dtype);

// PyTorch-like printing: "tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]])".
std::ostream& operator<<(std::ostream& os, const Tensor& t);
std::string to_string(const Tensor& t);

// Creation.
Tensor empty(const Shape& shape, Dtype dtype = Dtype::Float32);
Tensor zeros(const Shape& shape, Dtype dtype = Dtype::Float32);
Tensor ones(const Shape& shape, Dtype dtype = Dtype::Float32);
Tensor full(const Shape& shape, double value, Dtype dtype = Dtype::Float32);
Tensor scalar(double value, Dtype dtype = Dtype::Float32);  // rank-0 tensor
Tensor arange(double end, Dtype dtype = Dtype::Float32);
Tensor arange(double start, double end, double step = 1.0, Dtype dtype = Dtype::Float32);
Tensor linspace(double start, double end, int64_t steps, Dtype dtype = Dtype::Float32);
Tensor eye(int64_t n, Dtype dtype = Dtype::Float32);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
Tensor empty_like(const Tensor& t);

// From data: the values are copied. The shape defaults to 1-D; its numel must match.
template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape);
template <typename T>
Tensor from_vector(const std::vector<T>& values);
// Nested initializer lists: tensor({1, 2, 3}), tensor({{1, 2}, {3, 4}}) (float32 unless told).
Tensor tensor(std::initializer_list<double> values, Dtype dtype = Dtype::Float32);
Tensor tensor(std::initializer_list<std::initializer_list<double>> rows,
              Dtype dtype = Dtype::Float32);
Tensor tensor(std::initializer_list<std::initializer_list<std::initializer_list<double>>> rows,
              Dtype dtype = Dtype::Float32);

}  // namespace rein
