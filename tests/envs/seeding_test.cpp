// NpRandom against NumPy's default_rng, and every built-in env's reset(seed) and seeded
// action-space samples against Gymnasium 1.4 (tests/envs/data/seeding.jsonl): all exact.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/error.h"
#include "envs/np_random.h"
#include "envs/registry.h"
#include "tests/envs/reference_data.h"

namespace rein::envs {
namespace {

using nlohmann::json;

std::vector<json> seeding_lines(const std::string& kind) {
  std::vector<json> out;
  for (json& j : testing::read_jsonl("seeding.jsonl")) {
    if (j["kind"] == kind) out.push_back(std::move(j));
  }
  return out;
}

uint64_t hex64(const json& j) { return std::stoull(j.get<std::string>(), nullptr, 16); }

std::string hex128(unsigned __int128 v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "0x%016llx%016llx", static_cast<unsigned long long>(v >> 64),
                static_cast<unsigned long long>(v));
  return buf;
}

// Runs one recorded call such as "integers(-9999, 9999)" or "uniform(0, 6.6, size=3)" and
// returns its result as JSON.
json call(NpRandom& g, const std::string& text) {
  const std::string name = text.substr(0, text.find('('));
  std::vector<double> args;
  int size = 0;
  std::string rest = text.substr(name.size() + 1, text.size() - name.size() - 2);
  for (size_t p = 0; p < rest.size();) {
    size_t q = rest.find(',', p);
    if (q == std::string::npos) q = rest.size();
    const std::string a = rest.substr(p, q - p);
    if (a.find("size=") != std::string::npos) {
      size = std::stoi(a.substr(a.find('=') + 1));
    } else if (a.find_first_not_of(' ') != std::string::npos) {
      args.push_back(std::stod(a));
    }
    p = q + 1;
  }
  auto one = [&]() -> json {
    if (name == "random") return g.random();
    if (name == "normal") return g.normal();
    if (name == "uniform") return g.uniform(args.at(0), args.at(1));
    if (name == "integers") {
      return args.size() == 1
                 ? g.integers(0, static_cast<int64_t>(args[0]))
                 : g.integers(static_cast<int64_t>(args[0]), static_cast<int64_t>(args[1]));
    }
    throw Error("unknown call " + text);
  };
  if (size == 0) return one();
  json out = json::array();
  for (int i = 0; i < size; ++i) out.push_back(one());
  return out;
}

// Exact, except normal(): its ziggurat tables are computed at start-up in double and differ from
// NumPy's printed constants in the last bits, so normals agree to 1e-14 relative (same stream).
void expect_draw(const json& got, const json& want, const std::string& what) {
  if (what.rfind("normal", 0) == 0) {
    EXPECT_NEAR(got.get<double>(), want.get<double>(),
                1e-14 * std::abs(want.get<double>()) + 1e-300)
        << what;
  } else {
    EXPECT_EQ(got, want) << what;
  }
}

TEST(NpRandom, MatchesNumpyDefaultRng) {
  const auto lines = seeding_lines("default_rng");
  ASSERT_EQ(lines.size(), 4u);
  for (const json& l : lines) {
    const uint64_t seed = l["seed"].get<uint64_t>();
    SCOPED_TRACE("seed " + std::to_string(seed));
    const auto words = seed_sequence_state(seed);
    for (size_t i = 0; i < 4; ++i) EXPECT_EQ(words[i], hex64(l["seed_sequence_state"][i]));
    NpRandom g(seed);
    EXPECT_EQ(hex128(g.pcg_state()), l["pcg64"]["state"].get<std::string>());
    EXPECT_EQ(hex128(g.pcg_inc()), l["pcg64"]["inc"].get<std::string>());
    for (const json& raw : l["pcg64"]["raw"]) EXPECT_EQ(g.next_u64(), hex64(raw));
    for (const auto& [what, values] : l["draws"].items()) {
      NpRandom fresh(seed);
      for (const json& v : values) expect_draw(call(fresh, what), v, what);
    }
    NpRandom mixed(seed);
    for (const json& step : l["mixed"]) {
      expect_draw(call(mixed, step[0].get<std::string>()), step[1], step[0].get<std::string>());
    }
  }
}

TEST(NpRandom, NormalFollowsTheStandardNormalIncludingTheTail) {
  NpRandom g(7);
  double sum = 0.0, sq = 0.0;
  int beyond_r = 0;
  constexpr int kN = 400000;
  for (int i = 0; i < kN; ++i) {
    const double x = g.normal();
    sum += x;
    sq += x * x;
    beyond_r += std::abs(x) > 3.6541528853610088;
  }
  EXPECT_NEAR(sum / kN, 0.0, 0.01);
  EXPECT_NEAR(sq / kN, 1.0, 0.01);
  // P(|x| > r) = 2.58e-4: about 103 of 400k draws come from the tail sampler.
  EXPECT_GT(beyond_r, 60);
  EXPECT_LT(beyond_r, 150);
}

TEST(NpRandom, StateStringRoundTripsIncludingTheKeptHalf) {
  NpRandom g(42);
  g.integers(0, 10);  // leaves a kept 32-bit half
  NpRandom h(1);
  h.set_state_string(g.state_string());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(g.integers(0, 1000), h.integers(0, 1000));
  EXPECT_EQ(g.next_u64(), h.next_u64());
  EXPECT_THROW(h.set_state_string("v1:zz"), Error);
  EXPECT_THROW(h.set_state_string(g.state_string() + "0"), Error);
}

TEST(NpRandom, IntegersBeyond32BitsUseWholeOutputs) {
  // A range above 2^32 takes 64-bit outputs (Lemire on 128-bit products) and stays in range.
  NpRandom g(3);
  const int64_t lo = -(int64_t{1} << 40), hi = (int64_t{1} << 41) + 5;
  for (int i = 0; i < 1000; ++i) {
    const int64_t v = g.integers(lo, hi);
    ASSERT_GE(v, lo);
    ASSERT_LT(v, hi);
  }
  NpRandom a(3), b(3);
  a.integers(0, int64_t{1} << 33);
  b.next_u64();
  EXPECT_EQ(a.next_u64(), b.next_u64());
}

void expect_value(const Tensor& obs, const json& expected, const std::string& where) {
  const json flat = expected.is_array() ? expected : json::array({expected});
  ASSERT_EQ(obs.numel(), static_cast<int64_t>(flat.size())) << where;
  const Tensor c = obs.contiguous();
  for (size_t i = 0; i < flat.size(); ++i) {
    if (c.dtype() == Dtype::Float32) {
      EXPECT_EQ(c.data<float>()[i], static_cast<float>(flat[i].get<double>()))
          << where << " [" << i << "]";
    } else {
      EXPECT_EQ(c.data<int64_t>()[i], flat[i].get<int64_t>()) << where << " [" << i << "]";
    }
  }
}

void expect_info(const Info& info, const json& expected, const std::string& where) {
  for (const auto& [key, v] : expected.items()) {
    if (v.is_number()) {
      EXPECT_EQ(info.number(key), v.get<double>()) << where << " info " << key;
    } else {
      expect_value(info.tensor(key).to(Dtype::Int64), v, where + " info " + key);
    }
  }
}

// The state right after reset, in the layout of the record (numbers for the classic-control
// and grid worlds; Blackjack's hands are checked through the observation).
void expect_reset_state(const Env& env, const json& expected, const std::string& where) {
  if (expected.is_object()) return;
  const json flat = expected.is_array() ? expected : json::array({expected});
  const std::vector<double> s = env.unwrapped().state();
  ASSERT_EQ(s.size(), flat.size()) << where;
  for (size_t i = 0; i < s.size(); ++i)
    EXPECT_EQ(s[i], flat[i].get<double>()) << where << " state " << i;
}

TEST(Seeding, EveryEnvResetsAndSamplesAsGymnasium) {
  const auto lines = seeding_lines("reset_and_sample");
  ASSERT_GE(lines.size(), 60u);
  for (const json& l : lines) {
    const std::string id = l["env"].get<std::string>();
    // Box2D physics differs from Gymnasium's after reset: lunar_lander_test, bipedal_walker_test.
    if (id.rfind("LunarLander", 0) == 0 || id.rfind("BipedalWalker", 0) == 0) continue;
    const uint64_t seed = l["seed"].get<uint64_t>();
    const std::string where = id + " seed " + std::to_string(seed);
    auto env = make(id);
    ResetResult r = env->reset(seed);
    expect_value(r.obs, l["reset_obs"], where + " reset");
    expect_info(r.info, l["reset_info"], where + " reset");
    expect_reset_state(*env, l["reset_state"], where + " reset");
    NpRandom space_rng(seed);  // action_space.seed(seed)
    size_t next_reset = 0;
    const json& resets = l["resets"];
    for (size_t t = 0; t < l["actions"].size(); ++t) {
      const std::string at = where + " step " + std::to_string(t);
      if (next_reset < resets.size() && resets[next_reset][0].get<size_t>() == t) {
        ResetResult again = env->reset();
        expect_value(again.obs, resets[next_reset][1], at + " unseeded reset");
        ++next_reset;
      }
      const Tensor a = env->action_space().sample(space_rng);
      expect_value(a, l["actions"][t], at + " action");
      StepResult s = env->step(Action::from_tensor(a));
      expect_value(s.obs, l["obs"][t], at);
      EXPECT_EQ(s.reward, l["rewards"][t].get<double>()) << at;
      EXPECT_EQ(s.terminated, l["terminated"][t].get<bool>()) << at;
      EXPECT_EQ(s.truncated, l["truncated"][t].get<bool>()) << at;
      expect_info(s.info, l["infos"][t], at);
    }
    EXPECT_EQ(next_reset, resets.size()) << where;
  }
}

}  // namespace
}  // namespace rein::envs
