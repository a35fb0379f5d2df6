// GAE against hand-computed values, including time-limit bootstrapping.
#include "rl/blocks/gae.h"

#include <gtest/gtest.h>

#include <vector>

#include "base/error.h"

namespace rein::rl {
namespace {

struct Case {
  std::vector<float> rewards{1, 2, 3};
  std::vector<float> values{0.5f, 1.0f, 1.5f};
  std::vector<uint8_t> dones{0, 0, 0};
  std::vector<float> trunc{0, 0, 0};
  std::vector<float> last{2.0f};
  std::vector<float> adv = std::vector<float>(3), ret = std::vector<float>(3);

  void run(int64_t T = 3, int64_t N = 1) {
    compute_gae({.num_steps = T,
                 .num_envs = N,
                 .rewards = rewards,
                 .values = values,
                 .dones = dones,
                 .truncation_values = trunc,
                 .last_values = last,
                 .gamma = 0.5,
                 .gae_lambda = 0.5},
                adv, ret);
  }
};

TEST(Gae, MatchesHandComputedValuesWithoutEpisodeEnd) {
  Case c;
  c.run();
  // delta2 = 3 + .5*2 - 1.5 = 2.5; delta1 = 2 + .5*1.5 - 1 = 1.75; delta0 = 1 + .5*1 - .5 = 1
  EXPECT_FLOAT_EQ(c.adv[2], 2.5f);
  EXPECT_FLOAT_EQ(c.adv[1], 1.75f + 0.25f * 2.5f);
  EXPECT_FLOAT_EQ(c.adv[0], 1.0f + 0.25f * 2.375f);
  EXPECT_FLOAT_EQ(c.ret[0], 1.59375f + 0.5f);
  EXPECT_FLOAT_EQ(c.ret[2], 4.0f);
}

TEST(Gae, TerminationStopsBootstrapAndPropagation) {
  Case c;
  c.dones = {0, 1, 0};
  c.run();
  EXPECT_FLOAT_EQ(c.adv[2], 2.5f);
  EXPECT_FLOAT_EQ(c.adv[1], 2.0f - 1.0f);          // no gamma * V(next)
  EXPECT_FLOAT_EQ(c.adv[0], 1.0f + 0.25f * 1.0f);  // A1 still flows back into A0
}

TEST(Gae, TruncationBootstrapsFromTheFinalObservationValue) {
  Case c;
  c.dones = {0, 1, 0};
  c.trunc = {0, 4.0f, 0};
  c.run();
  EXPECT_FLOAT_EQ(c.adv[1], 2.0f + 0.5f * 4.0f - 1.0f);  // V(final obs), not V(s_2)
  EXPECT_FLOAT_EQ(c.adv[0], 1.0f + 0.25f * 3.0f);
  EXPECT_FLOAT_EQ(c.adv[2], 2.5f);  // the next episode is unaffected
}

TEST(Gae, KeepsEnvsApartInTheInterleavedLayout) {
  Case c;
  // Two envs: env 0 is the case above, env 1 has zero reward and value everywhere.
  c.rewards = {1, 0, 2, 0, 3, 0};
  c.values = {0.5f, 0, 1.0f, 0, 1.5f, 0};
  c.dones = {0, 0, 0, 0, 0, 0};
  c.trunc = {0, 0, 0, 0, 0, 0};
  c.last = {2.0f, 0.0f};
  c.adv.assign(6, 0);
  c.ret.assign(6, 0);
  c.run(3, 2);
  EXPECT_FLOAT_EQ(c.adv[0], 1.59375f);
  EXPECT_FLOAT_EQ(c.adv[4], 2.5f);
  for (int k : {1, 3, 5}) EXPECT_FLOAT_EQ(c.adv[k], 0.0f);
}

TEST(Gae, RejectsMismatchedSizes) {
  Case c;
  c.values.pop_back();
  try {
    c.run();
    FAIL() << "expected rein::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "compute_gae: values has 2 elements, expected 3 (T=3, N=1)");
  }
}

}  // namespace
}  // namespace rein::rl
