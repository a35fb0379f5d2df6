// rein::tracker::Error, the exception every tracker API throws. It is a rein::Error (base/), so
// one catch handles the errors of every layer; the tracker links no other rein layer.
#pragma once

#include <string>

#include "base/error.h"

namespace rein::tracker {

// Thrown on bad input, an unusable database file (not a rein database, corrupt, newer schema,
// read-only, disk full) or a failed write. The message names the operation, the file or run and
// what to do, e.g. "open 'runs.db': schema version 7 is newer than this rein reads (2); upgrade
// rein".
class Error : public rein::Error {
 public:
  explicit Error(const std::string& message) : rein::Error(message) {}
};

}  // namespace rein::tracker
