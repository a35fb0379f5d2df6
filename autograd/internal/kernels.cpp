// Eigen kernels for linear layers and tanh (see kernels.h). The only Eigen translation unit of
// the autograd hot path.
#include "autograd/internal/kernels.h"

#include <Eigen/Core>
#include <array>
#include <cmath>
#include <type_traits>
#include <vector>

namespace rein::internal {
namespace {

template <typename T>
using MatRM = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T>
using MatCM = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
template <typename T>
using ConstRM = Eigen::Map<const MatRM<T>, Eigen::Aligned16, Eigen::OuterStride<>>;
template <typename T>
using ConstCM = Eigen::Map<const MatCM<T>, 0, Eigen::OuterStride<>>;
template <typename T>
using OutRM = Eigen::Map<MatRM<T>, Eigen::Aligned16>;
template <typename T>
using RowVec = Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>;

// Calls f with an Eigen map of the 2-D tensor t: row-major when its last stride is 1,
// column-major when its first stride is 1 (a transposed view), else of a contiguous copy.
// `keep` holds the copy alive.
template <typename T, typename F>
void with_matrix(const Tensor& t, Tensor& keep, F&& f) {
  const int64_t rows = t.size(0), cols = t.size(1);
  const bool aligned = (reinterpret_cast<uintptr_t>(t.data<T>()) % 16) == 0;
  if (t.strides()[1] == 1 && aligned && (rows <= 1 || t.strides()[0] >= cols)) {
    f(ConstRM<T>(t.data<T>(), rows, cols,
                 Eigen::OuterStride<>(std::max<int64_t>(t.strides()[0], cols))));
  } else if (t.strides()[0] == 1 && cols > 1 && t.strides()[1] >= rows) {
    f(ConstCM<T>(t.data<T>(), rows, cols, Eigen::OuterStride<>(t.strides()[1])));
  } else {
    keep = t.contiguous();
    f(ConstRM<T>(keep.data<T>(), rows, cols, Eigen::OuterStride<>(cols)));
  }
}

template <typename T>
void apply_activation(T* y, int64_t n, FusedActivation act) {
  if (act == FusedActivation::ReLU) {
    for (int64_t i = 0; i < n; ++i) y[i] = y[i] > T(0) ? y[i] : T(0);
  } else if (act == FusedActivation::Tanh) {
    if constexpr (std::is_same_v<T, float>) {  // Eigen's vectorised tanh, as tanh_kernel
      Eigen::Map<Eigen::ArrayXf> a(y, n);
      a = a.tanh();
    } else {
      for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(y[i]);
    }
  }
}

// y (n, out) = act(X W^T + b); b may be null. Shared by linear_forward and mlp_forward, so
// both give the same bits.
template <typename T, typename XMap, typename WMap>
void linear_into(const XMap& X, const WMap& W, const T* b, T* y, FusedActivation act) {
  const int64_t n = X.rows(), out = W.rows();
  // One row (batch-1 inference) of row-major x and w: y = W x + b by the matrix-vector kernel
  // Eigen's GEMM dispatches such a row to, called as it calls it (so the bits are the same), but
  // directly: the expression layers around it cost more than the kernel's own overhead. Eigen
  // computes products below its threshold coefficient by coefficient, and a single output by a
  // dot product: those keep the general path.
  if (XMap::IsRowMajor && WMap::IsRowMajor && n == 1 && out > 1 && X.cols() > 0 &&
      X.cols() + n + out >= EIGEN_GEMM_TO_COEFFBASED_THRESHOLD) {
    using Eigen::internal::const_blas_data_mapper;
    using WRows = const_blas_data_mapper<T, Eigen::Index, Eigen::RowMajor>;
    using XColumn = const_blas_data_mapper<T, Eigen::Index, Eigen::ColMajor>;
    using Kernel =
        Eigen::internal::general_matrix_vector_product<Eigen::Index, T, WRows, Eigen::RowMajor,
                                                       false, T, XColumn, false>;
    for (int64_t j = 0; j < out; ++j) y[j] = b != nullptr ? b[j] : T(0);
    Kernel::run(out, X.cols(), WRows(W.data(), W.outerStride()), XColumn(X.data(), 1), y, 1, T(1));
    apply_activation(y, out, act);
    return;
  }
  OutRM<T> Y(y, n, out);
  if (b != nullptr) {  // Eigen's GEMM adds into its output: start it at the bias, not zero
    Y.rowwise() = RowVec<T>(b, out);
    Y.noalias() += X * W.transpose();
  } else {
    Y.noalias() = X * W.transpose();
  }
  apply_activation(y, n * out, act);
}

template <typename T>
Tensor linear_forward_t(const Tensor& x, const Tensor& w, const Tensor& b, FusedActivation act) {
  Tensor y({x.size(0), w.size(0)}, x.dtype());
  Tensor kx, kw, kb;
  const Tensor& bc = !b.defined() || b.is_contiguous() ? b : (kb = b.contiguous());
  with_matrix<T>(x, kx, [&](const auto& X) {
    with_matrix<T>(w, kw, [&](const auto& W) {
      linear_into<T>(X, W, bc.defined() ? bc.data<T>() : nullptr, y.data<T>(), act);
    });
  });
  return y;
}

// Two per-thread buffers the hidden activations of mlp_forward alternate between; they grow to
// the largest layer seen and stay. Aligned as tensor storage is, so that Eigen's kernels see
// the same alignment as on linear_forward's tensors.
template <typename T>
T* scratch(int slot, int64_t count) {
  constexpr size_t kAlign = 64;
  thread_local std::vector<unsigned char> buffers[2];
  std::vector<unsigned char>& buf = buffers[slot];
  const size_t bytes = static_cast<size_t>(count) * sizeof(T) + kAlign;
  if (buf.size() < bytes) buf.resize(bytes);
  const auto address = reinterpret_cast<uintptr_t>(buf.data());
  return reinterpret_cast<T*>((address + kAlign - 1) & ~uintptr_t(kAlign - 1));
}

// The elements of a weight mlp_forward maps as linear_forward would (row-major, Aligned16), of
// the given width; null when it is not such a weight.
template <typename T>
const T* plain_weight(const Tensor& w, int64_t in) {
  if (w.dtype() != dtype_of<T>() || w.dim() != 2 || w.size(1) != in || !w.is_contiguous())
    return nullptr;
  const auto* data = static_cast<const T*>(w.raw_data());
  return reinterpret_cast<uintptr_t>(data) % 16 == 0 ? data : nullptr;
}

template <typename T>
Tensor mlp_forward_t(const Tensor& x, const LinearLayerRef* layers, size_t count,
                     FusedActivation act) {
  std::array<const T*, kMaxMlpLayers> weights, biases;  // checked once, here
  if (count > weights.size()) return {};
  const int64_t n = x.size(0);
  int64_t width = x.size(1);
  for (size_t i = 0; i < count; ++i) {
    const Tensor& w = *layers[i].weight;
    const Tensor* b = layers[i].bias;
    weights[i] = plain_weight<T>(w, width);
    if (weights[i] == nullptr) return {};
    biases[i] = nullptr;
    if (b != nullptr && b->defined()) {
      if (b->dtype() != x.dtype() || b->dim() != 1 || b->size(0) != w.size(0) ||
          !b->is_contiguous())
        return {};
      biases[i] = static_cast<const T*>(b->raw_data());
    }
    width = w.size(0);
  }
  Tensor y({n, width}, x.dtype());
  Tensor kx;
  with_matrix<T>(x, kx, [&](const auto& X) {
    const T* h = nullptr;  // the previous layer's output, (n, in) in scratch
    for (size_t i = 0; i < count; ++i) {
      const Tensor& w = *layers[i].weight;
      const int64_t out = w.size(0), in = w.size(1);
      const bool last = i + 1 == count;
      T* dst = last ? static_cast<T*>(y.raw_data()) : scratch<T>(static_cast<int>(i % 2), n * out);
      const T* bias = biases[i];
      const ConstRM<T> W(weights[i], out, in, Eigen::OuterStride<>(in));
      const FusedActivation layer_act = last ? FusedActivation::None : act;
      if (i == 0) {
        linear_into<T>(X, W, bias, dst, layer_act);
      } else {
        linear_into<T>(ConstRM<T>(h, n, in, Eigen::OuterStride<>(in)), W, bias, dst, layer_act);
      }
      h = dst;
    }
  });
  return y;
}

template <typename T>
void linear_backward_t(const Tensor& g, const Tensor& x, const Tensor& w, Tensor* dx, Tensor* dw,
                       Tensor* db) {
  const int64_t n = g.size(0), out = g.size(1), in = w.size(1);
  Tensor kg;
  with_matrix<T>(g, kg, [&](const auto& G) {
    if (dx != nullptr) {
      *dx = Tensor({n, in}, g.dtype());
      OutRM<T> DX(dx->data<T>(), n, in);
      Tensor kw;
      with_matrix<T>(w, kw, [&](const auto& W) { DX.noalias() = G * W; });
    }
    if (dw != nullptr) {
      *dw = Tensor({out, in}, g.dtype());
      OutRM<T> DW(dw->data<T>(), out, in);
      Tensor kx;
      with_matrix<T>(x, kx, [&](const auto& X) { DW.noalias() = G.transpose() * X; });
    }
    if (db != nullptr) {
      *db = Tensor({out}, g.dtype());
      Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>> DB(db->data<T>(), out);
      DB.noalias() = G.colwise().sum();
    }
  });
}

template <typename T>
Tensor matmul2d_t(const Tensor& a, bool ta, const Tensor& b, bool tb) {
  const int64_t m = ta ? a.size(1) : a.size(0);
  const int64_t n = tb ? b.size(0) : b.size(1);
  Tensor c({m, n}, a.dtype());
  OutRM<T> C(c.data<T>(), m, n);
  Tensor ka, kb;
  with_matrix<T>(a, ka, [&](const auto& A) {
    with_matrix<T>(b, kb, [&](const auto& B) {
      if (!ta && !tb)
        C.noalias() = A * B;
      else if (ta && !tb)
        C.noalias() = A.transpose() * B;
      else if (!ta && tb)
        C.noalias() = A * B.transpose();
      else
        C.noalias() = A.transpose() * B.transpose();
    });
  });
  return c;
}

}  // namespace

Tensor tanh_kernel(const Tensor& x) {
  Tensor xc = x.contiguous();
  Tensor y(xc.shape(), xc.dtype());
  const int64_t n = xc.numel();
  if (xc.dtype() == Dtype::Float32) {
    Eigen::Map<Eigen::ArrayXf>(y.data<float>(), n) =
        Eigen::Map<const Eigen::ArrayXf>(xc.data<float>(), n).tanh();
  } else {
    const double* p = xc.data<double>();
    double* q = y.data<double>();
    for (int64_t i = 0; i < n; ++i) q[i] = std::tanh(p[i]);
  }
  return y;
}

Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, FusedActivation act) {
  return x.dtype() == Dtype::Float64 ? linear_forward_t<double>(x, w, b, act)
                                     : linear_forward_t<float>(x, w, b, act);
}

Tensor mlp_forward(const Tensor& x, const LinearLayerRef* layers, size_t count,
                   FusedActivation act) {
  if (count == 0 || x.dim() != 2) return {};
  if (x.dtype() == Dtype::Float64) return mlp_forward_t<double>(x, layers, count, act);
  if (x.dtype() == Dtype::Float32) return mlp_forward_t<float>(x, layers, count, act);
  return {};
}

Tensor activation_backward(const Tensor& g, const Tensor& y, FusedActivation act) {
  if (act == FusedActivation::ReLU) {
    return map2(g, y, [](auto gk, auto yk) { return yk > decltype(yk)(0) ? gk : decltype(yk)(0); });
  }
  if (act == FusedActivation::Tanh) {
    return map2(g, y, [](auto gk, auto yk) { return gk * (decltype(yk)(1) - yk * yk); });
  }
  return g;
}

void linear_backward(const Tensor& g, const Tensor& x, const Tensor& w, Tensor* dx, Tensor* dw,
                     Tensor* db) {
  if (g.dtype() == Dtype::Float64)
    linear_backward_t<double>(g, x, w, dx, dw, db);
  else
    linear_backward_t<float>(g, x, w, dx, dw, db);
}

Tensor matmul2d(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b) {
  return a.dtype() == Dtype::Float64 ? matmul2d_t<double>(a, transpose_a, b, transpose_b)
                                     : matmul2d_t<float>(a, transpose_a, b, transpose_b);
}

}  // namespace rein::internal
