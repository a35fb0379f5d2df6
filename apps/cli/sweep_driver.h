// The driver of `rein sweep`: asks the strategy for trials, runs each trial's seeds as `rein
// train` processes (--jobs at a time, tagged sweep:ID and trial:ID.N), stops bad trials early by
// asynchronous successive halving on an intermediate metric, and records the sweep and every
// trial in the tracker as it goes, so a driver killed at any moment resumes without losing or
// repeating a finished trial (trials left running are run again).
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
};

// Starts a new sweep from the TOML file; returns its id once it finished or was interrupted.
int64_t start_sweep(const std::string& spec_file, const SweepOptions& options,
                    const std::atomic<bool>& stop);
// Continues sweep `id_or_name` of options.db.
int64_t resume_sweep(const std::string& id_or_name, const SweepOptions& options,
                     const std::atomic<bool>& stop);

}  // namespace rein::cli
