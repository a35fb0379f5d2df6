// Runs table filtering and sorting, selection, grouping and compare rows.
#include "apps/dashboard/view_model.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

#include "apps/dashboard/plot_math.h"

namespace rein::dashboard {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool contains_ci(const std::string& haystack, const std::string& needle_lower) {
  return lower(haystack).find(needle_lower) != std::string::npos;
}

bool is_numeric(RunColumn c) { return is_numeric_column(c); }

double numeric_value(const RunRow& r, RunColumn c) {
  switch (c) {
    case RunColumn::Seed:
      return r.seed ? static_cast<double>(*r.seed) : std::nan("");
    case RunColumn::Steps:
      return static_cast<double>(r.steps);
    case RunColumn::EvalReturn:
      return r.eval_return;
    case RunColumn::TrainReturn:
      return r.train_return;
    case RunColumn::Duration:
      return r.duration;
    case RunColumn::Start:
      return r.start_time;
    default:
      return std::nan("");
  }
}

bool parse_number(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end != s.c_str() && *end == '\0';
}

// ">x", ">=x", "<x", "<=x", "=x", "a..b"; returns false when `filter` is none of these.
bool numeric_filter(const std::string& filter, double v, bool& keep) {
  double a = 0, b = 0;
  const auto dots = filter.find("..");
  if (dots != std::string::npos && parse_number(filter.substr(0, dots), a) &&
      parse_number(filter.substr(dots + 2), b)) {
    keep = v >= a && v <= b;
    return true;
  }
  for (const char* op : {">=", "<=", ">", "<", "="}) {
    const std::string o(op);
    if (filter.rfind(o, 0) == 0 && parse_number(filter.substr(o.size()), a)) {
      keep = o == ">=" ? v >= a : o == "<=" ? v <= a : o == ">" ? v > a : o == "<" ? v < a : v == a;
      return true;
    }
  }
  return false;
}

int compare_rows(const RunRow& a, const RunRow& b, RunColumn c) {
  if (is_numeric(c) || c == RunColumn::Start) {
    const double x = numeric_value(a, c), y = numeric_value(b, c);
    if (std::isnan(x) || std::isnan(y)) return 0;  // both missing (one missing: see visible())
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (c == RunColumn::Status) {
    return static_cast<int>(a.status) - static_cast<int>(b.status);
  }
  return cell_text(a, c).compare(cell_text(b, c));
}

}  // namespace

const char* column_title(RunColumn column) {
  static const char* titles[kRunColumnCount] = {"Name",  "Experiment", "Env",      "Algorithm",
                                                "Seed",  "Status",     "Return",   "Train return",
                                                "Steps", "Start",      "Duration", "Tags"};
  return titles[static_cast<int>(column)];
}

const char* column_help(RunColumn column) {
  switch (column) {
    case RunColumn::EvalReturn:
      return "final eval/mean_return: the mean return of the deterministic evaluation episodes "
             "at the end of training (what the run reached)";
    case RunColumn::TrainReturn:
      return "mean train/episode_return over the last 100 training episodes";
    case RunColumn::Steps:
      return "largest environment step logged";
    case RunColumn::Duration:
      return "wall time, to the end or to the last sign of life";
    default:
      return "";
  }
}

bool is_numeric_column(RunColumn c) {
  return c == RunColumn::Seed || c == RunColumn::Steps || c == RunColumn::EvalReturn ||
         c == RunColumn::TrainReturn || c == RunColumn::Duration;
}

std::string cell_text(const RunRow& r, RunColumn column) {
  char buf[64];
  switch (column) {
    case RunColumn::Name:
      return r.name;
    case RunColumn::Experiment:
      return r.experiment;
    case RunColumn::Env:
      return r.env;
    case RunColumn::Algorithm:
      return r.algorithm;
    case RunColumn::Seed:
      return r.seed ? std::to_string(*r.seed) : "";
    case RunColumn::Status:
      return tracker::to_string(r.status);
    case RunColumn::Steps:
      return std::to_string(r.steps);
    case RunColumn::EvalReturn:
    case RunColumn::TrainReturn: {
      const double v = column == RunColumn::EvalReturn ? r.eval_return : r.train_return;
      if (std::isnan(v)) return "";
      std::snprintf(buf, sizeof buf, "%.2f", v);
      return buf;
    }
    case RunColumn::Start:
      return format_clock(r.start_time, true);
    case RunColumn::Duration:
      return tracker::format_duration(r.duration);
    case RunColumn::Tags:
      return r.tags;
  }
  return "";
}

std::string run_value(const RunRow& r, const std::string& key) {
  if (key == "algorithm") return r.algorithm;
  if (key == "env") return r.env;
  if (key == "experiment") return r.experiment;
  if (key == "seed" && r.seed) return std::to_string(*r.seed);
  for (const auto& [k, v] : r.params) {
    if (k == key) return v;
  }
  return "";
}

void RunTable::set_rows(std::vector<RunRow> rows) {
  rows_ = std::move(rows);
  dirty_ = true;
}

const RunRow* RunTable::find(std::int64_t id) const {
  for (const RunRow& r : rows_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

void RunTable::set_filter(const std::string& text) {
  if (text == filter_) return;
  filter_ = text;
  dirty_ = true;
}

void RunTable::set_column_filter(RunColumn column, const std::string& text) {
  auto& f = column_filters_[static_cast<std::size_t>(column)];
  if (f == text) return;
  f = text;
  dirty_ = true;
}

const std::string& RunTable::column_filter(RunColumn column) const {
  return column_filters_[static_cast<std::size_t>(column)];
}

void RunTable::set_sort(std::vector<SortSpec> specs) {
  bool same = specs.size() == sort_.size();
  for (std::size_t i = 0; same && i < specs.size(); ++i) {
    same = specs[i].column == sort_[i].column && specs[i].descending == sort_[i].descending;
  }
  if (same) return;
  sort_ = std::move(specs);
  dirty_ = true;
}

bool RunTable::matches(const RunRow& r) const {
  std::istringstream terms(lower(filter_));
  std::string term;
  while (terms >> term) {
    const bool negate = term.size() > 1 && term[0] == '-';
    if (negate) term = term.substr(1);
    bool hit = false;
    for (RunColumn c : {RunColumn::Name, RunColumn::Experiment, RunColumn::Env,
                        RunColumn::Algorithm, RunColumn::Status, RunColumn::Tags}) {
      hit = hit || contains_ci(cell_text(r, c), term);
    }
    for (const auto& [k, v] : r.params) hit = hit || contains_ci(k + "=" + v, term);
    if (hit == negate) return false;
  }
  for (int i = 0; i < kRunColumnCount; ++i) {
    const std::string& f = column_filters_[static_cast<std::size_t>(i)];
    if (f.empty()) continue;
    const auto c = static_cast<RunColumn>(i);
    bool keep = false;
    if (is_numeric(c) && numeric_filter(f, numeric_value(r, c), keep)) {
      if (!keep) return false;
    } else if (!contains_ci(cell_text(r, c), lower(f))) {
      return false;
    }
  }
  return true;
}

const std::vector<std::size_t>& RunTable::visible() {
  if (!dirty_) return visible_;
  visible_.clear();
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    if (matches(rows_[i])) visible_.push_back(i);
  }
  std::stable_sort(visible_.begin(), visible_.end(), [&](std::size_t a, std::size_t b) {
    for (const SortSpec& s : sort_) {
      // Missing values (no seed, no return yet) go last in either direction.
      const bool ma = std::isnan(numeric_value(rows_[a], s.column));
      const bool mb = std::isnan(numeric_value(rows_[b], s.column));
      if (is_numeric(s.column) && ma != mb) return mb;
      const int c = compare_rows(rows_[a], rows_[b], s.column);
      if (c != 0) return s.descending ? c > 0 : c < 0;
    }
    return rows_[a].id < rows_[b].id;
  });
  dirty_ = false;
  return visible_;
}

void Selection::click(std::int64_t id, bool ctrl, bool shift,
                      const std::vector<std::int64_t>& order) {
  if (shift && anchor_ >= 0) {
    const auto a = std::find(order.begin(), order.end(), anchor_);
    const auto b = std::find(order.begin(), order.end(), id);
    if (a != order.end() && b != order.end()) {
      if (!ctrl) ids_.clear();
      for (auto it = std::min(a, b); it <= std::max(a, b); ++it) ids_.insert(*it);
      return;  // the anchor stays, so shift-clicks extend from the same row
    }
  }
  if (ctrl) {
    if (!ids_.erase(id)) ids_.insert(id);
  } else {
    ids_ = {id};
  }
  anchor_ = id;
}

void Selection::set(std::vector<std::int64_t> ids) {
  ids_ = std::set<std::int64_t>(ids.begin(), ids.end());
  anchor_ = ids.empty() ? -1 : ids.back();
}

std::vector<std::int64_t> Selection::ordered(const std::vector<std::int64_t>& order) const {
  std::vector<std::int64_t> out;
  std::set<std::int64_t> seen;
  for (std::int64_t id : order) {
    if (ids_.count(id) && seen.insert(id).second) out.push_back(id);
  }
  for (std::int64_t id : ids_) {
    if (!seen.count(id)) out.push_back(id);
  }
  return out;
}

namespace {

// Run fields read as bare values ("ppo"), params as "key=value".
bool is_run_field(const std::string& key) {
  return key == "algorithm" || key == "env" || key == "experiment";
}

std::string label_part(const std::string& key, const std::string& value) {
  return is_run_field(key) ? value : key + "=" + value;
}

// Labels for groups whose first runs are `first`, from `keys`: see group_runs().
std::vector<std::string> distinguishing_labels(const std::vector<const RunRow*>& first,
                                               const std::vector<std::string>& keys,
                                               const std::vector<std::string>& fallback_keys) {
  std::vector<std::vector<std::string>> values;  // [key][group]
  std::vector<bool> differs, presence_differs;
  for (const std::string& k : keys) {
    std::vector<std::string> v;
    std::set<std::string> present;
    for (const RunRow* r : first) {
      v.push_back(run_value(*r, k));
      if (!v.back().empty()) present.insert(v.back());
    }
    differs.push_back(present.size() >= 2);
    presence_differs.push_back(present.size() == 1 &&
                               std::any_of(v.begin(), v.end(), [](auto& x) { return x.empty(); }));
    values.push_back(std::move(v));
  }
  auto build = [&](bool with_presence) {
    std::vector<std::string> labels(first.size());
    for (std::size_t g = 0; g < first.size(); ++g) {
      for (std::size_t k = 0; k < keys.size(); ++k) {
        const std::string& v = values[k][g];
        if (v.empty() || !(differs[k] || (with_presence && presence_differs[k]))) continue;
        if (!labels[g].empty()) labels[g] += ' ';
        labels[g] += label_part(keys[k], v);
      }
    }
    return labels;
  };
  std::vector<std::string> labels = build(false);
  if (std::set<std::string>(labels.begin(), labels.end()).size() < labels.size()) {
    labels = build(true);
  }
  for (std::size_t g = 0; g < first.size(); ++g) {
    if (!labels[g].empty()) continue;
    for (const std::string& key : fallback_keys) {  // nothing differs: say what it is
      const std::string v = run_value(*first[g], key);
      if (v.empty()) continue;
      if (!labels[g].empty()) labels[g] += ' ';
      labels[g] += label_part(key, v);
    }
  }
  return labels;
}

std::vector<std::string> split_keys(const std::string& by) {
  std::vector<std::string> keys;
  std::size_t pos = 0;
  while (pos <= by.size()) {
    const std::size_t plus = std::min(by.find('+', pos), by.size());
    if (plus > pos) keys.push_back(by.substr(pos, plus - pos));
    pos = plus + 1;
  }
  return keys;
}

}  // namespace

std::string cap_label(const std::string& text, std::size_t max_chars) {
  std::size_t chars = 0, cut = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // UTF-8 continuation
    if (chars == max_chars - std::min<std::size_t>(max_chars, 3)) cut = i;
    if (++chars > max_chars) return text.substr(0, cut) + "...";
  }
  return text;
}

std::vector<RunGroup> group_runs(const std::vector<const RunRow*>& runs, const std::string& by) {
  std::vector<RunGroup> groups;
  if (by == "none") {
    for (const RunRow* r : runs) groups.push_back({cap_label(r->name), r->name, {r->id}});
    return groups;
  }
  const bool seeds = by.empty() || by == "seed";
  const std::vector<std::string> by_keys = split_keys(by);
  const bool several = by.find('+') != std::string::npos;
  auto key_of = [&](const RunRow& r) {
    if (seeds) return tracker::seed_group_key(r.experiment, r.algorithm, r.env, r.params);
    std::string k;
    for (const std::string& key : by_keys) k += run_value(r, key) + '\x1f';
    return k;
  };
  std::map<std::string, std::size_t> index;
  std::vector<const RunRow*> first;  // first run of each group, for labels
  std::vector<std::string> labels;
  for (const RunRow* r : runs) {
    const std::string k = key_of(*r);
    auto [it, fresh] = index.emplace(k, groups.size());
    if (fresh) {
      groups.push_back({});
      first.push_back(r);
      const std::string v = run_value(*r, by);
      labels.push_back(label_part(by, v.empty() ? "(none)" : v));
    }
    groups[it->second].run_ids.push_back(r->id);
  }
  if (seeds || several) {
    std::vector<std::string> keys = by_keys;
    if (seeds) {
      keys.clear();
      for (const CompareRow& row : compare_params(first)) {
        if (row.key != "seed") keys.push_back(row.key);
      }
    }
    labels = distinguishing_labels(first, keys,
                                   seeds ? std::vector<std::string>{"algorithm", "env"} : by_keys);
  }
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::size_t n = groups[g].run_ids.size();
    const std::string suffix = n > 1 ? " (" + std::to_string(n) + " runs)" : "";
    groups[g].label = cap_label(labels[g]) + suffix;
    groups[g].full_label = labels[g] + suffix;
  }
  return groups;
}

std::vector<CompareRow> compare_params(const std::vector<const RunRow*>& runs) {
  std::vector<std::string> keys = {"algorithm", "env", "experiment", "seed"};
  std::set<std::string> param_keys;
  for (const RunRow* r : runs) {
    for (const auto& [k, v] : r->params) param_keys.insert(k);
  }
  for (const std::string& k : param_keys) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  }
  std::vector<CompareRow> rows;
  for (const std::string& k : keys) {
    CompareRow row{k, {}, false};
    for (const RunRow* r : runs) row.values.push_back(run_value(*r, k));
    for (const std::string& v : row.values) row.differs = row.differs || v != row.values[0];
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace rein::dashboard
