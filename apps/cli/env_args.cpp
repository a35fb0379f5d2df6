#include "apps/cli/env_args.h"

#include "base/error.h"

namespace rein::cli {

envs::Kwargs parse_env_args(const std::vector<std::string>& args, envs::Kwargs base) {
  for (const std::string& a : args) {
    const size_t eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error(str("--env-arg: expected key=value, got '", a, "'"));
    }
    base[a.substr(0, eq)] = a.substr(eq + 1);
  }
  return base;
}

}  // namespace rein::cli
