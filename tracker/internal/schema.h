// The on-disk schema (docs/TRACKER.md) and opening a file as a rein database: create it when
// empty, migrate an older version forward, refuse a newer one or a foreign file.
#pragma once

#include <string>

#include "tracker/internal/db.h"
#include "tracker/types.h"

namespace rein::tracker::internal {

// PRAGMA application_id of a rein database: the bytes "rein".
inline constexpr int kApplicationId = 0x7265696e;

struct OpenedDb {
  Db db;
  int schema_version = 0;
  bool read_only = false;
};

// Opens `path` as a rein database. ReadWrite creates the file and schema if missing and migrates
// older schemas; Existing does the same but fails on a missing or empty file (or a PostgreSQL
// database without rein's tables); ReadOnly never writes and fails on a missing or empty file.
// Throws Error with a message naming the file and what is wrong.
OpenedDb open_database(const std::string& path, OpenMode mode, int busy_timeout_ms);

}  // namespace rein::tracker::internal
