// rein envs list | check ID | rollout ID: the registry, the env checker and single episodes from
// the command line (glue over envs/registry.h, envs/env_checker.h and envs/plugin.h).
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "apps/cli/commands.h"
#include "apps/cli/env_args.h"
#include "apps/cli/text_table.h"
#include "envs/env_checker.h"
#include "envs/plugin.h"
#include "envs/registry.h"

namespace rein::cli {
namespace {

using nlohmann::json;

struct EnvsArgs {
  std::vector<std::string> plugins;
  bool json = false;
  std::string id;
  std::vector<std::string> env_args;
  uint64_t seed = 0;
  std::string state;
  std::string actions;
  int64_t steps = 500;  // random actions when --actions is absent (--sample N sets it)
  int64_t check_steps = 300;
};

void load_plugins(const EnvsArgs& a) {
  for (const auto& p : a.plugins) envs::load_plugin(p);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

double parse_number(const std::string& s, const char* flag) {
  try {
    size_t used = 0;
    const double v = std::stod(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  throw Error(str(flag, ": '", s, "' is not a number"));
}

// Shortest text that reads back to the same float32 (single) or float64 value, like Python's
// repr: 0.2f prints as 0.2, not 0.200000003.
std::string number_text(double v, bool single) {
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    const double back = std::strtod(buf, nullptr);
    if (single ? static_cast<float>(back) == static_cast<float>(v) : back == v) break;
  }
  return buf;
}

// Per-channel means of an image observation (H, W, C): the digest Gymnasium's reference
// records keep for CarRacing ("obs_mean").
std::vector<double> channel_means(const Tensor& image) {
  const int64_t channels = image.size(-1);
  std::vector<double> sum(static_cast<size_t>(channels), 0.0);
  const auto values = image.tolist();
  for (size_t i = 0; i < values.size(); ++i) sum[i % sum.size()] += values[i];
  for (double& v : sum) v /= static_cast<double>(image.numel() / channels);
  return sum;
}

bool is_image(const Tensor& obs) { return obs.dtype() == Dtype::UInt8 && obs.dim() >= 2; }

// The observation as JSON: a number or a flat row-major list (images: every byte, as integers).
json obs_json(const Tensor& obs) {
  const auto values = obs.tolist();
  if (obs.dtype() == Dtype::Int64 && obs.dim() == 0) return static_cast<int64_t>(values[0]);
  json out = json::array();
  for (double v : values) {
    if (obs.dtype() == Dtype::Int64 || obs.dtype() == Dtype::UInt8)
      out.push_back(static_cast<int64_t>(v));
    else if (obs.dtype() == Dtype::Float32)
      out.push_back(static_cast<float>(v));
    else
      out.push_back(v);
  }
  return out;
}

// The observation as text; an image is summarised by its shape and channel means.
std::string obs_text(const Tensor& obs) {
  if (is_image(obs)) {
    std::string s = "uint8 " + to_string(obs.shape()) + " channel means [";
    const auto means = channel_means(obs);
    for (size_t i = 0; i < means.size(); ++i) s += (i ? ", " : "") + number_text(means[i], false);
    return s + "]";
  }
  const auto values = obs.tolist();
  const bool single = obs.dtype() == Dtype::Float32;
  if (obs.dtype() == Dtype::Int64 && obs.dim() == 0) return number_text(values[0], false);
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + number_text(values[i], single);
  return s + "]";
}

json action_json(const envs::Action& a) {
  if (a.is_discrete()) return a.index();
  json out = json::array();
  for (float v : a.values()) out.push_back(v);
  return out;
}

std::string limit_text(const envs::EnvSpec& s) {
  return s.max_episode_steps ? std::to_string(*s.max_episode_steps) : "-";
}
std::string threshold_text(const envs::EnvSpec& s) {
  return s.reward_threshold ? number_text(*s.reward_threshold, false) : "-";
}

void run_list(const EnvsArgs& a) {
  load_plugins(a);
  json rows = json::array();
  std::vector<std::vector<std::string>> table = {
      {"ID", "OBSERVATION SPACE", "ACTION SPACE", "MAX STEPS", "THRESHOLD"}};
  for (const envs::EnvSpec& spec : envs::list_envs()) {
    std::string obs_space, act_space;
    try {
      auto env = envs::registry().make_unwrapped(spec.id);
      obs_space = env->observation_space().to_string();
      act_space = env->action_space().to_string();
    } catch (const std::exception& e) {
      obs_space = act_space = "?";  // e.g. a remote env that is not reachable right now
    }
    json row = {{"id", spec.id},
                {"observation_space", obs_space},
                {"action_space", act_space},
                {"description", spec.description}};
    row["max_episode_steps"] = spec.max_episode_steps ? json(*spec.max_episode_steps) : json();
    row["reward_threshold"] = spec.reward_threshold ? json(*spec.reward_threshold) : json();
    rows.push_back(row);
    table.push_back({spec.id, obs_space, act_space, limit_text(spec), threshold_text(spec)});
  }
  if (a.json) {
    std::cout << rows.dump(2) << "\n";
    return;
  }
  print_table(table, terminal_columns());  // a terminal's lines end in "…"; a pipe gets all
}

void run_check(const EnvsArgs& a) {
  load_plugins(a);
  auto env = envs::make(a.id, parse_env_args(a.env_args));
  const envs::CheckReport report = check_env(*env, {.seed = a.seed, .num_steps = a.check_steps});
  if (a.json) {
    std::cout << json{{"id", a.id},
                      {"ok", report.ok()},
                      {"problems", report.problems},
                      {"warnings", report.warnings},
                      {"steps", report.steps_taken},
                      {"episodes", report.episodes_finished}}
                     .dump()
              << "\n";
  } else {
    std::cout << a.id << ": " << report.to_string() << "\n";
  }
  if (!report.ok()) {
    throw Error(str("envs check: ", a.id, " has ", report.problems.size(), " problem(s)"));
  }
}

void run_rollout(const EnvsArgs& a) {
  load_plugins(a);
  auto env = envs::make(a.id, parse_env_args(a.env_args));
  // Actions: "a1,a2,..." one per step; a continuous step may hold "x;y" for several elements.
  // Each is checked before the reset, so a mistyped list prints nothing but the error.
  const envs::Space& space = env->action_space();
  std::vector<Tensor> actions;
  for (const auto& step : split(a.actions, ',')) {
    std::vector<double> values;
    for (const auto& v : split(step, ';')) values.push_back(parse_number(v, "--actions"));
    if (static_cast<int64_t>(values.size()) != space.flat_dim()) {
      throw Error(str("--actions: step ", actions.size(), " '", step, "' has ", values.size(),
                      " value(s), but ", space.to_string(), " takes ", space.flat_dim(),
                      " per step: separate a step's values with ';' and the steps with ',', "
                      "e.g. --actions '0.5;-1,0;0'"));
    }
    actions.push_back(space.from_values(values));  // checked: no NaN, 1.5 for Discrete ...
  }
  envs::ResetResult reset = env->reset(a.seed);
  if (!a.state.empty()) {
    std::vector<double> state;
    for (const auto& v : split(a.state, ',')) state.push_back(parse_number(v, "--state"));
    env->set_state(state);
  }
  if (a.json) {
    json j = {{"reset", true}, {"seed", a.seed}, {"obs", obs_json(reset.obs)}};
    if (is_image(reset.obs)) j["obs_mean"] = channel_means(reset.obs);
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "reset: obs " << obs_text(reset.obs) << "\n";
  }

  // Random actions as Gymnasium's `action_space.seed(seed); action_space.sample()` draws them.
  envs::NpRandom gen(a.seed);
  const int64_t n = a.actions.empty() ? a.steps : static_cast<int64_t>(actions.size());
  for (int64_t t = 0; t < n; ++t) {
    Tensor sampled;
    envs::Action action = int64_t{0};
    if (a.actions.empty()) {
      sampled = space.sample(gen).contiguous();
      action = envs::Action::from_tensor(sampled);
    } else {
      sampled = actions[static_cast<size_t>(t)];
      action = envs::Action::from_tensor(sampled);
    }
    envs::StepResult r = env->step(action);
    if (a.json) {
      json j = {{"step", t},          {"action", action_json(action)}, {"obs", obs_json(r.obs)},
                {"reward", r.reward}, {"terminated", r.terminated},    {"truncated", r.truncated}};
      if (is_image(r.obs)) j["obs_mean"] = channel_means(r.obs);
      std::cout << j.dump() << "\n";
    } else {
      std::cout << "step " << t << ": action " << action.to_string() << " obs " << obs_text(r.obs)
                << " reward " << number_text(r.reward, false) << " terminated "
                << (r.terminated ? "true" : "false") << " truncated "
                << (r.truncated ? "true" : "false") << "\n";
    }
    if (r.terminated || r.truncated) break;
  }
}

}  // namespace

void add_envs_command(CLI::App& app) {
  auto a = std::make_shared<EnvsArgs>();
  CLI::App* envs = app.add_subcommand("envs", "inspect and serve environments");
  envs->require_subcommand(1);
  auto plugin_opt = [&](CLI::App* cmd) {
    cmd->add_option("--plugin", a->plugins, "load env plug-ins (shared libraries) first")
        ->type_name("LIB.so");
  };

  CLI::App* list = envs->add_subcommand("list", "registered env ids, spaces and thresholds");
  list->add_flag("--json", a->json, "print JSON");
  plugin_opt(list);
  list->callback([a] { run_list(*a); });

  CLI::App* check = envs->add_subcommand("check", "run the env checker on an env id");
  check->add_option("id", a->id, "env id")->required();
  check->add_option("--seed", a->seed, "seed of the determinism checks");
  check->add_option("--steps", a->check_steps, "random steps to take");
  check
      ->add_option("--env-arg", a->env_args,
                   "constructor argument key=value (repeatable); "
                   "wrappers=\"ResizeObservation(shape=64x64), ...\" wraps the env")
      ->type_name("K=V");
  check->add_flag("--json", a->json, "print JSON");
  plugin_opt(check);
  check->callback([a] { run_check(*a); });

  CLI::App* rollout = envs->add_subcommand(
      "rollout", "reset (optionally set the physical state), step, print one line per step");
  rollout->add_option("id", a->id, "env id")->required();
  rollout->add_option("--seed", a->seed,
                      "reset(seed=S); random actions come from the action space seeded with S");
  rollout->add_option("--state", a->state,
                      "physical state after reset, as Gymnasium's unwrapped.state (v1,v2,...)");
  rollout
      ->add_option("--actions", a->actions,
                   "actions a1,a2,...; a continuous action with several elements is x;y")
      ->allow_extra_args(false);
  rollout
      ->add_option("--sample,--steps", a->steps,
                   "without --actions: N actions sampled as Gymnasium's action_space.seed(S) "
                   "then sample() (stops early at the episode end; default 500)")
      ->type_name("N");
  rollout
      ->add_option("--env-arg", a->env_args,
                   "constructor argument key=value (repeatable); "
                   "wrappers=\"ResizeObservation(shape=64x64), ...\" wraps the env")
      ->type_name("K=V");
  rollout->add_flag(
      "--json", a->json,
      "one JSON object for the reset ({\"reset\": true, \"seed\", \"obs\"}), then one "
      "per step ({\"step\", \"action\", \"obs\", \"reward\", \"terminated\", "
      "\"truncated\"}); image observations (uint8) come as every byte, row-major, plus "
      "\"obs_mean\", the mean of each channel");
  plugin_opt(rollout);
  rollout->callback([a] { run_rollout(*a); });
}

}  // namespace rein::cli
