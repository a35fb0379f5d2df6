// Built-in presets: the TOML texts come from rl/presets/*.toml through a generated source file.
#include "rl/presets.h"

#include <toml++/toml.h>

#include <algorithm>
#include <sstream>

#include "base/error.h"
#include "rl/internal/preset_data.h"

namespace rein::rl {

std::vector<Preset> parse_presets(std::string_view algorithm, std::string_view toml_text) {
  std::string file = str(algorithm, ".toml");
  toml::table root;
  try {
    root = toml::parse(toml_text, file);
  } catch (const toml::parse_error& e) {
    throw Error(str("preset ", file, ":", e.source().begin.line, ": ", e.description()));
  }
  std::vector<Preset> out;
  for (const auto& [env, node] : root) {
    const toml::table* table = node.as_table();
    if (!table)
      throw Error(str("preset ", file, ": top-level key '", env.str(), "' is not a table"));
    Preset p{std::string(algorithm), std::string(env.str()), {}};
    // Re-serialise the table so Settings parses it with the same rules as a --config file.
    std::ostringstream text;
    text << toml::toml_formatter(*table);
    p.settings.merge_toml(text.str(), str("preset ", file, " [", p.env_id, "]"));
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(),
            [](const Preset& a, const Preset& b) { return a.env_id < b.env_id; });
  return out;
}

std::vector<Preset> list_presets() {
  std::vector<Preset> out;
  for (const internal::PresetFile& f : internal::preset_files()) {
    auto presets = parse_presets(f.algorithm, f.text);
    out.insert(out.end(), presets.begin(), presets.end());
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Preset& a, const Preset& b) { return a.algorithm < b.algorithm; });
  return out;
}

std::optional<Preset> find_preset(std::string_view algorithm, std::string_view env_id) {
  auto text = preset_file_text(algorithm);
  if (!text) return std::nullopt;
  for (Preset& p : parse_presets(algorithm, *text))
    if (p.env_id == env_id) return std::move(p);
  return std::nullopt;
}

std::optional<std::string> preset_file_text(std::string_view algorithm) {
  for (const internal::PresetFile& f : internal::preset_files())
    if (f.algorithm == algorithm) return std::string(f.text);
  return std::nullopt;
}

}  // namespace rein::rl
