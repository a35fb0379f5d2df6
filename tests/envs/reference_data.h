// Reads the Gymnasium reference records committed in tests/envs/data/ (JSON Lines).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rein::envs::testing {

// Every non-empty line of tests/envs/data/<file> as JSON (a failed expectation if unreadable).
inline std::vector<nlohmann::json> read_jsonl(const std::string& file) {
  const std::string path = std::string(REIN_SOURCE_DIR) + "/tests/envs/data/" + file;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

}  // namespace rein::envs::testing
