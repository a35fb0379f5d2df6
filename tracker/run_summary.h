// What tables rank runs by ("which run is best?"): per run, the final value of a metric and the
// mean of its last N points (the training return over the last 100 episodes, as SB3's
// ep_rew_mean). One implementation behind `rein runs list` and the dashboard's runs table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tracker/types.h"

namespace rein::tracker {

// The metrics the runs table and `rein runs list` rank by (DESIGN.md's names).
inline constexpr const char* kEvalReturnKey = "eval/mean_return";
inline constexpr const char* kTrainReturnKey = "train/episode_return";
// SB3 and rein's progress line average the training return over the last 100 episodes.
inline constexpr std::size_t kRecentEpisodes = 100;

// One metric of one run, summarised. Values are read back as stored (a NaN logged stays NaN in
// `last`; `recent_mean` averages the finite ones only).
struct MetricSummary {
  std::int64_t run_id = 0;
  std::string key{};
  MetricPoint last{};             // the final point: the one logged last
  std::int64_t count = 0;         // points stored for this key
  double recent_mean = 0.0;       // mean of the last `recent_count` points by step (NaN if none)
  std::int64_t recent_count = 0;  // finite values among the last min(count, last_n) points
};

}  // namespace rein::tracker
