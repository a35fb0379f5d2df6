// Store: one SQLite file or PostgreSQL database (a postgresql:// or postgres:// URL given where a
// path goes) holding experiments, runs, params, metrics, tags and artifacts, and the
// queries the CLI and the dashboard read it with. Writing metrics goes through RunWriter
// (tracker/run_writer.h); Store does the rest (listing, reading, renaming, tagging, removing).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tracker/error.h"
#include "tracker/run_summary.h"
#include "tracker/types.h"

namespace rein::tracker {

struct StoreOptions {
  OpenMode mode = OpenMode::ReadWrite;
  // How long a statement waits for another process's write lock before failing (SQLite's
  // busy_timeout, PostgreSQL's lock_timeout).
  int busy_timeout_ms = 10000;
  // A running run whose heartbeat is older than this reads as Crashed.
  double crashed_after_seconds = kCrashedAfterSeconds;
};

// Thread-safety: a Store is one database connection; use it from one thread at a time (open one
// Store per thread to read concurrently). Any number of Stores and RunWriters, in any number of
// processes (on any number of machines, with PostgreSQL), may use the same database at once.
// Every method throws Error on an unusable file or a failed statement; user input only ever
// reaches SQLite as bound parameters.
class Store {
 public:
  // Opens (and, in ReadWrite mode, creates or migrates) the database at `path` ("./rein.db" is
  // the CLI's default), or at a PostgreSQL URL (the database must exist; rein creates its
  // tables). Throws Error if it is not a rein database, is corrupt, has a newer schema than
  // kSchemaVersion, cannot be opened in the requested mode, or the server cannot be reached
  // (the message names the URL with its password redacted).
  explicit Store(const std::string& path, StoreOptions options = {});
  ~Store();
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const;
  int schema_version() const;
  bool read_only() const;

  // --- runs -----------------------------------------------------------------------------------
  // Creates a run in status Running with this process as its writer. RunWriter calls this; use
  // it directly only for tests and imports (nothing will refresh the heartbeat).
  std::int64_t create_run(const RunSpec& spec);
  std::optional<RunInfo> run(std::int64_t id);
  // Runs matching `filter`, newest first, tags filled in.
  std::vector<RunInfo> list_runs(const RunFilter& filter = {});
  // Resolves what a user typed: an id ("17"), or a run name. Throws Error if nothing matches, or
  // if a name matches several runs (the message lists them as "id name").
  RunInfo resolve_run(const std::string& id_or_name);
  std::vector<std::string> experiments();

  std::vector<Param> params(std::int64_t run_id);
  void set_status(std::int64_t run_id, RunStatus status, const std::string& error = "");
  void rename_run(std::int64_t run_id, const std::string& new_name);
  void add_tag(std::int64_t run_id, const std::string& tag);
  void remove_tag(std::int64_t run_id, const std::string& tag);
  // Removes the run with its params, metrics and tags in one transaction. Its artifacts stay
  // behind, detached (run_id unset), until gc() deletes them. A run still running (live
  // heartbeat) is refused unless `force`; its writer then finds its run gone at its next write
  // and fails (RunWriter::check), so it adds no rows for a run that no longer exists.
  void remove_run(std::int64_t run_id, bool force = false);

  // --- artifacts ------------------------------------------------------------------------------
  std::int64_t add_artifact(std::int64_t run_id, const std::string& kind, const std::string& path,
                            std::optional<std::int64_t> step = std::nullopt);
  std::vector<Artifact> artifacts(std::int64_t run_id);
  // Drops orphans: artifacts whose run was removed and artifacts whose file no longer exists,
  // and metric, series, param and tag rows of runs that no longer exist. The files of removed
  // runs' artifacts are deleted only when they are regular files in a run's own checkpoint
  // folder beside the database (tracker/names.h in_run_checkpoint_dir); others are kept and
  // listed. Returns what was (or, with dry_run, would be) dropped.
  GcResult gc(bool dry_run = false);

  // --- metrics --------------------------------------------------------------------------------
  // Metric names a run has logged, sorted.
  std::vector<std::string> metric_keys(std::int64_t run_id);
  // One series per run in `run_ids` that has `key` (runs without it are skipped), each
  // downsampled to at most options.max_points. Reads per-chunk min/max summaries that the
  // writer stores beside the raw points, so a 10M-point series costs about as much as a 40k one.
  std::vector<Series> series(const std::vector<std::int64_t>& run_ids, const std::string& key,
                             const SeriesOptions& options = {});
  // Last value of every key of each run (or only of `keys` when not empty).
  std::vector<LatestValue> latest(const std::vector<std::int64_t>& run_ids,
                                  const std::vector<std::string>& keys = {});
  // Per run of `run_ids` that logged `key` (others are skipped), in run_ids order: its final
  // value and the mean of its last `last_n` points by step (tracker/run_summary.h). Reads the
  // series summary and at most last_n points through the (run, key, step) index, so ranking
  // 1,000 runs costs milliseconds whatever their length. last_n == 0 reads no points.
  std::vector<MetricSummary> summaries(const std::vector<std::int64_t>& run_ids,
                                       const std::string& key,
                                       std::size_t last_n = kRecentEpisodes);
  // Groups `run_ids` (see GroupOptions) and aggregates `key` over each group's runs.
  std::vector<GroupSeries> group(const std::vector<std::int64_t>& run_ids, const std::string& key,
                                 const GroupOptions& options = {});

  // --- live refresh ---------------------------------------------------------------------------
  // A cursor at the current end of the database.
  WatchCursor watch_cursor();
  // Metric points that arrived after `cursor` (only for `run_ids`, or all runs when empty), at
  // most `max_points` of them (the returned cursor then points at the first one not returned),
  // and runs created after it. Removing a run may make a later watch miss points whose storage
  // was reused; a dashboard reloads after `rm`.
  WatchUpdate watch(const WatchCursor& cursor, const std::vector<std::int64_t>& run_ids = {},
                    std::size_t max_points = 1000000);

  // SQLite: runs `PRAGMA integrity_check`. PostgreSQL (whose server checks its own storage):
  // looks for rows of runs that no longer exist. Returns "ok" or the report.
  std::string integrity_check();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rein::tracker
