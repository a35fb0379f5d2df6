// The registry: ids -> factories and specs, make() with gymnasium.make's wrapping, and the
// "did you mean" hint for unknown ids.
#include "envs/registry.h"

#include <algorithm>
#include <cctype>

#include "envs/image_wrappers.h"
#include "envs/internal/builtin.h"
#include "envs/wrappers.h"

namespace rein::envs {
namespace {

// Levenshtein distance, case-insensitive (ids differ from typos mostly in case and one letter).
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::vector<std::string> close_matches(std::string_view id, const std::vector<std::string>& ids,
                                       size_t max) {
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& candidate : ids) {
    const size_t d = edit_distance(id, candidate);
    // Close enough: a few edits, relative to the length (difflib-like cutoff).
    if (d <= std::max<size_t>(2, candidate.size() / 3)) scored.emplace_back(d, candidate);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < max; ++i) out.push_back(scored[i].second);
  return out;
}

void Registry::register_env(std::string id, EnvFactory factory, EnvSpec spec) {
  if (id.empty() ||
      std::any_of(id.begin(), id.end(), [](unsigned char c) { return std::isspace(c); })) {
    throw Error(str("register_env: invalid env id '", id, "' (must be non-empty, no spaces)"));
  }
  if (!factory) throw Error(str("register_env: env id '", id, "' has no factory"));
  if (spec.max_episode_steps && *spec.max_episode_steps < 1) {
    throw Error(str("register_env: env id '", id, "' has max_episode_steps ",
                    *spec.max_episode_steps, " (must be >= 1 or unset)"));
  }
  std::lock_guard lock(mutex_);
  for (const auto& e : entries_) {
    if (e.spec.id == id) throw Error(str("register_env: env id '", id, "' is already registered"));
  }
  spec.id = std::move(id);
  entries_.push_back(Entry{std::move(spec), std::move(factory)});
}

const Registry::Entry& Registry::find(std::string_view id) const {
  for (const auto& e : entries_) {
    if (e.spec.id == id) return e;
  }
  std::vector<std::string> ids;
  for (const auto& e : entries_) ids.push_back(e.spec.id);
  const auto matches = close_matches(id, ids);
  std::string hint;
  for (size_t i = 0; i < matches.size(); ++i) {
    hint += (i ? "' or '" : "did you mean '") + matches[i];
  }
  if (!hint.empty()) hint += "'? ";
  throw Error(str("make: unknown env id '", id, "' (", hint, "see: rein envs list)"));
}

const Registry::Scheme* Registry::find_scheme(std::string_view id) const {
  const size_t sep = id.find("://");
  if (sep == std::string_view::npos || sep == 0) return nullptr;
  for (const auto& e : entries_) {
    if (e.spec.id == id) return nullptr;  // an exact registration wins
  }
  const std::string_view scheme = id.substr(0, sep);
  for (const auto& s : schemes_) {
    if (s.name == scheme) return &s;
  }
  std::string handled;
  for (const auto& s : schemes_) handled += (handled.empty() ? "" : ", ") + s.name + "://";
  throw Error(str("make: env id '", id, "' has the scheme '", scheme,
                  "://', which this program does not handle (",
                  handled.empty() ? std::string("it handles none") : "it handles " + handled,
                  "; remote:// ids need a program linked with rein_remote)"));
}

void Registry::register_scheme(std::string scheme, SchemeFactory factory, std::string description) {
  if (scheme.empty() || scheme.find_first_of(":/ ") != std::string::npos) {
    throw Error(str("register_scheme: invalid scheme '", scheme,
                    "' (a name such as 'remote', without '://')"));
  }
  if (!factory) throw Error(str("register_scheme: scheme '", scheme, "' has no factory"));
  std::lock_guard lock(mutex_);
  for (auto& s : schemes_) {
    if (s.name == scheme) {
      s.factory = std::move(factory);
      s.description = std::move(description);
      return;
    }
  }
  schemes_.push_back(Scheme{std::move(scheme), std::move(description), std::move(factory)});
}

bool Registry::has_scheme(std::string_view scheme) const {
  std::lock_guard lock(mutex_);
  return std::any_of(schemes_.begin(), schemes_.end(),
                     [&](const Scheme& s) { return s.name == scheme; });
}

bool Registry::contains(std::string_view id) const {
  std::lock_guard lock(mutex_);
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const Entry& e) { return e.spec.id == id; });
}

EnvSpec Registry::spec(std::string_view id) const {
  std::lock_guard lock(mutex_);
  if (const Scheme* s = find_scheme(id)) {
    return EnvSpec{.id = std::string(id), .description = s->description};
  }
  return find(id).spec;
}

std::vector<EnvSpec> Registry::specs() const {
  std::vector<EnvSpec> out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& e : entries_) out.push_back(e.spec);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

namespace {

// make()'s "render_mode", as gymnasium.make's: recorded on the spec once the env can render
// that way. rein draws every frame on request, so the mode only checks and documents intent.
void set_render_mode(Env& env, const std::string& mode) {
  const RenderInfo ri = env.render_info();
  const bool ok = (mode == "rgb_array" && (ri.draws || ri.text)) || (mode == "ansi" && ri.text);
  if (!ok) {
    const bool known = mode == "rgb_array" || mode == "ansi";
    throw Error(str("make: ", env.name(), known ? " cannot render as '" : " has no render_mode '",
                    mode, "' (rein's render modes: ", ri.draws || ri.text ? "rgb_array" : "",
                    ri.text ? ", ansi" : "", ri.draws || ri.text ? "" : "none for this env",
                    "; 'human' windows are the dashboard's agent view)"));
  }
  EnvSpec spec = env.spec().value_or(EnvSpec{});
  spec.render_mode = mode;
  env.set_spec(std::move(spec));
}

}  // namespace

std::unique_ptr<Env> Registry::make_unwrapped(std::string_view id, const Kwargs& kwargs) const {
  EnvSpec spec;
  EnvFactory factory;
  SchemeFactory scheme_factory;
  {
    std::lock_guard lock(mutex_);
    if (const Scheme* s = find_scheme(id)) {
      scheme_factory = s->factory;
    } else {
      const Entry& e = find(id);
      spec = e.spec;
      factory = e.factory;
    }
  }
  const auto render_mode = kwargs.find("render_mode");
  if (scheme_factory) {  // called unlocked: it may connect somewhere, or use the registry
    Kwargs kw = kwargs;
    kw.erase("max_episode_steps");
    kw.erase("render_mode");
    kw.erase("wrappers");
    std::unique_ptr<Env> env = scheme_factory(id, kw);
    if (!env) throw Error(str("make: the scheme factory of env id '", id, "' returned no env"));
    if (!env->spec()) env->set_spec(EnvSpec{.id = std::string(id)});
    if (render_mode != kwargs.end()) set_render_mode(*env, render_mode->second);
    return env;
  }
  Kwargs merged = spec.kwargs;
  for (const auto& [k, v] : kwargs) merged[k] = v;
  merged.erase("max_episode_steps");
  merged.erase("render_mode");
  merged.erase("wrappers");
  std::unique_ptr<Env> env = factory(merged);
  if (!env) throw Error(str("make: the factory of env id '", id, "' returned no env"));
  spec.kwargs = merged;
  env->set_spec(spec);
  if (render_mode != kwargs.end()) set_render_mode(*env, render_mode->second);
  return env;
}

std::unique_ptr<Env> Registry::make(std::string_view id, const Kwargs& kwargs) const {
  std::unique_ptr<Env> env = make_unwrapped(id, kwargs);
  bool on_demand = false;
  {
    std::lock_guard lock(mutex_);
    on_demand = find_scheme(id) != nullptr;
  }
  EnvSpec spec = *env->spec();
  // A scheme's spec limit is informative (the server applies it); only an explicit
  // max_episode_steps adds a TimeLimit to such an env.
  // (0: none; a plain integer, since g++ 12 warns falsely about an optional's value here)
  int64_t limit = !on_demand && spec.max_episode_steps ? *spec.max_episode_steps : 0;
  if (auto it = kwargs.find("max_episode_steps"); it != kwargs.end()) {
    if (it->second == "0" || it->second == "none" || it->second == "None") {
      spec.max_episode_steps.reset();
      limit = 0;
    } else {
      KwargsReader reader("make", kwargs);
      const int64_t steps = reader.get_int("max_episode_steps", 0);
      if (steps < 1) {
        throw Error(
            str("make: max_episode_steps must be >= 1 (or 0/none for no limit), got ", steps));
      }
      spec.max_episode_steps = steps;
      limit = steps;
    }
  }
  env->set_spec(spec);
  env = std::make_unique<OrderEnforcing>(std::move(env));
  if (limit > 0) env = std::make_unique<TimeLimit>(std::move(env), limit);
  if (auto it = kwargs.find("wrappers"); it != kwargs.end()) {
    env = apply_wrappers(std::move(env), it->second);
    spec.kwargs["wrappers"] = it->second;
  }
  env->set_spec(spec);
  return env;
}

Registry& registry() {
  static Registry instance;
  // Built-ins take the registry as an argument, so registering them cannot recurse into here.
  static const bool registered = [] {
    internal::register_classic_control(instance);
    internal::register_toy_text(instance);
    internal::register_box2d(instance);
    return true;
  }();
  (void)registered;
  return instance;
}

std::unique_ptr<Env> make(std::string_view id, const Kwargs& kwargs) {
  return registry().make(id, kwargs);
}

void register_env(std::string id, EnvFactory factory, EnvSpec spec) {
  registry().register_env(std::move(id), std::move(factory), std::move(spec));
}

std::vector<EnvSpec> list_envs() { return registry().specs(); }

}  // namespace rein::envs
