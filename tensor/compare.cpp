// Comparisons returning bool masks, logical ops on masks, where() and masked_fill().
#include "tensor/internal/dispatch.h"
#include "tensor/internal/loops.h"
#include "tensor/ops.h"

namespace rein {
namespace {

template <typename Op>
Tensor compare(const Tensor& a, const Tensor& b, const char* name, Op op) {
  internal::check_same_dtype(a, b, name);
  Tensor out(broadcast_shapes(a.shape(), b.shape(), name), Dtype::Bool);
  internal::dispatch_all(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    internal::binary_loop<T, bool>(a, b, out, op);
  });
  return out;
}

template <typename Op>
Tensor compare_scalar(const Tensor& a, double s, const char* name, Op op) {
  internal::check_defined(a, name);
  Tensor out(a.shape(), Dtype::Bool);
  internal::dispatch_numeric(a.dtype(), name, [&](auto tag) {
    using T = typename decltype(tag)::type;
    // Compare in double so that e.g. an int64 tensor against 0.5 behaves as in PyTorch.
    internal::unary_loop<T, bool>(a, out, [&](T x) { return op(static_cast<double>(x), s); });
  });
  return out;
}

void check_bool(const Tensor& t, const char* name) {
  internal::check_defined(t, name);
  if (t.dtype() != Dtype::Bool) {
    throw Error(
        str(name, ": expected a bool mask, got ", dtype_name(t.dtype()), " of shape ", t.shape()));
  }
}

struct Eq {
  template <typename T>
  bool operator()(T x, T y) const {
    return x == y;
  }
};
struct Ne {
  template <typename T>
  bool operator()(T x, T y) const {
    return x != y;
  }
};
struct Lt {
  template <typename T>
  bool operator()(T x, T y) const {
    return x < y;
  }
};
struct Le {
  template <typename T>
  bool operator()(T x, T y) const {
    return x <= y;
  }
};
struct Gt {
  template <typename T>
  bool operator()(T x, T y) const {
    return x > y;
  }
};
struct Ge {
  template <typename T>
  bool operator()(T x, T y) const {
    return x >= y;
  }
};

}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) { return compare(a, b, "eq", Eq{}); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare(a, b, "ne", Ne{}); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare(a, b, "lt", Lt{}); }
Tensor le(const Tensor& a, const Tensor& b) { return compare(a, b, "le", Le{}); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare(a, b, "gt", Gt{}); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare(a, b, "ge", Ge{}); }
Tensor eq(const Tensor& a, double b) { return compare_scalar(a, b, "eq", Eq{}); }
Tensor lt(const Tensor& a, double b) { return compare_scalar(a, b, "lt", Lt{}); }
Tensor le(const Tensor& a, double b) { return compare_scalar(a, b, "le", Le{}); }
Tensor gt(const Tensor& a, double b) { return compare_scalar(a, b, "gt", Gt{}); }
Tensor ge(const Tensor& a, double b) { return compare_scalar(a, b, "ge", Ge{}); }

Tensor logical_not(const Tensor& mask) {
  check_bool(mask, "logical_not");
  Tensor out(mask.shape(), Dtype::Bool);
  internal::unary_loop<bool, bool>(mask, out, [](bool x) { return !x; });
  return out;
}

Tensor logical_and(const Tensor& a, const Tensor& b) {
  check_bool(a, "logical_and");
  check_bool(b, "logical_and");
  Tensor out(broadcast_shapes(a.shape(), b.shape(), "logical_and"), Dtype::Bool);
  internal::binary_loop<bool, bool>(a, b, out, [](bool x, bool y) { return x && y; });
  return out;
}

Tensor logical_or(const Tensor& a, const Tensor& b) {
  check_bool(a, "logical_or");
  check_bool(b, "logical_or");
  Tensor out(broadcast_shapes(a.shape(), b.shape(), "logical_or"), Dtype::Bool);
  internal::binary_loop<bool, bool>(a, b, out, [](bool x, bool y) { return x || y; });
  return out;
}

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  check_bool(condition, "where");
  internal::check_same_dtype(a, b, "where");
  const Shape ab = broadcast_shapes(a.shape(), b.shape(), "where");
  const Shape shape = broadcast_shapes(condition.shape(), ab, "where");
  Tensor out(shape, a.dtype());
  auto plan = internal::make_plan<4>(
      shape,
      {out.strides(), internal::broadcast_strides(condition, shape),
       internal::broadcast_strides(a, shape), internal::broadcast_strides(b, shape)},
      {static_cast<int64_t>(element_size(a.dtype())), 1,
       static_cast<int64_t>(element_size(a.dtype())),
       static_cast<int64_t>(element_size(a.dtype()))});
  internal::dispatch_all(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    internal::run_plan<4>(plan,
                          {internal::byte_ptr(out), internal::byte_ptr(condition),
                           internal::byte_ptr(a), internal::byte_ptr(b)},
                          [](auto p, auto s, int64_t n) {
                            for (int64_t i = 0; i < n; ++i) {
                              const bool c = *reinterpret_cast<const bool*>(p[1] + i * s[1]);
                              *reinterpret_cast<T*>(p[0] + i * s[0]) =
                                  *reinterpret_cast<const T*>(p[c ? 2 : 3] + i * s[c ? 2 : 3]);
                            }
                          });
  });
  return out;
}

Tensor masked_fill(const Tensor& a, const Tensor& mask, double value) {
  check_bool(mask, "masked_fill");
  internal::check_defined(a, "masked_fill");
  if (!internal::broadcasts_to(mask.shape(), a.shape())) {
    throw Error(
        str("masked_fill: mask of shape ", mask.shape(), " cannot be broadcast to ", a.shape()));
  }
  Tensor out = a.clone();
  auto plan = internal::make_plan<2>(
      out.shape(), {out.strides(), internal::broadcast_strides(mask, out.shape())},
      {static_cast<int64_t>(element_size(a.dtype())), 1});
  internal::dispatch_all(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T v = static_cast<T>(value);
    internal::run_plan<2>(plan, {internal::byte_ptr(out), internal::byte_ptr(mask)},
                          [v](auto p, auto s, int64_t n) {
                            for (int64_t i = 0; i < n; ++i) {
                              if (*reinterpret_cast<const bool*>(p[1] + i * s[1])) {
                                *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
                              }
                            }
                          });
  });
  return out;
}

}  // namespace rein
