// What the rl tests share: settings for short training runs, scratch directories under the build
// tree, and the message of an expected error.
#pragma once

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "rl/config.h"
#include "rl/metric_names.h"
#include "rl/metric_sink.h"

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

// The points of `sink` after `after_step`, with train/sps set to 0: it is a wall-clock rate, so
// only where it is written can be compared between two runs, never its value.
inline std::vector<MemorySink::Point> sps_as_zero(const MemorySink& sink, int64_t after_step = -1) {
  std::vector<MemorySink::Point> out;
  for (MemorySink::Point p : sink.points()) {
    if (p.step <= after_step) continue;
    if (p.name == metric::kStepsPerSecond) p.value = 0.0;
    out.push_back(p);
  }
  return out;
}

}  // namespace rein::rl::test_support
