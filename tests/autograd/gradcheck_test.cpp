// Finite-difference gradient checks (float64) of every differentiable op.
#include "autograd/gradcheck.h"

#include <gtest/gtest.h>

#include "autograd/internal/fused_linear.h"
#include "autograd/loss.h"
#include "autograd/ops.h"
#include "tensor/generator.h"
#include "tensor/ops.h"

namespace rein {
namespace {

using Fn = std::function<Var(const std::vector<Var>&)>;

// Inputs drawn from N(0, 1) (or U[lo, hi] for ops with a restricted domain), float64.
Var input(const Shape& shape, uint64_t seed, double lo = 0.0, double hi = 0.0) {
  Generator gen(seed);
  Tensor t = lo < hi ? rand(shape, gen, Dtype::Float64) * (hi - lo) + lo
                     : randn(shape, gen, Dtype::Float64);
  return Var(t.contiguous(), true);
}

void expect_gradcheck(const Fn& fn, const std::vector<Var>& inputs) {
  GradcheckResult r = gradcheck(fn, inputs);
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_LT(r.max_error, 1e-6);
}

TEST(Gradcheck, DetectsAWrongGradient) {
  // abs's gradient is not defined at 0 for finite differences: |x| at 0 has numeric slope 0
  // but a kink; instead use a function whose backward we break by detaching half of it.
  Var x = input({3}, 1);
  GradcheckResult r = gradcheck([](const auto& v) { return v[0] * v[0].detach(); }, {x});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("analytic"), std::string::npos);
}

TEST(Gradcheck, RejectsFloat32Inputs) {
  Var x(ones({2}), true);
  EXPECT_THROW(gradcheck([](const auto& v) { return v[0] * 2.0; }, {x}), Error);
}

TEST(GradcheckBinary, AddSubMulDivBroadcast) {
  Var a = input({2, 3}, 1), b = input({3}, 2), c = input({2, 1}, 3, 0.5, 2.0);
  expect_gradcheck([](const auto& v) { return v[0] + v[1]; }, {a, b});
  expect_gradcheck([](const auto& v) { return v[0] - v[1]; }, {a, b});
  expect_gradcheck([](const auto& v) { return v[0] * v[1]; }, {a, b});
  expect_gradcheck([](const auto& v) { return v[0] / v[1]; }, {a, c});
}

TEST(GradcheckBinary, PowMinimumMaximum) {
  Var a = input({2, 3}, 4, 0.5, 2.0), b = input({2, 3}, 5);
  expect_gradcheck([](const auto& v) { return pow(v[0], v[1]); }, {a, b});
  expect_gradcheck([](const auto& v) { return pow(v[0], 2.5); }, {a});
  expect_gradcheck([](const auto& v) { return minimum(v[0], v[1]); }, {a, b});
  expect_gradcheck([](const auto& v) { return maximum(v[0], v[1]); }, {a, b});
}

TEST(GradcheckBinary, ScalarOperators) {
  Var a = input({4}, 6, 0.5, 2.0);
  expect_gradcheck([](const auto& v) { return 3.0 - v[0] * 2.0 + 1.0; }, {a});
  expect_gradcheck([](const auto& v) { return 2.0 / v[0] + v[0] / 4.0 - 1.0; }, {a});
  expect_gradcheck([](const auto& v) { return -v[0] + (5.0 * v[0] - 2.0); }, {a});
}

TEST(GradcheckUnary, Everything) {
  Var x = input({2, 3}, 7);
  Var pos = input({2, 3}, 8, 0.2, 3.0);
  expect_gradcheck([](const auto& v) { return exp(v[0]); }, {x});
  expect_gradcheck([](const auto& v) { return neg(v[0]); }, {x});
  expect_gradcheck([](const auto& v) { return log(v[0]); }, {pos});
  expect_gradcheck([](const auto& v) { return log1p(v[0]); }, {pos});
  expect_gradcheck([](const auto& v) { return sqrt(v[0]); }, {pos});
  expect_gradcheck([](const auto& v) { return rsqrt(v[0]); }, {pos});
  expect_gradcheck([](const auto& v) { return abs(v[0]); }, {x});
  expect_gradcheck([](const auto& v) { return tanh(v[0]); }, {x});
  expect_gradcheck([](const auto& v) { return sigmoid(v[0]); }, {x});
  expect_gradcheck([](const auto& v) { return relu(v[0]); }, {x});
  expect_gradcheck([](const auto& v) { return elu(v[0], 0.7); }, {x});
  expect_gradcheck([](const auto& v) { return gelu(v[0]); }, {x});
  // GELU's tails: erf saturated, the x phi(x) term of the gradient about to vanish.
  expect_gradcheck([](const auto& v) { return gelu(v[0]); }, {input({2, 3}, 12, -6.0, 6.0)});
  expect_gradcheck([](const auto& v) { return softplus(v[0]); }, {x});
  expect_gradcheck([](const auto& v) { return square(v[0]); }, {x});
  expect_gradcheck([](const auto& v) { return clamp(v[0], -0.5, 0.5); }, {x});
  expect_gradcheck([](const auto& v) { return clamp(v[0], std::nullopt, 0.1); }, {x});
}

TEST(GradcheckSelect, WhereAndMaskedFill) {
  Var a = input({2, 3}, 9), b = input({3}, 10);
  Tensor cond = gt(input({2, 3}, 11).value(), 0.0);
  expect_gradcheck([cond](const auto& v) { return where(cond, v[0], v[1]); }, {a, b});
  expect_gradcheck([cond](const auto& v) { return masked_fill(v[0], cond, 3.0); }, {a});
}

TEST(GradcheckReduce, SumMeanVarStdNorm) {
  Var x = input({3, 4}, 12);
  expect_gradcheck([](const auto& v) { return sum(v[0]); }, {x});
  expect_gradcheck([](const auto& v) { return sum(v[0], 1); }, {x});
  expect_gradcheck([](const auto& v) { return sum(v[0], 0, true); }, {x});
  expect_gradcheck([](const auto& v) { return mean(v[0]); }, {x});
  expect_gradcheck([](const auto& v) { return mean(v[0], -1); }, {x});
  expect_gradcheck([](const auto& v) { return var(v[0]); }, {x});
  expect_gradcheck([](const auto& v) { return var(v[0], 1, false, true); }, {x});
  expect_gradcheck([](const auto& v) { return std(v[0], int64_t{0}); }, {x});
  expect_gradcheck([](const auto& v) { return norm(v[0]); }, {x});
  expect_gradcheck([](const auto& v) { return norm(v[0], 1.0); }, {x});
}

TEST(GradcheckReduce, LogsumexpMaxMinSoftmax) {
  Var x = input({3, 4}, 13);
  expect_gradcheck([](const auto& v) { return logsumexp(v[0], 1); }, {x});
  expect_gradcheck([](const auto& v) { return logsumexp(v[0], 0, true); }, {x});
  expect_gradcheck([](const auto& v) { return max(v[0]); }, {x});
  expect_gradcheck([](const auto& v) { return min(v[0]); }, {x});
  expect_gradcheck([](const auto& v) { return max(v[0], 1).first; }, {x});
  expect_gradcheck([](const auto& v) { return min(v[0], 0, true).first; }, {x});
  expect_gradcheck([](const auto& v) { return softmax(v[0], 1); }, {x});
  expect_gradcheck([](const auto& v) { return log_softmax(v[0], 0); }, {x});
}

TEST(GradcheckLinalg, MatmulLinearOuterDot) {
  Var a = input({3, 4}, 14), b = input({4, 2}, 15), v1 = input({4}, 16), v2 = input({3}, 17);
  Var w = input({2, 4}, 18), bias = input({2}, 19);
  Var batch_a = input({2, 3, 4}, 20), batch_b = input({2, 4, 2}, 21);
  expect_gradcheck([](const auto& v) { return matmul(v[0], v[1]); }, {a, b});
  expect_gradcheck([](const auto& v) { return mm(transpose(v[1], 0, 1), transpose(v[0], 0, 1)); },
                   {a, b});
  expect_gradcheck([](const auto& v) { return matmul(v[0], v[1]); }, {a, v1});
  expect_gradcheck([](const auto& v) { return matmul(v[1], v[0]); }, {a, v2});
  expect_gradcheck([](const auto& v) { return bmm(v[0], v[1]); }, {batch_a, batch_b});
  expect_gradcheck([](const auto& v) { return outer(v[0], v[1]); }, {v1, v2});
  expect_gradcheck([](const auto& v) { return dot(v[0], v[1]); }, {v1, v1});
  expect_gradcheck([](const auto& v) { return linear(v[0], v[1], v[2]); }, {a, w, bias});
  expect_gradcheck([](const auto& v) { return linear(v[0], v[1]); }, {v1, w});
  expect_gradcheck([](const auto& v) { return linear(transpose(v[0], 0, 1), v[1], v[2]); },
                   {input({4, 3}, 22), w, bias});
}

TEST(GradcheckLinalg, FusedLinearActivation) {
  using internal::FusedActivation;
  Var a = input({3, 4}, 23), w = input({2, 4}, 24), bias = input({2}, 25), v1 = input({4}, 26);
  for (FusedActivation act : {FusedActivation::ReLU, FusedActivation::Tanh}) {
    const Fn fused = [act](const auto& v) {
      return internal::linear_activation(v[0], v[1], v[2], act);
    };
    expect_gradcheck(fused, {a, w, bias});
    expect_gradcheck(  // 1-D input, no bias
        [act](const auto& v) { return internal::linear_activation(v[0], v[1], Var(), act); },
        {v1, w});
  }
}

TEST(GradcheckShape, ViewsAndSlices) {
  Var x = input({2, 3, 4}, 23);
  expect_gradcheck([](const auto& v) { return reshape(v[0], {6, 4}); }, {x});
  expect_gradcheck([](const auto& v) { return flatten(v[0], 1); }, {x});
  expect_gradcheck([](const auto& v) { return squeeze(unsqueeze(v[0], 1), 1) * 2.0; }, {x});
  expect_gradcheck([](const auto& v) { return transpose(v[0], 0, 2) * 1.5; }, {x});
  expect_gradcheck([](const auto& v) { return permute(v[0], {2, 0, 1}) * 1.5; }, {x});
  expect_gradcheck([](const auto& v) { return narrow(v[0], 2, 1, 2); }, {x});
  expect_gradcheck([](const auto& v) { return slice(v[0], 2, 0, 4, 2); }, {x});
  expect_gradcheck([](const auto& v) { return select(v[0], 1, -1); }, {x});
  expect_gradcheck([](const auto& v) { return expand(v[0], {3, 2, 3, 4}); }, {x});
}

TEST(GradcheckShape, CatStackSplitChunk) {
  Var a = input({2, 3}, 24), b = input({2, 1}, 25), c = input({2, 2}, 26), d = input({2, 3}, 27);
  expect_gradcheck([](const auto& v) { return cat({v[0], v[1], v[2], v[3]}, 1); }, {a, b, c, d});
  expect_gradcheck([](const auto& v) { return stack({v[0], v[1]}, 1); }, {a, d});
  expect_gradcheck([](const auto& v) { return split(v[0], 2, 1)[1] * 3.0; }, {a});
  expect_gradcheck([](const auto& v) { return chunk(v[0], 2, 0)[0] * 3.0; }, {a});
}

TEST(GradcheckIndex, GatherAndIndexSelect) {
  Var x = input({3, 4}, 28);
  Tensor idx = from_vector<int64_t>({1, 3, 0, 0, 2, 2}, {3, 2});
  Tensor rows = from_vector<int64_t>({2, 0, 2}, {3});
  expect_gradcheck([idx](const auto& v) { return gather(v[0], 1, idx); }, {x});
  expect_gradcheck([rows](const auto& v) { return index_select(v[0], 0, rows); }, {x});
}

TEST(GradcheckLoss, FusedLosses) {
  Var x = input({4, 3}, 29), t = input({4, 3}, 30);
  Tensor target = from_vector<int64_t>({0, 2, 1, 2}, {4});
  using nn::Reduction;
  for (Reduction r : {Reduction::Mean, Reduction::Sum, Reduction::None}) {
    expect_gradcheck([r](const auto& v) { return nn::mse_loss(v[0], v[1], r); }, {x, t});
    expect_gradcheck([r](const auto& v) { return nn::smooth_l1_loss(v[0], v[1], r, 0.5); }, {x, t});
    expect_gradcheck([r](const auto& v) { return nn::huber_loss(v[0], v[1], r, 0.7); }, {x, t});
    expect_gradcheck([r, target](const auto& v) { return nn::cross_entropy(v[0], target, r); },
                     {x});
    expect_gradcheck(
        [r, target](const auto& v) { return nn::nll_loss(log_softmax(v[0], 1), target, r); }, {x});
  }
}

}  // namespace
}  // namespace rein

namespace rein {
namespace {

TEST(GradcheckConv, Conv2dStridePaddingBiasAgainstFiniteDifferences) {
  // Odd sizes so that strides leave rows and columns unread, and padding reads zeros.
  const Fn fn = [](const auto& v) { return conv2d(v[0], v[1], v[2], 2, 1); };
  expect_gradcheck(fn, {input({2, 3, 7, 6}, 11), input({4, 3, 3, 2}, 12), input({4}, 13)});
  const Fn plain = [](const auto& v) { return conv2d(v[0], v[1], Var(), 1, 0); };
  expect_gradcheck(plain, {input({1, 2, 5, 5}, 14), input({3, 2, 2, 2}, 15)});
  // Through a ReLU and a second convolution, as NatureCNN chains them.
  const Fn chain = [](const auto& v) {
    return conv2d(relu(conv2d(v[0], v[1], Var(), 3, 0)), v[2], Var(), 1, 0);
  };
  expect_gradcheck(chain,
                   {input({2, 2, 11, 11}, 16), input({3, 2, 4, 4}, 17), input({2, 3, 2, 2}, 18)});
}

TEST(GradcheckConv, Conv2dRejectsMismatchedShapes) {
  Var x = input({1, 3, 5, 5}, 1), w = input({2, 4, 3, 3}, 2);
  EXPECT_THROW(conv2d(x, w), Error);                                         // channels 3 vs 4
  EXPECT_THROW(conv2d(x, input({2, 3, 6, 6}, 3)), Error);                    // kernel > input
  EXPECT_THROW(conv2d(x, input({2, 3, 3, 3}, 4), Var(), 0), Error);          // stride 0
  EXPECT_THROW(conv2d(input({3, 5, 5}, 5), input({2, 3, 3, 3}, 6)), Error);  // not 4-D
  EXPECT_THROW(conv2d(x, input({2, 3, 3, 3}, 7), input({3}, 8)), Error);     // bias size
}

}  // namespace
}  // namespace rein
