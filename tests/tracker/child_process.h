// What the tracker's crash and concurrency tests share: running a body in a forked child,
// passing 64-bit values through a pipe, and checking that a series is an unbroken prefix.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <string>

#include "tracker/store.h"

namespace rein::tracker::testing {

// Runs `body` in a forked child that exits with its return value (99 if it throws). The child
// never returns into the test framework.
inline pid_t spawn(const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int code = 99;
    try {
      code = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: %s\n", e.what());
    }
    ::_exit(code);
  }
  return pid;
}

// The child's exit code, or 128 + the signal that ended it.
inline int wait_exit(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

inline void write_i64(int fd, std::int64_t v) { (void)!::write(fd, &v, sizeof(v)); }
inline bool read_i64(int fd, std::int64_t* v) { return ::read(fd, v, sizeof(*v)) == sizeof(*v); }

// The points of `key` are exactly the steps 0..n-1, each once: what a prefix of the logged
// sequence looks like. Returns n.
inline std::int64_t expect_prefix(Store& store, std::int64_t run_id, const std::string& key) {
  auto s = store.series({run_id}, key, {.max_points = 0});
  if (s.empty()) return 0;
  const auto& pts = s[0].points;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    EXPECT_EQ(pts[i].step, static_cast<std::int64_t>(i));
    if (pts[i].step != static_cast<std::int64_t>(i)) break;
  }
  EXPECT_EQ(s[0].total_points, static_cast<std::int64_t>(pts.size()));
  return static_cast<std::int64_t>(pts.size());
}

}  // namespace rein::tracker::testing
