// rein::Generator (xoshiro256** seeded by splitmix64) against published test vectors, its state
// save/restore and splitting, and the random tensor functions' distributions.
#include "tensor/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "tensor/internal/random.h"
#include "tensor/ops.h"
#include "tests/tensor/test_util.h"

namespace rein {
namespace {

using testing::expect_error;

TEST(Generator, SplitMix64MatchesTheReferenceStream) {
  // Reference outputs of splitmix64 seeded with 1234567 (Steele, Lea & Flood; as published
  // with Vigna's C reference implementation's test suites).
  uint64_t x = 1234567;
  const uint64_t want[] = {6457827717110365317ULL, 3203168211198807973ULL, 9817491932198370423ULL,
                           4593380528125082431ULL, 16408922859458223821ULL};
  for (uint64_t w : want) EXPECT_EQ(internal::splitmix64(x), w);
}

TEST(Generator, Xoshiro256StarStarMatchesTheReferenceStream) {
  // State {1, 2, 3, 4}: the reference C implementation's first ten outputs.
  Generator gen;
  gen.set_state({1, 2, 3, 4});
  const uint64_t want[] = {11520ULL,
                           0ULL,
                           1509978240ULL,
                           1215971899390074240ULL,
                           1216172134540287360ULL,
                           607988272756665600ULL,
                           16172922978634559625ULL,
                           8476171486693032832ULL,
                           10595114339597558777ULL,
                           2904607092377533576ULL};
  for (uint64_t w : want) EXPECT_EQ(gen.next_u64(), w);
}

TEST(Generator, SameSeedSameNumbers) {
  Generator a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    EXPECT_NE(x, c.next_u64());
  }
  a.manual_seed(5);
  b = Generator(5);
  EXPECT_EQ(a.next_u64(), b.next_u64());
  EXPECT_TRUE(equal(randn({10}, a), randn({10}, b)));
}

TEST(Generator, StateRoundTripsThroughArrayAndHexString) {
  Generator gen(9);
  gen.next_u64();
  const auto state = gen.state();
  const std::string hex = gen.state_string();
  EXPECT_EQ(hex.size(), 64u);
  const uint64_t x = gen.next_u64();
  Generator r1, r2;
  r1.set_state(state);
  r2.set_state_string(hex);
  EXPECT_EQ(r1.next_u64(), x);
  EXPECT_EQ(r2.next_u64(), x);
  expect_error([&] { r1.set_state_string("12"); },
               "set_state_string: expected 64 hex digits, got 2");
  expect_error([&] { r1.set_state_string(std::string(63, '0') + "g"); },
               "invalid hex digit 'g' at position 63");
  expect_error([&] { r1.set_state({0, 0, 0, 0}); }, "the all-zero state is invalid");
}

TEST(Generator, CopiesAreIndependentStreamsWithTheSameState) {
  Generator a(3);
  Generator b = a;
  EXPECT_EQ(a.next_u64(), b.next_u64());
  a.next_u64();
  EXPECT_NE(a.state(), b.state());
}

TEST(Generator, SplitGivesADifferentStreamAndAdvancesTheParent) {
  Generator parent(11);
  Generator before = parent;
  Generator child = parent.split();
  EXPECT_NE(parent.state(), before.state());
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    seen.insert(parent.next_u64());
    seen.insert(child.next_u64());
  }
  EXPECT_EQ(seen.size(), 2000u);
  Generator again(11);
  EXPECT_EQ(again.split().state(), Generator(11).split().state());  // deterministic
}

TEST(Generator, UniformNormalRandintStatistics) {
  Generator gen(0);
  double sum = 0, sum_sq = 0, nsum = 0, nsum_sq = 0;
  std::vector<int> counts(6, 0);
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double u = gen.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum_sq += u * u;
    const double z = gen.normal();
    nsum += z;
    nsum_sq += z * z;
    counts[static_cast<size_t>(gen.randint(-2, 4) + 2)]++;
  }
  // Means within ~5 standard errors.
  EXPECT_NEAR(sum / n, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(sum_sq / n - 0.25, 1.0 / 12, 0.002);
  EXPECT_NEAR(nsum / n, 0.0, 5 / std::sqrt(n));
  EXPECT_NEAR(nsum_sq / n, 1.0, 0.02);
  for (int c : counts) EXPECT_NEAR(c, n / 6.0, 5 * std::sqrt(n / 6.0));
  const double v = gen.uniform(-3, -1);
  EXPECT_TRUE(v >= -3 && v < -1);
  expect_error([&] { gen.randint(3, 3); }, "randint: empty range [3, 3)");
  EXPECT_EQ(gen.randint(INT64_MIN, INT64_MAX) < INT64_MAX, true);
}

TEST(RandomTensors, RandRandnRandintShapesAndRanges) {
  Generator gen(1);
  Tensor u = rand({1000}, gen);
  EXPECT_EQ(u.dtype(), Dtype::Float32);
  EXPECT_GE(min(u).item(), 0.0);
  EXPECT_LT(max(u).item(), 1.0);
  EXPECT_NEAR(mean(u).item(), 0.5, 0.05);
  Tensor z = randn({3, 1001}, gen, Dtype::Float64);
  EXPECT_EQ(z.shape(), Shape({3, 1001}));
  EXPECT_NEAR(mean(z).item(), 0.0, 0.1);
  EXPECT_NEAR(std(z).item(), 1.0, 0.05);
  Tensor r = randint(-1, 2, {500}, gen);
  EXPECT_EQ(r.dtype(), Dtype::Int64);
  EXPECT_EQ(min(r).item(), -1);
  EXPECT_EQ(max(r).item(), 1);
  expect_error([&] { rand({2}, gen, Dtype::Int64); }, "rand: expected a floating tensor");
  EXPECT_EQ(rand({0}, gen).numel(), 0);
}

TEST(RandomTensors, BernoulliFollowsProbabilities) {
  Generator gen(2);
  Tensor p = full({4000}, 0.25, Dtype::Float64);
  Tensor b = bernoulli(p, gen);
  EXPECT_EQ(b.dtype(), Dtype::Float64);
  EXPECT_NEAR(mean(b).item(), 0.25, 0.03);
  expect_error([&] { bernoulli(tensor({1.5}), gen); },
               "bernoulli: probabilities must be in [0, 1], got 1.5");
  testing::expect_tensor(bernoulli(tensor({0, 1}), gen), {2}, {0, 1});
}

TEST(RandomTensors, MultinomialWithAndWithoutReplacement) {
  Generator gen(3);
  Tensor w = tensor({{0, 1, 3}, {1, 0, 0}});
  Tensor s = multinomial(w, 4000, gen, true);
  EXPECT_EQ(s.shape(), Shape({2, 4000}));
  Tensor row0 = s.select(0, 0);
  EXPECT_EQ(sum(eq(row0, 0.0)).item(), 0);  // zero weight is never drawn
  EXPECT_NEAR(mean(eq(row0, 2.0).to(Dtype::Float32)).item(), 0.75, 0.03);
  EXPECT_EQ(sum(eq(s.select(0, 1), 0.0)).item(), 4000);
  Tensor perm = multinomial(tensor({1, 1, 1, 1}), 4, gen);  // without replacement
  EXPECT_EQ(perm.shape(), Shape({4}));
  std::vector<double> v = perm.tolist();
  std::sort(v.begin(), v.end());
  EXPECT_EQ(v, (std::vector<double>{0, 1, 2, 3}));
  expect_error(
      [&] {
        multinomial(tensor({0, 1}), 2, gen);
      },
      "multinomial: cannot draw 2 samples without replacement from 1 categories");
  expect_error(
      [&] {
        multinomial(tensor({-1, 1}), 1, gen);
      },
      "multinomial: weights must be finite and non-negative, got -1");
  expect_error([&] { multinomial(zeros({2}), 1, gen); },
               "multinomial: the weights of a row sum to zero");
}

TEST(RandomTensors, RandpermIsAPermutation) {
  Generator gen(4);
  Tensor p = randperm(50, gen);
  std::vector<double> v = p.tolist();
  std::sort(v.begin(), v.end());
  for (int i = 0; i < 50; ++i) EXPECT_EQ(v[static_cast<size_t>(i)], i);
  Generator again(4);
  EXPECT_TRUE(equal(randperm(50, again), p));
  EXPECT_EQ(randperm(0, gen).numel(), 0);
}

}  // namespace
}  // namespace rein
