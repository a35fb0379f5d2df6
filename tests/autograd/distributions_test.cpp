// Categorical (with mask), Normal and TanhNormal: values, sampling frequencies, gradients.
#include "autograd/distributions.h"

#include <gtest/gtest.h>

#include <cmath>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "tensor/ops.h"

namespace rein {
namespace {

TEST(Categorical, LogProbEntropyAndModeOfKnownLogits) {
  Var logits(tensor({{0.0, std::log(3.0)}}, Dtype::Float64), true);  // p = (1/4, 3/4)
  distributions::Categorical d(logits);
  Var lp = d.log_prob(from_vector<int64_t>({1}, {1}));
  EXPECT_NEAR(lp.value().item(), std::log(0.75), 1e-12);
  const double h = -(0.25 * std::log(0.25) + 0.75 * std::log(0.75));
  EXPECT_NEAR(d.entropy().value().item(), h, 1e-12);
  EXPECT_EQ(d.mode().at({0}), 1.0);
}

TEST(Categorical, SampleFrequenciesFollowProbabilities) {
  Var logits(tensor({0.0, std::log(3.0)}));
  distributions::Categorical d(logits);
  Generator gen(0);
  int ones = 0;
  for (int i = 0; i < 4000; ++i) ones += d.sample(gen).item() == 1.0;
  EXPECT_NEAR(ones / 4000.0, 0.75, 0.03);
}

TEST(Categorical, MaskedActionsAreNeverSampledAndHaveNoEntropy) {
  Var logits(tensor({{5.0, 0.0, 0.0}, {0.0, 0.0, 0.0}}), true);
  Tensor mask = gt(tensor({{0.0, 1.0, 1.0}, {1.0, 0.0, 1.0}}), 0.5);
  distributions::Categorical d(logits, mask);
  Generator gen(1);
  for (int i = 0; i < 200; ++i) {
    Tensor a = d.sample(gen);
    EXPECT_NE(a.at({0}), 0.0);
    EXPECT_NE(a.at({1}), 1.0);
  }
  Tensor h = d.entropy().value();
  EXPECT_NEAR(h.at({0}), std::log(2.0), 1e-5);
  EXPECT_EQ(d.mode().at({0}), 1.0);
  sum(d.entropy()).backward();
  for (double g : logits.grad().tolist()) EXPECT_TRUE(std::isfinite(g));
  EXPECT_THROW(distributions::Categorical(logits, gt(zeros({2, 3}), 0.5)), Error);
}

TEST(Categorical, GradientsPassGradcheck) {
  Generator gen(2);
  Var logits(randn({3, 4}, gen, Dtype::Float64), true);
  Tensor actions = from_vector<int64_t>({0, 3, 2}, {3});
  auto r = gradcheck(
      [actions](const auto& v) {
        distributions::Categorical d(v[0]);
        return d.log_prob(actions) + d.entropy();
      },
      {logits});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(Normal, LogProbAndEntropyMatchTheFormula) {
  Var mean(tensor({{0.0, 1.0}}, Dtype::Float64), true);
  Var std(tensor({{1.0, 2.0}}, Dtype::Float64), true);
  distributions::Normal d(mean, std);
  Var lp = d.log_prob(Var(tensor({{0.5, -1.0}}, Dtype::Float64)));
  const double c = 0.5 * std::log(2 * M_PI);
  const double expected = (-0.125 - c) + (-0.5 - std::log(2.0) - c);
  EXPECT_NEAR(lp.value().item(), expected, 1e-12);
  EXPECT_NEAR(d.entropy().value().item(), 2 * (0.5 + c) + std::log(2.0), 1e-12);
  auto r = gradcheck(
      [](const auto& v) {
        distributions::Normal n(v[0], exp(v[1]));
        return n.log_prob(Var(tensor({{0.3, -0.2}}, Dtype::Float64))) + n.entropy();
      },
      {mean, Var(tensor({{0.1, -0.3}}, Dtype::Float64), true)});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(Normal, RsampleIsDifferentiableAndSampleMomentsMatch) {
  Var mean(full({1, 1}, 2.0), true);
  Var std(full({1, 1}, 0.5), true);
  distributions::Normal d(mean, std);
  Generator gen(3);
  Var x = d.rsample(gen);
  sum(x).backward();
  EXPECT_FLOAT_EQ(mean.grad().item(), 1.0);
  double s = 0, s2 = 0;
  for (int i = 0; i < 4000; ++i) {
    const double v = d.sample(gen).item();
    s += v;
    s2 += v * v;
  }
  EXPECT_NEAR(s / 4000, 2.0, 0.05);
  EXPECT_NEAR(std::sqrt(s2 / 4000 - (s / 4000) * (s / 4000)), 0.5, 0.05);
}

TEST(TanhNormal, ActionsAreBoundedAndLogProbAgrees) {
  Var mean(tensor({{0.3, -0.5}}, Dtype::Float64), true);
  Var std(tensor({{0.8, 1.2}}, Dtype::Float64), true);
  distributions::TanhNormal d(mean, std);
  Generator gen(4);
  auto [a, lp] = d.rsample_with_log_prob(gen);
  for (double v : a.value().tolist()) EXPECT_LT(std::abs(v), 1.0);
  EXPECT_NEAR(d.log_prob(a.detach()).value().item(), lp.value().item(), 1e-8);
  EXPECT_TRUE(allclose(d.mode().value(), tanh(mean.value())));
}

}  // namespace
}  // namespace rein
