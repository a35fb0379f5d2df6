// parse_sweep_spec(): TOML -> SweepSpec, every mistake named with its key.
#include "session/sweep_spec.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "base/error.h"
#include "rl/config.h"

namespace rein::session {
namespace {

const std::set<std::string> kTopKeys = {
    "name",         "algorithm",      "env",      "metric",      "direction",
    "strategy",     "seeds",          "trials",   "total_steps", "jobs",
    "sampler_seed", "startup_trials", "settings", "params",      "early_stopping"};

// A table's entries in the order the file wrote them: toml++ keeps tables sorted by key, but the
// order of [params] is the order users expect of the grid, `rein sweep show`'s columns and the
// dashboard's axes.
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<const toml::key*, const toml::node*>> out;
  for (const auto& [k, v] : t) out.emplace_back(&k, &v);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const toml::source_position &pa = a.first->source().begin, &pb = b.first->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  return out;
}

std::optional<tracker::ParamValue> scalar(const toml::node& node) {
  if (auto v = node.as_boolean()) return tracker::ParamValue(v->get());
  if (auto v = node.as_integer()) return tracker::ParamValue(int64_t{v->get()});
  if (auto v = node.as_floating_point()) return tracker::ParamValue(v->get());
  if (auto v = node.as_string()) return tracker::ParamValue(v->get());
  return std::nullopt;
}

double number(const tracker::ParamValue& v) {
  if (auto i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (auto d = std::get_if<double>(&v)) return *d;
  return NAN;
}

struct Reader {
  const std::string& origin;
  Error error(const std::string& key, const std::string& what) const {
    return Error(str(origin, ": '", key, "' ", what));
  }
  std::string text(const toml::table& t, const std::string& key, std::string fallback,
                   const std::string& path) const {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    if (!n->is_string()) throw error(path, "must be a string");
    return n->as_string()->get();
  }
  std::optional<int64_t> integer(const toml::table& t, const std::string& key, int64_t min,
                                 const std::string& path) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (!n->is_integer()) throw error(path, "must be a whole number");
    const int64_t v = n->as_integer()->get();
    if (v < min) throw error(path, str("must be at least ", min, " (got ", v, ")"));
    return v;
  }
  double real(const toml::table& t, const std::string& key, const std::string& path) const {
    const toml::node* n = t.get(key);
    if (!n) throw error(path, str("needs '", key, "'"));
    const auto v = scalar(*n);
    if (!v || std::isnan(number(*v))) throw error(path + "." + key, "must be a number");
    return number(*v);
  }
};

SearchParam read_param(const Reader& r, const std::string& name, const toml::node& node) {
  const std::string path = "params." + name;
  const toml::table* t = node.as_table();
  if (!t)
    throw r.error(path,
                  "must be a table, e.g. { type = \"log_uniform\", low = 1e-4, high = 1e-2 }");
  SearchParam p;
  p.name = name;
  const std::string type = r.text(*t, "type", "", path + ".type");
  for (const auto& [k, v] : *t) {
    const std::string key(k.str());
    if (key != "type" && key != "values" && key != "low" && key != "high" && key != "log" &&
        key != "grid_points")
      throw r.error(path + "." + key,
                    "is not a key of a searched param (type, values, low, "
                    "high, log, grid_points)");
  }
  if (type == "choice") {
    p.kind = SearchParam::Kind::Choice;
    const toml::array* values = t->get_as<toml::array>("values");
    if (!values || values->empty())
      throw r.error(path + ".values", "must list the choices, e.g. values = [64, 128, 256]");
    for (const toml::node& v : *values) {
      auto value = scalar(v);
      if (!value) throw r.error(path + ".values", "must hold numbers, strings or booleans");
      if (const double* d = std::get_if<double>(&*value); d && !std::isfinite(*d))
        throw r.error(path + ".values", str("holds ", *d, "; a setting takes finite numbers"));
      for (const auto& seen : p.choices)
        if (seen == *value) throw r.error(path + ".values", "lists a value twice");
      p.choices.push_back(*value);
    }
    return p;
  }
  if (type == "uniform")
    p.kind = SearchParam::Kind::Uniform;
  else if (type == "log_uniform")
    p.kind = SearchParam::Kind::LogUniform;
  else if (type == "int")
    p.kind = SearchParam::Kind::Int;
  else
    throw r.error(path + ".type",
                  str("is '", type, "'; expected choice, uniform, log_uniform or int"));
  p.low = r.real(*t, "low", path);
  p.high = r.real(*t, "high", path);
  if (!(p.low < p.high))
    throw r.error(path, str("needs low < high (got ", p.low, " and ", p.high, ")"));
  // A range whose width overflows a double samples inf and NaN.
  if (!std::isfinite(p.high - p.low))
    throw r.error(path, str("needs finite low and high less than 1e308 apart (got ", p.low, " and ",
                            p.high, ")"));
  if (const toml::node* log = t->get("log")) {
    if (!log->is_boolean()) throw r.error(path + ".log", "must be true or false");
    p.log = log->as_boolean()->get();
  }
  if (p.kind == SearchParam::Kind::Int &&
      (p.low != std::floor(p.low) || p.high != std::floor(p.high)))
    throw r.error(path, "is an int: low and high must be whole numbers");
  // The integer settings take whole numbers up to 9e15 (exact in a double).
  if (p.kind == SearchParam::Kind::Int && (std::abs(p.low) > 9e15 || std::abs(p.high) > 9e15))
    throw r.error(path, str("is an int: low and high must lie in [-9e15, 9e15] (got ", p.low,
                            " and ", p.high, ")"));
  if ((p.kind == SearchParam::Kind::LogUniform || p.log) && p.low <= 0)
    throw r.error(path, "is on a log scale: low must be above 0");
  p.grid_points = r.integer(*t, "grid_points", 2, path + ".grid_points").value_or(0);
  return p;
}

}  // namespace

const char* to_string(Strategy strategy) {
  switch (strategy) {
    case Strategy::Grid:
      return "grid";
    case Strategy::Random:
      return "random";
    case Strategy::Tpe:
      return "tpe";
  }
  return "?";
}

double to_internal(const SearchParam& p, const tracker::ParamValue& value) {
  if (p.kind == SearchParam::Kind::Choice) {
    for (size_t i = 0; i < p.choices.size(); ++i)
      if (p.choices[i] == value) return static_cast<double>(i);
    throw Error(str("'", rl::param_text(value), "' is not a choice of ", p.name));
  }
  const double v = number(value);
  return p.kind == SearchParam::Kind::LogUniform || p.log ? std::log(v) : v;
}

tracker::ParamValue from_internal(const SearchParam& p, double x) {
  switch (p.kind) {
    case SearchParam::Kind::Choice:
      return p.choices[static_cast<size_t>(
          std::clamp<double>(std::round(x), 0, static_cast<double>(p.choices.size() - 1)))];
    case SearchParam::Kind::Uniform:
      return std::clamp(x, p.low, p.high);
    case SearchParam::Kind::LogUniform:
      return std::clamp(std::exp(x), p.low, p.high);
    case SearchParam::Kind::Int: {
      const double v = p.log ? std::exp(x) : x;
      return static_cast<int64_t>(std::clamp(std::round(v), p.low, p.high));
    }
  }
  return {};
}

std::string display_text(const tracker::ParamValue& value) {
  if (const double* d = std::get_if<double>(&value)) {
    char b[32];
    std::snprintf(b, sizeof b, "%.4g", *d);
    return b;
  }
  return rl::param_text(value);
}

SweepSpec parse_sweep_spec(std::string_view toml_text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    throw Error(str(origin, ":", e.source().begin.line, ":", e.source().begin.column, ": ",
                    e.description()));
  }
  const Reader r{origin};
  for (const auto& [k, v] : root)
    if (!kTopKeys.count(std::string(k.str())))
      throw r.error(std::string(k.str()), "is not a sweep key (see rein sweep --help)");
  SweepSpec s;
  s.text = std::string(toml_text);
  s.name = r.text(root, "name", "sweep", "name");
  s.algorithm = r.text(root, "algorithm", "", "algorithm");
  s.env = r.text(root, "env", "", "env");
  if (s.algorithm.empty() || s.env.empty())
    throw Error(str(origin,
                    ": a sweep needs algorithm and env, e.g. algorithm = \"ppo\", "
                    "env = \"CartPole-v1\""));
  s.metric = r.text(root, "metric", s.metric, "metric");
  const std::string direction = r.text(root, "direction", "maximize", "direction");
  if (direction != "maximize" && direction != "minimize")
    throw r.error("direction", str("is '", direction, "'; expected maximize or minimize"));
  s.maximize = direction == "maximize";
  const std::string strategy = r.text(root, "strategy", "tpe", "strategy");
  if (strategy == "grid")
    s.strategy = Strategy::Grid;
  else if (strategy == "random")
    s.strategy = Strategy::Random;
  else if (strategy == "tpe")
    s.strategy = Strategy::Tpe;
  else
    throw r.error("strategy", str("is '", strategy, "'; expected grid, random or tpe"));

  if (const toml::node* seeds = root.get("seeds")) {
    s.seeds.clear();
    if (auto n = seeds->as_integer()) {
      if (n->get() < 1 || n->get() > 1000)
        throw r.error("seeds", "must be 1 to 1000 (seeds 0..N-1)");
      for (int64_t i = 0; i < n->get(); ++i) s.seeds.push_back(i);
    } else if (auto list = seeds->as_array()) {
      for (const toml::node& v : *list) {
        if (!v.is_integer() || v.as_integer()->get() < 0)
          throw r.error("seeds", "must list seeds (whole numbers >= 0)");
        s.seeds.push_back(v.as_integer()->get());
      }
      if (s.seeds.empty()) throw r.error("seeds", "lists no seed");
    } else {
      throw r.error("seeds", "must be a count (2: seeds 0 and 1) or a list ([1, 2, 3])");
    }
  }
  s.max_trials = r.integer(root, "trials", 1, "trials");
  s.max_total_steps = r.integer(root, "total_steps", 1, "total_steps");
  s.jobs = r.integer(root, "jobs", 1, "jobs").value_or(1);
  s.sampler_seed =
      static_cast<uint64_t>(r.integer(root, "sampler_seed", 0, "sampler_seed").value_or(0));
  s.startup_trials = r.integer(root, "startup_trials", 1, "startup_trials").value_or(10);

  if (const toml::node* settings = root.get("settings")) {
    const toml::table* t = settings->as_table();
    if (!t) throw r.error("settings", "must be a table of key = value");
    for (const auto& [k, v] : in_file_order(*t)) {
      auto value = scalar(*v);
      if (!value) throw r.error("settings." + std::string(k->str()), "must be a single value");
      s.settings.emplace_back(std::string(k->str()), rl::param_text(*value));
    }
  }
  const toml::table* params = root.get_as<toml::table>("params");
  if (!params || params->empty())
    throw Error(str(origin,
                    ": a sweep needs [params], e.g. learning_rate = { type = "
                    "\"log_uniform\", low = 1e-4, high = 1e-2 }"));
  for (const auto& [k, v] : in_file_order(*params)) {
    s.space.push_back(read_param(r, std::string(k->str()), *v));
    for (const auto& [key, value] : s.settings)
      if (key == s.space.back().name)
        throw r.error("params." + key, "is also fixed in [settings]; keep one of them");
  }
  if (s.strategy == Strategy::Grid) {
    int64_t points = 1;
    for (const SearchParam& p : s.space) {
      if (p.kind != SearchParam::Kind::Choice && p.grid_points == 0)
        throw r.error("params." + p.name,
                      "needs grid_points = N (or type = \"choice\") for "
                      "strategy = \"grid\"");
      const auto levels = p.kind == SearchParam::Kind::Choice
                              ? static_cast<int64_t>(p.choices.size())
                              : p.grid_points;
      if (__builtin_mul_overflow(points, levels, &points))
        throw r.error("params." + p.name,
                      "makes the grid larger than 2^63 points; lower grid_points or use "
                      "strategy = \"random\" or \"tpe\" with a trials budget");
    }
  }
  if (!s.max_trials && !s.max_total_steps && s.strategy != Strategy::Grid)
    throw Error(str(origin, ": a ", strategy,
                    " sweep needs a budget: trials = N and/or "
                    "total_steps = N"));

  if (const toml::node* es = root.get("early_stopping")) {
    const toml::table* t = es->as_table();
    if (!t) throw r.error("early_stopping", "must be a table");
    for (const auto& [k, v] : *t) {
      const std::string key(k.str());
      if (key != "metric" && key != "min_steps" && key != "reduction_factor")
        throw r.error("early_stopping." + key,
                      "is not a key (metric, min_steps, reduction_factor)");
    }
    s.early_stopping.enabled = true;
    s.early_stopping.metric =
        r.text(*t, "metric", s.early_stopping.metric, "early_stopping.metric");
    const auto min_steps = r.integer(*t, "min_steps", 1, "early_stopping.min_steps");
    if (!min_steps)
      throw r.error("early_stopping.min_steps", "is needed: the env steps of the first rung");
    s.early_stopping.min_steps = *min_steps;
    s.early_stopping.reduction_factor =
        r.integer(*t, "reduction_factor", 2, "early_stopping.reduction_factor").value_or(3);
  }
  return s;
}

}  // namespace rein::session
