// `rein train ... --seeds 1-10 --jobs N`: one `rein train` process per seed, N at a time, each
// its own run tagged group:ID; one combined progress display read from the tracker, and a table
// of the seeds with the mean and std of their final evaluation at the end.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace rein::cli {

// "1-10", "1,3,5", "0-4,10" -> the seeds in order. Throws rein::Error on anything else, on a
// descending range and on a seed listed twice.
std::vector<int64_t> parse_seed_list(const std::string& text);

// This process's arguments (argv[0] excluded) without the options that differ per seed or that
// only the parent reads (--seeds, --jobs, --seed, --group, --name, --no-progress).
std::vector<std::string> seed_child_arguments();

struct SeedsJob {
  std::vector<int64_t> seeds;
  int64_t jobs = 1;
  std::string group;  // the runs are tagged group:<group>
  std::string name;   // --name: each run is named <name>-s<seed>
  std::string db;
  bool progress = true;
  std::vector<std::string> child_args;  // common to every seed (seed_child_arguments())
};

// Runs the seeds; `stop` (set by Ctrl-C) interrupts the running ones and starts no more. Prints
// the summary table; throws rein::Error when any seed failed.
void run_seeds(const SeedsJob& job, const std::atomic<bool>& stop);

}  // namespace rein::cli
