// Small elementwise and GEMM kernels for the hot paths of autograd (forward and backward of
// linear layers and activations), on contiguous float32/float64 tensors. Kept here rather than
// calling the generic strided tensor ops so a small MLP step costs little more than hand-written
// Eigen code.
#pragma once

#include <cstdint>
#include <utility>

#include "tensor/tensor.h"

namespace rein::internal {

// out[i] = f(a[i]) and out[i] = f(a[i], b[i]) for tensors of one shape and floating dtype
// (non-contiguous inputs are made contiguous first). F is called as f(T) / f(T, T).
template <typename F>
Tensor map1(const Tensor& a, F f) {
  Tensor ac = a.contiguous();
  Tensor out(ac.shape(), ac.dtype());
  const int64_t n = ac.numel();
  if (ac.dtype() == Dtype::Float64) {
    const double* x = ac.data<double>();
    double* y = out.data<double>();
    for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
  } else {
    const float* x = ac.data<float>();
    float* y = out.data<float>();
    for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
  }
  return out;
}

template <typename F>
Tensor map2(const Tensor& a, const Tensor& b, F f) {
  REIN_ASSERT(a.shape() == b.shape() && a.dtype() == b.dtype());
  Tensor ac = a.contiguous();
  Tensor bc = b.contiguous();
  Tensor out(ac.shape(), ac.dtype());
  const int64_t n = ac.numel();
  if (ac.dtype() == Dtype::Float64) {
    const double* x = ac.data<double>();
    const double* z = bc.data<double>();
    double* y = out.data<double>();
    for (int64_t i = 0; i < n; ++i) y[i] = f(x[i], z[i]);
  } else {
    const float* x = ac.data<float>();
    const float* z = bc.data<float>();
    float* y = out.data<float>();
    for (int64_t i = 0; i < n; ++i) y[i] = f(x[i], z[i]);
  }
  return out;
}

// Vectorised tanh (Eigen's rational approximation for float32, std::tanh for float64).
Tensor tanh_kernel(const Tensor& x);

// The activation an MLP's hidden layer applies inside its linear kernel (no separate op, no
// separate pass over the output).
enum class FusedActivation : int64_t { None = 0, ReLU = 1, Tanh = 2 };

// y = act(x W^T + b): x (N, in), w (out, in), b (out) or undefined -> (N, out). Any strides.
// The bias rows are written first and the product added onto them: the output is written once,
// never zero-filled. ReLU and Tanh give the bits of rein::relu and rein::tanh on the result.
Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b,
                      FusedActivation act = FusedActivation::None);
// One layer of mlp_forward: weight (out, in) and bias (out) or undefined.
struct LinearLayerRef {
  const Tensor* weight;
  const Tensor* bias;
};
// The forward pass through `count` layers, act after each but the last: the same bits as
// linear_forward layer by layer, but the hidden activations live in per-thread scratch buffers
// (no tensor, storage or shape per hidden layer), which is most of what a batch-1 forward costs
// besides its matrix-vector products. Returns an undefined Tensor, having done nothing, unless x
// is (N, in), there are at most kMaxMlpLayers layers and every layer is contiguous, 16-byte
// aligned, of x's dtype and of matching sizes (the caller then goes layer by layer, with its
// checks and errors).
constexpr size_t kMaxMlpLayers = 16;
Tensor mlp_forward(const Tensor& x, const LinearLayerRef* layers, size_t count,
                   FusedActivation act);
// dL/d(pre-activation) from g = dL/dy and the activation's output y (same shape): g * (y > 0)
// for ReLU, g * (1 - y^2) for Tanh, as rein::relu's and rein::tanh's backward.
Tensor activation_backward(const Tensor& g, const Tensor& y, FusedActivation act);
// Given g = dL/dy (N, out): dx = g W (N, in), dw = g^T x (out, in), db = column sums of g.
// Each output is computed only when its pointer is non-null.
void linear_backward(const Tensor& g, const Tensor& x, const Tensor& w, Tensor* dx, Tensor* dw,
                     Tensor* db);
// C = op(A) op(B) for 2-D tensors (any strides), a new (M, N) tensor.
Tensor matmul2d(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b);

}  // namespace rein::internal
