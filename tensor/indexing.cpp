// Index-based ops: gather, scatter_add, index_select, one_hot. Index tensors are int64 and are
// bounds-checked once before the copy loop; negative indices are rejected (as torch.gather).
#include <cmath>

#include "tensor/internal/dispatch.h"
#include "tensor/internal/lanes.h"
#include "tensor/internal/loops.h"
#include "tensor/ops.h"

namespace rein {
namespace {

void check_index(const Tensor& index, const char* op) {
  internal::check_defined(index, op);
  if (index.dtype() != Dtype::Int64) {
    throw Error(str(op, ": index must be int64, got ", dtype_name(index.dtype()), " of shape ",
                    index.shape()));
  }
}

void check_range(const int64_t* idx, int64_t n, int64_t size, const char* op, const Shape& shape,
                 int64_t dim) {
  for (int64_t i = 0; i < n; ++i) {
    if (idx[i] < 0 || idx[i] >= size) {
      throw Error(str(op, ": index ", idx[i], " is out of bounds for dim ", dim, " with size ",
                      size, " (shape ", shape, ")"));
    }
  }
}

// For gather/scatter_add: index must have a's rank and be no larger than a outside `dim`.
void check_gather_shapes(const Tensor& a, int64_t d, const Tensor& index, const char* op) {
  bool ok = index.dim() == a.dim();
  for (int64_t k = 0; ok && k < a.dim(); ++k) ok = k == d || index.size(k) <= a.size(k);
  if (!ok) {
    throw Error(str(op, ": index of shape ", index.shape(), " does not fit input of shape ",
                    a.shape(), " along dim ", d));
  }
}

// Position of element `flat` of a contiguous tensor of shape `shape`, with dim `d` replaced by
// `value`, as an element offset under `strides`.
int64_t offset_with(int64_t flat, const Shape& shape, const Shape& strides, int64_t d,
                    int64_t value) {
  int64_t off = 0;
  for (int64_t k = shape.size() - 1; k >= 0; --k) {
    const int64_t i = flat % shape[k];
    flat /= shape[k];
    off += (k == d ? value : i) * strides[k];
  }
  return off;
}

}  // namespace

Tensor gather(const Tensor& a, int64_t dim, const Tensor& index) {
  internal::check_defined(a, "gather");
  check_index(index, "gather");
  const int64_t d = internal::normalize_dim(dim, a.dim(), "gather");
  check_gather_shapes(a, d, index, "gather");
  const Tensor idx = index.contiguous();
  const int64_t* ip = idx.data<int64_t>();
  check_range(ip, idx.numel(), a.dim() == 0 ? 1 : a.size(d), "gather", a.shape(), d);
  Tensor out(index.shape(), a.dtype());
  internal::dispatch_all(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = a.data<T>();
    T* o = out.data<T>();
    // Fast path for the RL staple gather(logits (B, A), 1, actions (B, 1)).
    if (a.dim() == 2 && d == 1) {
      const int64_t rows = idx.size(0), cols = idx.size(1);
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t c = 0; c < cols; ++c) {
          o[r * cols + c] = src[r * a.strides()[0] + ip[r * cols + c] * a.strides()[1]];
        }
      }
      return;
    }
    for (int64_t i = 0; i < idx.numel(); ++i) {
      o[i] = src[offset_with(i, idx.shape(), a.strides(), d, ip[i])];
    }
  });
  return out;
}

Tensor scatter_add(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src) {
  internal::check_same_dtype(a, src, "scatter_add");
  check_index(index, "scatter_add");
  const int64_t d = internal::normalize_dim(dim, a.dim(), "scatter_add");
  check_gather_shapes(a, d, index, "scatter_add");
  bool ok = src.dim() == index.dim();
  for (int64_t k = 0; ok && k < src.dim(); ++k) ok = index.size(k) <= src.size(k);
  if (!ok) {
    throw Error(str("scatter_add: src of shape ", src.shape(), " is smaller than index of shape ",
                    index.shape()));
  }
  const Tensor idx = index.contiguous();
  const int64_t* ip = idx.data<int64_t>();
  check_range(ip, idx.numel(), a.dim() == 0 ? 1 : a.size(d), "scatter_add", a.shape(), d);
  Tensor out = a.clone();
  internal::dispatch_numeric(a.dtype(), "scatter_add", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = src.data<T>();
    T* o = out.data<T>();
    for (int64_t i = 0; i < idx.numel(); ++i) {
      // out[..., index[i], ...] += src[i] (src read at index's position).
      o[offset_with(i, idx.shape(), out.strides(), d, ip[i])] +=
          s[offset_with(i, idx.shape(), src.strides(), -1, 0)];
    }
  });
  return out;
}

Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index) {
  internal::check_defined(a, "index_select");
  check_index(index, "index_select");
  if (index.dim() > 1) {
    throw Error(str("index_select: index must be 1-D, got shape ", index.shape()));
  }
  if (a.dim() == 0) throw Error("index_select: cannot index a rank-0 tensor");
  const int64_t d = internal::normalize_dim(dim, a.dim(), "index_select");
  const Tensor idx = index.contiguous();
  const int64_t* ip = idx.data<int64_t>();
  check_range(ip, idx.numel(), a.size(d), "index_select", a.shape(), d);
  Shape shape = a.shape();
  shape[d] = idx.numel();
  Tensor out(shape, a.dtype());
  // One slab copy per index: out.select(d, i) = a.select(d, index[i]).
  for (int64_t i = 0; i < idx.numel(); ++i) out.select(d, i).copy_(a.select(d, ip[i]));
  return out;
}

Tensor one_hot(const Tensor& index, int64_t num_classes, Dtype dtype) {
  check_index(index, "one_hot");
  if (num_classes <= 0)
    throw Error(str("one_hot: num_classes must be positive, got ", num_classes));
  const Tensor idx = index.contiguous();
  const int64_t* ip = idx.data<int64_t>();
  check_range(ip, idx.numel(), num_classes, "one_hot", Shape{num_classes}, 0);
  Shape shape = index.shape();
  shape.push_back(num_classes);
  Tensor out = zeros(shape, dtype);
  internal::dispatch_all(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = out.data<T>();
    for (int64_t i = 0; i < idx.numel(); ++i) o[i * num_classes + ip[i]] = T(1);
  });
  return out;
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol) {
  internal::check_same_dtype(a, b, "allclose");
  if (!(broadcast_shapes(a.shape(), b.shape(), "allclose") == a.shape())) {
    throw Error(str("allclose: shapes ", a.shape(), " and ", b.shape(), " cannot be compared"));
  }
  const std::vector<double> x = a.tolist();
  const std::vector<double> y = b.expand(a.shape()).tolist();
  for (size_t i = 0; i < x.size(); ++i) {
    // torch.allclose: |x - y| <= atol + rtol * |y|; NaN never matches.
    if (!(std::abs(x[i] - y[i]) <= atol + rtol * std::abs(y[i])) && x[i] != y[i]) return false;
  }
  return true;
}

bool equal(const Tensor& a, const Tensor& b) {
  if (!(a.shape() == b.shape()) || a.dtype() != b.dtype()) return false;
  return a.tolist() == b.tolist();
}

}  // namespace rein
