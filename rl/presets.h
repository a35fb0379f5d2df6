// Built-in hyperparameter presets: TOML files under rl/presets/ (one per algorithm, one table per
// env id), compiled into the library so that `rein train ppo CartPole-v1` finds them anywhere.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rl/config.h"

namespace rein::rl {

struct Preset {
  std::string algorithm;  // "ppo"
  std::string env_id;     // "CartPole-v1"
  Settings settings;      // origin of each key: "preset ppo.toml [CartPole-v1]"
};

// Every built-in preset, sorted by algorithm then env id.
std::vector<Preset> list_presets();
// The preset for (algorithm, env_id), if rein ships one.
std::optional<Preset> find_preset(std::string_view algorithm, std::string_view env_id);
// The TOML text of an algorithm's preset file (with its comments and citations), or nullopt.
std::optional<std::string> preset_file_text(std::string_view algorithm);
// Parses preset TOML text (tables of scalars) into presets; throws rein::Error on bad TOML.
std::vector<Preset> parse_presets(std::string_view algorithm, std::string_view toml_text);

}  // namespace rein::rl
