// The preset TOML files, embedded at build time (rl/CMakeLists.txt generates the definition).
#pragma once

#include <span>
#include <string_view>

namespace rein::rl::internal {

struct PresetFile {
  std::string_view algorithm;  // file name without .toml
  std::string_view text;
};

std::span<const PresetFile> preset_files();

}  // namespace rein::rl::internal
