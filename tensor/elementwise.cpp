// Binary elementwise arithmetic with broadcasting (+ - * / pow minimum maximum), the tensor-
// scalar operators, and the in-place Tensor methods (add_, mul_ ...).
#include <cmath>

#include "tensor/internal/dispatch.h"
#include "tensor/internal/loops.h"
#include "tensor/ops.h"

namespace rein {

namespace internal {

void check_defined(const Tensor& a, const char* op) {
  if (!a.defined()) throw Error(str(op, ": tensor is undefined"));
}

void check_same_dtype(const Tensor& a, const Tensor& b, const char* op) {
  check_defined(a, op);
  check_defined(b, op);
  if (a.dtype() != b.dtype()) {
    throw Error(str(op, ": dtypes ", dtype_name(a.dtype()), " and ", dtype_name(b.dtype()),
                    " differ (shapes ", a.shape(), " and ", b.shape(), "); convert with to()"));
  }
}

}  // namespace internal

namespace {

struct AddOp {
  template <typename T>
  T operator()(T x, T y) const {
    return x + y;
  }
};
struct SubOp {
  template <typename T>
  T operator()(T x, T y) const {
    return x - y;
  }
};
struct MulOp {
  template <typename T>
  T operator()(T x, T y) const {
    return x * y;
  }
};
struct DivOp {
  template <typename T>
  T operator()(T x, T y) const {
    return x / y;
  }
};
struct PowOp {
  template <typename T>
  T operator()(T x, T y) const {
    return std::pow(x, y);
  }
};
// NaN propagates, as torch.minimum / torch.maximum do.
struct MinOp {
  template <typename T>
  T operator()(T x, T y) const {
    return (x < y || x != x) ? x : y;
  }
};
struct MaxOp {
  template <typename T>
  T operator()(T x, T y) const {
    return (x > y || x != x) ? x : y;
  }
};

// Numeric (float32/float64/int64) binary op; `floating_only` rejects int64.
template <typename Op>
Tensor binary(const Tensor& a, const Tensor& b, const char* name, bool floating_only, Op op) {
  internal::check_same_dtype(a, b, name);
  Tensor out(broadcast_shapes(a.shape(), b.shape(), name), a.dtype());
  auto run = [&](auto tag) {
    using T = typename decltype(tag)::type;
    internal::binary_loop<T, T>(a, b, out, op);
  };
  if (floating_only) {
    internal::dispatch_floating(a.dtype(), name, run);
  } else {
    internal::dispatch_numeric(a.dtype(), name, run);
  }
  return out;
}

// a op s, or s op a when `scalar_first`, without materialising the scalar as a tensor.
template <typename Op>
Tensor binary_scalar(const Tensor& a, double s, bool scalar_first, const char* name, Op op) {
  internal::check_defined(a, name);
  Tensor out(a.shape(), a.dtype());
  internal::dispatch_numeric(a.dtype(), name, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T v = static_cast<T>(s);
    if (scalar_first) {
      internal::unary_loop<T, T>(a, out, [&](T x) { return op(v, x); });
    } else {
      internal::unary_loop<T, T>(a, out, [&](T x) { return op(x, v); });
    }
  });
  return out;
}

// The operand of an in-place op, made safe to read while self is written.
Tensor inplace_source(const Tensor& self, const Tensor& other, const char* name) {
  internal::check_same_dtype(self, other, name);
  if (!internal::broadcasts_to(other.shape(), self.shape())) {
    throw Error(str(name, ": shape ", other.shape(), " cannot be broadcast to ", self.shape()));
  }
  const bool same_layout = other.offset() == self.offset() && other.strides() == self.strides() &&
                           other.shape() == self.shape();
  return other.shares_storage(self) && !same_layout ? other.clone() : other;
}

template <typename Op>
void inplace(Tensor& self, const Tensor& other, const char* name, Op op) {
  const Tensor src = inplace_source(self, other, name);
  internal::dispatch_numeric(self.dtype(), name, [&](auto tag) {
    using T = typename decltype(tag)::type;
    internal::inplace_loop<T>(self, src, op);
  });
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return binary(a, b, "add", false, AddOp{}); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary(a, b, "sub", false, SubOp{}); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary(a, b, "mul", false, MulOp{}); }
Tensor div(const Tensor& a, const Tensor& b) { return binary(a, b, "div", true, DivOp{}); }
Tensor pow(const Tensor& a, const Tensor& b) { return binary(a, b, "pow", true, PowOp{}); }
Tensor minimum(const Tensor& a, const Tensor& b) { return binary(a, b, "minimum", false, MinOp{}); }
Tensor maximum(const Tensor& a, const Tensor& b) { return binary(a, b, "maximum", false, MaxOp{}); }

Tensor pow(const Tensor& a, double exponent) {
  internal::check_defined(a, "pow");
  Tensor out(a.shape(), a.dtype());
  internal::dispatch_floating(a.dtype(), "pow", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T e = static_cast<T>(exponent);
    // Exact, fast forms for the exponents that losses and normalisers use.
    if (exponent == 2.0) {
      internal::unary_loop<T, T>(a, out, [](T x) { return x * x; });
    } else if (exponent == 1.0) {
      internal::unary_loop<T, T>(a, out, [](T x) { return x; });
    } else if (exponent == 0.5) {
      internal::unary_loop<T, T>(a, out, [](T x) { return std::sqrt(x); });
    } else if (exponent == -1.0) {
      internal::unary_loop<T, T>(a, out, [](T x) { return T(1) / x; });
    } else {
      internal::unary_loop<T, T>(a, out, [e](T x) { return std::pow(x, e); });
    }
  });
  return out;
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, double b) { return binary_scalar(a, b, false, "add", AddOp{}); }
Tensor operator-(const Tensor& a, double b) { return binary_scalar(a, b, false, "sub", SubOp{}); }
Tensor operator*(const Tensor& a, double b) { return binary_scalar(a, b, false, "mul", MulOp{}); }
Tensor operator/(const Tensor& a, double b) {
  if (!is_floating(a.dtype())) {
    throw Error(
        str("div: expected a floating tensor (float32 or float64), got ", dtype_name(a.dtype())));
  }
  return binary_scalar(a, b, false, "div", DivOp{});
}
Tensor operator+(double a, const Tensor& b) { return binary_scalar(b, a, true, "add", AddOp{}); }
Tensor operator-(double a, const Tensor& b) { return binary_scalar(b, a, true, "sub", SubOp{}); }
Tensor operator*(double a, const Tensor& b) { return binary_scalar(b, a, true, "mul", MulOp{}); }
Tensor operator/(double a, const Tensor& b) {
  if (!is_floating(b.dtype())) {
    throw Error(
        str("div: expected a floating tensor (float32 or float64), got ", dtype_name(b.dtype())));
  }
  return binary_scalar(b, a, true, "div", DivOp{});
}
Tensor operator-(const Tensor& a) { return neg(a); }

// ---- In place ----

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  if (alpha == 1.0) {
    inplace(*this, other, "add_", AddOp{});
    return *this;
  }
  const Tensor src = inplace_source(*this, other, "add_");
  internal::dispatch_numeric(dtype_, "add_", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T k = static_cast<T>(alpha);
    internal::inplace_loop<T>(*this, src, [k](T x, T y) { return x + k * y; });
  });
  return *this;
}

Tensor& Tensor::sub_(const Tensor& other) {
  inplace(*this, other, "sub_", SubOp{});
  return *this;
}

Tensor& Tensor::mul_(const Tensor& other) {
  inplace(*this, other, "mul_", MulOp{});
  return *this;
}

Tensor& Tensor::div_(const Tensor& other) {
  internal::dispatch_floating(dtype_, "div_", [](auto) {});
  inplace(*this, other, "div_", DivOp{});
  return *this;
}

Tensor& Tensor::mul_(double value) {
  internal::check_defined(*this, "mul_");
  internal::dispatch_numeric(dtype_, "mul_", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T k = static_cast<T>(value);
    internal::inplace_unary_loop<T>(*this, [k](T x) { return x * k; });
  });
  return *this;
}

Tensor& Tensor::clamp_(double min, double max) {
  internal::check_defined(*this, "clamp_");
  internal::dispatch_numeric(dtype_, "clamp_", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T lo = static_cast<T>(min), hi = static_cast<T>(max);
    internal::inplace_unary_loop<T>(*this, [lo, hi](T x) { return std::min(std::max(x, lo), hi); });
  });
  return *this;
}

}  // namespace rein
