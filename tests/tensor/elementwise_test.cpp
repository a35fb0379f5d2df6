// Elementwise ops: arithmetic with broadcasting, scalars, unary math, comparisons, where,
// masked_fill, and their error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tensor/ops.h"
#include "tensor/tensor.h"
#include "tests/tensor/test_util.h"

namespace rein {
namespace {

using testing::expect_error;
using testing::expect_tensor;

TEST(Elementwise, ArithmeticOnSameShapes) {
  Tensor a = tensor({1, 2, 3});
  Tensor b = tensor({4, 5, 6});
  expect_tensor(a + b, {3}, {5, 7, 9});
  expect_tensor(a - b, {3}, {-3, -3, -3});
  expect_tensor(a * b, {3}, {4, 10, 18});
  expect_tensor(a / b, {3}, {0.25, 0.4, 0.5});
  expect_tensor(pow(a, b), {3}, {1, 32, 729});
  expect_tensor(minimum(a, tensor({2, 2, 2})), {3}, {1, 2, 2});
  expect_tensor(maximum(a, tensor({2, 2, 2})), {3}, {2, 2, 3});
  expect_tensor(-a, {3}, {-1, -2, -3});
}

TEST(Elementwise, ScalarOperandsOnEitherSide) {
  Tensor a = tensor({1, 2, 4});
  expect_tensor(a + 1, {3}, {2, 3, 5});
  expect_tensor(a - 1, {3}, {0, 1, 3});
  expect_tensor(a * 2, {3}, {2, 4, 8});
  expect_tensor(a / 2, {3}, {0.5, 1, 2});
  expect_tensor(1 + a, {3}, {2, 3, 5});
  expect_tensor(1 - a, {3}, {0, -1, -3});
  expect_tensor(2 * a, {3}, {2, 4, 8});
  expect_tensor(1 / a, {3}, {1, 0.5, 0.25});
  expect_tensor(a + scalar(1), {3}, {2, 3, 5});
  expect_tensor(scalar(8) / a, {3}, {8, 4, 2});
  expect_tensor(pow(a, 2.0), {3}, {1, 4, 16});
  expect_tensor(pow(a, 0.5), {3}, {1, std::sqrt(2.0), 2});
  expect_tensor(pow(a, -1.0), {3}, {1, 0.5, 0.25});
  expect_tensor(pow(a, 3.0), {3}, {1, 8, 64});
}

TEST(Elementwise, IntegerTensorsSupportArithmeticButNotDivision) {
  Tensor a = tensor({1, 2, 3}, Dtype::Int64);
  Tensor s = a * 3 + a;
  EXPECT_EQ(s.dtype(), Dtype::Int64);
  expect_tensor(s, {3}, {4, 8, 12});
  expect_error([&] { a / a; }, "div: expected a floating tensor (float32 or float64), got int64");
  expect_error([&] { a / 2; }, "div: expected a floating tensor");
  expect_error([&] { exp(a); }, "exp: expected a floating tensor (float32 or float64), got int64");
  expect_tensor(abs(tensor({-2, 3}, Dtype::Int64)), {2}, {2, 3});
}

TEST(Broadcast, ShapesFollowNumPyRules) {
  EXPECT_EQ(broadcast_shapes({3, 1}, {4}), Shape({3, 4}));
  EXPECT_EQ(broadcast_shapes({}, {2, 3}), Shape({2, 3}));
  EXPECT_EQ(broadcast_shapes({5, 1, 4}, {3, 1}), Shape({5, 3, 4}));
  EXPECT_EQ(broadcast_shapes({0}, {1}), Shape({0}));
  EXPECT_EQ(broadcast_shapes({2, 0}, {2, 1}), Shape({2, 0}));
  expect_error([] { broadcast_shapes({3}, {4}, "add"); },
               "add: shapes [3] and [4] cannot be broadcast");
  expect_error([] { broadcast_shapes({0}, {2}); },
               "broadcast: shapes [0] and [2] cannot be broadcast");
}

TEST(Broadcast, ColumnTimesRowMakesAMatrix) {
  Tensor col = tensor({1, 2}).unsqueeze(1);
  Tensor row = tensor({10, 20, 30});
  expect_tensor(col * row, {2, 3}, {10, 20, 30, 20, 40, 60});
  expect_tensor(row - col, {2, 3}, {9, 19, 29, 8, 18, 28});
}

TEST(Broadcast, RankZeroAndSizeOneDims) {
  Tensor a = arange(6).reshape({2, 3});
  expect_tensor(a + scalar(1), {2, 3}, {1, 2, 3, 4, 5, 6});
  expect_tensor(scalar(1) + a, {2, 3}, {1, 2, 3, 4, 5, 6});
  expect_tensor(a + ones({1, 1}), {2, 3}, {1, 2, 3, 4, 5, 6});
  expect_tensor(scalar(2) * scalar(3), {}, {6});
  expect_tensor(a + zeros({2, 1, 1}), {2, 2, 3}, {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5});
  expect_tensor(a * tensor({2, 3}).unsqueeze(1), {2, 3}, {0, 2, 4, 9, 12, 15});
}

TEST(Broadcast, EmptyOperandsGiveEmptyResults) {
  expect_tensor(zeros({0}) + ones({1}), {0}, {});
  expect_tensor(zeros({2, 0}) * ones({2, 1}), {2, 0}, {});
  expect_tensor(exp(zeros({0, 3})), {0, 3}, {});
  expect_error([] { zeros({0}) + ones({2}); }, "add: shapes [0] and [2] cannot be broadcast");
}

TEST(Broadcast, StridedOperandsAreReadCorrectly) {
  Tensor a = arange(12).reshape({3, 4});
  Tensor t = a.t();  // (4, 3)
  expect_tensor(t + t, {4, 3}, {0, 8, 16, 2, 10, 18, 4, 12, 20, 6, 14, 22});
  expect_tensor(t * tensor({1, 0, -1}), {4, 3}, {0, 0, -8, 1, 0, -9, 2, 0, -10, 3, 0, -11});
  Tensor s = a.slice(1, 0, 4, 2);  // (3, 2) strided
  expect_tensor(s + tensor({100, 200, 300}).unsqueeze(1), {3, 2}, {100, 102, 204, 206, 308, 310});
  expect_tensor(exp(s * 0.0), {3, 2}, {1, 1, 1, 1, 1, 1});
}

TEST(Elementwise, MismatchErrorsNameTheOpAndBothShapes) {
  expect_error(
      [] {
        zeros({2, 3}) + zeros({4});
      },
      "add: shapes [2, 3] and [4] cannot be broadcast");
  expect_error([] { zeros({2}) * zeros({3}); }, "mul: shapes [2] and [3] cannot be broadcast");
  expect_error([] { sub(zeros({2}), zeros({3})); }, "sub: shapes [2] and [3] cannot be broadcast");
  expect_error([] { zeros({2}) + zeros({2}, Dtype::Float64); },
               "add: dtypes float32 and float64 differ (shapes [2] and [2])");
  expect_error([] { add(Tensor(), zeros({1})); }, "add: tensor is undefined");
}

TEST(Unary, MathFunctions) {
  Tensor x = tensor({-2, 0, 1}, Dtype::Float64);
  expect_tensor(exp(x), {3}, {std::exp(-2.0), 1, std::exp(1.0)}, 1e-12);
  expect_tensor(abs(x), {3}, {2, 0, 1});
  expect_tensor(sign(x), {3}, {-1, 0, 1});
  expect_tensor(tanh(x), {3}, {std::tanh(-2.0), 0, std::tanh(1.0)}, 1e-12);
  expect_tensor(sigmoid(x), {3}, {1 / (1 + std::exp(2.0)), 0.5, 1 / (1 + std::exp(-1.0))}, 1e-12);
  expect_tensor(relu(x), {3}, {0, 0, 1});
  expect_tensor(square(x), {3}, {4, 0, 1});
  expect_tensor(neg(x), {3}, {2, 0, -1});
  Tensor p = tensor({1, 4, 0.25});
  expect_tensor(log(p), {3}, {0, std::log(4.0), std::log(0.25)});
  expect_tensor(log1p(tensor({0, 1e-10})), {2}, {0, 1e-10}, 1e-16);
  expect_tensor(sqrt(p), {3}, {1, 2, 0.5});
  expect_tensor(rsqrt(p), {3}, {1, 0.5, 2});
}

TEST(Unary, SoftplusAndSigmoidAreStableAtExtremes) {
  Tensor x = tensor({-1000, -20, 0, 20, 1000}, Dtype::Float64);
  expect_tensor(
      softplus(x), {5},
      {0, std::log1p(std::exp(-20.0)), std::log(2.0), 20 + std::log1p(std::exp(-20.0)), 1000},
      1e-12);
  expect_tensor(sigmoid(x), {5}, {0, 1 / (1 + std::exp(20.0)), 0.5, 1 / (1 + std::exp(-20.0)), 1},
                1e-15);
  const std::vector<double> s = softplus(tensor({100.f})).tolist();
  EXPECT_TRUE(std::isfinite(s[0]));
}

TEST(Unary, VectorisedFloat32MathMatchesTheC99Functions) {
  // exp/log/tanh/sigmoid run through Eigen's SIMD kernels on contiguous input and through the
  // C library on strided input; both must agree with the double-precision reference.
  Tensor x = linspace(-20, 20, 4001);
  Tensor strided = linspace(-20, 20, 8001).slice(0, 0, 8001, 2);  // stride 2
  ASSERT_FALSE(strided.is_contiguous());
  for (const Tensor& in : {x, strided}) {
    const std::vector<double> v = in.tolist();
    const std::vector<double> e = exp(in * 0.25).tolist();
    const std::vector<double> t = tanh(in).tolist();
    const std::vector<double> s = sigmoid(in).tolist();
    const std::vector<double> l = log(abs(in) + 1e-3).tolist();
    for (size_t i = 0; i < v.size(); ++i) {
      const double xf = static_cast<float>(v[i]);
      EXPECT_NEAR(e[i], std::exp(static_cast<float>(xf * 0.25)), 4e-7 * std::exp(xf * 0.25)) << xf;
      EXPECT_NEAR(t[i], std::tanh(xf), 4e-7) << xf;
      EXPECT_NEAR(s[i], 1 / (1 + std::exp(-xf)), 4e-7) << xf;
      const double lf = static_cast<float>(static_cast<float>(std::fabs(xf)) + 1e-3f);
      EXPECT_NEAR(l[i], std::log(lf), 4e-7 * std::max(1.0, std::fabs(std::log(lf)))) << xf;
    }
  }
}

TEST(Unary, ClampWithOptionalBounds) {
  Tensor x = tensor({-2, 0.5, 3});
  expect_tensor(clamp(x, 0.0, 1.0), {3}, {0, 0.5, 1});
  expect_tensor(clamp(x, std::nullopt, 1.0), {3}, {-2, 0.5, 1});
  expect_tensor(clamp(x, 0.0, std::nullopt), {3}, {0, 0.5, 3});
  expect_tensor(clamp(x, 2.0, 1.0), {3}, {1, 1, 1});  // max wins, as torch.clamp
  expect_error([&] { clamp(x, std::nullopt, std::nullopt); }, "clamp: at least one of min and max");
}

TEST(Unary, NanPropagatesThroughMinMaxAndClamp) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Tensor x = tensor({nan, 1}, Dtype::Float64);
  Tensor y = tensor({0, nan}, Dtype::Float64);
  auto m = maximum(x, y).tolist();
  EXPECT_TRUE(std::isnan(m[0]) && std::isnan(m[1]));
  auto n = minimum(x, y).tolist();
  EXPECT_TRUE(std::isnan(n[0]) && std::isnan(n[1]));
  EXPECT_TRUE(std::isnan(clamp(x, 0.0, 0.5).tolist()[0]));
  EXPECT_TRUE(std::isnan(sign(x).tolist()[0]));
}

TEST(Compare, ReturnsBoolMasks) {
  Tensor a = tensor({1, 2, 3});
  Tensor b = tensor({3, 2, 1});
  Tensor m = lt(a, b);
  EXPECT_EQ(m.dtype(), Dtype::Bool);
  expect_tensor(m, {3}, {1, 0, 0});
  expect_tensor(le(a, b), {3}, {1, 1, 0});
  expect_tensor(gt(a, b), {3}, {0, 0, 1});
  expect_tensor(ge(a, b), {3}, {0, 1, 1});
  expect_tensor(eq(a, b), {3}, {0, 1, 0});
  expect_tensor(ne(a, b), {3}, {1, 0, 1});
  expect_tensor(eq(a, 2.0), {3}, {0, 1, 0});
  expect_tensor(lt(a, 2.0), {3}, {1, 0, 0});
  expect_tensor(le(a, 2.0), {3}, {1, 1, 0});
  expect_tensor(gt(a, 2.0), {3}, {0, 0, 1});
  expect_tensor(ge(a, 2.0), {3}, {0, 1, 1});
  expect_tensor(gt(tensor({0, 1}, Dtype::Int64), 0.5), {2}, {0, 1});
  expect_tensor(lt(tensor({1, 5}).unsqueeze(1), a), {2, 3}, {0, 1, 1, 0, 0, 0});
  expect_error([&] { lt(a, tensor({1, 2})); }, "lt: shapes [3] and [2] cannot be broadcast");
}

TEST(Compare, LogicalOpsNeedBoolMasks) {
  Tensor p = from_vector(std::vector<bool>{true, true, false, false});
  Tensor q = from_vector(std::vector<bool>{true, false, true, false});
  expect_tensor(logical_and(p, q), {4}, {1, 0, 0, 0});
  expect_tensor(logical_or(p, q), {4}, {1, 1, 1, 0});
  expect_tensor(logical_not(p), {4}, {0, 0, 1, 1});
  expect_tensor(eq(p, q), {4}, {1, 0, 0, 1});
  expect_error([] { logical_not(zeros({2})); },
               "logical_not: expected a bool mask, got float32 of shape [2]");
}

TEST(Where, SelectsAndBroadcastsAllThree) {
  Tensor cond = gt(tensor({1, -1}).unsqueeze(1), 0.0);  // (2, 1)
  Tensor a = tensor({1, 2, 3});                         // (3)
  Tensor b = scalar(0);
  expect_tensor(where(cond, a, b), {2, 3}, {1, 2, 3, 0, 0, 0});
  expect_tensor(where(lt(a, 2.0), a * 10, a), {3}, {10, 2, 3});
  expect_error([&] { where(cond, a, zeros({2})); },
               "where: shapes [3] and [2] cannot be broadcast");
  expect_error([&] { where(a, a, a); }, "where: expected a bool mask, got float32");
  expect_error([&] { where(cond, a, zeros({3}, Dtype::Float64)); },
               "where: dtypes float32 and float64 differ");
}

TEST(MaskedFill, WritesValueWhereMaskAndCopies) {
  Tensor a = tensor({{1, 2}, {3, 4}});
  Tensor mask = from_vector(std::vector<bool>{false, true});
  Tensor out = masked_fill(a, mask, -1e9);
  expect_tensor(out, {2, 2}, {1, -1e9, 3, -1e9});
  EXPECT_EQ(a.at({0, 1}), 2);  // the input is untouched
  expect_error(
      [&] {
        masked_fill(a, from_vector(std::vector<bool>{true, false, true}), 0);
      },
      "masked_fill: mask of shape [3] cannot be broadcast to [2, 2]");
  expect_error(
      [&] {
        masked_fill(a, from_vector(std::vector<bool>{true}, {1, 1, 1}), 0);
      },
      "masked_fill: mask of shape [1, 1, 1] cannot be broadcast to [2, 2]");
}

TEST(Compare, AllcloseAndEqual) {
  Tensor a = tensor({1, 2});
  EXPECT_TRUE(allclose(a, tensor({1, 2.000001})));
  EXPECT_FALSE(allclose(a, tensor({1, 2.1})));
  EXPECT_TRUE(allclose(a, tensor({1.05, 2.05}), 0.0, 0.1));
  EXPECT_TRUE(equal(a, tensor({1, 2})));
  EXPECT_FALSE(equal(a, tensor({1, 2.000001})));
  EXPECT_FALSE(equal(a, tensor({1, 2}, Dtype::Float64)));
  EXPECT_FALSE(equal(a, tensor({{1, 2}})));
}

}  // namespace
}  // namespace rein
