// The algorithm registry. Built-in algorithms register here on first use, so that a static
// library never drops them (no static initialisers to be discarded by the linker).
#include "rl/algorithm.h"

#include <algorithm>
#include <mutex>

#include "rl/algorithms/a2c.h"
#include "rl/algorithms/dqn.h"
#include "rl/algorithms/ppo.h"
#include "rl/algorithms/reinforce.h"
#include "rl/algorithms/sac.h"
#include "rl/algorithms/tabular.h"
#include "rl/algorithms/td3.h"
#include "rl/internal/algorithm_entry.h"
#include "rl/internal/obs_encoder.h"

namespace rein::rl {

std::vector<std::pair<std::string, Tensor>> Agent::state_tensors() {
  StateIO io(state_name());
  state(io);
  return io.tensors();
}

std::string Agent::state_json() {
  StateIO io(state_name());
  state(io);
  return io.json();
}

void Agent::load_state(const std::vector<std::pair<std::string, Tensor>>& tensors,
                       const std::string& json) {
  StateIO io(state_name(), json, tensors);
  state(io);
}

namespace {

struct Registry {
  std::mutex mutex;
  std::vector<AlgorithmInfo> algorithms;
};

Registry& registry() {
  static Registry* r = [] {
    auto* reg = new Registry();  // never destroyed: usable during static destruction
    reg->algorithms.push_back(ppo_algorithm());
    reg->algorithms.push_back(a2c_algorithm());
    reg->algorithms.push_back(dqn_algorithm());
    reg->algorithms.push_back(reinforce_algorithm());
    reg->algorithms.push_back(sac_algorithm());
    reg->algorithms.push_back(td3_algorithm());
    reg->algorithms.push_back(ddpg_algorithm());
    reg->algorithms.push_back(qlearning_algorithm());
    reg->algorithms.push_back(sarsa_algorithm());
    reg->algorithms.push_back(expected_sarsa_algorithm());
    return reg;
  }();
  return *r;
}

}  // namespace

void register_algorithm(AlgorithmInfo info) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  for (const AlgorithmInfo& a : r.algorithms)
    if (a.name == info.name) throw Error(str("register_algorithm: '", info.name, "' exists"));
  r.algorithms.push_back(std::move(info));
}

std::vector<AlgorithmInfo> list_algorithms() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto out = r.algorithms;
  std::sort(out.begin(), out.end(),
            [](const AlgorithmInfo& a, const AlgorithmInfo& b) { return a.name < b.name; });
  return out;
}

std::string algorithm_table() {
  auto kinds = [](const std::vector<envs::SpaceKind>& ks) {
    std::string out;
    for (size_t i = 0; i < ks.size(); ++i) out += str(i ? ", " : "", space_kind_name(ks[i]));
    return out;
  };
  std::string out;
  for (const AlgorithmInfo& a : list_algorithms()) {
    std::string name = a.name;
    name.resize(std::max<size_t>(name.size() + 1, 16), ' ');  // a space even after long names
    out += str("  ", name, "actions: ", kinds(a.action_spaces),
               " | observations: ", kinds(a.observation_spaces),
               a.cnn_policy ? "; images with policy=CnnPolicy" : "", "\n");
  }
  return out;
}

AlgorithmInfo find_algorithm(std::string_view name) {
  auto all = list_algorithms();
  std::vector<std::string> names;
  for (const AlgorithmInfo& a : all) {
    if (a.name == name) return a;
    names.push_back(a.name);
  }
  std::string msg = str("train: unknown algorithm '", name, "'");
  auto close = suggest(name, names, 1);
  std::string avail;
  for (size_t i = 0; i < names.size(); ++i) avail += (i ? ", " : "") + names[i];
  if (!close.empty())
    msg += str(" (did you mean '", close[0], "'? available: ", avail, ")");
  else
    msg += str(" (available: ", avail, ")");
  msg += "\nalgorithms and the spaces they support:\n" + algorithm_table();
  msg.pop_back();  // no trailing newline: main prints the message as one line group
  throw Error(msg);
}

const char* space_kind_name(envs::SpaceKind kind) {
  switch (kind) {
    case envs::SpaceKind::Discrete:
      return "Discrete";
    case envs::SpaceKind::Box:
      return "Box";
    case envs::SpaceKind::MultiDiscrete:
      return "MultiDiscrete";
  }
  return "?";
}

namespace {

void check_space(const AlgorithmInfo& algo, const std::vector<envs::SpaceKind>& supported,
                 const char* what, const envs::Space& space, std::string_view env_id) {
  for (envs::SpaceKind k : supported)
    if (k == space.kind()) return;
  std::string kinds;
  for (size_t i = 0; i < supported.size(); ++i)
    kinds += str(i ? ", " : "", space_kind_name(supported[i]));
  if (!algo.spaces_note.empty()) kinds += "; " + algo.spaces_note;
  throw Error(str("train: ", algo.name, " cannot handle the ", what, " space ", space.to_string(),
                  " of ", env_id, " (supports: ", kinds, ")"));
}

}  // namespace

void check_action_space(const AlgorithmInfo& algo, const envs::Space& space,
                        std::string_view env_id) {
  check_space(algo, algo.action_spaces, "action", space, env_id);
}

bool is_cnn_policy(std::string_view policy) {
  if (policy == "CnnPolicy") return true;
  if (policy == "MlpPolicy") return false;
  throw Error(str("policy: unknown policy '", policy,
                  "' (MlpPolicy: vector observations; CnnPolicy: images)"));
}

void check_observation_space(const AlgorithmInfo& algo, const envs::Space& space,
                             std::string_view env_id, std::string_view policy) {
  const bool cnn = is_cnn_policy(policy);
  const bool image = internal::is_image_space(space);
  if (cnn && !algo.cnn_policy) {
    throw Error(str("train: ", algo.name, " has no CnnPolicy (ppo, a2c and dqn have one)"));
  }
  if (cnn && !image) {
    throw Error(
        str("train: CnnPolicy needs image observations (a uint8 Box (H, W), (H, W, C) or "
            "stacked (K, H, W, C) in [0, 255]), but ",
            env_id, " has ", space.to_string(), "; use policy = \"MlpPolicy\""));
  }
  // Images would reach an MLP as thousands of raw bytes: refuse instead of training something
  // that cannot learn.
  if (!cnn && space.is_box() && space.dtype() == Dtype::UInt8) {
    throw Error(str(
        "train: ", algo.name, " with MlpPolicy cannot learn from the image observations ",
        space.to_string(), " of ", env_id, ": ",
        algo.cnn_policy ? "train with --set policy=CnnPolicy (NatureCNN features, as SB3's)"
                        : "train ppo, a2c or dqn with --set policy=CnnPolicy, or use an env with "
                          "vector observations"));
  }
  check_space(algo, algo.observation_spaces, "observation", space, env_id);
}

}  // namespace rein::rl

namespace rein::rl::internal {

std::string setting_owners_note(std::string_view algorithm, std::string_view key) {
  std::string owners;
  for (const AlgorithmInfo& a : list_algorithms()) {
    if (a.name == algorithm || !a.describe_config) continue;
    for (const auto& field : a.describe_config())
      if (!field.empty() && field[0] == key) {
        owners += (owners.empty() ? "" : ", ") + a.name;
        break;
      }
  }
  if (owners.empty()) return "";
  return str("it is a setting of ", owners, ", not of ", algorithm,
             " (train one of those to use it)");
}

}  // namespace rein::rl::internal
