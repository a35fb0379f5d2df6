// Reliability cases every tracker backend must pass, run by the SQLite tests on a file and by the
// PostgreSQL tests on a throwaway server's database: `db` is a path or a URL.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/tracker/child_process.h"
#include "tracker/run_writer.h"
#include "tracker/store.h"

namespace rein::tracker::testing {

inline RunSpec run_spec(std::int64_t seed) {
  RunSpec s;
  s.algorithm = "ppo";
  s.env = "CartPole-v1";
  s.seed = seed;
  return s;
}

// A writer killed with SIGKILL while logging: every batch flush() acknowledged is stored as an
// unbroken prefix, the database is intact and the run reads as crashed.
inline void expect_kill_nine_keeps_acknowledged_batches(const std::string& db) {
  { Store create(db); }
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = spawn([&] {
    ::close(fds[0]);
    RunWriter w(db, run_spec(1));
    write_i64(fds[1], w.run_id());
    MetricKey k = w.key("train/episode_return");
    for (std::int64_t step = 0;;) {
      for (int i = 0; i < 1000; ++i, ++step) w.log(k, step, static_cast<double>(step));
      w.flush();
      write_i64(fds[1], step);  // everything below `step` is acknowledged
    }
    return 0;
  });
  ASSERT_GT(child, 0);
  ::close(fds[1]);
  std::int64_t run_id = 0, acked = 0, v = 0;
  ASSERT_TRUE(read_i64(fds[0], &run_id));
  while (acked < 30000 && read_i64(fds[0], &v)) acked = v;
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  EXPECT_EQ(wait_exit(child), 128 + SIGKILL);
  while (read_i64(fds[0], &v)) acked = v;  // acks written before the kill landed
  ::close(fds[0]);

  Store store(db);
  EXPECT_EQ(store.integrity_check(), "ok");
  EXPECT_GE(expect_prefix(store, run_id, "train/episode_return"), acked);
  EXPECT_EQ(store.run(run_id)->status, RunStatus::Crashed);
}

// `processes` writers started together, each logging `points` points of `keys` keys (interning
// the names in an order of its own, flushing every `flush_every` points; 0: only at the end):
// every run ends finished with all of its points.
inline void expect_concurrent_writers_lose_nothing(const std::string& db, int processes, int keys,
                                                   std::int64_t points, std::int64_t flush_every) {
  { Store create(db); }
  int gate[2];
  ASSERT_EQ(::pipe(gate), 0);
  std::vector<pid_t> children;
  for (int p = 0; p < processes; ++p) {
    children.push_back(spawn([&, p] {
      ::close(gate[1]);
      char c;
      (void)!::read(gate[0], &c, 1);  // start together when the parent closes the gate
      RunWriter w(db, run_spec(p));
      std::vector<MetricKey> handles;
      for (int j = 0; j < keys; ++j)
        handles.push_back(w.key("key" + std::to_string((j + p) % keys)));
      for (std::int64_t i = 0; i < points; ++i) {
        for (MetricKey k : handles) w.log(k, i, static_cast<double>(p));
        if (flush_every > 0 && i % flush_every == 0) w.flush();
      }
      w.finish(RunStatus::Finished);
      return 0;
    }));
  }
  ::close(gate[0]);
  ::close(gate[1]);
  for (pid_t c : children) EXPECT_EQ(wait_exit(c), 0);

  Store store(db);
  EXPECT_EQ(store.integrity_check(), "ok");
  std::vector<RunInfo> runs = store.list_runs();
  ASSERT_EQ(runs.size(), static_cast<std::size_t>(processes));
  for (const RunInfo& r : runs) {
    EXPECT_EQ(r.status, RunStatus::Finished);
    for (int j = 0; j < keys; ++j)
      EXPECT_EQ(expect_prefix(store, r.id, "key" + std::to_string(j)), points);
  }
}

}  // namespace rein::tracker::testing
