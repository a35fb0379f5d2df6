// Reads the Gymnasium reference records committed in tests/envs/data/ (JSON Lines).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rein::envs::testing {

// Every non-empty line of the JSON Lines file at `path` (a failed expectation if unreadable).
inline std::vector<nlohmann::json> read_jsonl_at(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

// Every non-empty line of tests/envs/data/<file> as JSON.
inline std::vector<nlohmann::json> read_jsonl(const std::string& file) {
  return read_jsonl_at(std::string(REIN_SOURCE_DIR) + "/tests/envs/data/" + file);
}

// Standard base64 (padding ignored) to bytes, as Python's base64.b64encode writes them.
inline std::vector<uint8_t> base64_decode(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : (c == '/' ? 63 : -1);
  };
  std::vector<uint8_t> out;
  int bits = 0, acc = 0;
  for (const char c : text) {
    const int v = value(c);
    if (v < 0) continue;  // padding
    acc = ((acc << 6) | v) & 0xFFFFFF;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace rein::envs::testing
