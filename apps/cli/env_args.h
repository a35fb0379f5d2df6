// `--env-arg key=value` flags, shared by train, eval, envs check/rollout and envs serve.
#pragma once

#include <string>
#include <vector>

#include "envs/env.h"

namespace rein::cli {

// Adds each "key=value" to `base` (a later value for the same key wins) and returns it; anything
// without a key and '=' is an error naming the flag.
envs::Kwargs parse_env_args(const std::vector<std::string>& args, envs::Kwargs base = {});

}  // namespace rein::cli
