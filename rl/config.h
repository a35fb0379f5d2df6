// Typed configuration fields and the overrides that fill them. An algorithm's config is a plain
// struct with defaults; its fields() lists the members by name so that one table feeds
// `--set key=value`, TOML presets and config files, the tracker's params and checkpoints.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace rein::rl {

// One member of a config struct, borrowed: `value` points into the struct that made the Field.
struct Field {
  std::string_view name;
  std::variant<int64_t*, double*, bool*, std::string*> value;
  std::string_view help;  // the one-line reason shown by `rein presets show` and in errors
};

// "int", "float", "bool" or "string".
const char* field_type(const Field& field);
// The value as text, parseable by parse_field (floats round-trip exactly: %.17g).
std::string field_to_string(const Field& field);
// Parses `text` into the field. Throws rein::Error "<origin>: bad value 'x' for key 'k' (expected
// an int)"; bools accept true/false/1/0/yes/no; ints accept 1e5 when it is a whole number.
void parse_field(const Field& field, std::string_view text, std::string_view origin);

// A resolved setting with its type, as the tracker stores it: net_arch "64" stays text and
// learning_rate 1 stays a float.
using ParamValue = std::variant<bool, int64_t, double, std::string>;
struct Param {
  std::string key;
  ParamValue value;
};
// The field's current value.
ParamValue field_value(const Field& field);
// The value as text, parseable by parse_field (floats round-trip exactly: %.17g).
std::string param_text(const ParamValue& value);
// Every field with its typed value, in declaration order: what goes into params and checkpoints.
std::vector<Param> to_params(std::span<const Field> fields);
// (key, text) pairs of `params`, as checkpoints store them.
std::vector<std::pair<std::string, std::string>> param_texts(const std::vector<Param>& params);

// Ordered key=value overrides gathered from presets, config files and --set (later ones win),
// each remembering where it came from for error messages. apply() writes the keys a config knows;
// finish() rejects the keys nobody knew, listing the valid ones.
class Settings {
 public:
  // Adds or replaces `key`. The key is checked when applied, not here.
  void set(std::string key, std::string value, std::string origin);
  // "key=value" -> set(key, value, origin); throws rein::Error when there is no '=' or no key.
  void set_assignment(std::string_view assignment, std::string origin);
  // Every key/value of a TOML document's top level (scalars only; a table is an error unless it is
  // skipped by name). Throws rein::Error with the parser's line and column on a syntax error.
  void merge_toml(std::string_view toml_text, const std::string& origin);
  void merge_toml_file(const std::string& path);
  void merge(const Settings& other);

  std::optional<std::string> get(std::string_view key) const;
  bool contains(std::string_view key) const { return get(key).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

  // Writes every key that names one of `fields`; remembers the field names as valid.
  void apply(std::span<const Field> fields);
  // Throws rein::Error if a key matched no field of any apply() call:
  //   --set: unknown key 'n_step' (did you mean 'n_steps'?); valid keys: batch_size, ...
  // `note(key)`, when given and not empty, is added after the key ("it is a setting of ...").
  void finish(const std::function<std::string(std::string_view key)>& note = {}) const;

 private:
  struct Item {
    std::string key, value, origin;
    bool used = false;
  };
  std::vector<Item> entries_;
  std::vector<std::pair<std::string, std::string>> items_;  // mirror of entries_ for items()
  std::vector<std::string> valid_;
  void sync_items();
};

// Names among `candidates` within a small edit distance of `name`, closest first.
std::vector<std::string> suggest(std::string_view name, const std::vector<std::string>& candidates,
                                 size_t max = 3);

}  // namespace rein::rl
