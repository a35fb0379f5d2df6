// Checkpoints written by an earlier rein (tests/rl/fixtures/checkpoints, one per algorithm and
// kind of state) still load: saving the loaded agent gives back the same tensors, in the same
// order, and the same JSON state, and a few resumed iterations log the metric points and reach
// the state that the rein which wrote the files recorded in expected_resume.json (in a Release
// build; see tests/rl/CMakeLists.txt).
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rl/checkpoint.h"
#include "rl/metric_sink.h"
#include "tests/rl/test_support.h"

namespace rein::rl {
namespace {

using nlohmann::json;

const std::string kDir = std::string(REIN_SOURCE_DIR) + "/tests/rl/fixtures/checkpoints/";

std::string bytes_of(const Tensor& t) {
  const Tensor c = t.contiguous();
  return {static_cast<const char*>(c.raw_data()),
          static_cast<size_t>(c.numel()) * element_size(c.dtype())};
}

// FNV-1a, 64 bits, of the strings `parts` feeds it.
std::string fnv1a(
    const std::function<void(const std::function<void(const std::string&)>&)>& parts) {
  uint64_t h = 1469598103934665603ull;
  parts([&h](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  });
  std::ostringstream out;
  out << std::hex << h;
  return out.str();
}

// The tensors (name, dtype, shape, bytes) and the JSON state in key order.
std::string digest(const std::vector<std::pair<std::string, Tensor>>& tensors,
                   const std::string& state) {
  return fnv1a([&](const auto& mix) {
    for (const auto& [name, t] : tensors) {
      std::ostringstream meta;
      meta << name << ' ' << dtype_name(t.dtype()) << ' ' << t.shape() << '\n';
      mix(meta.str());
      mix(bytes_of(t));
    }
    mix(json::parse(state).dump());
  });
}

json expected_resume() {
  std::ifstream in(kDir + "expected_resume.json");
  return json::parse(in);
}

class CheckpointCompat : public ::testing::TestWithParam<std::string> {};

TEST_P(CheckpointCompat, LoadsSavesTheSameStateAndResumesAsBefore) {
  const CheckpointInfo info = read_agent_checkpoint(kDir + GetParam() + ".safetensors");
  Settings longer;
  longer.set("total_timesteps", "100000", "test");
  std::unique_ptr<Agent> agent = load_agent(info, longer);

  // Saved again, the state is the one in the file.
  const auto tensors = agent->state_tensors();
  ASSERT_EQ(tensors.size(), info.tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& [name, t] = tensors[i];
    EXPECT_EQ(name, info.tensors[i].first);
    EXPECT_EQ(t.dtype(), info.tensors[i].second.dtype()) << name;
    EXPECT_EQ(t.shape(), info.tensors[i].second.shape()) << name;
    EXPECT_TRUE(bytes_of(t) == bytes_of(info.tensors[i].second)) << name;
  }
  EXPECT_EQ(json::parse(agent->state_json()), json::parse(info.state_json));

  // Resumed for a few iterations: the same metric points and state as the rein that wrote it.
  MemorySink sink;
  for (int i = 0; i < 3; ++i) agent->iterate(sink);
  json points = json::array();
  for (const auto& p : sink.points())
    if (p.name.find("sps") == std::string::npos) points.push_back({p.step, p.name, p.value});
  const json resumed = {{"points", points.size()},
                        {"points_digest", fnv1a([&](const auto& mix) { mix(points.dump()); })},
                        {"state", digest(agent->state_tensors(), agent->state_json())}};
  const json expected = expected_resume();
  ASSERT_TRUE(expected.contains(GetParam())) << "record: \"" << GetParam() << "\": " << resumed;
#if REIN_REFERENCE_NUMERICS
  EXPECT_EQ(resumed, expected.at(GetParam())) << "now: " << resumed;
#else
  // Built unlike the recording build (tests/rl/CMakeLists.txt): the iterations above still ran
  // (under the sanitizers, too); their exact floats are only compared in a Release build.
  EXPECT_EQ(resumed["points"], expected.at(GetParam())["points"]) << "now: " << resumed;
#endif
}

INSTANTIATE_TEST_SUITE_P(Fixtures, CheckpointCompat,
                         ::testing::Values("ppo", "ppo_vecnormalize", "a2c", "reinforce",
                                           "dqn_replay", "dqn_prioritized", "sac", "sac_gsde",
                                           "td3", "ddpg", "qlearning"));

}  // namespace
}  // namespace rein::rl
