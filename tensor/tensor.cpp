// Shape, dtype helpers and the Tensor handle: construction, element access, copies, in-place
// fill and copy_. Views are in views.cpp, arithmetic in elementwise.cpp.
#include "tensor/tensor.h"

#include <cstring>
#include <ostream>

#include "tensor/internal/dispatch.h"
#include "tensor/internal/storage.h"
#include "tensor/internal/strided.h"
#include "tensor/ops.h"

namespace rein {

using internal::byte_ptr;

// ---- Dtype ----

size_t element_size(Dtype dtype) {
  switch (dtype) {
    case Dtype::Float32:
      return 4;
    case Dtype::Float64:
    case Dtype::Int64:
      return 8;
    case Dtype::Bool:
    case Dtype::UInt8:
      break;
  }
  return 1;
}

const char* dtype_name(Dtype dtype) {
  switch (dtype) {
    case Dtype::Float32:
      return "float32";
    case Dtype::Float64:
      return "float64";
    case Dtype::Int64:
      return "int64";
    case Dtype::Bool:
      return "bool";
    case Dtype::UInt8:
      break;
  }
  return "uint8";
}

bool is_floating(Dtype dtype) { return dtype == Dtype::Float32 || dtype == Dtype::Float64; }

// ---- Shape ----

Shape::Shape(std::initializer_list<int64_t> dims) {
  for (int64_t d : dims) push_back(d);
}

Shape::Shape(const std::vector<int64_t>& dims) : Shape(dims.begin(), dims.end()) {}

void Shape::push_back(int64_t d) {
  if (size_ >= kMaxDims) {
    throw Error(str("Shape: at most ", kMaxDims, " dims are supported"));
  }
  dims_[size_++] = d;
}

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int64_t d : *this) n *= d;
  return n;
}

bool Shape::operator==(const Shape& other) const {
  if (size_ != other.size_) return false;
  for (int64_t i = 0; i < size_; ++i) {
    if (dims_[i] != other.dims_[i]) return false;
  }
  return true;
}

std::string to_string(const Shape& shape) {
  std::string s = "[";
  for (int64_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::ostream& operator<<(std::ostream& os, const Shape& shape) { return os << to_string(shape); }

// ---- Tensor ----

Tensor::Tensor(const Shape& shape, Dtype dtype) : shape_(shape), dtype_(dtype) {
  for (int64_t d : shape) {
    if (d < 0) throw Error(str("Tensor: negative dimension in shape ", shape));
  }
  strides_ = internal::contiguous_strides(shape);
  storage_ = internal::allocate_storage(static_cast<size_t>(shape.numel()) * element_size(dtype));
}

Tensor make_tensor(std::shared_ptr<internal::Storage> storage, const Shape& shape,
                   const Shape& strides, int64_t offset, Dtype dtype) {
  Tensor t;
  t.storage_ = std::move(storage);
  t.shape_ = shape;
  t.strides_ = strides;
  t.offset_ = offset;
  t.dtype_ = dtype;
  return t;
}

int64_t Tensor::size_slow(int64_t d) const {
  return shape_[internal::normalize_dim(d, dim(), "size")];
}

bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  for (int64_t d = dim() - 1; d >= 0; --d) {
    if (shape_[d] == 0) return true;
    if (shape_[d] != 1 && strides_[d] != expected) return false;
    expected *= shape_[d];
  }
  return true;
}

template <typename T>
T* Tensor::data() {
  if (dtype_of<T>() != dtype_) {
    throw Error(str("data: tensor has dtype ", dtype_name(dtype_), ", requested ",
                    dtype_name(dtype_of<T>())));
  }
  if (!defined()) throw Error("data: tensor is undefined");
  return static_cast<T*>(storage_->data) + offset_;
}

template <typename T>
const T* Tensor::data() const {
  return const_cast<Tensor*>(this)->data<T>();
}

const void* Tensor::raw_data() const { return const_cast<Tensor*>(this)->raw_data(); }

void* Tensor::raw_data() {
  if (!defined()) return nullptr;
  return static_cast<char*>(storage_->data) + offset_ * static_cast<int64_t>(element_size(dtype_));
}

template float* Tensor::data<float>();
template double* Tensor::data<double>();
template int64_t* Tensor::data<int64_t>();
template bool* Tensor::data<bool>();
template uint8_t* Tensor::data<uint8_t>();
template const float* Tensor::data<float>() const;
template const double* Tensor::data<double>() const;
template const int64_t* Tensor::data<int64_t>() const;
template const bool* Tensor::data<bool>() const;
template const uint8_t* Tensor::data<uint8_t>() const;

namespace {

double read_double(const char* p, Dtype dtype) {
  return internal::dispatch_all(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T v;
    std::memcpy(&v, p, sizeof(T));
    return static_cast<double>(v);
  });
}

}  // namespace

double Tensor::item() const {
  if (!defined()) throw Error("item: tensor is undefined");
  if (numel() != 1) {
    throw Error(str("item: a tensor with ", numel(), " elements (shape ", shape_,
                    ") cannot be converted to a scalar"));
  }
  return read_double(byte_ptr(*this), dtype_);
}

double Tensor::at(std::initializer_list<int64_t> index) const {
  if (static_cast<int64_t>(index.size()) != dim()) {
    throw Error(str("at: expected ", dim(), " indices for shape ", shape_, ", got ", index.size()));
  }
  int64_t off = 0;
  int64_t d = 0;
  for (int64_t i : index) {
    if (i < -shape_[d] || i >= shape_[d]) {
      throw Error(str("at: index ", i, " out of range for dim ", d, " of shape ", shape_));
    }
    off += (i < 0 ? i + shape_[d] : i) * strides_[d];
    ++d;
  }
  return read_double(byte_ptr(*this) + off * static_cast<int64_t>(element_size(dtype_)), dtype_);
}

Tensor Tensor::clone() const {
  Tensor out(shape_, dtype_);
  out.copy_(*this);
  return out;
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor Tensor::to(Dtype dtype) const {
  if (dtype == dtype_) return *this;
  Tensor out(shape_, dtype);
  out.copy_(*this);
  return out;
}

std::vector<double> Tensor::tolist() const {
  Tensor c = to(Dtype::Float64).contiguous();
  const double* p = c.data<double>();
  return std::vector<double>(p, p + c.numel());
}

// ---- In place ----

Tensor& Tensor::fill_(double value) {
  internal::dispatch_all(dtype_, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T v = static_cast<T>(value);
    if (is_contiguous()) {
      T* p = data<T>();
      std::fill(p, p + numel(), v);
      return;
    }
    auto plan = internal::make_plan<1>(shape_, {strides_}, {int64_t{sizeof(T)}});
    internal::run_plan<1>(plan, {byte_ptr(*this)}, [&](auto ptrs, auto s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(ptrs[0] + i * s[0]) = v;
    });
  });
  return *this;
}

Tensor& Tensor::zero_() { return fill_(0.0); }

namespace {

// dst[i] = convert(src[i]) over a plan; bool conversion is "!= 0" as in PyTorch.
template <typename D, typename S>
void convert_copy(const internal::StridedPlan<2>& plan, char* dst, char* src) {
  internal::run_plan<2>(plan, {dst, src}, [](auto ptrs, auto s, int64_t n) {
    if (s[0] == sizeof(D) && s[1] == sizeof(S)) {
      D* d = reinterpret_cast<D*>(ptrs[0]);
      const S* x = reinterpret_cast<const S*>(ptrs[1]);
      for (int64_t i = 0; i < n; ++i) d[i] = static_cast<D>(x[i]);
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      *reinterpret_cast<D*>(ptrs[0] + i * s[0]) =
          static_cast<D>(*reinterpret_cast<const S*>(ptrs[1] + i * s[1]));
    }
  });
}

}  // namespace

Tensor& Tensor::copy_(const Tensor& src) {
  if (!defined() || !src.defined()) throw Error("copy_: tensor is undefined");
  if (!internal::broadcasts_to(src.shape(), shape_)) {
    throw Error(str("copy_: shape ", src.shape(), " cannot be broadcast to ", shape_));
  }
  // Overlapping source and destination: read from a private copy first.
  if (shares_storage(src) &&
      !(src.offset_ == offset_ && src.strides_ == strides_ && src.shape_ == shape_)) {
    return copy_(src.clone());
  }
  if (src.shape_ == shape_ && src.dtype_ == dtype_ && is_contiguous() && src.is_contiguous()) {
    std::memmove(byte_ptr(*this), byte_ptr(src),
                 static_cast<size_t>(numel()) * element_size(dtype_));
    return *this;
  }
  auto plan = internal::make_plan<2>(
      shape_, {strides_, internal::broadcast_strides(src, shape_)},
      {static_cast<int64_t>(element_size(dtype_)), static_cast<int64_t>(element_size(src.dtype_))});
  internal::dispatch_all(dtype_, [&](auto dtag) {
    internal::dispatch_all(src.dtype_, [&](auto stag) {
      using D = typename decltype(dtag)::type;
      using S = typename decltype(stag)::type;
      convert_copy<D, S>(plan, byte_ptr(*this), byte_ptr(src));
    });
  });
  return *this;
}

}  // namespace rein
