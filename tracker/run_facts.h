// Facts about runs that every reader computes the same way: how long a run took and how that
// reads, which runs are seeds of one configuration, mean and std over runs, and a run as JSON. The
// CLI, the dashboard and scripts all call these, so `rein runs list`, the dashboard's table and
// `--json` output never disagree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracker/store.h"
#include "tracker/types.h"

namespace rein::tracker {

// Seconds from the run's start to its end; while it runs, to `now` (or its heartbeat if later);
// for a crashed run, to its last heartbeat. Never negative. `now` is seconds since the epoch.
double run_duration_seconds(const RunInfo& run, double now);

// "45s", "12m 05s", "3h 07m", "2d 04h" (rounded to the second; "-" prefix when negative,
// "?" when not finite).
std::string format_duration(double seconds);

struct MeanStd {
  double mean = 0.0;
  double std = 0.0;  // population std (over runs, as `rein runs compare` reports it)
  std::size_t count = 0;
};
// Over the finite values only; mean and std are NaN when there are none.
MeanStd mean_std(const std::vector<double>& values);

// A param as text (format_param_value), in any order.
using ParamText = std::pair<std::string, std::string>;

// Runs with equal keys are the seeds of one configuration: experiment, algorithm, env and every
// param except "seed" agree. The key is opaque (compare it, do not show it).
std::string seed_group_key(std::string_view experiment, std::string_view algorithm,
                           std::string_view env, std::vector<ParamText> params);

// What run_json includes besides the run's own fields (id, name, experiment, algorithm, env,
// seed, status, error, start_time, end_time, duration_seconds, tags, host, pid, command,
// rein_version, summary).
struct RunJsonParts {
  bool params = true;          // "params": {key: typed value}
  bool final_metrics = false;  // "final": {key: {"step", "value", "points"}}
  bool artifacts = false;      // "artifacts": [{"kind", "path", "step"}]
  bool all_metrics = false;    // "metrics": {key: [[step, wall_time, value], ...]}, every point
  std::vector<std::string> metric_keys{};  // only these metrics (empty: all) in final/metrics
};

// One run as a JSON object, the shape every `--json` output and the JSON export share
// (docs/TRACKER.md). "summary" is the object the trainer stored (null when none; a summary
// that is not JSON comes out as a string). NaN and infinities become null. `now` is as for
// run_duration_seconds. Throws Error when the run does not exist.
std::string run_json(Store& store, std::int64_t run_id, const RunJsonParts& parts, double now);

// Seconds since the epoch, as the tracker timestamps rows.
double now_seconds();

}  // namespace rein::tracker
