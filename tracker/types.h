// Plain value types shared by the tracker's writer (RunWriter) and reader (Store): runs, typed
// params, metric points and series, filters, groups and watch cursors. All are cheap to copy.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace rein::tracker {

// A run still marked running whose writer has not written a heartbeat for this long is reported
// as Crashed by every reader. The writer thread refreshes the heartbeat every
// kHeartbeatIntervalSeconds (and on every flush), so 30 s leaves room for a stalled disk.
inline constexpr double kCrashedAfterSeconds = 30.0;
inline constexpr double kHeartbeatIntervalSeconds = 5.0;

// The on-disk schema this build writes (docs/TRACKER.md). Older files are migrated forward on
// open; newer ones are refused with a clear error.
inline constexpr int kSchemaVersion = 3;

// Running and the three end states are stored; Crashed is derived on read (status running and a
// stale heartbeat, or a writer process on this host that no longer exists).
// How a Store or SweepStore opens its database.
enum class OpenMode {
  ReadWrite,  // create the file and schema if missing, migrate an older schema forward
  // Writes to a database that must already be there (editing runs, resuming or working on a
  // sweep): fails, creating nothing, on a missing file, an empty one, or a PostgreSQL database
  // without rein's tables; migrates an older schema forward like ReadWrite.
  Existing,
  ReadOnly,  // never writes (a read-only file or directory still reads); fails if missing
};

enum class RunStatus { Running, Finished, Failed, Interrupted, Crashed };

// "running", "finished", "failed", "interrupted", "crashed".
const char* to_string(RunStatus status);
// Inverse of to_string; throws Error naming the valid spellings.
RunStatus parse_run_status(const std::string& text);

// A typed hyperparameter value. Stored with its type, so 3 (int) and 3.0 (float) read back as
// they were written. Integers and floats compare equal in filters when numerically equal.
using ParamValue = std::variant<bool, std::int64_t, double, std::string>;

// "true"/"false" -> bool, "12" -> int, "1e-3" -> double, anything else -> string. Used by the CLI
// for --param key=value filters and by config loaders.
ParamValue parse_param_value(const std::string& text);
// Shortest text that parses back to the same value ("0.001", "true", "64", "relu").
std::string format_param_value(const ParamValue& value);

struct Param {
  std::string key{};
  ParamValue value{};
};

// What the training loop knows when it starts a run (RunWriter's constructor stores it).
struct RunSpec {
  std::string experiment = "default";  // group of related runs; created on first use
  std::string name{};       // human-friendly; empty: generated "<algo>-<env>-s<seed>-<id>"
  std::string algorithm{};  // "ppo", "dqn", ...
  std::string env{};        // "CartPole-v1", ...
  std::optional<std::int64_t> seed{};
  std::string command{};       // the command line that started the run, for reproduction
  std::string rein_version{};  // the app passes REIN_VERSION (the tracker does not know it)
  std::vector<Param> params{};
  std::vector<std::string> tags{};
};

// One run as readers see it. Times are seconds since the Unix epoch (UTC).
struct RunInfo {
  std::int64_t id = 0;
  std::string name{};
  std::string experiment{};
  std::string algorithm{};
  std::string env{};
  std::optional<std::int64_t> seed{};
  RunStatus status = RunStatus::Running;  // Crashed already derived
  std::string error{};                    // message of a Failed run, else empty
  double start_time = 0;
  std::optional<double> end_time{};  // set once the run left Running
  double heartbeat = 0;              // last time the writer said it was alive
  std::string command{};
  std::string host{};
  std::int64_t pid = 0;  // writer process id on `host`
  std::string rein_version{};
  std::string summary{};            // free-form text the app stores at the end (JSON by convention)
  std::vector<std::string> tags{};  // sorted
};

// A file a run produced: checkpoint, config, video ... `path` is as the writer gave it
// (relative paths are relative to the writer's working directory).
struct Artifact {
  std::int64_t id = 0;
  std::optional<std::int64_t> run_id;  // nullopt once its run was removed (then `gc` drops it)
  std::string kind{};                  // "checkpoint", "config", "file", ...
  std::string path{};
  std::optional<std::int64_t> step{};
  double created = 0;
};

// What Store::gc() dropped (or would drop).
struct GcResult {
  std::vector<Artifact> artifacts;         // rows dropped: run removed, or file missing
  std::vector<std::string> deleted_files;  // files of removed runs, in their checkpoint folder
  std::vector<std::string> kept_files;     // files of removed runs outside it: left alone
  std::int64_t orphan_rows = 0;            // metric, series, param and tag rows without a run
};

// One logged value. `step` is the global environment step (DESIGN.md: the x-axis of every
// metric); `wall_time` is seconds since the epoch when log() was called.
struct MetricPoint {
  std::int64_t step = 0;
  double wall_time = 0;
  double value = 0;
};

// The points of one metric of one run, in step order (ties in logging order).
struct Series {
  std::int64_t run_id = 0;
  std::string key{};              // metric name, e.g. "train/episode_return"
  std::int64_t total_points = 0;  // points stored for this key (before downsampling)
  bool downsampled = false;       // true when `points` is a min/max reduction of the stored ones
  std::vector<MetricPoint> points{};
};

struct SeriesOptions {
  // At most this many points come back (0: all). Downsampling keeps, per bucket of steps, the
  // point with the smallest and the one with the largest value, so spikes survive.
  std::size_t max_points = 2000;
  std::optional<std::int64_t> min_step{};  // inclusive range, for zooming
  std::optional<std::int64_t> max_step{};
};

// The last logged value of one key of one run, with how many points it has.
struct LatestValue {
  std::int64_t run_id = 0;
  std::string key{};
  MetricPoint point{};
  std::int64_t count = 0;
};

// Conditions are ANDed; an unset field does not filter.
struct RunFilter {
  std::optional<std::string> experiment{};
  std::optional<std::string> env{};
  std::optional<std::string> algorithm{};
  std::optional<RunStatus> status{};  // Crashed and Running are told apart as readers see them
  std::optional<std::string> tag{};
  std::vector<Param> params{};  // every listed param must equal the given value
  std::optional<std::string> name_contains{};
  std::size_t limit = 0;  // 0: no limit; newest runs first
};

struct GroupOptions {
  // Runs with the same value of this param (or of the run fields "algorithm", "env",
  // "experiment") form a group. Empty: runs whose experiment, algorithm, env and params agree
  // on everything except "seed" form a group, i.e. the seeds of one configuration.
  std::string by{};
  std::size_t max_points = 200;  // resolution of the common step grid
};

// Mean and standard deviation (population, over runs) of one metric across a group's runs, on a
// common grid of steps. Each run contributes its last value at or before the grid step; a grid
// step past a run's last point is left out, so `steps` ends at the shortest run's end.
struct GroupSeries {
  std::string label{};  // "lr=0.001", or the differing params for seed groups
  std::vector<std::int64_t> run_ids{};
  std::string key{};
  std::vector<std::int64_t> steps{};
  std::vector<double> mean{};
  std::vector<double> std{};
  // Final value of each run (in run_ids order) and their mean and std: what `compare` prints.
  std::vector<double> finals{};
  double final_mean = 0;
  double final_std = 0;
};

// Where a live reader left off. Start from a default cursor (sees everything) or from
// Store::watch_cursor() (sees only what arrives afterwards).
struct WatchCursor {
  std::int64_t metric_seq = 0;  // last metric row seen
  std::int64_t run_id = 0;      // last run id seen
};

struct WatchUpdate {
  struct Point {
    std::int64_t run_id = 0;
    std::string key{};
    MetricPoint point{};
  };
  std::vector<Point> points{};           // in arrival order
  std::vector<std::int64_t> new_runs{};  // runs created since the cursor
  WatchCursor cursor{};                  // pass to the next watch()
};

}  // namespace rein::tracker
