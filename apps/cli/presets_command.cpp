// `rein presets list|show`: the built-in hyperparameter presets (rl/presets/*.toml).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "apps/cli/commands.h"
#include "rl/algorithm.h"
#include "rl/presets.h"
#include "rl/run_config.h"

namespace rein::cli {
namespace {

void list_presets() {
  std::printf("%-10s %-26s %s\n", "ALGO", "ENV", "SETTINGS");
  for (const rl::Preset& p : rl::list_presets()) {
    std::string settings;
    for (const auto& [k, v] : p.settings.items()) settings += (settings.empty() ? "" : " ") + k + "=" + v;
    std::printf("%-10s %-26s %s\n", p.algorithm.c_str(), p.env_id.c_str(), settings.c_str());
  }
  std::printf("\nshow one with: rein presets show ALGO ENV   (the file: rein presets show ALGO)\n");
}

// Every key of the run and algorithm configs, with the value training would use and its origin.
void show_resolved(const std::string& algo, const std::string& env) {
  rl::AlgorithmInfo info = rl::find_algorithm(algo);
  auto preset = rl::find_preset(algo, env);
  std::printf("# %s on %s: %s\n", algo.c_str(), env.c_str(),
              preset ? "built-in preset (values marked *) over the defaults"
                     : "no built-in preset; defaults");
  rl::RunConfig run;
  auto print = [&](const std::string& key, const std::string& def, const std::string& help) {
    std::optional<std::string> v = preset ? preset->settings.get(key) : std::nullopt;
    std::printf("%-20s = %-12s %s# %s\n", key.c_str(), v ? v->c_str() : def.c_str(),
                v ? "* " : "  ", help.c_str());
  };
  for (const rl::Field& f : run.fields())
    print(std::string(f.name), rl::field_to_string(f), std::string(f.help));
  for (const auto& row : info.describe_config()) print(row[0], row[1], row[3]);
}

}  // namespace

void add_presets_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("presets", "Built-in hyperparameter presets (rl-baselines3-zoo)");
  cmd->require_subcommand(1);
  cmd->add_subcommand("list", "List every (algorithm, env) preset")->callback([] { list_presets(); });
  auto show_args = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* show = cmd->add_subcommand("show", "Show a preset file, or the settings of ALGO on ENV");
  show->add_option("algorithm", show_args->first, "algorithm, e.g. ppo")->required();
  show->add_option("env", show_args->second, "env id, e.g. CartPole-v1");
  show->callback([show_args] {
    if (show_args->second.empty()) {
      auto text = rl::preset_file_text(show_args->first);
      if (!text) {
        rl::find_algorithm(show_args->first);  // unknown algorithm: the usual error
        throw Error(str("presets: no preset file for '", show_args->first, "'"));
      }
      std::fputs(text->c_str(), stdout);
    } else {
      show_resolved(show_args->first, show_args->second);
    }
  });
}

}  // namespace rein::cli
