// Optimizers (hand-derived first steps), clip_grad_norm_, schedules and optimizer state.
#include "autograd/optim.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "autograd/ops.h"
#include "tensor/generator.h"
#include "tensor/ops.h"
#include "tensor/worker.h"

namespace rein {
namespace {

TEST(SGD, PlainStepIsLrTimesGradient) {
  Var p(tensor({1.0, 2.0}, Dtype::Float64), true);
  optim::SGD opt({p}, {.lr = 0.1});
  sum(p * p).backward();  // grad 2p
  opt.step();
  EXPECT_EQ(p.value().tolist(), (std::vector<double>{1.0 - 0.2, 2.0 - 0.4}));
}

TEST(SGD, NesterovNeedsMomentum) {
  Var p(tensor({1.0}), true);
  EXPECT_THROW(optim::SGD({p}, {.lr = 0.1, .nesterov = true}), Error);
}

TEST(Adam, FirstStepMovesEachWeightByLr) {
  // With bias correction, step 1 is lr * g / (|g| + eps) = lr * sign(g).
  Var p(tensor({1.0, -2.0, 3.0}, Dtype::Float64), true);
  optim::Adam opt({p}, {.lr = 0.01, .eps = 0.0});
  sum(p * tensor({2.0, -3.0, 0.5}, Dtype::Float64)).backward();
  opt.step();
  Tensor expected = tensor({1.0 - 0.01, -2.0 + 0.01, 3.0 - 0.01}, Dtype::Float64);
  EXPECT_TRUE(allclose(p.value(), expected, 0.0, 1e-12));
}

TEST(Adam, SkipsParametersWithoutGradient) {
  Var p(tensor({1.0}), true), q(tensor({5.0}), true);
  optim::Adam opt({p, q});
  sum(p).backward();
  opt.step();
  EXPECT_EQ(q.value().item(), 5.0);
  EXPECT_NE(p.value().item(), 1.0);
}

TEST(Adam, AStepSplitOverAWorkerGivesTheSameBits) {
  // Parameters of different sizes, one without a gradient; weight decay on.
  std::vector<Var> a, b;
  Generator gen(3);
  for (int64_t n : {7, 300, 1, 64, 129}) {
    const Tensor init = randn({n}, gen);
    a.emplace_back(init.clone(), true);
    b.emplace_back(init.clone(), true);
  }
  const optim::AdamOptions options{.lr = 0.01, .weight_decay = 0.1};
  optim::Adam one(a, options), split(b, options);
  Worker worker;
  for (int step = 0; step < 3; ++step) {
    for (auto* params : {&a, &b}) {
      for (auto& p : *params) p.zero_grad();
      Var loss = sum((*params)[0] * (*params)[0]);
      for (size_t i = 2; i < params->size(); ++i) loss = loss + sum(exp((*params)[i]));
      loss.backward();  // params[1] gets no gradient
    }
    one.step();
    split.step(&worker);
  }
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(a[i].value().tolist(), b[i].value().tolist()) << i;
  const auto sa = one.state_dict(), sb = split.state_dict();
  ASSERT_EQ(sa.size(), sb.size());
  for (size_t i = 0; i < sa.size(); ++i) {
    EXPECT_EQ(sa[i].first, sb[i].first);
    EXPECT_EQ(sa[i].second.tolist(), sb[i].second.tolist()) << sa[i].first;
  }
}

TEST(Optimizer, StateDictRoundTripsAndNamesProblems) {
  Var p(tensor({1.0, 2.0}), true);
  optim::Adam a({p});
  sum(p * p).backward();
  a.step();
  auto state = a.state_dict();
  Var q(tensor({1.0, 2.0}), true);
  optim::Adam b({q});
  b.load_state_dict(state);
  EXPECT_EQ(b.step_count(), 1);
  auto bs = b.state_dict();
  ASSERT_EQ(bs.size(), state.size());
  for (size_t i = 0; i < bs.size(); ++i) EXPECT_TRUE(equal(bs[i].second, state[i].second));
  state.back().second = zeros({5});
  try {
    b.load_state_dict(state);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("wrong shape: exp_avg_sq.0"), std::string::npos)
        << e.what();
  }
}

TEST(ClipGradNorm, ScalesToMaxNormAndReturnsTheNormBefore) {
  Var a(tensor({3.0}, Dtype::Float64), true), b(tensor({4.0}, Dtype::Float64), true);
  a.set_grad(tensor({3.0}, Dtype::Float64));
  b.set_grad(tensor({4.0}, Dtype::Float64));
  const double norm = optim::clip_grad_norm_({a, b}, 1.0);
  EXPECT_DOUBLE_EQ(norm, 5.0);
  EXPECT_NEAR(a.grad().item(), 3.0 / (5.0 + 1e-6), 1e-12);
  EXPECT_NEAR(b.grad().item(), 4.0 / (5.0 + 1e-6), 1e-12);
  // Below the limit nothing changes.
  EXPECT_NEAR(optim::clip_grad_norm_({a, b}, 10.0), 1.0, 1e-6);
  EXPECT_NEAR(a.grad().item(), 3.0 / (5.0 + 1e-6), 1e-12);
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_NEAR(optim::clip_grad_norm_({a, b}, 10.0, inf), 4.0 / (5.0 + 1e-6), 1e-12);
}

TEST(ClipGradNorm, Float32GradientsSkipsUndefinedAndInfiniteMaxNormOnlyMeasures) {
  Var a(zeros({2, 3}), true), b(zeros({5}), true), c(zeros({4}), true);  // c: no gradient
  a.set_grad(full({2, 3}, 2.0));                                         // 6 * 4 = 24
  b.set_grad(full({5}, 2.0));  // 5 * 4 = 20 -> norm sqrt(44)
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_NEAR(optim::clip_grad_norm_({a, b, c}, inf), std::sqrt(44.0), 1e-9);
  EXPECT_FLOAT_EQ(a.grad().data<float>()[0], 2.0f);  // measured, not scaled
  EXPECT_NEAR(optim::clip_grad_norm_({a, b, c}, 1.0), std::sqrt(44.0), 1e-9);
  EXPECT_NEAR(optim::clip_grad_norm_({a, b, c}, 10.0), 1.0, 1e-5);  // below: untouched
  EXPECT_NEAR(a.grad().data<float>()[0], 2.0 / std::sqrt(44.0), 1e-6);
  EXPECT_FALSE(c.grad().defined());
}

TEST(ClipGradNorm, GeneralPNormAndInvalidNormType) {
  Var a(tensor({3.0, -4.0}, Dtype::Float64), true);
  a.set_grad(tensor({3.0, -4.0}, Dtype::Float64));
  EXPECT_NEAR(optim::clip_grad_norm_({a}, 100.0, 1.0), 7.0, 1e-12);
  EXPECT_NEAR(optim::clip_grad_norm_({a}, 100.0, 3.0), std::cbrt(27.0 + 64.0), 1e-12);
  for (double bad : {0.0, -2.0, std::nan("")}) {
    try {
      optim::clip_grad_norm_({a}, 1.0, bad);
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("clip_grad_norm_: norm_type must be positive"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(Schedule, LinearConstantAndCosineHitTheirEnds) {
  auto lin = optim::Schedule::linear(1.0, 0.0, 10);
  EXPECT_DOUBLE_EQ(lin(0), 1.0);
  EXPECT_DOUBLE_EQ(lin(5), 0.5);
  EXPECT_DOUBLE_EQ(lin(10), 0.0);
  EXPECT_DOUBLE_EQ(lin(20), 0.0);
  auto cos = optim::Schedule::cosine(1.0, 0.1, 100);
  EXPECT_DOUBLE_EQ(cos(0), 1.0);
  EXPECT_NEAR(cos(50), 0.55, 1e-12);
  EXPECT_NEAR(cos(100), 0.1, 1e-12);
  EXPECT_DOUBLE_EQ(optim::Schedule::constant(3e-4)(12345), 3e-4);
  EXPECT_THROW(optim::Schedule::linear(1.0, 0.0, 0), Error);
}

TEST(Optimizer, SetLrChangesTheStep) {
  Var p(tensor({0.0}, Dtype::Float64), true);
  optim::SGD opt({p}, {.lr = 1.0});
  opt.set_lr(0.25);
  p.set_grad(tensor({1.0}, Dtype::Float64));
  opt.step();
  EXPECT_DOUBLE_EQ(p.value().item(), -0.25);
}

}  // namespace
}  // namespace rein
