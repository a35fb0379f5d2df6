// The env checker (gymnasium.utils.env_checker.check_env): runs an env through reset and step
// and reports every contract violation found, not only the first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "envs/env.h"

namespace rein::envs {

struct CheckOptions {
  uint64_t seed = 123;      // the seed used for the determinism checks
  int64_t num_steps = 300;  // random steps taken (with resets on episode ends)
};

struct CheckReport {
  std::vector<std::string> problems;  // contract violations: the env is broken
  std::vector<std::string> warnings;  // allowed but suspicious (e.g. seeds that change nothing)
  int64_t steps_taken = 0;
  int64_t episodes_finished = 0;

  bool ok() const { return problems.empty(); }
  std::string to_string() const;  // one line per problem/warning, then a summary line
};

// Checks: spaces are well formed; reset and step observations lie in the observation space
// (shape, dtype, bounds); rewards are finite; reset(seed) and the same actions reproduce the same
// episode; state()/set_state() round-trip where supported; render()/render_text() do not throw
// when render_info() says they exist. Never throws for a broken env: it reports instead.
CheckReport check_env(Env& env, const CheckOptions& options = {});

}  // namespace rein::envs
