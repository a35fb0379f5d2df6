// `rein presets list|show`: the built-in hyperparameter presets (rl/presets/*.toml). What
// `presets show ALGO ENV` prints is a TOML file `rein train --config` reads back.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/cli/commands.h"
#include "apps/cli/text_table.h"
#include "rl/algorithm.h"
#include "rl/presets.h"
#include "rl/run_config.h"

namespace rein::cli {
namespace {

void list_presets() {
  const std::size_t width = terminal_columns();
  std::vector<std::vector<std::string>> rows = {{"ALGO", "ENV", "SETTINGS"}};
  for (const rl::Preset& p : rl::list_presets()) {
    std::string settings;
    for (const auto& [k, v] : p.settings.items())
      settings += (settings.empty() ? "" : " ") + k + "=" + v;
    rows.push_back({p.algorithm, p.env_id, settings});
  }
  print_table(rows, width);
  std::cout << "\n"
            << fit("show one with: rein presets show ALGO ENV   (the file: rein presets show ALGO)",
                   width)
            << "\n";
}

// One setting as training would use it: key, value text, type ("int", "float", "bool",
// "string"), whether the preset set it, and the one-line help.
struct Setting {
  std::string key, value, type;
  bool from_preset;
  std::string help;
};

std::vector<Setting> resolved_settings(const std::string& algo, const std::string& env) {
  rl::AlgorithmInfo info = rl::find_algorithm(algo);
  auto preset = rl::find_preset(algo, env);
  std::vector<Setting> out;
  auto add = [&](const std::string& key, const std::string& def, const std::string& type,
                 const std::string& help) {
    std::optional<std::string> v = preset ? preset->settings.get(key) : std::nullopt;
    out.push_back({key, v ? *v : def, type, v.has_value(), help});
  };
  rl::RunConfig run;
  for (const rl::Field& f : run.fields())
    add(std::string(f.name), rl::field_to_string(f), rl::field_type(f), std::string(f.help));
  for (const auto& row : info.describe_config()) add(row[0], row[1], row[2], row[3]);
  return out;
}

// A TOML value: strings quoted (with TOML's escapes), everything else as rein prints it.
std::string toml_value(const Setting& s) {
  if (s.type != "string") return s.value;
  std::string out = "\"";
  for (char c : s.value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

nlohmann::ordered_json json_value(const Setting& s) {
  if (s.type == "string") return s.value;
  if (s.type == "bool") return s.value == "true";
  if (s.type == "int") return std::stoll(s.value);
  return std::stod(s.value);
}

// Every key of the run and algorithm configs, with the value training would use, as TOML.
void show_resolved(const std::string& algo, const std::string& env, bool json) {
  const std::vector<Setting> settings = resolved_settings(algo, env);
  const bool preset = rl::find_preset(algo, env).has_value();
  if (json) {
    nlohmann::ordered_json out = {{"algorithm", algo}, {"env", env}, {"preset", preset}};
    out["settings"] = nlohmann::ordered_json::array();
    for (const Setting& s : settings) {
      out["settings"].push_back({{"key", s.key},
                                 {"value", json_value(s)},
                                 {"type", s.type},
                                 {"from_preset", s.from_preset},
                                 {"help", s.help}});
    }
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::printf("# %s on %s: %s\n", algo.c_str(), env.c_str(),
              preset ? "built-in preset (values marked *) over the defaults"
                     : "no built-in preset; defaults");
  std::printf("# a TOML file: save it, edit it, and train with --config FILE\n");
  for (const Setting& s : settings) {
    std::printf("%-20s = %-12s # %s%s\n", s.key.c_str(), toml_value(s).c_str(),
                s.from_preset ? "* " : "", s.help.c_str());
  }
}

}  // namespace

void add_presets_command(CLI::App& app) {
  CLI::App* cmd =
      app.add_subcommand("presets", "Built-in hyperparameter presets (rl-baselines3-zoo)");
  cmd->require_subcommand(1);
  cmd->add_subcommand("list", "List every (algorithm, env) preset")->callback([] {
    list_presets();
  });
  auto show_args = std::make_shared<std::pair<std::string, std::string>>();
  auto json = std::make_shared<bool>(false);
  CLI::App* show = cmd->add_subcommand(
      "show", "Show a preset file, or the settings of ALGO on ENV as a TOML file for --config");
  show->add_option("algorithm", show_args->first, "algorithm, e.g. ppo")->required();
  show->add_option("env", show_args->second, "env id, e.g. CartPole-v1");
  show->add_flag("--json", *json, "print the settings of ALGO on ENV as JSON");
  show->footer(
      "Round trip: rein presets show ppo CartPole-v1 > my.toml, edit my.toml, then\n"
      "rein train ppo CartPole-v1 --config my.toml");
  show->callback([show_args, json] {
    if (show_args->second.empty()) {
      if (*json)
        throw Error("presets show --json: give an env too (rein presets show ALGO ENV --json)");
      auto text = rl::preset_file_text(show_args->first);
      if (!text) {
        rl::find_algorithm(show_args->first);  // unknown algorithm: the usual error
        throw Error(str("presets: no preset file for '", show_args->first, "'"));
      }
      std::fputs(text->c_str(), stdout);
    } else {
      show_resolved(show_args->first, show_args->second, *json);
    }
  });
}

}  // namespace rein::cli
