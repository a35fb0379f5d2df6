// Sum-like reductions: sum, mean, prod, var, std, norm (over one dim or all elements), sum_to,
// and the lane-wise sum of squares behind gradient clipping.
// Float sums accumulate in double, so float32 results are correctly rounded for RL-sized data.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "tensor/internal/dispatch.h"
#include "tensor/internal/lanes.h"
#include "tensor/internal/loops.h"
#include "tensor/ops.h"

namespace rein {

namespace internal {

Lanes lanes_along(const Shape& shape, int64_t dim, bool keepdim, const char* op) {
  const int64_t d = normalize_dim(dim, shape.size(), op);
  Lanes l;
  if (shape.empty()) return l;  // rank 0: one lane, one element, rank-0 result
  for (int64_t i = 0; i < shape.size(); ++i) {
    if (i < d) l.outer *= shape[i];
    if (i > d) l.inner *= shape[i];
    if (i != d) {
      l.out_shape.push_back(shape[i]);
    } else if (keepdim) {
      l.out_shape.push_back(1);
    }
  }
  l.n = shape[d];
  return l;
}

Lanes lanes_all(const Shape& shape) {
  Lanes l;
  l.n = shape.numel();
  return l;
}

}  // namespace internal

using internal::Lanes;

namespace {

template <typename T>
using Acc = std::conditional_t<std::is_integral_v<T>, int64_t, double>;

// Sum along lanes. Reducing the innermost dim runs down each lane; otherwise whole rows of
// `inner` lanes are accumulated at once so memory is read in order.
Tensor sum_lanes(const Tensor& a, const Lanes& l, const char* op) {
  internal::check_defined(a, op);
  const Tensor c = a.dtype() == Dtype::Bool ? a.to(Dtype::Int64).contiguous() : a.contiguous();
  Tensor out(l.out_shape, c.dtype());
  internal::dispatch_numeric(c.dtype(), op, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* x = c.data<T>();
    T* o = out.data<T>();
    if (l.inner == 1) {
      for (int64_t r = 0; r < l.outer; ++r) {
        Acc<T> acc = 0;
        const T* row = x + r * l.n;
        for (int64_t k = 0; k < l.n; ++k) acc += row[k];
        o[r] = static_cast<T>(acc);
      }
      return;
    }
    std::vector<Acc<T>> acc(static_cast<size_t>(l.inner));
    for (int64_t r = 0; r < l.outer; ++r) {
      std::fill(acc.begin(), acc.end(), Acc<T>(0));
      for (int64_t k = 0; k < l.n; ++k) {
        const T* row = x + (r * l.n + k) * l.inner;
        for (int64_t i = 0; i < l.inner; ++i) acc[i] += row[i];
      }
      for (int64_t i = 0; i < l.inner; ++i) o[r * l.inner + i] = static_cast<T>(acc[i]);
    }
  });
  return out;
}

Tensor mean_lanes(const Tensor& a, const Lanes& l, const char* op) {
  internal::check_defined(a, op);
  internal::dispatch_floating(a.dtype(), op, [](auto) {});
  Tensor s = sum_lanes(a, l, op);
  return s.mul_(1.0 / static_cast<double>(l.n));  // n == 0 gives 0 * inf = NaN, as PyTorch
}

// Lane reduction f(first, stride, n) -> double, written to a tensor of a's dtype.
template <typename F>
Tensor reduce_lanes(const Tensor& a, const Lanes& l, const char* op, F f) {
  internal::check_defined(a, op);
  const Tensor c = a.contiguous();
  Tensor out(l.out_shape, a.dtype());
  internal::dispatch_floating(a.dtype(), op, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = out.data<T>();
    internal::for_each_lane<T>(c, l, [&](const T* p, int64_t stride, int64_t lane) {
      o[lane] = static_cast<T>(f(p, stride, l.n));
    });
  });
  return out;
}

// Two-pass variance of one lane (mean first, then squared deviations).
template <typename T>
double lane_var(const T* p, int64_t stride, int64_t n, bool unbiased) {
  double mean = 0;
  for (int64_t k = 0; k < n; ++k) mean += p[k * stride];
  mean /= static_cast<double>(n);
  double ss = 0;
  for (int64_t k = 0; k < n; ++k) {
    const double d = p[k * stride] - mean;
    ss += d * d;
  }
  const int64_t dof = n - (unbiased ? 1 : 0);
  return dof > 0 ? ss / static_cast<double>(dof) : std::numeric_limits<double>::quiet_NaN();
}

Tensor var_lanes(const Tensor& a, const Lanes& l, bool unbiased, const char* op) {
  return reduce_lanes(a, l, op, [unbiased](const auto* p, int64_t stride, int64_t n) {
    return lane_var(p, stride, n, unbiased);
  });
}

template <typename T>
double lane_norm(const T* p, int64_t stride, int64_t n, double ord) {
  double acc = 0;
  if (std::isinf(ord) && ord > 0) {
    for (int64_t k = 0; k < n; ++k) acc = std::max(acc, std::fabs(double(p[k * stride])));
    return acc;
  }
  if (ord == 0) {
    for (int64_t k = 0; k < n; ++k) acc += p[k * stride] != 0;
    return acc;
  }
  if (ord == 2) {
    for (int64_t k = 0; k < n; ++k) acc += double(p[k * stride]) * double(p[k * stride]);
    return std::sqrt(acc);
  }
  if (ord == 1) {
    for (int64_t k = 0; k < n; ++k) acc += std::fabs(double(p[k * stride]));
    return acc;
  }
  for (int64_t k = 0; k < n; ++k) acc += std::pow(std::fabs(double(p[k * stride])), ord);
  return std::pow(acc, 1.0 / ord);
}

Tensor norm_lanes(const Tensor& a, const Lanes& l, double ord, const char* op) {
  if (std::isnan(ord) || (std::isinf(ord) && ord < 0) || ord < 0) {
    throw Error(str(op, ": unsupported order p=", ord, " (use p >= 0 or inf)"));
  }
  return reduce_lanes(a, l, op, [ord](const auto* p, int64_t stride, int64_t n) {
    return lane_norm(p, stride, n, ord);
  });
}

// Eight lanes instead of one running sum: a single sum is a chain of dependent additions g++
// may not reorder (no -ffast-math), so it runs scalar; with lanes it vectorises (it was ~10% of
// DQN's CartPole training time as one sum). Element k goes to lane k % 8 and the lanes are
// added in a fixed tree, so the result does not depend on alignment or the machine.
using Float8 = float __attribute__((vector_size(32)));
using Double8 = double __attribute__((vector_size(64)));

// Vec8 is the vector of eight elements that converts to Double8.
template <typename T, typename Vec8>
double lane_sum_of_squares(const T* x, int64_t n) {
  Double8 acc = {};
  int64_t k = 0;
  for (; k + 8 <= n; k += 8) {
    Vec8 v;
    std::memcpy(&v, x + k, sizeof v);
    const Double8 d = __builtin_convertvector(v, Double8);
    acc += d * d;
  }
  for (int64_t j = 0; k < n; ++k, ++j) acc[j] += static_cast<double>(x[k]) * x[k];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

}  // namespace

Tensor sum(const Tensor& a) { return sum_lanes(a, internal::lanes_all(a.shape()), "sum"); }
Tensor sum(const Tensor& a, int64_t dim, bool keepdim) {
  return sum_lanes(a, internal::lanes_along(a.shape(), dim, keepdim, "sum"), "sum");
}
Tensor mean(const Tensor& a) { return mean_lanes(a, internal::lanes_all(a.shape()), "mean"); }
Tensor mean(const Tensor& a, int64_t dim, bool keepdim) {
  return mean_lanes(a, internal::lanes_along(a.shape(), dim, keepdim, "mean"), "mean");
}

Tensor prod(const Tensor& a, int64_t dim, bool keepdim) {
  const Lanes l = internal::lanes_along(a.shape(), dim, keepdim, "prod");
  internal::check_defined(a, "prod");
  const Tensor c = a.contiguous();
  Tensor out(l.out_shape, a.dtype());
  internal::dispatch_numeric(a.dtype(), "prod", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = out.data<T>();
    internal::for_each_lane<T>(c, l, [&](const T* p, int64_t stride, int64_t lane) {
      Acc<T> acc = 1;
      for (int64_t k = 0; k < l.n; ++k) acc *= p[k * stride];
      o[lane] = static_cast<T>(acc);
    });
  });
  return out;
}

Tensor var(const Tensor& a, bool unbiased) {
  return var_lanes(a, internal::lanes_all(a.shape()), unbiased, "var");
}
Tensor var(const Tensor& a, int64_t dim, bool unbiased, bool keepdim) {
  return var_lanes(a, internal::lanes_along(a.shape(), dim, keepdim, "var"), unbiased, "var");
}
Tensor std(const Tensor& a, bool unbiased) { return sqrt(var(a, unbiased)); }
Tensor std(const Tensor& a, int64_t dim, bool unbiased, bool keepdim) {
  return sqrt(var(a, dim, unbiased, keepdim));
}

Tensor norm(const Tensor& a, double p) {
  return norm_lanes(a, internal::lanes_all(a.shape()), p, "norm");
}
Tensor norm(const Tensor& a, double p, int64_t dim, bool keepdim) {
  return norm_lanes(a, internal::lanes_along(a.shape(), dim, keepdim, "norm"), p, "norm");
}

double sum_of_squares(const Tensor& a) {
  internal::check_defined(a, "sum_of_squares");
  if (!is_floating(a.dtype())) {
    throw Error(
        str("sum_of_squares: expected a float32 or float64 tensor, got ", dtype_name(a.dtype())));
  }
  const Tensor c = a.contiguous();
  return c.dtype() == Dtype::Float64
             ? lane_sum_of_squares<double, Double8>(c.data<double>(), c.numel())
             : lane_sum_of_squares<float, Float8>(c.data<float>(), c.numel());
}

Tensor sum_to(const Tensor& a, const Shape& shape) {
  internal::check_defined(a, "sum_to");
  if (shape.size() > a.dim() || broadcast_shapes(shape, a.shape(), "sum_to") != a.shape()) {
    throw Error(str("sum_to: shape ", a.shape(), " cannot be summed to ", shape));
  }
  if (shape == a.shape()) return a;
  // One pass: the output is read with stride 0 along every broadcast dim, so each input element
  // is added into the output element it was broadcast from.
  Tensor out = zeros(shape, a.dtype());
  const Tensor view = out.expand(a.shape());
  auto plan = internal::make_plan<2>(a.shape(), {view.strides(), a.strides()},
                                     {static_cast<int64_t>(element_size(a.dtype())),
                                      static_cast<int64_t>(element_size(a.dtype()))});
  internal::dispatch_numeric(a.dtype(), "sum_to", [&](auto tag) {
    using T = typename decltype(tag)::type;
    internal::run_plan<2>(
        plan, {internal::byte_ptr(out), internal::byte_ptr(a)}, [](auto p, auto s, int64_t n) {
          T* o = reinterpret_cast<T*>(p[0]);
          if (s[0] == 0) {
            Acc<T> acc = 0;
            for (int64_t i = 0; i < n; ++i) {
              acc += *reinterpret_cast<const T*>(p[1] + i * s[1]);
            }
            *o += static_cast<T>(acc);
            return;
          }
          for (int64_t i = 0; i < n; ++i) {
            *reinterpret_cast<T*>(p[0] + i * s[0]) += *reinterpret_cast<const T*>(p[1] + i * s[1]);
          }
        });
  });
  return out;
}

// Tensor method spellings.
Tensor Tensor::sum() const { return rein::sum(*this); }
Tensor Tensor::sum(int64_t dim, bool keepdim) const { return rein::sum(*this, dim, keepdim); }
Tensor Tensor::mean() const { return rein::mean(*this); }
Tensor Tensor::mean(int64_t dim, bool keepdim) const { return rein::mean(*this, dim, keepdim); }

}  // namespace rein
