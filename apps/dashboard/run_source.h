// The dashboard's view of the tracker database: the runs table rows, and metric series loaded on
// demand (downsampled by the tracker, extremes kept) then kept current from the tracker's watch
// cursor, so live points are appended without reloading what is already drawn.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "apps/dashboard/series.h"
#include "apps/dashboard/view_model.h"
#include "tracker/store.h"

namespace rein::dashboard {

// A cached series; `generation` changes when it was reloaded (drawn copies must rebuild), while
// live points only make data.size() grow.
struct SeriesEntry {
  SeriesData data;
  std::uint64_t generation = 0;
  std::int64_t total_points = 0;  // stored in the database, before downsampling
  std::size_t appended = 0;       // live points appended since the last load
  bool coarse = false;            // a quick first load from chunk summaries; refine() replaces it
};

// The run fields and params shown in the table, from the tracker's records; `steps` from
// `latest`. The returns are left NaN: RunSource fills them from Store::summaries().
RunRow make_row(const tracker::RunInfo& info, const std::vector<tracker::Param>& params,
                const std::vector<tracker::LatestValue>& latest, double now);

// Not thread-safe: one thread (the GUI's) at a time, like the Store it holds.
class RunSource {
 public:
  // Opens `db_path` read-only. Throws tracker::Error if it is missing or not a rein database.
  // `max_points`: the resolution series are loaded at (the tracker keeps each bucket's extremes).
  explicit RunSource(const std::string& db_path, std::size_t max_points = 4000);

  const std::string& path() const { return path_; }
  // The table rows, newest first. Re-read by refresh_rows().
  const std::vector<RunRow>& rows() const { return rows_; }
  void refresh_rows();

  // Metric names logged by any of the runs, sorted.
  std::vector<std::string> metric_keys(const std::vector<std::int64_t>& run_ids);
  // Loads the series of `key` for those runs not cached yet. With progressive loading on, a
  // series the tracker would have to read point by point (more than kQuickLoadPoints, too few
  // chunk summaries for max_points) is first loaded from its chunk summaries alone (2 points per
  // 256) and marked coarse, so selecting 100 long runs draws at once; refine() then reloads it.
  void load(const std::vector<std::int64_t>& run_ids, const std::string& key);
  static constexpr std::int64_t kQuickLoadPoints = 32768;
  void set_progressive(bool on) { progressive_ = on; }
  // Reloads coarse series at full resolution until about `budget_s` seconds were spent (at least
  // one series). Returns true if any series changed.
  bool refine(double budget_s);
  bool refining() const;
  // The cached series, or nullptr if not loaded or the run never logged `key`.
  const SeriesEntry* series(std::int64_t run_id, const std::string& key) const;

  // Appends points that arrived since the last poll to the cached series, and reloads the rows
  // when runs appeared or when `rows_every_s` passed (statuses change without new points, e.g.
  // a run read as crashed; 8x less often when no run is running). Returns true if anything the
  // dashboard shows may have changed.
  bool poll(double now, double rows_every_s = 2.0);

  tracker::Store& store() { return *store_; }

 private:
  std::string path_;
  std::size_t max_points_;
  bool progressive_ = true;
  std::unique_ptr<tracker::Store> store_;
  tracker::WatchCursor cursor_;
  std::vector<RunRow> rows_;
  // Returns of each run (tracker::Store::summaries), re-read only when the run's number of
  // return points changed: a last-100 mean reads 100 points, too many to redo every refresh.
  struct Returns {
    std::int64_t points = -1;  // eval + train points when read
    double eval = 0.0, train = 0.0;
  };
  std::map<std::int64_t, Returns> returns_;
  double rows_loaded_at_ = 0.0;
  std::uint64_t next_generation_ = 1;
  std::map<std::pair<std::int64_t, std::string>, SeriesEntry> cache_;
  std::map<std::pair<std::int64_t, std::string>, bool> missing_;  // run lacks the key
};

}  // namespace rein::dashboard
