// rein::tracker::Error, the exception every tracker API throws. The tracker stands alone (it links
// only SQLite), so it has its own error type instead of rein::Error from tensor/.
#pragma once

#include <stdexcept>
#include <string>

namespace rein::tracker {

// Thrown on bad input, an unusable database file (not a rein database, corrupt, newer schema,
// read-only, disk full) or a failed write. The message names the operation, the file or run and
// what to do, e.g. "open 'runs.db': schema version 7 is newer than this rein reads (2); upgrade
// rein". Catch std::runtime_error to handle it together with rein::Error.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace rein::tracker
