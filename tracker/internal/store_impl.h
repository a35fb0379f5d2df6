// Store's private state, shared by store.cpp (runs, tags, artifacts) and store_metrics.cpp
// (series, latest values, groups, watch).
#pragma once

#include <optional>
#include <string>

#include "tracker/internal/db.h"
#include "tracker/store.h"

namespace rein::tracker {

struct Store::Impl {
  internal::Db db;
  std::string path;
  int schema_version = 0;
  bool read_only = false;
  StoreOptions options;
  std::string host;  // this host, to tell dead local writers from live remote ones

  // Running -> Crashed when the heartbeat is stale or the writer process is gone.
  RunStatus effective_status(RunStatus stored, double heartbeat, const std::string& run_host,
                             std::int64_t pid) const;
  // Id of metric name `key`, or nullopt if no run ever logged it.
  std::optional<std::int64_t> key_id(const std::string& key);
  void require_writable(const char* op) const;
};

}  // namespace rein::tracker
