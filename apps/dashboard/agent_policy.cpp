// The agent viewer's policies: a checkpoint's trained agent, or random actions.
#include "apps/dashboard/agent_policy.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>

#include "envs/plugin.h"
#include "envs/registry.h"

namespace rein::dashboard {

namespace {

// 100000 -> "100,000"
std::string with_commas(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace

RandomPolicy::RandomPolicy(std::string env_id, std::uint64_t seed)
    : env_id_(std::move(env_id)), space_(envs::make(env_id_)->action_space()), gen_(seed) {}

envs::Action RandomPolicy::act(const Tensor&) {
  action_ = space_.sample(gen_);
  return envs::Action::from_tensor(action_);
}

std::unique_ptr<envs::Env> RandomPolicy::make_env() const { return envs::make(env_id_); }

std::string CheckpointPolicy::describe() const {
  return policy_.algorithm() + " at step " + with_commas(policy_.global_step());
}

envs::Action CheckpointPolicy::act(const Tensor& obs) {
  action_ = policy_.act(obs, /*deterministic=*/true);
  return envs::Action::from_tensor(action_);
}

std::vector<std::string> recorded_plugins(
    const std::vector<std::pair<std::string, std::string>>& params) {
  std::vector<std::pair<long, std::string>> found;
  for (const auto& [key, value] : params) {
    if (key.rfind("plugin.", 0) != 0 || value.empty()) continue;
    char* end = nullptr;
    const long index = std::strtol(key.c_str() + 7, &end, 10);
    if (end != key.c_str() + 7 && *end == '\0') found.emplace_back(index, value);
  }
  std::sort(found.begin(), found.end());  // "plugin.10" after "plugin.9"
  std::vector<std::string> paths;
  for (auto& [index, path] : found) paths.push_back(std::move(path));
  return paths;
}

void load_run_plugins(const std::string& env_id, const std::vector<std::string>& plugins) {
  namespace fs = std::filesystem;
  envs::Registry& registry = envs::registry();
  if (registry.contains(env_id) || env_id.find("://") != std::string::npos) return;
  static std::mutex mutex;
  static std::set<std::string> loaded;  // canonical paths: a library registers its envs once
  const std::lock_guard<std::mutex> lock(mutex);
  for (const std::string& path : plugins) {
    std::error_code ec;
    const fs::path canonical = fs::canonical(path, ec);
    if (ec) {
      throw Error(str("the run's env '", env_id, "' comes from the plug-in '", path,
                      "' (recorded by rein train --plugin), which is not found from '",
                      fs::current_path(ec).string(),
                      "' (start rein-dashboard in the directory the run was trained in, or "
                      "train with an absolute --plugin path)"));
    }
    if (loaded.count(canonical.string())) continue;
    // dlopen searches the library path for a name without '/': the recorded file is meant.
    envs::load_plugin(canonical.string(), registry);
    loaded.insert(canonical.string());
  }
  if (!registry.contains(env_id)) {
    throw Error(str("the run's env '", env_id, "' is not built in",
                    plugins.empty() ? " and the run recorded no --plugin"
                                    : " and its recorded plug-ins do not define it",
                    " (see: rein envs list --plugin LIB.so)"));
  }
}

std::unique_ptr<Policy> load_policy(const std::string& checkpoint_path) {
  return std::make_unique<CheckpointPolicy>(rl::load_policy(checkpoint_path));
}

}  // namespace rein::dashboard
