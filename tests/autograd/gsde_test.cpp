// gSDE (distributions::StateDependentNoise, ExplorationMatrices): the variance formula, which
// exploration matrix each row uses, gradients by central finite differences in float64 for every
// option, and bad shapes. tests/parity checks the same against PyTorch.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "autograd/distributions.h"
#include "autograd/gradcheck.h"
#include "autograd/layers.h"
#include "autograd/ops.h"
#include "tensor/ops.h"

namespace rein {
namespace {

using distributions::ExplorationMatrices;
using distributions::StateDependentNoise;
using distributions::StateDependentNoiseOptions;

Tensor rand64(const Shape& shape, uint64_t seed, double scale = 1.0) {
  Generator gen(seed);
  return randn(shape, gen, Dtype::Float64) * scale;
}

Tensor mat(int64_t rows, int64_t cols, const std::vector<double>& values) {
  return from_vector<double>(values, Shape{rows, cols});
}

TEST(Gsde, VarianceIsTheLatentSquaresTimesTheStdSquares) {
  // One row, F = 2, A = 1: variance = z1^2 s1^2 + z2^2 s2^2 + epsilon.
  Var mean(mat(1, 1, {0.3}));
  Var log_std(mat(2, 1, {std::log(0.5), std::log(2.0)}));
  Var latent(mat(1, 2, {0.6, -0.8}));
  StateDependentNoise d(mean, log_std, latent, {});
  const double var = 0.36 * 0.25 + 0.64 * 4.0 + 1e-6;
  const double a = 1.1;
  const double expected = -0.5 * (a - 0.3) * (a - 0.3) / var - 0.5 * std::log(2 * M_PI * var);
  EXPECT_NEAR(d.log_prob(Var(mat(1, 1, {a}))).value().item(), expected, 1e-12);
  EXPECT_NEAR(d.entropy().value().item(), 0.5 * std::log(2 * M_PI * M_E * var), 1e-12);
  EXPECT_NEAR(d.mode().value().item(), 0.3, 1e-15);
}

TEST(Gsde, SharedStdBroadcastsOverActionsAndExplnGrowsSlowly) {
  StateDependentNoiseOptions shared{.full_std = false};
  Var log_std(mat(2, 1, {0.0, 1.0}));
  Tensor s = distributions::state_dependent_std(log_std, 3, shared).value();
  EXPECT_EQ(s.shape(), Shape({2, 3}));
  EXPECT_NEAR(s.at({1, 2}), std::exp(1.0), 1e-12);
  StateDependentNoiseOptions expln{.use_expln = true};
  Var ls(mat(1, 2, {-1.0, 2.0}));
  Tensor e = distributions::state_dependent_std(ls, 2, expln).value();
  EXPECT_NEAR(e.at({0, 0}), std::exp(-1.0), 1e-12);
  EXPECT_NEAR(e.at({0, 1}), std::log1p(2.0 + 1e-6) + 1.0, 1e-12);
  // A log-std of 100 would overflow exp; expln stays finite, gradient included.
  Var big(mat(1, 2, {100.0, -100.0}), true);
  sum(distributions::state_dependent_std(big, 2, expln)).backward();
  EXPECT_TRUE(std::isfinite(big.grad().at({0, 0})));
  EXPECT_NEAR(big.grad().at({0, 0}), 1.0 / (1.0 + 100.0 + 1e-6), 1e-12);
}

TEST(Gsde, EachRowUsesItsOwnMatrixWhenTheBatchMatchesElseTheSingleOne) {
  Generator gen(3);
  Var log_std(rand64({4, 2}, 1, 0.3));
  ExplorationMatrices m;
  EXPECT_FALSE(m.sampled());
  m.resample(log_std, 2, 3, {}, gen);
  ASSERT_TRUE(m.sampled());
  EXPECT_EQ(m.batch().shape(), Shape({3, 4, 2}));
  Var z(rand64({3, 4}, 2));
  Tensor noise = m.noise(z, {}).value();
  for (int64_t i = 0; i < 3; ++i) {
    Tensor row = matmul(z.value().narrow(0, i, 1), m.batch().value().select(0, i));
    for (int64_t j = 0; j < 2; ++j) EXPECT_NEAR(noise.at({i, j}), row.at({0, j}), 1e-12);
  }
  Var z2(rand64({2, 4}, 4));  // 2 rows, 3 matrices: the single matrix for both
  Tensor single = matmul(z2.value(), m.single().value());
  Tensor n2 = m.noise(z2, {}).value();
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 2; ++j) EXPECT_NEAR(n2.at({i, j}), single.at({i, j}), 1e-12);
  // The same seed draws the same matrices; the draws follow sigma.
  Generator again(3);
  ExplorationMatrices m2;
  m2.resample(log_std, 2, 3, {}, again);
  EXPECT_EQ(m2.batch().value().tolist(), m.batch().value().tolist());
}

TEST(Gsde, MatrixEntriesHaveTheStdOfTheirFeatureAndAction) {
  Generator gen(11);
  Var log_std(mat(1, 2, {std::log(0.2), std::log(3.0)}));
  ExplorationMatrices m;
  m.resample(log_std, 2, 20000, {}, gen);
  Tensor b = m.batch().value();  // (20000, 1, 2)
  double s0 = 0, s1 = 0;
  for (int64_t i = 0; i < 20000; ++i) {
    s0 += b.at({i, 0, 0}) * b.at({i, 0, 0});
    s1 += b.at({i, 0, 1}) * b.at({i, 0, 1});
  }
  EXPECT_NEAR(std::sqrt(s0 / 20000), 0.2, 0.2 * 0.03);
  EXPECT_NEAR(std::sqrt(s1 / 20000), 3.0, 3.0 * 0.03);
}

struct Case {
  bool full_std, use_expln, squash, learn_features;
};

class GsdeGradcheck : public ::testing::TestWithParam<Case> {};

TEST_P(GsdeGradcheck, LogProbEntropyAndSamplesMatchFiniteDifferences) {
  const Case c = GetParam();
  const StateDependentNoiseOptions opts{.full_std = c.full_std,
                                        .use_expln = c.use_expln,
                                        .squash_output = c.squash,
                                        .learn_features = c.learn_features};
  const int64_t B = 3, F = 4, A = 2;
  // log-std of both signs, away from 0 where expln changes branch.
  Tensor ls = rand64({F, c.full_std ? A : 1}, 5, 0.5) + 0.05;
  Tensor actions = c.squash ? tanh(rand64({B, A}, 6)) * 0.9 : rand64({B, A}, 6);
  Tensor eps_single = rand64({F, A}, 7), eps_batch = rand64({B, F, A}, 8);
  auto fn = [&](const std::vector<Var>& v) {
    StateDependentNoise d(v[0], v[1], v[2], opts);
    Var out = d.log_prob(Var(actions));
    if (!c.squash) out = out + 0.7 * d.entropy();
    ExplorationMatrices m;
    m.resample_from(v[1], eps_single, eps_batch, opts);
    return out + sum(d.sample(m), 1);
  };
  std::vector<Var> in{Var(rand64({B, A}, 9, 0.5), true), Var(ls, true),
                      Var(tanh(rand64({B, F}, 10)), c.learn_features)};
  GradcheckResult r = gradcheck(fn, in, {.eps = 1e-6, .tolerance = 1e-6});
  EXPECT_TRUE(r.ok) << r.message;
}

INSTANTIATE_TEST_SUITE_P(
    Options, GsdeGradcheck,
    ::testing::Values(Case{true, false, false, false}, Case{true, false, false, true},
                      Case{false, false, false, true}, Case{true, true, false, true},
                      Case{true, false, true, false}, Case{false, true, true, true}));

// SAC's path (SB3's SAC Actor with use_sde): latent z = tanh(x W1^T + b1) feeds both the mean,
// clipped to [-2, 2] (Hardtanh), and the noise; W = sigma * eps is drawn with gradients (one
// matrix for the whole batch, as before each gradient step); a = tanh(mean + z W); then the
// log-probability of that very action through atanh. One mean is beyond the clip.
TEST(Gsde, SacLogProbOfItsOwnSampleMatchesFiniteDifferences) {
  for (const bool full_std : {true, false})
    for (const bool use_expln : {false, true}) {
      SCOPED_TRACE(testing::Message() << "full_std " << full_std << " use_expln " << use_expln);
      const StateDependentNoiseOptions opts{.full_std = full_std,
                                            .use_expln = use_expln,
                                            .squash_output = true,
                                            .learn_features = true};
      const int64_t B = 3, D = 2, F = 4, A = 2;
      const Tensor x = rand64({B, D}, 11), eps_single = rand64({F, A}, 12),
                   eps_batch = rand64({1, F, A}, 13);
      auto fn = [&](const std::vector<Var>& v) {
        Var z = tanh(linear(Var(x), v[0], v[1]));
        Var mean = clamp(linear(z, v[2], v[3]), -2.0, 2.0);
        StateDependentNoise d(mean, v[4], z, opts);
        ExplorationMatrices m;
        m.resample_from(v[4], eps_single, eps_batch, opts);
        Var a = d.sample(m);
        return 0.3 * d.log_prob(a) + sum(a, 1);
      };
      std::vector<Var> in{Var(rand64({F, D}, 14), true), Var(rand64({F}, 15, 0.3), true),
                          Var(rand64({A, F}, 16, 0.5), true),
                          Var(mat(1, A, {3.5, 0.1}).reshape({A}), true),
                          Var(rand64({F, full_std ? A : 1}, 17, 0.4) - 0.6, true)};
      GradcheckResult r = gradcheck(fn, in, {.eps = 1e-6, .tolerance = 1e-6});
      EXPECT_TRUE(r.ok) << r.message;
    }
}

TEST(Gsde, DetachedFeaturesGetNoGradient) {
  Var latent(rand64({2, 3}, 1), true);
  Var log_std(rand64({3, 2}, 2, 0.3), true);
  StateDependentNoise d(Var(rand64({2, 2}, 3)), log_std, latent, {});
  sum(d.log_prob(Var(rand64({2, 2}, 4)))).backward();
  EXPECT_FALSE(latent.grad().defined());
  EXPECT_TRUE(log_std.grad().defined());
}

TEST(Gsde, MlpLatentIsTheLastHiddenLayerAndTheOutputKeepsTheBitsOfForward) {
  for (nn::Activation act : {nn::Activation::Tanh, nn::Activation::ReLU, nn::Activation::ELU}) {
    for (bool grad : {false, true}) {
      Generator gen(2);
      nn::MLP mlp({3, 5, 4, 2}, act, gen);
      Var x(randn({6, 3}, gen), grad);
      auto [latent, out] = mlp.forward_with_latent(x);
      EXPECT_EQ(out.value().tolist(), mlp.forward(x).value().tolist());
      EXPECT_EQ(latent.shape(), Shape({6, 4}));
      Tensor h = x.value();
      for (size_t i = 0; i < 2; ++i) {
        h = linear(Var(h), mlp.linear(i).weight, mlp.linear(i).bias).value();
        h = act == nn::Activation::Tanh   ? tanh(h)
            : act == nn::Activation::ReLU ? relu(Var(h)).value()
                                          : elu(Var(h), 1.0).value();
      }
      EXPECT_EQ(latent.value().tolist(), h.tolist());
    }
  }
  Generator gen(3);
  nn::MLP linear_policy({3, 2}, nn::Activation::Tanh, gen);  // no hidden layer: latent = input
  Var x(randn({2, 3}, gen));
  EXPECT_EQ(linear_policy.forward_with_latent(x).first.value().tolist(), x.value().tolist());
}

TEST(Gsde, BadShapesAndMissingMatricesAreClearErrors) {
  auto error_of = [](auto&& f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  Var mean(rand64({2, 2}, 1)), latent(rand64({2, 3}, 2));
  EXPECT_NE(error_of([&] {
              StateDependentNoise(mean, Var(rand64({3}, 3)), latent, {});
            }).find("log_std must have shape (features, 2)"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              StateDependentNoise(mean, Var(rand64({4, 2}, 3)), latent, {});
            }).find("latent (B, F)"),
            std::string::npos);
  StateDependentNoise d(mean, Var(rand64({3, 2}, 3)), latent, {.squash_output = true});
  EXPECT_NE(error_of([&] { d.entropy(); }).find("use -log_prob"), std::string::npos);
  ExplorationMatrices m;
  EXPECT_NE(error_of([&] { d.sample(m); }).find("before the exploration matrices"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              m.set(rand64({3, 2}, 1), rand64({3, 2}, 1));
            }).find("(n, F, A)"),
            std::string::npos);
}

}  // namespace
}  // namespace rein
