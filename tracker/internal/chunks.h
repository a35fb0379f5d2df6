// The per-chunk summaries the writer stores beside raw metric points (table metric_chunks):
// every kChunkPoints consecutive points of one series get one row with their step range and
// their min and max points, so downsampling a long series reads ~count/kChunkPoints rows.
#pragma once

#include <cstdint>

namespace rein::tracker::internal {

// 256: a 1M-point series has 3,906 chunk rows (a 2,000-point plot needs >= 1,000 buckets), and
// a 10M one 39,063; the extra rows cost about 0.4% of the insert work.
inline constexpr std::int64_t kChunkPoints = 256;

}  // namespace rein::tracker::internal
