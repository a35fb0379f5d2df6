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
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tracker/run_writer.h"
#include "tracker/store.h"

namespace {

namespace fs = std::filesystem;
using rein::tracker::RunStatus;
using rein::tracker::Store;

struct Output {
  int status;  // exit code, or 128 + signal
  std::string text;
};

struct ChildOptions {
  rlim_t file_size_limit = RLIM_INFINITY;  // RLIMIT_FSIZE of the child
  const char* trigger = nullptr;           // send `signal` when a line contains this
  int signal = SIGTERM;
};

// Runs bin/rein with `args` in a child process (stdout and stderr captured).
Output rein(const std::vector<std::string>& args, const ChildOptions& o = {}) {
  const std::string bin = std::string(REIN_BINARY_DIR) + "/bin/rein";
  int fds[2];
  if (pipe(fds) != 0) return {-1, "pipe failed"};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    struct rlimit limit {o.file_size_limit, o.file_size_limit};
    setrlimit(RLIMIT_FSIZE, &limit);
    signal(SIGXFSZ, SIG_DFL);  // what a shell gives: the default kills the process
    std::vector<char*> argv{const_cast<char*>("rein")};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  FILE* in = fdopen(fds[0], "r");
  std::string text;
  char line[4096];
  bool sent = false;
  while (std::fgets(line, sizeof line, in)) {
    text += line;
    if (o.trigger && !sent && std::strstr(line, o.trigger)) {
      kill(pid, o.signal);
      sent = true;
    }
  }
  std::fclose(in);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), text};
}

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
  return {"train", "dqn", "CartPole-v1", "--steps", "20000000", "--set", "net_arch=32",
          "--no-progress", "--db", db};
}

TEST(TrainStorage, FileSizeLimitStopsTrainingAtTheFirstFailedWrite) {
  const fs::path dir = fresh_dir("storage_fsize");
  const std::string db = (dir / "runs.db").string();
  Output out = rein(long_run(db), {.file_size_limit = 512 * 1024});
  EXPECT_EQ(out.status, 1) << "128 + 25 would be SIGXFSZ: " << out.text;
  EXPECT_TRUE(contains(out.text, "': writing to the database failed"))
      << out.text;
  EXPECT_TRUE(contains(out.text, "checkpoint: ")) << out.text;  // the last good model, kept
  Store store(db, {.mode = rein::tracker::OpenMode::ReadOnly});
  EXPECT_EQ(store.integrity_check(), "ok");
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
  Output out = rein(long_run(db));
  EXPECT_EQ(out.status, 1) << out.text;
  EXPECT_TRUE(contains(out.text, "writing to the database failed")) << out.text;
  EXPECT_TRUE(contains(out.text, "full")) << out.text;
}

TEST(TrainStorage, SigtermLeavesTheRunInterruptedLikeCtrlC) {
  const fs::path dir = fresh_dir("storage_sigterm");
  const std::string db = (dir / "runs.db").string();
  Output out = rein({"train", "ppo", "CartPole-v1", "--steps", "100000", "--eval-every", "1024",
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
  for (const std::string& name : std::vector<std::string>{"../../../escaped", (dir / "abs").string(), "a/b"}) {
    Output out = rein({"train", "qlearning", "FrozenLake-v1", "--steps", "100", "--name", name,
                       "--no-progress", "--db", db});
    EXPECT_EQ(out.status, 1) << out.text;
    EXPECT_TRUE(contains(out.text, "error: run name '" + name + "'")) << out.text;
  }
  EXPECT_FALSE(fs::exists(dir / "escaped"));
  EXPECT_FALSE(fs::exists(dir / "abs"));
  EXPECT_FALSE(fs::exists(dir / "sub" / "checkpoints"));
}

TEST(TrainStorage, NonUtf8CheckpointDirFailsBeforeTraining) {
  const fs::path dir = fresh_dir("storage_latin1");
  const std::string db = (dir / "runs.db").string();
  Output out = rein({"train", "ppo", "CartPole-v1", "--steps", "100000", "--no-progress",
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
  Output out = rein({"runs", "list", "--json", "--db", db});
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
  Output refused = rein({"runs", "rm", "live", "--yes", "--db", db});
  EXPECT_EQ(refused.status, 1) << refused.text;
  EXPECT_TRUE(contains(refused.text, "is still running")) << refused.text;
  Output forced = rein({"runs", "rm", "live", "--yes", "--force", "--db", db});
  EXPECT_EQ(forced.status, 0) << forced.text;
  writer.log("x", 0, 1.0);
  EXPECT_THROW(writer.flush(), rein::tracker::Error);
  EXPECT_THROW(writer.check(), rein::tracker::Error);
}

}  // namespace
