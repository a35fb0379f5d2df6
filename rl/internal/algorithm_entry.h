// The registry entry of an algorithm whose hyperparameters are one config struct (fields(),
// validate()): every such algorithm lists and applies its settings the same way.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rl/algorithm.h"

namespace rein::rl::internal {

// For a key `algorithm` does not know: "it is a setting of a2c, ppo, not of dqn (train one of
// those to use it)" when other registered algorithms have it, else "".
std::string setting_owners_note(std::string_view algorithm, std::string_view key);

// `make(setup, config)` validates the config and builds the agent (make_ppo, or a lambda that
// binds more arguments). The entry's make applies the settings to a default Config, then calls
// settings.finish(), so unknown keys fail before any env or model is built. `spaces_note`: see
// AlgorithmInfo.
template <class Config, class Make>
AlgorithmInfo algorithm_entry(std::string name, std::string summary,
                              std::vector<envs::SpaceKind> action_spaces, Make make,
                              std::string spaces_note = "") {
  AlgorithmInfo info;
  info.spaces_note = std::move(spaces_note);
  info.name = std::move(name);
  info.summary = std::move(summary);
  info.action_spaces = std::move(action_spaces);
  info.cnn_policy = requires(Config c) { c.policy; };
  info.describe_config = [] {
    Config c;
    std::vector<std::vector<std::string>> out;
    for (const Field& f : c.fields())
      out.push_back({std::string(f.name), field_to_string(f), field_type(f), std::string(f.help)});
    return out;
  };
  info.make = [make, name = info.name](const AgentSetup& setup, Settings& settings) {
    Config c;
    auto fields = c.fields();
    settings.apply(fields);
    settings.finish([&name](std::string_view key) { return setting_owners_note(name, key); });
    if constexpr (requires { c.policy; }) {
      // SB3 builds no hidden layers after NatureCNN unless net_arch is given.
      if (is_cnn_policy(c.policy) && !settings.contains("net_arch")) c.net_arch = "";
    }
    return make(setup, c);
  };
  return info;
}

}  // namespace rein::rl::internal
