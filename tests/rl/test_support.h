// What the rl tests share: settings for short training runs, scratch directories under the build
// tree, and the message of an expected error.
#pragma once

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string>
#include <utility>

#include "rl/config.h"

namespace rein::rl::test_support {

// Settings holding `items` as key=value overrides (origin "test"), e.g. a short run's budget.
inline Settings settings_of(std::initializer_list<std::pair<const char*, std::string>> items) {
  Settings s;
  for (const auto& [key, value] : items) s.set(key, value, "test");
  return s;
}

// An empty directory REIN_BINARY_DIR/test-tmp/<name> (emptied when it exists).
inline std::filesystem::path temp_dir(const std::string& name) {
  std::filesystem::path p = std::filesystem::path(REIN_BINARY_DIR) / "test-tmp" / name;
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

// What f throws (its what()), or "(no error)" when it returns.
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace rein::rl::test_support
