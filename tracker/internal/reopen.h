// Reopening a run for writing (rein train --resume): the database side. Marks the run running
// again under this process, drops the points logged after the step training resumes from, and
// reads back what the writer needs to keep appending to each series (counts, last point, the
// unfinished chunk of the chunk summaries).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tracker/internal/db.h"
#include "tracker/types.h"

namespace rein::tracker::internal {

// One stored point as the writer keeps it.
struct StoredPoint {
  std::int64_t step = 0;
  double wall_time = 0;
  double value = 0;
};

// What is left of one series of the run after the truncation.
struct ReopenedSeries {
  std::string name;
  std::int64_t key_id = 0;
  std::int64_t count = 0;  // 0: every point was dropped (its metric_series row too)
  std::int64_t first_step = 0;
  StoredPoint last;  // last point in logging order (valid when count > 0)
  bool monotonic = true;
  std::int64_t chunk_seq = 0;       // seq of the next chunk row to write
  std::vector<StoredPoint> tail{};  // points after the last whole chunk (< kChunkPoints)
};

struct ReopenedRun {
  std::string name;
  std::int64_t dropped_points = 0;
  std::vector<ReopenedSeries> series;
};

// In one write transaction: checks that the run exists and that no live writer holds it
// (a run that reads as running, not crashed, is refused), deletes its points with
// step > truncate_after_step (all kept when nullopt) with the chunk summaries that covered them,
// rewrites each series' metric_series row, and sets the run back to running under this host
// and pid (end time and error cleared, heartbeat now). Params, tags, artifacts and the summary
// are kept. Throws Error naming the run on any of these failures.
ReopenedRun reopen_run(Db& db, std::int64_t run_id, std::optional<std::int64_t> truncate_after_step,
                       double crashed_after_seconds);

}  // namespace rein::tracker::internal
