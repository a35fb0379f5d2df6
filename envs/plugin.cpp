// Env plug-ins: dlopen, validation of the C table, and PluginEnv, which adapts one C env instance
// to the Env interface (statuses become rein::Error; nothing is trusted without a check).
#include "envs/plugin.h"

#include <dlfcn.h>

#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>

#include "envs/plugin_abi.h"

namespace rein::envs {
namespace {

constexpr size_t kErrLen = 512;

// Owns a dlopen handle; envs hold a shared_ptr so the code outlives every instance.
struct Library {
  void* handle = nullptr;
  std::string path;
  ~Library() {
    if (handle != nullptr) dlclose(handle);
  }
};

std::string message_of(const std::array<char, kErrLen>& err) {
  std::string m(err.data(), strnlen(err.data(), err.size()));
  return m.empty() ? "(no message)" : m;
}

// Calls a plug-in function; a foreign exception escaping it is reported, not propagated.
template <typename F>
void call(const std::string& what, F&& f) {
  std::array<char, kErrLen> err{};
  int rc;
  try {
    rc = f(err.data(), err.size() - 1);
  } catch (...) {
    throw Error(str(what, ": the plug-in threw an exception across the C ABI"));
  }
  if (rc != REIN_OK) throw Error(str(what, ": ", message_of(err)));
}

Space to_space(const rein_space& s, const std::string& what) {
  if (s.kind == REIN_SPACE_DISCRETE) {
    if (s.n <= 0) throw Error(str(what, ": Discrete space with n = ", s.n));
    return Discrete(s.n, s.start);
  }
  if (s.kind != REIN_SPACE_BOX) throw Error(str(what, ": unknown space kind ", s.kind));
  if (s.ndim < 0 || s.ndim > 8) throw Error(str(what, ": Box with ", s.ndim, " dims (0..8)"));
  Shape shape;
  for (int32_t d = 0; d < s.ndim; ++d) {
    if (s.shape[d] <= 0 || s.shape[d] > (1 << 20)) {
      throw Error(str(what, ": Box dim ", d, " has size ", s.shape[d]));
    }
    shape.push_back(s.shape[d]);
  }
  if (s.low == nullptr || s.high == nullptr) throw Error(str(what, ": Box bounds are NULL"));
  const auto n = static_cast<size_t>(shape.numel());
  return Box(std::vector<double>(s.low, s.low + n), std::vector<double>(s.high, s.high + n), shape);
}

class PluginEnv final : public Env {
 public:
  PluginEnv(std::shared_ptr<Library> lib, const rein_env_def& def, const Kwargs& kwargs)
      : lib_(std::move(lib)), def_(def), id_(def.id) {
    std::vector<const char*> keys, values;
    for (const auto& [k, v] : kwargs) {
      keys.push_back(k.c_str());
      values.push_back(v.c_str());
    }
    try {
      call(id_ + ": create", [&](char* err, size_t len) {
        return def_.create(keys.data(), values.data(), static_cast<int32_t>(keys.size()),
                           &instance_, err, len);
      });
      if (instance_ == nullptr) throw Error(str(id_, ": create returned no instance"));
      rein_space o{}, a{};
      call(id_ + ": spaces",
           [&](char* err, size_t len) { return def_.spaces(instance_, &o, &a, err, len); });
      observation_space_ = to_space(o, id_ + ": observation space");
      action_space_ = to_space(a, id_ + ": action space");
    } catch (...) {
      if (instance_ != nullptr) def_.destroy(instance_);  // no destructor runs after a throw
      throw;
    }
    obs_ = zeros(observation_space_.shape(), observation_space_.dtype());
    flat_.assign(static_cast<size_t>(observation_space_.flat_dim()), 0.0);
    action_.assign(static_cast<size_t>(action_space_.flat_dim()), 0.0);
  }
  ~PluginEnv() override {
    if (instance_ != nullptr) def_.destroy(instance_);
  }

  ResetResult reset(std::optional<uint64_t> seed, const Kwargs& options) override {
    if (!options.empty()) throw Error(str(id_, ".reset: plug-in envs take no reset options"));
    call(id_ + ".reset", [&](char* err, size_t len) {
      return def_.reset(instance_, seed ? 1 : 0, seed.value_or(0), flat_.data(), err, len);
    });
    publish("reset");
    return {obs_, info_};
  }

  StepResult step(const Action& action) override {
    check_action(action_space_, action, id_ + ".step");
    if (action.is_discrete()) {
      action_[0] = static_cast<double>(action.index());
    } else {
      for (size_t i = 0; i < action_.size(); ++i) action_[i] = action.values()[i];
    }
    double reward = 0;
    int32_t terminated = 0, truncated = 0;
    call(id_ + ".step", [&](char* err, size_t len) {
      return def_.step(instance_, action_.data(), static_cast<int64_t>(action_.size()),
                       flat_.data(), &reward, &terminated, &truncated, err, len);
    });
    publish("step");
    return {obs_, reward, terminated != 0, truncated != 0, info_};
  }

  void set_state(std::span<const double> state) override {
    if (def_.set_state == nullptr) Env::set_state(state);
    call(id_ + ".set_state", [&](char* err, size_t len) {
      return def_.set_state(instance_, state.data(), static_cast<int64_t>(state.size()),
                            flat_.data(), err, len);
    });
    publish("set_state");
  }

 private:
  // Converts the plug-in's doubles into the observation tensor, rejecting impossible values.
  void publish(const char* when) {
    if (observation_space_.is_discrete()) {
      const auto& d = observation_space_.discrete();
      const double v = flat_[0];
      if (!(v >= static_cast<double>(d.start) && v < static_cast<double>(d.start + d.n)) ||
          v != std::floor(v)) {
        throw Error(str(id_, ".", when, ": the plug-in returned observation ", v, ", not in ",
                        observation_space_.to_string()));
      }
      obs_.data<int64_t>()[0] = static_cast<int64_t>(v);
      return;
    }
    float* out = obs_.data<float>();
    for (size_t i = 0; i < flat_.size(); ++i) out[i] = static_cast<float>(flat_[i]);
  }

  std::shared_ptr<Library> lib_;
  const rein_env_def& def_;
  std::string id_;
  void* instance_ = nullptr;
  Tensor obs_;
  std::vector<double> flat_;
  std::vector<double> action_;
};

void validate_def(const rein_env_def& def, size_t index, const std::string& path) {
  const std::string where = str("load_plugin: ", path, ": env ", index);
  if (def.id == nullptr || *def.id == '\0') throw Error(str(where, " has no id"));
  const char* missing = def.create == nullptr    ? "create"
                        : def.destroy == nullptr ? "destroy"
                        : def.spaces == nullptr  ? "spaces"
                        : def.reset == nullptr   ? "reset"
                        : def.step == nullptr    ? "step"
                                                 : nullptr;
  if (missing != nullptr) {
    throw Error(str(where, " ('", def.id, "') has no '", missing, "' function"));
  }
  if (def.max_episode_steps < 0) {
    throw Error(str(where, " ('", def.id, "') has max_episode_steps ", def.max_episode_steps));
  }
}

}  // namespace

std::vector<std::string> load_plugin(const std::string& path, Registry& registry) {
  auto lib = std::make_shared<Library>();
  lib->path = path;
  lib->handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib->handle == nullptr) {
    const char* e = dlerror();
    // dlopen looks for a name without '/' in the system library path only, never in the current
    // directory: say so when the file is right here (a common first step with `--plugin`).
    std::string hint;
    if (path.find('/') == std::string::npos) {
      hint = std::filesystem::exists(path)
                 ? str(" (a name without '/' is searched in the system library path only; "
                       "did you mean './",
                       path, "'?)")
                 : str(" (a name without '/' is searched in the system library path only; "
                       "give a path such as './",
                       path, "')");
    }
    throw Error(str("load_plugin: cannot load '", path, "': ", e ? e : "unknown error", hint));
  }
  dlerror();
  void* sym = dlsym(lib->handle, REIN_ENV_PLUGIN_ENTRY);
  if (sym == nullptr) {
    throw Error(str("load_plugin: '", path, "' has no entry point '", REIN_ENV_PLUGIN_ENTRY,
                    "' (is it a rein env plug-in? see docs/CUSTOM_ENVS.md)"));
  }
  auto entry = reinterpret_cast<rein_env_plugin_entry_fn>(sym);
  rein_env_plugin plugin{};
  call(str("load_plugin: '", path, "'"), [&](char* err, size_t len) {
    return entry(REIN_ENV_PLUGIN_ABI_VERSION, &plugin, err, len);
  });
  if (plugin.abi_version != REIN_ENV_PLUGIN_ABI_VERSION) {
    throw Error(str("load_plugin: '", path, "' was built for plug-in ABI version ",
                    plugin.abi_version, ", this rein speaks version ", REIN_ENV_PLUGIN_ABI_VERSION,
                    " (rebuild the plug-in against this rein)"));
  }
  if (plugin.num_envs == 0 || plugin.envs == nullptr) {
    throw Error(str("load_plugin: '", path, "' defines no envs"));
  }
  for (size_t i = 0; i < plugin.num_envs; ++i) validate_def(plugin.envs[i], i, path);
  std::vector<std::string> ids;
  for (size_t i = 0; i < plugin.num_envs; ++i) {
    const rein_env_def& def = plugin.envs[i];
    EnvSpec spec;
    if (def.max_episode_steps > 0) spec.max_episode_steps = def.max_episode_steps;
    if (def.has_reward_threshold != 0) spec.reward_threshold = def.reward_threshold;
    spec.description = def.description != nullptr ? def.description : "";
    spec.description += spec.description.empty() ? "plug-in " + path : " (plug-in)";
    registry.register_env(
        def.id, [lib, &def](const Kwargs& kw) { return std::make_unique<PluginEnv>(lib, def, kw); },
        spec);
    ids.emplace_back(def.id);
  }
  return ids;
}

}  // namespace rein::envs
