// Field parsing and Settings: the typed overrides behind --set, presets and config files.
#include "rl/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/error.h"

namespace rein::rl {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::string format_double(double v) {
  char buf[40];
  // Whole numbers print as 10.0, not 1e+01, so that they still read as floats.
  if (std::isfinite(v) && std::floor(v) == v && std::abs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // Prefer the shortest text that reads back exactly (0.001, not 0.0010000000000000000208).
  for (int precision = 1; precision < 17; ++precision) {
    char shorter[40];
    std::snprintf(shorter, sizeof shorter, "%.*g", precision, v);
    if (std::strtod(shorter, nullptr) == v) return shorter;
  }
  return buf;
}

std::optional<double> parse_double(std::string_view text) {
  std::string s(text);
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE) return std::nullopt;
  return v;
}

std::optional<bool> parse_bool(std::string_view text) {
  std::string s(text);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  return std::nullopt;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string toml_scalar_to_string(const toml::node& node, const std::string& key,
                                  const std::string& origin) {
  if (auto v = node.as_integer()) return std::to_string(v->get());
  if (auto v = node.as_floating_point()) return format_double(v->get());
  if (auto v = node.as_boolean()) return v->get() ? "true" : "false";
  if (auto v = node.as_string()) return v->get();
  // A list field (net_arch = [64, 64]) takes an array of scalars; it reads as "64,64", the
  // spelling --set net_arch=64,64 uses.
  if (auto arr = node.as_array()) {
    std::string out;
    for (const toml::node& item : *arr) {
      if (item.is_array() || item.is_table()) {
        throw Error(str(origin, ": key '", key,
                        "' must be a list of numbers, bools or strings, "
                        "not of lists or tables"));
      }
      if (!out.empty()) out += ',';
      out += toml_scalar_to_string(item, key, origin);
    }
    return out;
  }
  throw Error(str(origin, ": key '", key, "' must be a number, bool, string or list, not a table"));
}

}  // namespace

const char* field_type(const Field& field) {
  return std::visit(Overloaded{[](int64_t*) { return "int"; }, [](double*) { return "float"; },
                               [](bool*) { return "bool"; }, [](std::string*) { return "string"; }},
                    field.value);
}

std::string field_to_string(const Field& field) { return param_text(field_value(field)); }

ParamValue field_value(const Field& field) {
  return std::visit([](auto* p) { return ParamValue(*p); }, field.value);
}

std::string param_text(const ParamValue& value) {
  return std::visit(Overloaded{[](int64_t v) { return std::to_string(v); },
                               [](double v) { return format_double(v); },
                               [](bool v) { return std::string(v ? "true" : "false"); },
                               [](const std::string& v) { return v; }},
                    value);
}

void parse_field(const Field& field, std::string_view text, std::string_view origin) {
  auto bad = [&](const char* expected) {
    return Error(str(origin, ": bad value '", text, "' for key '", field.name, "' (expected ",
                     expected, ")"));
  };
  std::visit(Overloaded{[&](int64_t* p) {
                          auto v = parse_double(text);
                          // 1e5 is how zoo files spell step counts; accept whole numbers only.
                          if (!v || !std::isfinite(*v) || std::floor(*v) != *v)
                            throw bad("an integer");
                          // 2^62 is an integer, but not one a setting can take (exact in a double).
                          if (std::abs(*v) > 9.0e15)
                            throw bad("an integer of at most 9e15 in magnitude");
                          *p = static_cast<int64_t>(*v);
                        },
                        [&](double* p) {
                          auto v = parse_double(text);
                          if (!v || !std::isfinite(*v))
                            throw bad("a finite number: 0, or 2.3e-308 to 1.7e308 in magnitude");
                          *p = *v;
                        },
                        [&](bool* p) {
                          auto v = parse_bool(text);
                          if (!v) throw bad("true or false");
                          *p = *v;
                        },
                        [&](std::string* p) { *p = std::string(text); }},
             field.value);
}

std::vector<Param> to_params(std::span<const Field> fields) {
  std::vector<Param> out;
  out.reserve(fields.size());
  for (const Field& f : fields) out.push_back({std::string(f.name), field_value(f)});
  return out;
}

std::vector<std::pair<std::string, std::string>> param_texts(const std::vector<Param>& params) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(params.size());
  for (const Param& p : params) out.emplace_back(p.key, param_text(p.value));
  return out;
}

void Settings::set(std::string key, std::string value, std::string origin) {
  for (Item& item : entries_) {
    if (item.key == key) {
      item.value = std::move(value);
      item.origin = std::move(origin);
      sync_items();
      return;
    }
  }
  entries_.push_back({std::move(key), std::move(value), std::move(origin)});
  sync_items();
}

void Settings::set_assignment(std::string_view assignment, std::string origin) {
  size_t eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw Error(str(origin, ": expected key=value, got '", assignment, "'"));
  set(std::string(assignment.substr(0, eq)), std::string(assignment.substr(eq + 1)),
      std::move(origin));
}

void Settings::merge_toml(std::string_view toml_text, const std::string& origin) {
  toml::table table;
  try {
    table = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    throw Error(str(origin, ":", e.source().begin.line, ":", e.source().begin.column, ": ",
                    e.description()));
  }
  for (const auto& [key, node] : table) {
    std::string k(key.str());
    set(k, toml_scalar_to_string(node, k, origin), origin);
  }
}

void Settings::merge_toml_file(const std::string& path) {
  // A directory opens as a stream that reads nothing: it would apply no settings, silently.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw Error(
        str("--config: '", path, "' is a directory; give a TOML file (e.g. ", path, "/ppo.toml)"));
  std::ifstream in(path);
  if (!in) throw Error(str("--config: cannot open '", path, "'"));
  std::stringstream ss;
  ss << in.rdbuf();
  merge_toml(ss.str(), path);
}

void Settings::merge(const Settings& other) {
  for (const Item& item : other.entries_) set(item.key, item.value, item.origin);
}

std::optional<std::string> Settings::get(std::string_view key) const {
  for (const Item& item : entries_)
    if (item.key == key) return item.value;
  return std::nullopt;
}

void Settings::apply(std::span<const Field> fields) {
  for (const Field& f : fields) {
    valid_.emplace_back(f.name);
    for (Item& item : entries_) {
      if (item.key == f.name) {
        parse_field(f, item.value, item.origin);
        item.used = true;
      }
    }
  }
}

void Settings::finish(const std::function<std::string(std::string_view key)>& note) const {
  for (const Item& item : entries_) {
    if (item.used) continue;
    std::vector<std::string> sorted = valid_;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    std::string msg = str(item.origin, ": unknown key '", item.key, "'");
    auto close = suggest(item.key, sorted, 1);
    if (!close.empty()) msg += str(" (did you mean '", close[0], "'?)");
    if (note) {
      if (std::string n = note(item.key); !n.empty()) msg += str(": ", n);
    }
    msg += "; valid keys: ";
    for (size_t i = 0; i < sorted.size(); ++i) msg += (i ? ", " : "") + sorted[i];
    throw Error(msg);
  }
}

void Settings::sync_items() {
  items_.clear();
  for (const Item& item : entries_) items_.emplace_back(item.key, item.value);
}

std::vector<std::string> suggest(std::string_view name, const std::vector<std::string>& candidates,
                                 size_t max) {
  std::vector<std::pair<size_t, std::string>> scored;
  size_t limit = std::max<size_t>(2, name.size() / 3);
  for (const std::string& c : candidates) {
    size_t d = edit_distance(name, c);
    if (d <= limit) scored.emplace_back(d, c);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < max; ++i) out.push_back(scored[i].second);
  return out;
}

}  // namespace rein::rl
