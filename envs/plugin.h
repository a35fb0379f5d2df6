// Loading env plug-ins (shared libraries implementing envs/plugin_abi.h) and registering their
// envs, for `--plugin LIB.so`.
#pragma once

#include <string>
#include <vector>

#include "envs/registry.h"

namespace rein::envs {

// dlopens `path`, checks the entry point, ABI version and every env definition, then registers
// the envs in `registry`; returns their ids. Throws rein::Error with the library path and the
// reason (file not found, missing symbol, version mismatch, a bad definition or the plug-in's
// own error message). The library stays loaded while any of its envs exists.
// Thread-safe (the registry is).
std::vector<std::string> load_plugin(const std::string& path,
                                     Registry& registry = envs::registry());

}  // namespace rein::envs
