// Reductions: sum/mean/prod/var/std/norm/max/min/argmax/logsumexp/softmax along dims and over
// all elements, keepdim, empty tensors, sum_to.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tensor/generator.h"
#include "tensor/ops.h"
#include "tensor/tensor.h"
#include "tests/tensor/test_util.h"

namespace rein {
namespace {

using testing::expect_error;
using testing::expect_tensor;

const Tensor kA = tensor({{1, 5, 3}, {4, 2, 6}});

TEST(Reduce, SumAlongEveryDimWithKeepdim) {
  expect_tensor(sum(kA), {}, {21});
  expect_tensor(sum(kA, 0), {3}, {5, 7, 9});
  expect_tensor(sum(kA, 1), {2}, {9, 12});
  expect_tensor(sum(kA, -1, true), {2, 1}, {9, 12});
  expect_tensor(kA.sum(0, true), {1, 3}, {5, 7, 9});
  expect_tensor(kA.sum(), {}, {21});
  expect_tensor(sum(kA.t(), 1), {3}, {5, 7, 9});
  Tensor b = arange(24).reshape({2, 3, 4});
  expect_tensor(sum(b, 1), {2, 4}, {12, 15, 18, 21, 48, 51, 54, 57});
  expect_tensor(sum(scalar(3), 0), {}, {3});
  expect_error([&] { sum(kA, 2); },
               "sum: dim 2 out of range for a tensor of rank 2 (expected in [-2, 1])");
}

TEST(Reduce, SumOfMasksAndIntegersIsInt64) {
  Tensor m = gt(kA, 2.5);
  Tensor s = sum(m);
  EXPECT_EQ(s.dtype(), Dtype::Int64);
  EXPECT_EQ(s.item(), 4);
  expect_tensor(sum(arange(5, Dtype::Int64)), {}, {10});
}

TEST(Reduce, Float32SumsAccumulateAccurately) {
  // 1e6 copies of 0.1f: a float accumulator drifts by ~1%, a double one does not.
  Tensor x = full({1000000}, 0.1);
  EXPECT_NEAR(sum(x).item(), 100000.0, 1.0);
}

TEST(Reduce, MeanProdVarStd) {
  expect_tensor(mean(kA), {}, {3.5});
  expect_tensor(mean(kA, 0), {3}, {2.5, 3.5, 4.5});
  expect_tensor(kA.mean(1, true), {2, 1}, {3, 4});
  expect_tensor(prod(kA, 1), {2}, {15, 48});
  expect_tensor(prod(kA, 0, true), {1, 3}, {4, 10, 18});
  // torch.var([1, 5, 3]) = 4 (unbiased), 8/3 (biased).
  expect_tensor(var(kA, 1), {2}, {4, 4});
  expect_tensor(var(kA, 1, false), {2}, {8.0 / 3, 8.0 / 3});
  expect_tensor(var(kA), {}, {3.5});
  expect_tensor(var(kA, false), {}, {17.5 / 6});
  expect_tensor(std(kA, 1, true, true), {2, 1}, {2, 2});
  expect_tensor(std(kA), {}, {std::sqrt(3.5)});
  EXPECT_TRUE(std::isnan(var(tensor({1})).item()));  // N - 1 == 0
  expect_error([] { mean(arange(3, Dtype::Int64)); }, "mean: expected a floating tensor");
}

TEST(Reduce, Norms) {
  Tensor v = tensor({3, -4});
  expect_tensor(norm(v), {}, {5});
  expect_tensor(norm(v, 1), {}, {7});
  expect_tensor(norm(v, INFINITY), {}, {4});
  expect_tensor(norm(v, 0), {}, {2});
  expect_tensor(norm(v, 3), {}, {std::cbrt(91.0)}, 1e-5);
  expect_tensor(norm(kA, 2, 0), {3}, {std::sqrt(17.0), std::sqrt(29.0), std::sqrt(45.0)}, 1e-5);
  expect_error([&] { norm(v, -1); }, "norm: unsupported order p=-1");
}

TEST(Reduce, MaxMinWithIndices) {
  expect_tensor(max(kA), {}, {6});
  expect_tensor(min(kA), {}, {1});
  auto [values, indices] = max(kA, 1);
  expect_tensor(values, {2}, {5, 6});
  expect_tensor(indices, {2}, {1, 2});
  EXPECT_EQ(indices.dtype(), Dtype::Int64);
  auto [mv, mi] = min(kA, 0, true);
  expect_tensor(mv, {1, 3}, {1, 2, 3});
  expect_tensor(mi, {1, 3}, {0, 1, 0});
  expect_tensor(argmax(kA), {}, {5});
  expect_tensor(argmax(kA, 0), {3}, {1, 0, 1});
  expect_tensor(argmin(kA, 1, true), {2, 1}, {0, 1});
}

TEST(Reduce, ArgmaxReturnsTheFirstOfTiesAndNanWins) {
  expect_tensor(argmax(tensor({1, 3, 3, 2})), {}, {1});
  expect_tensor(argmin(tensor({{2, 1, 1}}), 1), {1}, {1});
  expect_tensor(argmax(tensor({1, NAN, 5})), {}, {1});
  EXPECT_TRUE(std::isnan(max(tensor({1, NAN, 5})).item()));
}

TEST(Reduce, EmptyTensors) {
  expect_tensor(sum(zeros({0})), {}, {0});
  expect_tensor(sum(zeros({0, 3}), 0), {3}, {0, 0, 0});
  expect_tensor(sum(zeros({0, 3}), 1), {0}, {});
  EXPECT_TRUE(std::isnan(mean(zeros({0})).item()));
  expect_tensor(max(zeros({0, 3}), 1).first, {0}, {});
  expect_error([] { max(zeros({0})); },
               "max: cannot reduce over an empty dim of a tensor of shape [0]");
  expect_error([] { argmax(zeros({0, 3}), 0); }, "argmax: cannot reduce over an empty dim");
}

TEST(Softmax, RowsSumToOneAndMatchTheDefinition) {
  Tensor x = tensor({{1, 2, 3}, {0, 0, 0}}, Dtype::Float64);
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  expect_tensor(softmax(x, 1), {2, 3},
                {std::exp(1.0) / z, std::exp(2.0) / z, std::exp(3.0) / z, 1. / 3, 1. / 3, 1. / 3},
                1e-12);
  expect_tensor(log_softmax(x, -1), {2, 3},
                {1 - std::log(z), 2 - std::log(z), 3 - std::log(z), -std::log(3.0), -std::log(3.0),
                 -std::log(3.0)},
                1e-12);
  expect_tensor(logsumexp(x, 1), {2}, {std::log(z), std::log(3.0)}, 1e-12);
  expect_tensor(
      logsumexp(x, 0, true), {1, 3},
      {std::log(std::exp(1.0) + 1), std::log(std::exp(2.0) + 1), std::log(std::exp(3.0) + 1)},
      1e-12);
  expect_tensor(softmax(x, 0), {2, 3},
                {std::exp(1.0) / (std::exp(1.0) + 1), std::exp(2.0) / (std::exp(2.0) + 1),
                 std::exp(3.0) / (std::exp(3.0) + 1), 1 / (std::exp(1.0) + 1),
                 1 / (std::exp(2.0) + 1), 1 / (std::exp(3.0) + 1)},
                1e-12);
}

TEST(Softmax, LargeLogitsDoNotOverflow) {
  Tensor x = tensor({1000, 1000, -INFINITY});
  expect_tensor(softmax(x, 0), {3}, {0.5, 0.5, 0});
  expect_tensor(log_softmax(x.t(), 0).narrow(0, 0, 2), {2}, {-std::log(2.0), -std::log(2.0)});
  expect_tensor(logsumexp(x, 0), {}, {1000 + std::log(2.0)}, 1e-3);
  EXPECT_EQ(logsumexp(full({2}, -INFINITY), 0).item(), -INFINITY);
}

TEST(SumTo, ReducesBroadcastDims) {
  Tensor g = arange(24).reshape({2, 3, 4});
  expect_tensor(sum_to(g, {4}), {4}, {60, 66, 72, 78});
  expect_tensor(sum_to(g, {3, 1}), {3, 1}, {60, 92, 124});
  expect_tensor(sum_to(g, {2, 1, 1}), {2, 1, 1}, {66, 210});
  expect_tensor(sum_to(g, {}), {}, {276});
  EXPECT_TRUE(sum_to(g, {2, 3, 4}).shares_storage(g));
  expect_tensor(sum_to(g.permute({2, 1, 0}), {4, 1, 1}), {4, 1, 1}, {60, 66, 72, 78});
  expect_error([&] { sum_to(g, {5}); }, "sum_to: shapes [5] and [2, 3, 4] cannot be broadcast");
  expect_error(
      [&] {
        sum_to(g, {1, 2, 3, 4});
      },
      "sum_to: shape [2, 3, 4] cannot be summed to [1, 2, 3, 4]");
}

TEST(SumOfSquares, MatchesADoubleSumForEveryTailLengthAndDtype) {
  Generator gen(11);
  for (Dtype dtype : {Dtype::Float32, Dtype::Float64}) {
    for (int64_t n : {0, 1, 7, 8, 9, 67, 1000}) {
      const Tensor x = randn({n}, gen).to(dtype);
      const Tensor x64 = x.to(Dtype::Float64);
      double naive = 0.0;
      for (int64_t k = 0; k < n; ++k) naive += x64.data<double>()[k] * x64.data<double>()[k];
      EXPECT_NEAR(sum_of_squares(x), naive, 1e-12 * (1.0 + naive)) << n;
    }
  }
}

TEST(SumOfSquares, ReadsStridedViewsAndRejectsIntegers) {
  const Tensor a = tensor({{1.0, 2.0}, {3.0, 4.0}});
  EXPECT_DOUBLE_EQ(sum_of_squares(a.transpose(0, 1)), 30.0);
  EXPECT_DOUBLE_EQ(sum_of_squares(a.select(1, 1)), 20.0);
  expect_error([] { sum_of_squares(arange(3, Dtype::Int64)); },
               "sum_of_squares: expected a float32 or float64 tensor, got int64");
}

}  // namespace
}  // namespace rein
