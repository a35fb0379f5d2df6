// reopen_run(): a run taken back for writing, with the points past the resume step dropped.
#include "tracker/internal/reopen.h"

#include <algorithm>
#include <limits>

#include "tracker/internal/chunks.h"
#include "tracker/internal/rows.h"

namespace rein::tracker::internal {

namespace {

struct SeriesRow {
  std::int64_t key_id;
  std::string name;
  std::int64_t count;
  std::int64_t first_step;
  bool monotonic;
};

std::vector<SeriesRow> series_rows(Db& db, std::int64_t run_id) {
  Stmt s(db,
         "SELECT s.key_id, k.name, s.count, s.first_step, s.monotonic FROM metric_series s "
         "JOIN metric_keys k ON k.id = s.key_id WHERE s.run_id = ? ORDER BY s.key_id");
  s.bind(1, run_id);
  std::vector<SeriesRow> out;
  while (s.step()) {
    out.push_back({s.int64(0), s.text(1), s.int64(2), s.int64(3), s.int64(4) != 0});
  }
  return out;
}

StoredPoint read_point(const Stmt& s) { return {s.int64(0), s.real(1), s.real(2)}; }

// A monotonic series keeps its chunk rows that lie wholly at or before `last_kept` (steps never
// decrease, so the kept points are a prefix in logging order and the kept chunks cover its first
// n * kChunkPoints points); the points after them become the writer's unfinished chunk.
// Returns false if the stored chunks do not fit that picture (then the caller drops them all).
bool keep_whole_chunks(Db& db, std::int64_t run_id, ReopenedSeries& out, std::int64_t last_kept) {
  Stmt del(db, "DELETE FROM metric_chunks WHERE run_id = ? AND key_id = ? AND last_step > ?");
  del.bind(1, run_id).bind(2, out.key_id).bind(3, last_kept).run();
  Stmt cnt(db,
           "SELECT count(*), coalesce(max(seq), -1) FROM metric_chunks "
           "WHERE run_id = ? AND key_id = ?");
  cnt.bind(1, run_id).bind(2, out.key_id);
  cnt.step();
  std::int64_t chunks = cnt.int64(0);
  std::int64_t max_seq = cnt.int64(1);
  std::int64_t tail = out.count - chunks * kChunkPoints;
  if (max_seq + 1 != chunks || tail < 0 || tail >= kChunkPoints) return false;
  Stmt last(db,
            "SELECT step, wall_time, value FROM metrics WHERE run_id = ? AND key_id = ? "
            "ORDER BY step DESC, rowid DESC LIMIT ?");
  last.bind(1, run_id).bind(2, out.key_id).bind(3, std::max<std::int64_t>(tail, 1));
  while (last.step()) out.tail.push_back(read_point(last));
  if (out.tail.empty()) return false;
  out.last = out.tail.front();
  out.tail.resize(static_cast<std::size_t>(tail));
  std::reverse(out.tail.begin(), out.tail.end());
  out.chunk_seq = chunks;
  return true;
}

ReopenedSeries reopen_series(Db& db, std::int64_t run_id, const SeriesRow& row,
                             std::int64_t last_kept, std::int64_t& dropped) {
  ReopenedSeries out;
  out.name = row.name;
  out.key_id = row.key_id;
  out.first_step = row.first_step;
  out.monotonic = row.monotonic;
  Stmt del(db, "DELETE FROM metrics WHERE run_id = ? AND key_id = ? AND step > ?");
  std::int64_t gone = del.bind(1, run_id).bind(2, row.key_id).bind(3, last_kept).run();
  dropped += gone;
  out.count = row.count - gone;

  if (out.count > 0 && row.monotonic && keep_whole_chunks(db, run_id, out, last_kept)) {
    // first_step is unchanged: the first point has the smallest step and was kept.
  } else {
    // A series that went back in step is read by raw scan (its chunks are never used), and
    // summaries that do not match the points are not worth repairing: new chunks start at the
    // resume point, and readers take raw points before the first chunk.
    Stmt drop(db, "DELETE FROM metric_chunks WHERE run_id = ? AND key_id = ?");
    drop.bind(1, run_id).bind(2, row.key_id).run();
    out.chunk_seq = 0;
    out.tail.clear();
    if (out.count > 0) {
      Stmt first(db,
                 "SELECT step, wall_time, value FROM metrics WHERE run_id = ? AND key_id = ? "
                 "ORDER BY rowid LIMIT 1");
      first.bind(1, run_id).bind(2, row.key_id);
      if (first.step()) out.first_step = first.int64(0);
      Stmt last(db,
                "SELECT step, wall_time, value FROM metrics WHERE run_id = ? AND key_id = ? "
                "ORDER BY rowid DESC LIMIT 1");
      last.bind(1, run_id).bind(2, row.key_id);
      if (last.step()) out.last = read_point(last);
    }
  }

  if (out.count > 0) {
    Stmt up(db,
            "UPDATE metric_series SET count = ?, first_step = ?, last_step = ?, "
            "last_wall_time = ?, last_value = ? WHERE run_id = ? AND key_id = ?");
    up.bind(1, out.count).bind(2, out.first_step).bind(3, out.last.step);
    up.bind(4, out.last.wall_time).bind(5, out.last.value).bind(6, run_id).bind(7, row.key_id);
    up.run();
  } else {
    Stmt rm(db, "DELETE FROM metric_series WHERE run_id = ? AND key_id = ?");
    rm.bind(1, run_id).bind(2, row.key_id).run();
    out.monotonic = true;  // starts over with the next point
  }
  return out;
}

}  // namespace

ReopenedRun reopen_run(Db& db, std::int64_t run_id, std::optional<std::int64_t> truncate_after_step,
                       double crashed_after_seconds) {
  Transaction tx(db);
  Stmt run(db, "SELECT name, status, heartbeat, host, pid FROM runs WHERE id = ?");
  run.bind(1, run_id);
  if (!run.step()) {
    throw Error("RunWriter: cannot reopen run " + std::to_string(run_id) + " in '" + db.path() +
                "': no such run");
  }
  ReopenedRun out;
  out.name = run.text(0);
  std::string status = run.text(1);
  double heartbeat = run.real(2);
  std::string host = run.text(3);
  std::int64_t pid = run.int64(4);
  run.reset();
  double now = now_seconds();
  bool dead =
      now - heartbeat > crashed_after_seconds || (host == host_name() && !process_alive(pid));
  if (status == "running" && !dead) {
    throw Error("RunWriter: cannot reopen run '" + out.name + "' (id " + std::to_string(run_id) +
                "): it is still running (pid " + std::to_string(pid) + " on " + host +
                "); stop that process first");
  }

  std::int64_t last_kept = truncate_after_step.value_or(std::numeric_limits<std::int64_t>::max());
  for (const SeriesRow& row : series_rows(db, run_id)) {
    out.series.push_back(reopen_series(db, run_id, row, last_kept, out.dropped_points));
  }

  Stmt up(db,
          "UPDATE runs SET status = 'running', error = '', end_time = NULL, heartbeat = ?, "
          "host = ?, pid = ? WHERE id = ?");
  up.bind(1, now).bind(2, host_name()).bind(3, current_pid()).bind(4, run_id).run();
  tx.commit();
  return out;
}

}  // namespace rein::tracker::internal
