// RunStatus spellings and the text form of param values.
#include "tracker/types.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "tracker/error.h"

namespace rein::tracker {

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::Running:
      return "running";
    case RunStatus::Finished:
      return "finished";
    case RunStatus::Failed:
      return "failed";
    case RunStatus::Interrupted:
      return "interrupted";
    case RunStatus::Crashed:
      return "crashed";
  }
  return "unknown";
}

RunStatus parse_run_status(const std::string& text) {
  for (RunStatus s : {RunStatus::Running, RunStatus::Finished, RunStatus::Failed,
                      RunStatus::Interrupted, RunStatus::Crashed}) {
    if (text == to_string(s)) return s;
  }
  throw Error("run status: unknown status '" + text +
              "' (expected running, finished, failed, interrupted or crashed)");
}

ParamValue parse_param_value(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  if (!text.empty()) {
    const char* begin = text.c_str();
    char* end = nullptr;
    errno = 0;
    long long n = std::strtoll(begin, &end, 10);
    if (*end == '\0' && errno == 0) return static_cast<std::int64_t>(n);
    errno = 0;
    double d = std::strtod(begin, &end);
    if (*end == '\0' && errno == 0 && !std::isspace(static_cast<unsigned char>(text[0]))) {
      return d;
    }
  }
  return text;
}

std::string format_param_value(const ParamValue& value) {
  if (const bool* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const std::int64_t* n = std::get_if<std::int64_t>(&value)) return std::to_string(*n);
  if (const double* d = std::get_if<double>(&value)) {
    // Shortest of %.1g..%.17g that reads back exactly.
    char buf[32];
    for (int precision = 1; precision <= 17; ++precision) {
      std::snprintf(buf, sizeof(buf), "%.*g", precision, *d);
      if (std::strtod(buf, nullptr) == *d) break;
    }
    std::string s = buf;
    if (std::isfinite(*d) && s.find_first_of(".eE") == std::string::npos) s += ".0";
    return s;
  }
  return std::get<std::string>(value);
}

}  // namespace rein::tracker
