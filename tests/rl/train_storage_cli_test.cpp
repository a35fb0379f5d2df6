// `rein train` and `rein runs` under storage faults and hostile names, end to end: a file-size
// limit and a really full filesystem stop training at the first failed write, SIGTERM leaves
// the run interrupted, run names and checkpoint folders cannot escape or break the database,
// and `runs list --json` survives rows an older rein stored with Latin-1 bytes.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/rl/rein_process.h"
#include "tracker/run_writer.h"
#include "tracker/store.h"

namespace {

namespace fs = std::filesystem;
using rein::test_support::ChildOptions;
using rein::test_support::Output;
using rein::test_support::rein_process;
using rein::tracker::RunStatus;
using rein::tracker::Store;

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::path(REIN_BINARY_DIR) / "test-tmp" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A DQN run long enough that only a fault stops it early (it logs every 4 env steps), with a
// network small enough that its checkpoint (~20 KB) still fits under the limits below.
std::vector<std::string> long_run(const std::string& db) {
  return {"train", "dqn",         "CartPole-v1",   "--steps", "20000000",
          "--set", "net_arch=32", "--no-progress", "--db",    db};
}

TEST(TrainStorage, FileSizeLimitStopsTrainingAtTheFirstFailedWrite) {
  const fs::path dir = fresh_dir("storage_fsize");
  const std::string db = (dir / "runs.db").string();
  Output out = rein_process(long_run(db), {.file_size_limit = 512 * 1024});
  EXPECT_EQ(out.status, 1) << "128 + 25 would be SIGXFSZ: " << out.text;
  EXPECT_TRUE(contains(out.text, "': writing to the database failed")) << out.text;
  EXPECT_TRUE(contains(out.text, "checkpoint: ")) << out.text;  // the last good model, kept
  Store store(db, {.mode = rein::tracker::OpenMode::ReadOnly});
  EXPECT_EQ(store.integrity_check(), "ok");
}

TEST(TrainStorage, SettingsLargerThanMemorySayWhatToLowerAndRecordNoRun) {
  // CarRacing resized to 100000x100000 (30 GB a frame), a stack of 100,000 of its frames: the
  // allocation failed, and the message was "error: std::bad_alloc". Now the sizes are refused by
  // name before anything is allocated.
  for (const char* wrappers : {"wrappers=ResizeObservation(shape=100000x100000)",
                               "wrappers=FrameStackObservation(stack_size=100000)"}) {
    const Output out = rein_process({"envs", "check", "CarRacing-v3", "--env-arg", wrappers},
                                    {.address_space_limit = rlim_t{3} << 30});
    EXPECT_EQ(out.status, 1) << out.text;
    EXPECT_TRUE(contains(out.text,
                         "error: ResizeObservation: shape must be HEIGHTxWIDTH with "
                         "each side in [1, 2048], got 100000x100000") ||
                contains(out.text,
                         "error: FrameStackObservation: stack_size must be an integer "
                         "in [1, 1024], got 100000"))
        << out.text;
    EXPECT_FALSE(contains(out.text, "std::bad_alloc")) << out.text;
  }
  // Networks are sized before they are built: net_arch 65536,65536 is refused by name.
  const fs::path dir = fresh_dir("storage_memory");
  const std::string db = (dir / "runs.db").string();
  const Output net = rein_process({"train", "sac", "Pendulum-v1", "--set", "net_arch=65536,65536",
                                   "--steps", "100", "--db", db},
                                  {.address_space_limit = rlim_t{3} << 30});
  EXPECT_EQ(net.status, 1) << net.text;
  EXPECT_TRUE(contains(net.text, "lower net_arch's widths")) << net.text;
  EXPECT_FALSE(fs::exists(db)) << "no run is recorded for a model that could not be built";
}

TEST(TrainStorage, FullFilesystemStopsTrainingAtTheFirstFailedWrite) {
  const fs::path dir = fresh_dir("storage_full");
  const fs::path mnt = dir / "mnt";
  fs::create_directories(mnt);
  if (geteuid() != 0 || mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=384k") != 0)
    GTEST_SKIP() << "needs root and a working mount(2) to make a small tmpfs: "
                 << std::strerror(errno);
  struct Unmount {
    std::string path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{mnt.string()};
  const std::string db = (mnt / "runs.db").string();
  Output out = rein_process(long_run(db));
  EXPECT_EQ(out.status, 1) << out.text;
  EXPECT_TRUE(contains(out.text, "writing to the database failed")) << out.text;
  EXPECT_TRUE(contains(out.text, "full")) << out.text;
}

TEST(TrainStorage, SigtermLeavesTheRunInterruptedLikeCtrlC) {
  const fs::path dir = fresh_dir("storage_sigterm");
  const std::string db = (dir / "runs.db").string();
  Output out =
      rein_process({"train", "ppo", "CartPole-v1", "--steps", "100000", "--eval-every", "1024",
                    "--eval-episodes", "1", "--name", "term-run", "--no-progress", "--db", db},
                   {.trigger = "eval at step", .signal = SIGTERM});
  ASSERT_EQ(out.status, 0) << out.text;
  EXPECT_TRUE(contains(out.text, "run term-run interrupted")) << out.text;
  Store store(db);
  EXPECT_EQ(store.resolve_run("term-run").status, RunStatus::Interrupted);
}

TEST(TrainStorage, RunNamesCannotEscapeTheCheckpointFolder) {
  const fs::path dir = fresh_dir("storage_names");
  const std::string db = (dir / "sub" / "runs.db").string();
  fs::create_directories(dir / "sub");
  for (const std::string& name :
       std::vector<std::string>{"../../../escaped", (dir / "abs").string(), "a/b"}) {
    Output out = rein_process({"train", "qlearning", "FrozenLake-v1", "--steps", "100", "--name",
                               name, "--no-progress", "--db", db});
    EXPECT_EQ(out.status, 1) << out.text;
    EXPECT_TRUE(contains(out.text, "error: run name '" + name + "'")) << out.text;
  }
  EXPECT_FALSE(fs::exists(dir / "escaped"));
  EXPECT_FALSE(fs::exists(dir / "abs"));
  EXPECT_FALSE(fs::exists(dir / "sub" / "checkpoints"));
}

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Run names repeat: `--name` twice in one database, or run 1 of two databases in one folder
// (both "ppo-CartPole-v1-s0-1"). Both runs used to write checkpoints/NAME/, the second over the
// first's files, so `rein eval` of the first played the second's agent. A new run now takes a
// folder it creates itself (NAME.2, ...), and a resumed run stays in its own.
TEST(TrainStorage, RunsOfTheSameNameNeverShareACheckpointFolder) {
  const fs::path dir = fresh_dir("storage_same_name");
  auto train = [&](const std::string& db, std::vector<std::string> extra) {
    std::vector<std::string> args{"train", "ppo",           "CartPole-v1", "--steps",
                                  "1024",  "--no-progress", "--db",        (dir / db).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return rein_process(args);
  };
  const fs::path first =
      dir / "checkpoints" / "ppo-CartPole-v1-s0-1" / "step-000001024.safetensors";
  Output a = train("a.db", {});
  ASSERT_EQ(a.status, 0) << a.text;
  ASSERT_TRUE(fs::exists(first)) << a.text;
  const std::string a_bytes = file_bytes(first);
  Output b = train("b.db", {"--set", "learning_rate=0.01"});
  ASSERT_EQ(b.status, 0) << b.text;
  EXPECT_TRUE(contains(b.text, "checkpoints/ppo-CartPole-v1-s0-1.2/step-000001024.safetensors"))
      << b.text;
  EXPECT_EQ(file_bytes(first), a_bytes) << "run 1 of b.db wrote over run 1 of a.db";
  EXPECT_NE(
      file_bytes(dir / "checkpoints" / "ppo-CartPole-v1-s0-1.2" / "step-000001024.safetensors"),
      a_bytes);

  // Twice the same --name in one database, then the second continued in place.
  ASSERT_EQ(train("a.db", {"--name", "dup"}).status, 0);
  ASSERT_EQ(train("a.db", {"--name", "dup", "--set", "learning_rate=0.01"}).status, 0);
  EXPECT_TRUE(fs::exists(dir / "checkpoints" / "dup.2" / "step-000001024.safetensors"));
  const std::string dup_bytes =
      file_bytes(dir / "checkpoints" / "dup" / "step-000001024.safetensors");
  Output resumed = rein_process({"train", "--resume", "3", "--steps", "2048", "--no-progress",
                                 "--db", (dir / "a.db").string()});
  ASSERT_EQ(resumed.status, 0) << resumed.text;
  EXPECT_TRUE(fs::exists(dir / "checkpoints" / "dup.2" / "step-000002048.safetensors"))
      << resumed.text;
  EXPECT_FALSE(fs::exists(dir / "checkpoints" / "dup" / "step-000002048.safetensors"));
  EXPECT_EQ(file_bytes(dir / "checkpoints" / "dup" / "step-000001024.safetensors"), dup_bytes);
}

TEST(TrainStorage, ACheckpointFolderThatCannotBeMadeNamesItAndTheFix) {
  // "checkpoints" a symbolic link to itself: every path under it fails with ELOOP (a check
  // that root's permissions cannot bypass), which once escaped as the filesystem's own message.
  const fs::path dir = fresh_dir("storage_loop");
  fs::create_directory_symlink("checkpoints", dir / "checkpoints");
  Output out = rein_process({"train", "ppo", "CartPole-v1", "--steps", "64", "--no-progress",
                             "--db", (dir / "runs.db").string()});
  EXPECT_NE(out.status, 0);
  const std::string folder = (dir / "checkpoints" / "ppo-CartPole-v1-s0-1").string();
  EXPECT_TRUE(contains(out.text, "cannot create the checkpoint folder '" + folder +
                                     "': Too many levels of symbolic links (give a writable "
                                     "--checkpoint-dir)"))
      << out.text;
}

TEST(TrainStorage, NonUtf8CheckpointDirFailsBeforeTraining) {
  const fs::path dir = fresh_dir("storage_latin1");
  const std::string db = (dir / "runs.db").string();
  Output out = rein_process({"train", "ppo", "CartPole-v1", "--steps", "100000", "--no-progress",
                             "--checkpoint-dir", (dir / "caf\xE9").string(), "--db", db});
  EXPECT_EQ(out.status, 1) << out.text;
  EXPECT_TRUE(contains(out.text, "--checkpoint-dir '")) << out.text;
  EXPECT_TRUE(contains(out.text, "caf\\xE9' is not valid UTF-8")) << out.text;
  EXPECT_FALSE(contains(out.text, "run ppo-")) << "no run may start: " << out.text;
  EXPECT_FALSE(fs::exists(db));
}

TEST(TrainStorage, RunsListJsonSurvivesLatin1RowsOfAnOlderRein) {
  const fs::path dir = fresh_dir("storage_json");
  const std::string db = (dir / "runs.db").string();
  {
    Store store(db);
    rein::tracker::RunSpec spec;
    spec.name = "old";
    const int64_t id = store.create_run(spec);
    store.set_status(id, RunStatus::Finished);
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "INSERT INTO tags VALUES(1, CAST(X'636166E9' AS TEXT))", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  Output out = rein_process({"runs", "list", "--json", "--db", db});
  ASSERT_EQ(out.status, 0) << out.text;
  nlohmann::json rows = nlohmann::json::parse(out.text);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["tags"][0], "caf\xEF\xBF\xBD");
}

TEST(TrainStorage, RmOfALiveRunIsRefusedUnlessForced) {
  const fs::path dir = fresh_dir("storage_rm_live");
  const std::string db = (dir / "runs.db").string();
  rein::tracker::RunSpec spec;
  spec.name = "live";
  rein::tracker::RunWriter writer(db, spec);  // this process: alive, heartbeat fresh
  Output refused = rein_process({"runs", "rm", "live", "--yes", "--db", db});
  EXPECT_EQ(refused.status, 1) << refused.text;
  EXPECT_TRUE(contains(refused.text, "is still running")) << refused.text;
  Output forced = rein_process({"runs", "rm", "live", "--yes", "--force", "--db", db});
  EXPECT_EQ(forced.status, 0) << forced.text;
  writer.log("x", 0, 1.0);
  EXPECT_THROW(writer.flush(), rein::tracker::Error);
  EXPECT_THROW(writer.check(), rein::tracker::Error);
}

}  // namespace
