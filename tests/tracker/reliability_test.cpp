// Failure tests done for real: kill -9 of a writer process, eight writer processes at once, and
// files that are foreign, corrupt, newer, read-only or on a full disk.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <functional>
#include <thread>
#include <vector>

#include "tests/tracker/child_process.h"
#include "tests/tracker/temp_dir.h"
#include "tests/tracker/writer_cases.h"
#include "tracker/run_writer.h"
#include "tracker/store.h"
#include "tracker/sweep_store.h"

namespace rein::tracker {
namespace {

using testing::expect_prefix;
using testing::read_i64;
using testing::run_spec;
using testing::spawn;
using testing::TempDir;
using testing::wait_exit;
using testing::write_i64;

TEST(Reliability, KillNineKeepsAcknowledgedBatchesAndReadsAsCrashed) {
  TempDir dir;
  testing::expect_kill_nine_keeps_acknowledged_batches(dir.file("rein.db"));
}

TEST(Reliability, EightProcessesLogHundredThousandPointsEachWithoutLoss) {
  TempDir dir;
  testing::expect_concurrent_writers_lose_nothing(dir.file("rein.db"), 8, 1, 100000, 0);
}

// The header (application id, schema version, table count) must be read as one snapshot: read in
// separate statements, a reader could see "no application id" before another opener's commit and
// "tables" after it, and refuse the new file as another program's.
TEST(Reliability, OpenersRacingOnAFreshFileAllGetTheReinDatabase) {
  TempDir dir;
  constexpr int kFiles = 60;
  constexpr int kOpeners = 4;
  for (int f = 0; f < kFiles; ++f) {
    std::string path = dir.file("fresh" + std::to_string(f) + ".db");
    std::atomic<int> ready{0};
    std::vector<std::string> errors(kOpeners);
    std::vector<std::thread> openers;
    for (int t = 0; t < kOpeners; ++t) {
      openers.emplace_back([&, t] {
        ready.fetch_add(1);
        while (ready.load() < kOpeners) {
        }
        try {
          Store store(path);
          store.list_runs();
        } catch (const Error& e) {
          errors[static_cast<std::size_t>(t)] = e.what();
        }
      });
    }
    for (std::thread& t : openers) t.join();
    for (const std::string& e : errors) ASSERT_EQ(e, "") << "file " << f;
  }
}

void sql(const std::string& path, const char* statement) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, statement, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

std::string open_error(const std::string& path, OpenMode mode) {
  try {
    Store store(path, {.mode = mode});
    store.list_runs();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Reliability, ForeignSqliteFileIsRefusedUntouched) {
  TempDir dir;
  std::string path = dir.file("other.db");
  sql(path, "CREATE TABLE notes(body TEXT); INSERT INTO notes VALUES('keep me');");
  for (OpenMode mode : {OpenMode::ReadWrite, OpenMode::ReadOnly}) {
    std::string msg = open_error(path, mode);
    EXPECT_NE(msg.find("not a rein database"), std::string::npos) << msg;
  }
  EXPECT_THROW(RunWriter(path, run_spec(1)), Error);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  EXPECT_EQ(sqlite3_exec(db, "SELECT * FROM runs", nullptr, nullptr, nullptr), SQLITE_ERROR);
  sqlite3_close(db);
}

TEST(Reliability, TextFileIsNotADatabase) {
  TempDir dir;
  std::string path = dir.file("notes.txt");
  std::ofstream(path) << std::string(5000, 'x') << "\nthese are my notes, not a database\n";
  for (OpenMode mode : {OpenMode::ReadWrite, OpenMode::ReadOnly}) {
    std::string msg = open_error(path, mode);
    EXPECT_NE(msg.find("not a database"), std::string::npos) << msg;
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
  }
  std::ifstream in(path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}).size(), 5036u);
}

TEST(Reliability, NewerSchemaIsRefusedWithUpgradeHint) {
  TempDir dir;
  std::string path = dir.file("rein.db");
  { Store store(path); }
  sql(path, "PRAGMA user_version = 99");
  for (OpenMode mode : {OpenMode::ReadWrite, OpenMode::ReadOnly}) {
    std::string msg = open_error(path, mode);
    EXPECT_NE(msg.find("schema version 99 is newer"), std::string::npos) << msg;
    EXPECT_NE(msg.find("upgrade rein"), std::string::npos) << msg;
  }
}

TEST(Reliability, MissingFileInReadOnlyModeIsAnError) {
  TempDir dir;
  std::string msg = open_error(dir.file("absent.db"), OpenMode::ReadOnly);
  EXPECT_NE(msg.find("no such database"), std::string::npos) << msg;
  EXPECT_FALSE(std::filesystem::exists(dir.file("absent.db")));
}

TEST(Reliability, ExistingModeNeedsTheDatabaseAndCreatesNothing) {
  TempDir dir;
  const std::string absent = dir.file("absent.db");
  EXPECT_NE(open_error(absent, OpenMode::Existing).find("no such database"), std::string::npos);
  EXPECT_THROW(SweepStore(absent, OpenMode::Existing), Error);
  EXPECT_FALSE(std::filesystem::exists(absent));

  const std::string empty = dir.file("empty.db");
  std::ofstream(empty).close();
  EXPECT_NE(open_error(empty, OpenMode::Existing).find("empty"), std::string::npos);
  EXPECT_EQ(std::filesystem::file_size(empty), 0u);

  const std::string ours = dir.file("rein.db");
  { Store create(ours); }
  Store store(ours, {.mode = OpenMode::Existing});
  EXPECT_FALSE(store.read_only());
  store.create_run(run_spec(1));
  EXPECT_EQ(store.list_runs().size(), 1u);
}

// Fills a database with two runs of 5,000 points and returns its path.
std::string filled(const TempDir& dir) {
  std::string path = dir.file("rein.db");
  for (int r = 0; r < 2; ++r) {
    RunWriter w(path, run_spec(r));
    for (int i = 0; i < 5000; ++i) w.log("train/episode_return", i, i);
    w.finish(RunStatus::Finished);
  }
  return path;
}

void overwrite(const std::string& path, off_t offset, std::size_t n, char byte) {
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  std::string junk(n, byte);
  ASSERT_EQ(::pwrite(fd, junk.data(), n, offset), static_cast<ssize_t>(n));
  ::close(fd);
}

TEST(Reliability, CorruptHeaderGivesClearError) {
  TempDir dir;
  std::string path = filled(dir);
  overwrite(path, 0, 100, '\x5a');
  std::string msg = open_error(path, OpenMode::ReadOnly);
  EXPECT_NE(msg.find("not a database"), std::string::npos) << msg;
  EXPECT_NE(msg.find("corrupt"), std::string::npos) << msg;
}

TEST(Reliability, CorruptPagesAreReportedNotCrashedOn) {
  TempDir dir;
  std::string path = filled(dir);
  std::uintmax_t size = std::filesystem::file_size(path);
  ASSERT_GT(size, 40000u);
  overwrite(path, static_cast<off_t>(size / 2), 12000, '\x7f');
  bool detected = false;
  try {
    Store store(path, {.mode = OpenMode::ReadOnly});
    detected = store.integrity_check() != "ok";
    for (const RunInfo& r : store.list_runs()) {
      store.series({r.id}, "train/episode_return", {.max_points = 0});
    }
  } catch (const Error& e) {
    detected = true;
    EXPECT_NE(std::string(e.what()).find("malformed"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(detected);
}

// Runs `body` as an unprivileged user when we are root (root ignores file permissions).
pid_t spawn_unprivileged(const std::function<int()>& body) {
  return spawn([&] {
    if (::geteuid() == 0 && ::setgid(65534) != 0) return 90;
    if (::geteuid() == 0 && ::setuid(65534) != 0) return 91;
    return body();
  });
}

TEST(Reliability, ReadOnlyFileAndDirectoryStillReadButRefuseWrites) {
  TempDir dir;
  std::string path = filled(dir);
  ASSERT_EQ(::chmod(path.c_str(), 0444), 0);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0555), 0);
  pid_t child = spawn_unprivileged([&] {
    std::string write_msg, store_msg;
    try {
      RunWriter w(path, run_spec(9));
    } catch (const Error& e) {
      write_msg = e.what();
    }
    if (write_msg.find("read-only") == std::string::npos) {
      std::fprintf(stderr, "writer message: '%s'\n", write_msg.c_str());
      return 1;
    }
    Store store(path, {.mode = OpenMode::ReadOnly});
    std::vector<RunInfo> runs = store.list_runs();
    if (runs.size() != 2) return 2;
    auto s = store.series({runs[0].id}, "train/episode_return", {.max_points = 0});
    if (s.size() != 1 || s[0].points.size() != 5000) return 3;
    try {
      store.rename_run(runs[0].id, "x");
      return 4;
    } catch (const Error& e) {
      store_msg = e.what();
    }
    return store_msg.find("read-only") == std::string::npos ? 5 : 0;
  });
  EXPECT_EQ(wait_exit(child), 0);
}

TEST(Reliability, FullDiskFailsFlushLoudlyAndKeepsCommittedData) {
  TempDir dir;
  std::string path = dir.file("rein.db");
  { Store create(path); }
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::int64_t run_id = 0;
  pid_t child = spawn([&] {
    ::close(fds[0]);
    ::signal(SIGXFSZ, SIG_IGN);  // writes past the limit fail with EFBIG instead of killing us
    RunWriter w(path, run_spec(1));
    write_i64(fds[1], w.run_id());
    struct rlimit limit {
      2 << 20, 2 << 20
    };  // 2 MiB per file
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 10;
    MetricKey k = w.key("train/episode_return");
    std::int64_t step = 0;
    try {
      for (int batch = 0; batch < 1000; ++batch) {
        for (int i = 0; i < 1000; ++i, ++step) w.log(k, step, 1.0);
        w.flush();
        write_i64(fds[1], step);
      }
    } catch (const Error& e) {
      std::fprintf(stderr, "flush failed as expected: %s\n", e.what());
      try {
        w.finish(RunStatus::Finished);
        return 11;  // finish must not claim success either
      } catch (const Error&) {
        return 0;
      }
    }
    return 12;  // 1M points fit in 2 MiB? then the limit did not work
  });
  ::close(fds[1]);
  ASSERT_TRUE(read_i64(fds[0], &run_id));
  std::int64_t acked = 0, v = 0;
  while (read_i64(fds[0], &v)) acked = v;
  ::close(fds[0]);
  EXPECT_EQ(wait_exit(child), 0);
  EXPECT_GT(acked, 0);

  Store store(path);
  EXPECT_EQ(store.integrity_check(), "ok");
  EXPECT_GE(expect_prefix(store, run_id, "train/episode_return"), acked);
  EXPECT_NE(store.run(run_id)->status, RunStatus::Finished);
}

}  // namespace
}  // namespace rein::tracker
