// The driver of `rein sweep`: asks the strategy for trials, runs each trial's seeds as `rein
// train` processes (--jobs at a time, tagged sweep:ID and trial:ID.N), stops bad trials early by
// asynchronous successive halving on an intermediate metric, and records the sweep and every
// trial in the tracker as it goes, so a driver killed at any moment resumes without losing or
// repeating a finished trial (trials left running are run again). A driver holds its trials
// under leases as workers do, so it may run beside workers without running their trials.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace rein::cli {

struct SweepOptions {
  std::string db;
  std::optional<int64_t> jobs;  // overrides the spec's
  bool verbose = true;          // a line per trial started
  bool progress = true;         // the live block: trials, best value, running trials' steps
  // Worker mode (rein sweep worker): trials are taken from the database under leases of this
  // length, renewed while the trial runs, so workers on other machines share the sweep and a
  // killed worker's trial is run again by another once its lease expires.
  bool worker = false;
  double lease_seconds = 60;
  bool create_only = false;  // start_sweep records the sweep and returns (workers run it)
};

// Starts a new sweep from the TOML file; returns its id once it finished or was interrupted.
int64_t start_sweep(const std::string& spec_file, const SweepOptions& options,
                    const std::atomic<bool>& stop);
// Continues sweep `id_or_name` of options.db.
int64_t resume_sweep(const std::string& id_or_name, const SweepOptions& options,
                     const std::atomic<bool>& stop);
// Works on sweep `id_or_name` as one of any number of workers (options.worker is set): takes
// trials under leases until the sweep's budget is spent and no other worker holds a trial.
int64_t work_on_sweep(const std::string& id_or_name, SweepOptions options,
                      const std::atomic<bool>& stop);

}  // namespace rein::cli
