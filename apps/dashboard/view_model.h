// The dashboard's view logic without a window: the runs table (rows, text and per-column
// filters, multi-key sort, selection), grouping runs by a param, and the compare panel's rows.
// The GUI only draws what these compute.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tracker/run_facts.h"
#include "tracker/types.h"

namespace rein::dashboard {

// One run as the table shows it.
struct RunRow {
  std::int64_t id = 0;
  std::string name, experiment, env, algorithm;
  std::optional<std::int64_t> seed;
  tracker::RunStatus status = tracker::RunStatus::Running;
  std::string error;          // message of a failed run
  std::int64_t steps = 0;     // largest step logged so far
  double eval_return = 0.0;   // final eval/mean_return: what the run reached (NaN if none)
  double train_return = 0.0;  // mean train/episode_return of the last 100 episodes (NaN if none)
  double start_time = 0.0;    // seconds since the epoch
  double duration = 0.0;      // seconds, to the end (or the last heartbeat while running)
  std::string tags;           // comma-separated
  std::vector<std::pair<std::string, std::string>> params;  // key -> formatted value, by key
};

enum class RunColumn {
  Name,
  Experiment,
  Env,
  Algorithm,
  Seed,
  Status,
  EvalReturn,  // beside the run's identity: what "which run is best?" reads first
  TrainReturn,
  Steps,
  Start,
  Duration,
  Tags,
};
inline constexpr int kRunColumnCount = 12;

const char* column_title(RunColumn column);
// What a column shows, for its header's tooltip.
const char* column_help(RunColumn column);
// Columns holding numbers (seed, steps, returns, duration): filtered with ">x", "a..b".
bool is_numeric_column(RunColumn column);
// Display text of one cell ("" for a missing seed or return).
std::string cell_text(const RunRow& row, RunColumn column);
// A param or run field by name ("algorithm", "env", "experiment", "seed", or a param key);
// empty when the run has none.
std::string run_value(const RunRow& row, const std::string& key);

struct SortSpec {
  RunColumn column = RunColumn::Start;
  bool descending = true;
};

// The table's rows, filtered and sorted. Filters: the text filter keeps rows that match every
// space-separated term (case-insensitive, in any text column or "key=value" param; "-term"
// excludes). A column filter on a numeric column (seed, steps, returns, duration) takes
// ">x", ">=x", "<x", "<=x", "=x" or "a..b"; any other filter is a substring of the cell text.
// visible() recomputes only after something changed, so calling it every frame is free.
class RunTable {
 public:
  void set_rows(std::vector<RunRow> rows);
  const std::vector<RunRow>& rows() const { return rows_; }
  const RunRow* find(std::int64_t id) const;

  void set_filter(const std::string& text);
  void set_column_filter(RunColumn column, const std::string& text);
  const std::string& column_filter(RunColumn column) const;
  void set_sort(std::vector<SortSpec> specs);

  // Indices into rows(), in display order.
  const std::vector<std::size_t>& visible();

 private:
  bool matches(const RunRow& row) const;

  std::vector<RunRow> rows_;
  std::string filter_;
  std::vector<std::string> column_filters_ = std::vector<std::string>(kRunColumnCount);
  std::vector<SortSpec> sort_{SortSpec{}};
  std::vector<std::size_t> visible_;
  bool dirty_ = true;
};

// Multi-selection of runs by id with the usual modifiers: click selects one, ctrl-click toggles,
// shift-click selects the range from the last clicked row in the current display order.
class Selection {
 public:
  void click(std::int64_t id, bool ctrl, bool shift, const std::vector<std::int64_t>& order);
  void set(std::vector<std::int64_t> ids);
  void clear() { ids_.clear(); }
  bool contains(std::int64_t id) const { return ids_.count(id) > 0; }
  const std::set<std::int64_t>& ids() const { return ids_; }
  // Selected ids in `order` (the display order), then any not displayed, ascending.
  std::vector<std::int64_t> ordered(const std::vector<std::int64_t>& order) const;

 private:
  std::set<std::int64_t> ids_;
  std::int64_t anchor_ = -1;
};

// A set of runs drawn as one line (mean with a band when it has several runs).
struct RunGroup {
  std::string label;       // at most kLabelChars (+ " (N runs)"): legends and the compare panel
  std::string full_label;  // uncut, shown on hover
  std::vector<std::int64_t> run_ids;
};

// Labels longer than this are cut with "..." (the full text is shown on hover).
inline constexpr std::size_t kLabelChars = 40;
// The default grouping: the seeds of every algorithm on every env pooled into one line.
inline constexpr const char* kDefaultGroupBy = "algorithm+env";

// Groups `runs` (in the given order; groups appear in order of their first run).
//   by == "none": every run alone, labelled with its name.
//   by == "seed" or "": the seeds of one configuration, i.e. runs whose experiment, algorithm,
//     env and params agree except "seed".
//   "k1+k2+...": runs with the same run_value() of every key (kDefaultGroupBy).
//   otherwise: runs with the same run_value(by); labelled "by=value".
// Labels of "seed" and "k1+k2" groups name only what tells the groups apart: the keys with at
// least two different values among the groups, where this group has a value (algorithm, env
// and experiment as bare values, params as key=value; a key some groups lack is added only when
// labels would otherwise collide); with nothing differing, the group's values of the keys.
std::vector<RunGroup> group_runs(const std::vector<const RunRow*>& runs, const std::string& by);
// `text` cut to `max_chars` characters with "..." at the end (UTF-8 sequences are kept whole).
std::string cap_label(const std::string& text, std::size_t max_chars = kLabelChars);

// One hyperparameter across the selected runs (compare panel).
struct CompareRow {
  std::string key;
  std::vector<std::string> values;  // one per run, "" where the run lacks it
  bool differs = false;
};
// The run fields (algorithm, env, experiment, seed) then every param key, sorted.
std::vector<CompareRow> compare_params(const std::vector<const RunRow*>& runs);

// Over the finite values only; the tracker's, so the dashboard and `rein runs compare` agree.
using tracker::mean_std;
using tracker::MeanStd;

}  // namespace rein::dashboard
