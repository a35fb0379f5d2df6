// conv2d as im2col + GEMM: each sample's receptive fields are unfolded into a (C*kh*kw, OH*OW)
// matrix, so the convolution is one GEMM per sample with the (O, C*kh*kw) weight, written
// straight into the NCHW output. Backward reuses the same unfolding (recomputed, not saved: it
// is as large as the input times kh*kw/stride^2) for the weight gradient and folds the column
// gradient back (col2im) for the input's.
#include <algorithm>

#include "autograd/internal/node.h"
#include "autograd/ops.h"

namespace rein {

using internal::accumulate_grad;
using internal::make_constant;
using internal::make_result;
using internal::needs_grad;
using internal::should_record;
using internal::VarImpl;

namespace {

struct ConvGeometry {
  int64_t N, C, H, W, O, kh, kw, stride, padding, OH, OW;
  int64_t rows() const { return C * kh * kw; }
  int64_t cols() const { return OH * OW; }
};

ConvGeometry geometry(const Tensor& x, const Tensor& w, const Var& bias, int64_t stride,
                      int64_t padding) {
  if (x.dim() != 4 || w.dim() != 4 || x.size(1) != w.size(1)) {
    throw Error(str("conv2d: input ", x.shape(), " does not match weight ", w.shape(),
                    " (expected input (N, C, H, W) and weight (O, C, kh, kw))"));
  }
  if (!is_floating(x.dtype()) || x.dtype() != w.dtype()) {
    throw Error(str("conv2d: expected two float32 or two float64 tensors, got ",
                    dtype_name(x.dtype()), " and ", dtype_name(w.dtype())));
  }
  if (stride < 1 || padding < 0) {
    throw Error(
        str("conv2d: stride must be >= 1 and padding >= 0, got ", stride, " and ", padding));
  }
  if (bias.defined() &&
      (bias.dim() != 1 || bias.size(0) != w.size(0) || bias.dtype() != w.dtype())) {
    throw Error(str("conv2d: bias ", bias.shape(), " ", dtype_name(bias.dtype()),
                    " does not match weight ", w.shape(), " ", dtype_name(w.dtype())));
  }
  ConvGeometry g{x.size(0), x.size(1), x.size(2), x.size(3), w.size(0), w.size(2),
                 w.size(3), stride,    padding,   0,         0};
  const int64_t span_h = g.H + 2 * padding - g.kh, span_w = g.W + 2 * padding - g.kw;
  if (span_h < 0 || span_w < 0) {
    throw Error(str("conv2d: kernel ", g.kh, "x", g.kw, " is larger than the input ", g.H, "x", g.W,
                    " with padding ", padding));
  }
  g.OH = span_h / stride + 1;
  g.OW = span_w / stride + 1;
  return g;
}

// cols[(c, i, j), (oy, ox)] = x[c, oy*stride + i - pad, ox*stride + j - pad] (0 outside).
template <typename T>
void im2col(const T* x, const ConvGeometry& g, T* cols) {
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) {
        T* row = cols + ((c * g.kh + i) * g.kw + j) * g.cols();
        for (int64_t oy = 0; oy < g.OH; ++oy) {
          const int64_t y = oy * g.stride + i - g.padding;
          T* out = row + oy * g.OW;
          if (y < 0 || y >= g.H) {
            std::fill(out, out + g.OW, T(0));
            continue;
          }
          const T* in = x + (c * g.H + y) * g.W;
          for (int64_t ox = 0; ox < g.OW; ++ox) {
            const int64_t xx = ox * g.stride + j - g.padding;
            out[ox] = xx >= 0 && xx < g.W ? in[xx] : T(0);
          }
        }
      }
}

// The adjoint of im2col: dx[c, y, x] += every column entry that read it.
template <typename T>
void col2im(const T* cols, const ConvGeometry& g, T* dx) {
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) {
        const T* row = cols + ((c * g.kh + i) * g.kw + j) * g.cols();
        for (int64_t oy = 0; oy < g.OH; ++oy) {
          const int64_t y = oy * g.stride + i - g.padding;
          if (y < 0 || y >= g.H) continue;
          T* out = dx + (c * g.H + y) * g.W;
          const T* in = row + oy * g.OW;
          for (int64_t ox = 0; ox < g.OW; ++ox) {
            const int64_t xx = ox * g.stride + j - g.padding;
            if (xx >= 0 && xx < g.W) out[xx] += in[ox];
          }
        }
      }
}

template <typename T>
void unfold(const Tensor& x, int64_t n, const ConvGeometry& g, Tensor& cols) {
  im2col(x.data<T>() + n * g.C * g.H * g.W, g, cols.data<T>());
}

Tensor conv2d_value(const Tensor& xin, const Tensor& w, const Var& bias, const ConvGeometry& g) {
  const Tensor x = xin.contiguous();
  const Tensor w2 = w.contiguous().reshape({g.O, g.rows()});
  Tensor out({g.N, g.O, g.OH, g.OW}, x.dtype());
  Tensor cols({g.rows(), g.cols()}, x.dtype());
  const bool f64 = x.dtype() == Dtype::Float64;
  for (int64_t n = 0; n < g.N; ++n) {
    if (f64)
      unfold<double>(x, n, g, cols);
    else
      unfold<float>(x, n, g, cols);
    Tensor out_n = out.select(0, n).reshape({g.O, g.cols()});
    if (bias.defined()) {
      out_n.copy_(bias.value().reshape({g.O, 1}).expand({g.O, g.cols()}));
      gemm(w2, false, cols, false, out_n, 1.0, 1.0);
    } else {
      gemm(w2, false, cols, false, out_n);
    }
  }
  return out;
}

// saved0 = x (contiguous), saved1 = weight; i0 = stride, i1 = padding.
void conv2d_backward(VarImpl& s) {
  VarImpl* xin = s.input(0);
  VarImpl* win = s.input(1);
  VarImpl* bin = s.input(2);
  const Tensor& x = s.saved0;
  const ConvGeometry g = geometry(x, s.saved1, Var(), s.i0, s.i1);
  const Tensor w2 = s.saved1.contiguous().reshape({g.O, g.rows()});
  const Tensor grad = s.grad.contiguous();
  const bool f64 = x.dtype() == Dtype::Float64;
  Tensor cols({g.rows(), g.cols()}, x.dtype());
  Tensor dw, dx;
  if (needs_grad(win)) dw = zeros({g.O, g.rows()}, x.dtype());
  if (needs_grad(xin)) dx = zeros(x.shape(), x.dtype());
  for (int64_t n = 0; n < g.N; ++n) {
    const Tensor g_n = grad.select(0, n).reshape({g.O, g.cols()});
    if (needs_grad(win)) {
      if (f64)
        unfold<double>(x, n, g, cols);
      else
        unfold<float>(x, n, g, cols);
      gemm(g_n, false, cols, true, dw, 1.0, 1.0);  // dW += G_n cols_n^T
    }
    if (needs_grad(xin)) {
      gemm(w2, true, g_n, false, cols);  // dcols_n = W^T G_n
      if (f64)
        col2im(cols.data<double>(), g, dx.data<double>() + n * g.C * g.H * g.W);
      else
        col2im(cols.data<float>(), g, dx.data<float>() + n * g.C * g.H * g.W);
    }
  }
  if (needs_grad(xin)) accumulate_grad(xin, std::move(dx), true);
  if (needs_grad(win)) accumulate_grad(win, dw.reshape(s.saved1.shape()), true);
  if (needs_grad(bin)) {
    // Sum over the batch and the output positions: (N, O, OH*OW) -> (O).
    accumulate_grad(bin, sum(sum(grad.reshape({g.N, g.O, g.cols()}), 2), 0), true);
  }
}

}  // namespace

Var conv2d(const Var& x, const Var& weight, const Var& bias, int64_t stride, int64_t padding) {
  const ConvGeometry g = geometry(x.value(), weight.value(), bias, stride, padding);
  Tensor out = conv2d_value(x.value(), weight.value(), bias, g);
  if (!should_record(x, weight, bias)) return make_constant(std::move(out));
  Var r = make_result(std::move(out), "conv2d", conv2d_backward, x, weight, bias);
  r.impl()->saved0 = x.value().contiguous();
  r.impl()->saved1 = weight.value();
  r.impl()->i0 = stride;
  r.impl()->i1 = padding;
  return r;
}

}  // namespace rein
