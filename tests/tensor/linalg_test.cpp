// matmul (1-D, 2-D, batched with broadcasting, transposed operands), mm, bmm, outer, dot, gemm.
#include <gtest/gtest.h>

#include <limits>

#include "tensor/generator.h"
#include "tensor/ops.h"
#include "tensor/tensor.h"
#include "tests/tensor/test_util.h"

namespace rein {
namespace {

using testing::expect_error;
using testing::expect_tensor;

// Reference product by the definition, in double.
Tensor naive_mm(const Tensor& a, const Tensor& b) {
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  std::vector<double> out(static_cast<size_t>(m * n), 0.0);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t p = 0; p < k; ++p) out[i * n + j] += a.at({i, p}) * b.at({p, j});
    }
  }
  return from_vector(out, {m, n});
}

TEST(Matmul, TwoByTwo) {
  Tensor a = tensor({{1, 2}, {3, 4}});
  Tensor b = tensor({{5, 6}, {7, 8}});
  expect_tensor(matmul(a, b), {2, 2}, {19, 22, 43, 50});
  expect_tensor(mm(a, b), {2, 2}, {19, 22, 43, 50});
}

TEST(Matmul, TransposedOperandsNeedNoCopyAndGiveTheSameResult) {
  Generator gen(1);
  for (Dtype dtype : {Dtype::Float32, Dtype::Float64}) {
    Tensor a = randn({7, 5}, gen, dtype);
    Tensor b = randn({6, 7}, gen, dtype);
    // a^T (5, 7) @ b^T (7, 6)
    Tensor got = matmul(a.t(), b.t());
    Tensor want = naive_mm(a.t(), b.t());
    EXPECT_TRUE(allclose(got.to(Dtype::Float64), want, 1e-4, 1e-5));
    // A sliced operand (row stride larger than its width) is mapped in place too.
    Tensor big = randn({7, 9}, gen, dtype);
    Tensor sl = big.narrow(1, 2, 5);  // (7, 5), stride (9, 1)
    EXPECT_TRUE(
        allclose(matmul(sl.t(), b.t()).to(Dtype::Float64), naive_mm(sl.t(), b.t()), 1e-4, 1e-5));
    // Stride-2 columns force the copy path.
    Tensor st = big.slice(1, 0, 9, 2);  // (7, 5), stride (9, 2)
    EXPECT_TRUE(
        allclose(matmul(st.t(), b.t()).to(Dtype::Float64), naive_mm(st.t(), b.t()), 1e-4, 1e-5));
  }
}

TEST(Matmul, OneDimensionalOperandsFollowTorch) {
  Tensor m = tensor({{1, 2, 3}, {4, 5, 6}});
  expect_tensor(matmul(m, tensor({1, 0, -1})), {2}, {-2, -2});
  expect_tensor(matmul(tensor({1, 1}), m), {3}, {5, 7, 9});
  expect_tensor(matmul(tensor({1, 2}), tensor({3, 4})), {}, {11});
  expect_tensor(dot(tensor({1, 2}), tensor({3, 4})), {}, {11});
  expect_tensor(outer(tensor({1, 2}), tensor({3, 4, 5})), {2, 3}, {3, 4, 5, 6, 8, 10});
}

TEST(Matmul, BatchedWithBroadcastBatchDims) {
  Tensor a = arange(12).reshape({2, 2, 3});     // (2, 2, 3)
  Tensor w = tensor({{1, 0}, {0, 1}, {1, 1}});  // (3, 2), broadcast over the batch
  Tensor out = matmul(a, w);
  ASSERT_EQ(out.shape(), Shape({2, 2, 2}));
  expect_tensor(out.select(0, 1), {2, 2}, naive_mm(a.select(0, 1), w).tolist());
  expect_tensor(out.select(0, 0), {2, 2}, naive_mm(a.select(0, 0), w).tolist());
  Tensor b = arange(12).reshape({2, 3, 2});
  Tensor c = bmm(a, b);
  expect_tensor(c.select(0, 1), {2, 2}, naive_mm(a.select(0, 1), b.select(0, 1)).tolist());
  // (3, 1, 2, 3) @ (2, 3, 1) -> (3, 2, 2, 1)
  Tensor x = arange(18).reshape({3, 1, 2, 3});
  Tensor y = arange(6).reshape({2, 3, 1});
  Tensor z = matmul(x, y);
  ASSERT_EQ(z.shape(), Shape({3, 2, 2, 1}));
  expect_tensor(z.select(0, 2).select(0, 1), {2, 1},
                naive_mm(x.select(0, 2).select(0, 0), y.select(0, 1)).tolist());
  // Transposed batches.
  Tensor bt = b.transpose(1, 2);  // (2, 2, 3)
  expect_tensor(matmul(a, bt.transpose(1, 2)).select(0, 0), {2, 2},
                naive_mm(a.select(0, 0), b.select(0, 0)).tolist());
  expect_tensor(matmul(tensor({1, 1, 1}), b), {2, 2}, {6, 9, 24, 27});
}

TEST(Matmul, EmptyDimsGiveZerosOrEmpty) {
  expect_tensor(matmul(zeros({2, 0}), zeros({0, 3})), {2, 3}, {0, 0, 0, 0, 0, 0});
  expect_tensor(matmul(zeros({0, 4}), zeros({4, 3})), {0, 3}, {});
}

TEST(Matmul, ErrorsNameBothShapes) {
  expect_error(
      [] {
        matmul(zeros({3, 4}), zeros({5, 2}));
      },
      "matmul: shapes [3, 4] and [5, 2] cannot be multiplied");
  expect_error(
      [] {
        mm(zeros({3}), zeros({3, 2}));
      },
      "mm: shapes [3] and [3, 2] cannot be multiplied");
  expect_error(
      [] {
        bmm(zeros({2, 3, 4}), zeros({3, 4, 5}));
      },
      "bmm: shapes [2, 3, 4] and [3, 4, 5] cannot be multiplied");
  expect_error(
      [] {
        matmul(zeros({2, 3, 4}), zeros({3, 4, 5}));
      },
      "matmul: shapes [2, 3, 4] and [3, 4, 5] cannot be multiplied");
  expect_error([] { matmul(scalar(1), zeros({2})); },
               "matmul: shapes [] and [2] cannot be multiplied");
  expect_error(
      [] {
        matmul(zeros({2, 2}), zeros({2, 2}, Dtype::Float64));
      },
      "matmul: dtypes float32 and float64 differ (shapes [2, 2] and [2, 2])");
  expect_error(
      [] {
        matmul(zeros({2, 2}, Dtype::Int64), zeros({2, 2}, Dtype::Int64));
      },
      "matmul: expected a floating tensor (float32 or float64), got int64");
  expect_error([] { dot(zeros({2}), zeros({3})); },
               "dot: expected 1-D tensors of equal length, got shapes [2] and [3]");
  expect_error(
      [] {
        outer(zeros({2, 1}), zeros({3}));
      },
      "outer: expected 1-D tensors, got shapes [2, 1] and [3]");
}

TEST(Gemm, AccumulatesWithAlphaBetaAndTransposes) {
  Generator gen(7);
  Tensor a = randn({4, 3}, gen, Dtype::Float64);
  Tensor b = randn({5, 3}, gen, Dtype::Float64);
  Tensor out = ones({4, 5}, Dtype::Float64);
  gemm(a, false, b, true, out, 2.0, 0.5);  // out = 0.5 * 1 + 2 * a @ b^T
  Tensor want = naive_mm(a, b.t()) * 2.0 + 0.5;
  EXPECT_TRUE(allclose(out, want, 1e-12, 1e-12));
  Tensor out2 = full({3, 5}, std::numeric_limits<double>::quiet_NaN(),
                     Dtype::Float64);  // beta = 0 ignores the old contents
  Tensor c = randn({4, 5}, gen, Dtype::Float64);
  gemm(a, true, c, false, out2);  // (3, 4) @ (4, 5)
  EXPECT_TRUE(allclose(out2, naive_mm(a.t(), c), 1e-12, 1e-12));
  Tensor out3 = ones({3, 5}, Dtype::Float64);
  gemm(a, true, c.t().contiguous(), true, out3, 1.0, 1.0);
  EXPECT_TRUE(allclose(out3, naive_mm(a.t(), c) + 1.0, 1e-12, 1e-12));
  Tensor z = full({2, 2}, 3.0, Dtype::Float64);
  gemm(zeros({2, 0}, Dtype::Float64), false, zeros({0, 2}, Dtype::Float64), false, z, 1.0, 2.0);
  expect_tensor(z, {2, 2}, {6, 6, 6, 6});
}

TEST(Gemm, ChecksShapesOfOperandsAndOut) {
  Tensor out = zeros({4, 5});
  expect_error(
      [&] {
        gemm(zeros({4, 3}), false, zeros({5, 3}), false, out);
      },
      "gemm: shapes [4, 3] and [5, 3] cannot be multiplied");
  expect_error(
      [&] {
        gemm(zeros({4, 3}), true, zeros({5, 3}), true, out);
      },
      "gemm: shapes [4, 3]^T and [5, 3]^T cannot be multiplied");
  Tensor wrong = zeros({5, 4});
  expect_error(
      [&] {
        gemm(zeros({4, 3}), false, zeros({5, 3}), true, wrong);
      },
      "gemm: out must be a contiguous tensor of shape [4, 5], got shape [5, 4]");
  Tensor strided = zeros({5, 4}).t();
  expect_error(
      [&] {
        gemm(zeros({4, 3}), false, zeros({5, 3}), true, strided);
      },
      "got shape [4, 5] (non-contiguous)");
}

}  // namespace
}  // namespace rein
