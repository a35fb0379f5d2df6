// Copying runs from one tracker database into another: `rein runs sync SRC.db --db URL` brings
// runs made offline (a laptop's SQLite file) into a shared PostgreSQL database.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tracker/types.h"

namespace rein::tracker {

struct SyncResult {
  std::vector<std::string> copied;         // names of the runs copied
  std::vector<std::string> already_there;  // copied by an earlier sync
  std::vector<std::string> still_running;  // skipped: sync them when they end
};

// Copies every run of `source` (opened read-only) that `target` does not have yet, with its
// params, tags, artifacts (rows; the files stay where they are), metric points, series and
// chunk summaries, each run in one transaction. A run counts as already there when the target
// has a run with the same start time (to the microsecond), algorithm and env, which the copy
// keeps and neither a rename nor a resume changes, so running the sync again copies nothing
// twice. Runs that are still running are skipped; a run resumed after it was synced is not
// copied again (remove it from the target first to bring the longer run over).
// `on_run` (may be empty) is called after each run copied.
SyncResult sync_runs(const std::string& source, const std::string& target,
                     const std::function<void(const std::string&)>& on_run = {});

}  // namespace rein::tracker
