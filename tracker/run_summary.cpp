// Store::summaries: final values and last-N means of a metric per run, for tables ranking runs.
#include "tracker/run_summary.h"

#include <cmath>
#include <limits>

#include "tracker/internal/store_impl.h"
#include "tracker/store.h"

namespace rein::tracker {

using internal::Stmt;

std::vector<MetricSummary> Store::summaries(const std::vector<std::int64_t>& run_ids,
                                            const std::string& key, std::size_t last_n) {
  std::vector<MetricSummary> out;
  const std::optional<std::int64_t> key_id = impl_->key_id(key);
  if (!key_id) return out;
  internal::Db& db = impl_->db;
  // The final point is the series' last logged one (as latest() reads it); the recent points
  // are the last by step, ties in logging order, read backwards through metrics_by_series.
  Stmt last(db,
            "SELECT last_step, last_wall_time, last_value, count FROM metric_series "
            "WHERE run_id = ? AND key_id = ?");
  Stmt recent(db,
              "SELECT value FROM metrics WHERE run_id = ? AND key_id = ? "
              "ORDER BY step DESC, rowid DESC LIMIT ?");
  const auto limit = static_cast<std::int64_t>(std::min<std::size_t>(
      last_n, static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())));
  internal::ReadSnapshot snapshot(db);  // the final point and the recent ones agree
  {
    for (std::int64_t run_id : run_ids) {
      last.bind(1, run_id).bind(2, *key_id);
      if (!last.step()) {
        last.reset();
        continue;
      }
      MetricSummary m;
      m.run_id = run_id;
      m.key = key;
      m.last = MetricPoint{last.int64(0), last.real(1), last.real(2)};
      m.count = last.int64(3);
      last.reset();
      double sum = 0.0;
      if (limit > 0) {
        recent.bind(1, run_id).bind(2, *key_id).bind(3, limit);
        while (recent.step()) {
          const double v = recent.real(0);
          if (!std::isfinite(v)) continue;
          sum += v;
          ++m.recent_count;
        }
        recent.reset();
      }
      m.recent_mean = m.recent_count > 0 ? sum / static_cast<double>(m.recent_count) : std::nan("");
      out.push_back(std::move(m));
    }
  }
  snapshot.end();
  return out;
}

}  // namespace rein::tracker
