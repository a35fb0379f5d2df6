// Differentiable operations on rein::Var, named and shaped as their tensor/ops.h counterparts
// (and PyTorch). Each records a node with its backward when grad mode is on and an input
// requires grad; otherwise it only computes the value. Broadcasting binary ops reduce the
// gradient back to each input's shape. Errors are the tensor library's (rein::Error naming the
// op and shapes). Tensors convert implicitly to constant Vars.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "autograd/var.h"
#include "tensor/ops.h"

namespace rein {

// Elementwise, binary (broadcasting).
Var add(const Var& a, const Var& b);
Var sub(const Var& a, const Var& b);
Var mul(const Var& a, const Var& b);
Var div(const Var& a, const Var& b);
Var pow(const Var& a, const Var& b);  // d/da = b a^(b-1); d/db = a^b log(a)
Var pow(const Var& a, double exponent);
Var minimum(const Var& a, const Var& b);  // ties split the gradient in half (as PyTorch)
Var maximum(const Var& a, const Var& b);
Var operator+(const Var& a, const Var& b);
Var operator-(const Var& a, const Var& b);
Var operator*(const Var& a, const Var& b);
Var operator/(const Var& a, const Var& b);
Var operator+(const Var& a, double b);
Var operator-(const Var& a, double b);
Var operator*(const Var& a, double b);
Var operator/(const Var& a, double b);
Var operator+(double a, const Var& b);
Var operator-(double a, const Var& b);
Var operator*(double a, const Var& b);
Var operator/(double a, const Var& b);
Var operator-(const Var& a);

// Elementwise, unary.
Var neg(const Var& a);
Var exp(const Var& a);
Var log(const Var& a);
Var log1p(const Var& a);
Var sqrt(const Var& a);
Var rsqrt(const Var& a);
Var abs(const Var& a);  // gradient 0 at 0 (as PyTorch)
Var tanh(const Var& a);
Var sigmoid(const Var& a);
Var relu(const Var& a);                     // gradient 0 at 0
Var elu(const Var& a, double alpha = 1.0);  // x > 0 ? x : alpha (exp(x) - 1)
// x Phi(x) = x (1 + erf(x / sqrt 2)) / 2: the exact form of torch.nn.GELU (approximate="none").
Var gelu(const Var& a);
Var softplus(const Var& a);
Var square(const Var& a);
// Gradient passes where min <= a <= max (bounds inclusive, as PyTorch).
Var clamp(const Var& a, std::optional<double> min, std::optional<double> max);

// Selection by a bool mask (no gradient to the mask).
Var where(const Tensor& condition, const Var& a, const Var& b);
Var masked_fill(const Var& a, const Tensor& mask, double value);

// Reductions (dim may be negative; over-all versions return rank-0 Vars).
Var sum(const Var& a);
Var sum(const Var& a, int64_t dim, bool keepdim = false);
Var mean(const Var& a);
Var mean(const Var& a, int64_t dim, bool keepdim = false);
Var var(const Var& a, bool unbiased = true);
Var var(const Var& a, int64_t dim, bool unbiased = true, bool keepdim = false);
Var std(const Var& a, bool unbiased = true);
Var std(const Var& a, int64_t dim, bool unbiased = true, bool keepdim = false);
// An int literal dim (var(x, 1)) would otherwise be ambiguous between the dim and the bool.
inline Var var(const Var& a, int dim, bool unbiased = true, bool keepdim = false) {
  return var(a, int64_t{dim}, unbiased, keepdim);
}
inline Var std(const Var& a, int dim, bool unbiased = true, bool keepdim = false) {
  return std(a, int64_t{dim}, unbiased, keepdim);
}
Var norm(const Var& a, double p = 2.0);  // p = 2 or 1; gradient 0 where the norm is 0
Var logsumexp(const Var& a, int64_t dim, bool keepdim = false);
// Over all elements: ties share the gradient evenly (as PyTorch).
Var max(const Var& a);
Var min(const Var& a);
// Values (differentiable, the gradient goes to the returned index) and int64 indices.
std::pair<Var, Tensor> max(const Var& a, int64_t dim, bool keepdim = false);
std::pair<Var, Tensor> min(const Var& a, int64_t dim, bool keepdim = false);
Var softmax(const Var& a, int64_t dim);
Var log_softmax(const Var& a, int64_t dim);

// Linear algebra.
Var matmul(const Var& a, const Var& b);  // 1-D/2-D operands, and 3-D batched (bmm)
Var mm(const Var& a, const Var& b);
Var bmm(const Var& a, const Var& b);
Var outer(const Var& a, const Var& b);
Var dot(const Var& a, const Var& b);
// Fused y = x W^T + b: x (N, in) or (in), weight (out, in), bias (out) or undefined -> (N, out).
// One GEMM forward and two backward, no temporaries (torch.nn.functional.linear).
Var linear(const Var& x, const Var& weight, const Var& bias = Var());
// 2-D convolution (cross-correlation, torch.nn.functional.conv2d): x (N, C, H, W), weight
// (O, C, kh, kw), bias (O) or undefined -> (N, O, OH, OW), OH = (H + 2 padding - kh) / stride + 1
// (likewise OW); zero padding. im2col + one GEMM per sample, forward and backward.
Var conv2d(const Var& x, const Var& weight, const Var& bias = Var(), int64_t stride = 1,
           int64_t padding = 0);

// Shape and views (the gradient is routed back into the viewed positions).
Var reshape(const Var& a, const Shape& shape);
Var flatten(const Var& a, int64_t start_dim = 0, int64_t end_dim = -1);
Var squeeze(const Var& a, int64_t dim);
Var unsqueeze(const Var& a, int64_t dim);
Var transpose(const Var& a, int64_t dim0, int64_t dim1);
Var permute(const Var& a, const Shape& dims);
Var narrow(const Var& a, int64_t dim, int64_t start, int64_t length);
Var slice(const Var& a, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
Var select(const Var& a, int64_t dim, int64_t index);
Var expand(const Var& a, const Shape& shape);
Var cat(const std::vector<Var>& vars, int64_t dim = 0);
Var stack(const std::vector<Var>& vars, int64_t dim = 0);
std::vector<Var> split(const Var& a, int64_t split_size, int64_t dim = 0);
std::vector<Var> chunk(const Var& a, int64_t chunks, int64_t dim = 0);

// Indexing (int64 index tensors; no gradient to them).
Var gather(const Var& a, int64_t dim, const Tensor& index);
Var index_select(const Var& a, int64_t dim, const Tensor& index);

}  // namespace rein
