// Operations on rein::Tensor, named as in PyTorch. Binary elementwise ops broadcast as in
// NumPy/PyTorch; mismatched shapes or dtypes throw rein::Error naming the op and both shapes.
// Results are new contiguous tensors unless the op is documented as a view (tensor.h).
// Floating ops accept float32 and float64; both operands must have the same dtype (no implicit
// promotion) except where a scalar is given as a double.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace rein {

// Shape that a and b broadcast to; throws "op: shapes [..] and [..] cannot be broadcast".
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op = "broadcast");

// Elementwise, binary (tensor-tensor and tensor-scalar).
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, double exponent);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);
Tensor operator-(const Tensor& a);

// Elementwise, unary.
Tensor neg(const Tensor& a);
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);
Tensor log1p(const Tensor& a);
Tensor sqrt(const Tensor& a);
Tensor rsqrt(const Tensor& a);
Tensor abs(const Tensor& a);
Tensor sign(const Tensor& a);
Tensor tanh(const Tensor& a);
Tensor sigmoid(const Tensor& a);
Tensor relu(const Tensor& a);
Tensor softplus(const Tensor& a);  // log(1 + exp(x)), stable for large |x|
Tensor clamp(const Tensor& a, std::optional<double> min, std::optional<double> max);
Tensor square(const Tensor& a);

// Comparisons return bool masks; where() selects, masked_fill() writes a value where mask.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, double b);
Tensor lt(const Tensor& a, double b);
Tensor le(const Tensor& a, double b);
Tensor gt(const Tensor& a, double b);
Tensor ge(const Tensor& a, double b);
Tensor logical_not(const Tensor& mask);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);  // broadcasts all three
Tensor masked_fill(const Tensor& a, const Tensor& mask, double value);

// Reductions. dim may be negative. Over-all versions return rank-0 tensors.
Tensor sum(const Tensor& a);
Tensor sum(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor mean(const Tensor& a);
Tensor mean(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor prod(const Tensor& a, int64_t dim, bool keepdim = false);
// var/std: unbiased divides by N - 1 (PyTorch's default correction=1).
Tensor var(const Tensor& a, bool unbiased = true);
Tensor var(const Tensor& a, int64_t dim, bool unbiased = true, bool keepdim = false);
Tensor std(const Tensor& a, bool unbiased = true);
Tensor std(const Tensor& a, int64_t dim, bool unbiased = true, bool keepdim = false);
// An int dim would be ambiguous between the two overloads above (int -> bool, int -> int64_t):
// these make var(x, 1) mean "along dim 1", as in PyTorch.
inline Tensor var(const Tensor& a, int dim, bool unbiased = true, bool keepdim = false) {
  return var(a, int64_t{dim}, unbiased, keepdim);
}
inline Tensor std(const Tensor& a, int dim, bool unbiased = true, bool keepdim = false) {
  return std(a, int64_t{dim}, unbiased, keepdim);
}
Tensor norm(const Tensor& a, double p = 2.0);  // over all elements
Tensor norm(const Tensor& a, double p, int64_t dim, bool keepdim = false);
Tensor logsumexp(const Tensor& a, int64_t dim, bool keepdim = false);
// Sum of a's squared elements (float32 or float64) in double precision: element k is added to
// lane k % 8 and the eight lanes are then summed in a fixed order, so it vectorises and is
// deterministic (not bit-equal to a sequential sum). The squared L2 norm behind
// optim::clip_grad_norm_; throws for integer dtypes.
double sum_of_squares(const Tensor& a);
Tensor max(const Tensor& a);
Tensor min(const Tensor& a);
// Values and int64 indices along dim (first index among ties, as PyTorch on CPU).
std::pair<Tensor, Tensor> max(const Tensor& a, int64_t dim, bool keepdim = false);
std::pair<Tensor, Tensor> min(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& a);  // flat index, rank 0
Tensor argmax(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor softmax(const Tensor& a, int64_t dim);
Tensor log_softmax(const Tensor& a, int64_t dim);

// Linear algebra (GEMM through Eigen). matmul follows torch.matmul: 1-D/2-D operands, and
// batched operands whose batch dims broadcast. Transposed (non-contiguous) operands are read
// without a copy.
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);     // 2-D only
Tensor bmm(const Tensor& a, const Tensor& b);    // 3-D only, same batch
Tensor outer(const Tensor& a, const Tensor& b);  // 1-D x 1-D -> 2-D
Tensor dot(const Tensor& a, const Tensor& b);    // 1-D x 1-D -> rank 0
// out = beta * out + alpha * op(a) @ op(b), written in place: the allocation-free kernel that
// autograd's linear layers use. a, b: 2-D; out: contiguous 2-D of the right shape.
void gemm(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, Tensor& out,
          double alpha = 1.0, double beta = 0.0);

// Shape (free-function spellings of the Tensor methods, plus the multi-tensor ones).
Tensor reshape(const Tensor& a, const Shape& shape);
Tensor flatten(const Tensor& a, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor squeeze(const Tensor& a, int64_t dim);
Tensor unsqueeze(const Tensor& a, int64_t dim);
Tensor transpose(const Tensor& a, int64_t dim0, int64_t dim1);
Tensor permute(const Tensor& a, const Shape& dims);
Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length);
Tensor expand(const Tensor& a, const Shape& shape);
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& a, int64_t split_size, int64_t dim = 0);  // views
std::vector<Tensor> chunk(const Tensor& a, int64_t chunks, int64_t dim = 0);      // views

// Indexing. index tensors are int64.
Tensor gather(const Tensor& a, int64_t dim, const Tensor& index);
Tensor scatter_add(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src);
Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index);
Tensor one_hot(const Tensor& index, int64_t num_classes, Dtype dtype = Dtype::Float32);

// Sum of a over the dims that were broadcast to make `shape` -> a tensor of `shape`
// (the backward of broadcasting).
Tensor sum_to(const Tensor& a, const Shape& shape);

bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8);
bool equal(const Tensor& a, const Tensor& b);  // same shape and identical values

}  // namespace rein
