// Row-level helpers shared by Store and RunWriter: inserting runs, params, tags, artifacts and
// metric keys, reading params back, and facts about this process (time, host, pid liveness).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "tracker/internal/db.h"
#include "tracker/types.h"

namespace rein::tracker::internal {

// Seconds since the Unix epoch (system clock), the unit of every time column.
double now_seconds();
std::string host_name();
std::int64_t current_pid();
// False only when `pid` certainly does not exist on this host (kill(pid, 0) gives ESRCH).
bool process_alive(std::int64_t pid);

// Throw Error on text that may not enter the database (tracker/names.h): a run name that is no
// folder name, names, tags and string params that are not UTF-8, an empty tag.
void check_run_spec(const RunSpec& spec);
void check_param(const Param& param);
void check_tag(const std::string& tag);

// Inserts the run (status running, this host and pid), its experiment, params and tags in one
// transaction. Returns {id, name}; an empty spec.name becomes "<algo>-<env>-s<seed>-<id>".
// Calls check_run_spec first; the command line is stored with bytes that are not UTF-8 replaced.
std::pair<std::int64_t, std::string> insert_run(Db& db, const RunSpec& spec);

// These run inside the caller's transaction (or autocommit).
void upsert_param(Db& db, std::int64_t run_id, const Param& param);
void insert_tag(Db& db, std::int64_t run_id, const std::string& tag);
std::int64_t insert_artifact(Db& db, std::int64_t run_id, const std::string& kind,
                             const std::string& path, std::optional<std::int64_t> step);
// The id of metric name `name`, creating it if new.
std::int64_t intern_key(Db& db, const std::string& name);

// Binds `value` at index i, returning its type name ("bool", "int", "float", "str").
const char* bind_param_value(Stmt& stmt, int i, const ParamValue& value);
// Reads a value stored with type name `type` from column `col`.
ParamValue read_param_value(const Stmt& stmt, int col, const std::string& type);

}  // namespace rein::tracker::internal
