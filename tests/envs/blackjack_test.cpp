// Blackjack-v1 replayed against Gymnasium 1.4 episodes with scripted cards, plus its rules,
// options and deal distribution.
#include "envs/toy_text/blackjack.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/error.h"
#include "envs/registry.h"
#include "tests/envs/reference_data.h"

namespace rein::envs {
namespace {

using nlohmann::json;

std::vector<int64_t> ints(const Tensor& t) {
  std::vector<int64_t> out;
  for (double v : t.tolist()) out.push_back(static_cast<int64_t>(v));
  return out;
}

// The deal takes dealer, dealer, player, player; hits and the dealer's draws follow in order.
TEST(Blackjack, MatchesGymnasiumEpisodesWithScriptedCards) {
  const auto episodes = testing::read_jsonl("Blackjack-v1.jsonl");
  ASSERT_GE(episodes.size(), 12u);
  for (const auto& ep : episodes) {
    SCOPED_TRACE(ep["note"].get<std::string>());
    auto env = make("Blackjack-v1");
    auto& bj = dynamic_cast<Blackjack&>(env->unwrapped());
    std::vector<int> cards = ep["init_state"]["dealer"].get<std::vector<int>>();
    for (int c : ep["init_state"]["player"].get<std::vector<int>>()) cards.push_back(c);
    for (int c : ep["cards"].get<std::vector<int>>()) cards.push_back(c);
    bj.set_next_cards(cards);
    const auto reset = env->reset(uint64_t{0});
    EXPECT_EQ(ints(reset.obs), ep["init_obs"].get<std::vector<int64_t>>());
    const auto& actions = ep["actions"];
    for (size_t t = 0; t < actions.size(); ++t) {
      auto [obs, reward, terminated, truncated, info] = env->step(actions[t].get<int64_t>());
      ASSERT_EQ(ints(obs), ep["obs"][t].get<std::vector<int64_t>>()) << "step " << t;
      ASSERT_EQ(reward, ep["rewards"][t].get<double>()) << "step " << t;
      ASSERT_EQ(terminated, ep["terminated"][t].get<bool>()) << "step " << t;
      ASSERT_EQ(truncated, ep["truncated"][t].get<bool>()) << "step " << t;
      EXPECT_TRUE(info.empty());
    }
    EXPECT_EQ(bj.player(), ep["final_hands"]["player"].get<std::vector<int>>());
    EXPECT_EQ(bj.dealer(), ep["final_hands"]["dealer"].get<std::vector<int>>());
  }
}

// The same episodes from set_state (the rollout --state path) instead of a scripted deal.
TEST(Blackjack, SetStateReplaysTheRecordedEpisodes) {
  for (const auto& ep : testing::read_jsonl("Blackjack-v1.jsonl")) {
    SCOPED_TRACE(ep["note"].get<std::string>());
    Blackjack env(false, true);
    env.reset(uint64_t{1});
    const auto p = ep["init_state"]["player"].get<std::vector<double>>();
    const auto d = ep["init_state"]["dealer"].get<std::vector<double>>();
    env.set_state(std::vector<double>{p[0], p[1], d[0], d[1]});
    env.set_next_cards(ep["cards"].get<std::vector<int>>());
    double reward = 0.0;
    for (const auto& a : ep["actions"]) reward = env.step(a.get<int64_t>()).reward;
    EXPECT_EQ(reward, ep["rewards"].back().get<double>());
    const std::vector<double> state = env.state();
    Blackjack copy(false, true);
    copy.set_state(state);
    EXPECT_EQ(copy.player(), env.player());
    EXPECT_EQ(copy.dealer(), env.dealer());
  }
}

TEST(Blackjack, SpacesAreGymnasiums) {
  Blackjack env;
  EXPECT_EQ(env.observation_space(), Space(MultiDiscrete({32, 11, 2})));
  EXPECT_EQ(env.action_space(), Space(Discrete(2)));
  const auto r = env.reset(uint64_t{0});
  EXPECT_EQ(r.obs.dtype(), Dtype::Int64);
  EXPECT_EQ(r.obs.shape(), Shape({3}));
}

TEST(Blackjack, HandArithmeticCountsOneAceAsElevenWhenItFits) {
  const std::vector<int> soft17{1, 6};
  const std::vector<int> hard17{1, 6, 10};
  const std::vector<int> aces{1, 1, 1};
  const std::vector<int> bust{10, 10, 5};
  EXPECT_TRUE(usable_ace(soft17));
  EXPECT_EQ(sum_hand(soft17), 17);
  EXPECT_FALSE(usable_ace(hard17));
  EXPECT_EQ(sum_hand(hard17), 17);
  EXPECT_EQ(sum_hand(aces), 13);
  EXPECT_TRUE(is_bust(bust));
  EXPECT_EQ(score(bust), 0);
  EXPECT_TRUE(is_natural(std::vector<int>{10, 1}));
  EXPECT_FALSE(is_natural(std::vector<int>{1, 5, 5}));
}

double stick_reward(bool natural, bool sab, std::vector<int> deal, std::vector<int> draws) {
  Blackjack env(natural, sab);
  for (int c : draws) deal.push_back(c);
  env.set_next_cards(deal);
  env.reset(uint64_t{0});
  return env.step(0).reward;
}

TEST(Blackjack, NaturalAndSabOptionsChangeOnlyNaturalPayouts) {
  // Player natural (A, 10) against a dealer 21 in three cards (10, 5, 6).
  EXPECT_EQ(stick_reward(false, true, {10, 5, 1, 10}, {6}), 1.0);   // sab: natural wins
  EXPECT_EQ(stick_reward(false, false, {10, 5, 1, 10}, {6}), 0.0);  // plain: push at 21
  EXPECT_EQ(stick_reward(true, false, {10, 5, 1, 10}, {6}), 0.0);   // natural option: still a push
  // Player natural against a dealer 20: natural=true pays 1.5, only without sab.
  EXPECT_EQ(stick_reward(true, false, {10, 10, 1, 10}, {}), 1.5);
  EXPECT_EQ(stick_reward(true, true, {10, 10, 1, 10}, {}), 1.0);
  EXPECT_EQ(stick_reward(false, false, {10, 10, 1, 10}, {}), 1.0);
  // Registered defaults: sab=true, natural=false.
  EXPECT_EQ(registry().spec("Blackjack-v1").kwargs.at("sab"), "true");
}

TEST(Blackjack, DealDrawsFromAnInfiniteDeckWithTensOfProbabilityFourThirteenths) {
  Blackjack env;
  env.reset(uint64_t{99});
  const int n = 52000;
  std::vector<int> counts(11, 0);
  for (int i = 0; i < n; ++i) {
    env.reset();
    counts[env.dealer()[0]]++;
    counts[env.player()[0]]++;
  }
  for (int c = 1; c <= 9; ++c) EXPECT_NEAR(counts[c] / (2.0 * n), 1.0 / 13.0, 0.004) << c;
  EXPECT_NEAR(counts[10] / (2.0 * n), 4.0 / 13.0, 0.006);
  // With replacement: two aces (impossible to rule out) show up about 1/169 of the time.
  int pairs_of_aces = 0;
  for (int i = 0; i < n; ++i) {
    env.reset();
    pairs_of_aces += env.player()[0] == 1 && env.player()[1] == 1;
  }
  EXPECT_NEAR(pairs_of_aces / double(n), 1.0 / 169.0, 0.0015);
}

TEST(Blackjack, BadCardsAndStatesAreErrors) {
  Blackjack env;
  EXPECT_THROW(env.set_next_cards({0}), Error);
  EXPECT_THROW(env.set_next_cards({11}), Error);
  try {
    env.set_state(std::vector<double>{1, 12, 10, 5});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "Blackjack.set_state: a card must be an integer 1 (ace) to 10, got 12");
  }
  EXPECT_THROW(env.set_state(std::vector<double>{2, 1, 1}), Error);
  EXPECT_THROW(make("Blackjack-v1", {{"naturals", "true"}}), Error);
}

TEST(Blackjack, RenderTextHidesTheDealersSecondCardUntilTheEnd) {
  Blackjack env(false, true);
  env.set_next_cards({10, 6, 1, 5, 10});
  env.reset(uint64_t{0});
  EXPECT_EQ(env.render_text(), "Dealer: 10 ?\nPlayer: A 5  (16, usable ace)\n");
  env.step(0);  // stick: dealer 16 draws the 10 and busts
  EXPECT_EQ(env.render_text(), "Dealer: 10 6 10  (26, bust)\nPlayer: A 5  (16, usable ace)\n");
}

}  // namespace
}  // namespace rein::envs
