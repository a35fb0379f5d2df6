// Store: runs, typed params, filters, name resolution, tags, rename, removal, artifacts, and the
// crashed status derived from heartbeats and dead writer processes.
#include "tracker/store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "tests/tracker/temp_dir.h"

namespace rein::tracker {
namespace {

using testing::TempDir;

RunSpec spec(const std::string& algo, const std::string& env, std::int64_t seed) {
  RunSpec s;
  s.algorithm = algo;
  s.env = env;
  s.seed = seed;
  s.params = {
      {"lr", 3e-4}, {"n_envs", std::int64_t{8}}, {"norm_adv", true}, {"act", std::string("tanh")}};
  return s;
}

TEST(Store, CreatesSchemaAtCurrentVersion) {
  TempDir dir;
  Store store(dir.file("rein.db"));
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  EXPECT_EQ(store.integrity_check(), "ok");
  EXPECT_TRUE(store.list_runs().empty());
}

TEST(Store, RunReadsBackWithTypedParams) {
  TempDir dir;
  Store store(dir.file("rein.db"));
  RunSpec s = spec("ppo", "CartPole-v1", 3);
  s.experiment = "sweep";
  s.tags = {"b", "a"};
  s.command = "rein train ppo CartPole-v1";
  std::int64_t id = store.create_run(s);
  std::optional<RunInfo> run = store.run(id);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->name, "ppo-CartPole-v1-s3-" + std::to_string(id));
  EXPECT_EQ(run->experiment, "sweep");
  EXPECT_EQ(run->seed, 3);
  EXPECT_EQ(run->status, RunStatus::Running);
  EXPECT_EQ(run->command, "rein train ppo CartPole-v1");
  EXPECT_EQ(run->pid, static_cast<std::int64_t>(::getpid()));
  EXPECT_EQ(run->tags, (std::vector<std::string>{"a", "b"}));
  std::vector<Param> params = store.params(id);
  ASSERT_EQ(params.size(), 4u);  // sorted by key
  EXPECT_EQ(params[0].key, "act");
  EXPECT_EQ(std::get<std::string>(params[0].value), "tanh");
  EXPECT_EQ(std::get<double>(params[1].value), 3e-4);
  EXPECT_EQ(std::get<std::int64_t>(params[2].value), 8);
  EXPECT_EQ(std::get<bool>(params[3].value), true);
}

TEST(Store, FiltersByFieldsTagsStatusAndParams) {
  TempDir dir;
  Store store(dir.file("rein.db"));
  RunSpec a = spec("ppo", "CartPole-v1", 1);
  a.tags = {"baseline"};
  std::int64_t ida = store.create_run(a);
  RunSpec b = spec("dqn", "CartPole-v1", 1);
  b.params[0].value = 1e-3;
  std::int64_t idb = store.create_run(b);
  RunSpec c = spec("ppo", "Pendulum-v1", 2);
  c.experiment = "other";
  std::int64_t idc = store.create_run(c);
  store.set_status(idb, RunStatus::Finished);

  auto ids = [](const std::vector<RunInfo>& runs) {
    std::vector<std::int64_t> out;
    for (const RunInfo& r : runs) out.push_back(r.id);
    return out;
  };
  EXPECT_EQ(ids(store.list_runs()), (std::vector<std::int64_t>{idc, idb, ida}));
  EXPECT_EQ(ids(store.list_runs({.algorithm = "ppo"})), (std::vector<std::int64_t>{idc, ida}));
  EXPECT_EQ(ids(store.list_runs({.env = "CartPole-v1"})), (std::vector<std::int64_t>{idb, ida}));
  EXPECT_EQ(ids(store.list_runs({.experiment = "other"})), (std::vector<std::int64_t>{idc}));
  EXPECT_EQ(ids(store.list_runs({.status = RunStatus::Finished})),
            (std::vector<std::int64_t>{idb}));
  EXPECT_EQ(ids(store.list_runs({.status = RunStatus::Running})),
            (std::vector<std::int64_t>{idc, ida}));
  EXPECT_EQ(ids(store.list_runs({.tag = "baseline"})), (std::vector<std::int64_t>{ida}));
  EXPECT_EQ(ids(store.list_runs({.params = {{"lr", 1e-3}}})), (std::vector<std::int64_t>{idb}));
  // An int filter matches a float param of equal value, as SQLite compares numbers.
  EXPECT_EQ(ids(store.list_runs({.params = {{"n_envs", 8.0}}})).size(), 3u);
  EXPECT_EQ(ids(store.list_runs({.limit = 1})), (std::vector<std::int64_t>{idc}));
  EXPECT_EQ(store.experiments(), (std::vector<std::string>{"default", "other"}));
}

TEST(Store, UserInputReachesSqlOnlyAsBoundValues) {
  TempDir dir;
  Store store(dir.file("rein.db"));
  RunSpec s = spec("ppo", "x'); DROP TABLE runs; --", 1);
  s.name = "a\"b'c; DELETE FROM runs";
  std::int64_t id = store.create_run(s);
  store.add_tag(id, "' OR 1=1 --");
  EXPECT_EQ(store.list_runs({.env = "x'); DROP TABLE runs; --"}).size(), 1u);
  EXPECT_EQ(store.list_runs({.tag = "' OR 1=1 --"}).size(), 1u);
  EXPECT_TRUE(store.list_runs({.tag = "' OR 1=1"}).empty());
  EXPECT_EQ(store.resolve_run("a\"b'c; DELETE FROM runs").id, id);
  EXPECT_EQ(store.integrity_check(), "ok");
}

TEST(Store, ResolvesIdsAndNamesAndListsAmbiguousCandidates) {
  TempDir dir;
  Store store(dir.file("rein.db"));
  RunSpec s = spec("ppo", "CartPole-v1", 1);
  s.name = "baseline";
  std::int64_t a = store.create_run(s);
  std::int64_t b = store.create_run(s);
  s.name = "unique";
  std::int64_t c = store.create_run(s);
  EXPECT_EQ(store.resolve_run(std::to_string(a)).id, a);
  EXPECT_EQ(store.resolve_run("unique").id, c);
  try {
    store.resolve_run("baseline");
    FAIL() << "an ambiguous name resolved";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("ambiguous"), std::string::npos) << msg;
    EXPECT_NE(msg.find(std::to_string(a) + "  baseline"), std::string::npos) << msg;
    EXPECT_NE(msg.find(std::to_string(b) + "  baseline"), std::string::npos) << msg;
  }
  EXPECT_THROW(store.resolve_run("nope"), Error);
  EXPECT_THROW(store.resolve_run("999"), Error);
}

TEST(Store, RenamesTagsAndRemovesRuns) {
  TempDir dir;
  Store store(dir.file("rein.db"));
  std::int64_t id = store.create_run(spec("ppo", "CartPole-v1", 1));
  store.rename_run(id, "best");
  store.add_tag(id, "keep");
  store.add_tag(id, "keep");
  store.add_tag(id, "x");
  store.remove_tag(id, "x");
  RunInfo r = store.resolve_run("best");
  EXPECT_EQ(r.tags, (std::vector<std::string>{"keep"}));
  EXPECT_THROW(store.rename_run(id + 1, "z"), Error);
  EXPECT_THROW(store.rename_run(id, ""), Error);
  store.set_status(id, RunStatus::Finished);  // a running run is refused (HostileInput tests)
  store.remove_run(id);
  EXPECT_FALSE(store.run(id));
  EXPECT_TRUE(store.params(id).empty());
  EXPECT_THROW(store.remove_run(id), Error);
}

TEST(Store, StatusChangesRecordEndTimeAndError) {
  TempDir dir;
  Store store(dir.file("rein.db"));
  std::int64_t id = store.create_run(spec("ppo", "CartPole-v1", 1));
  store.set_status(id, RunStatus::Failed, "loss became NaN at step 4096");
  RunInfo r = *store.run(id);
  EXPECT_EQ(r.status, RunStatus::Failed);
  EXPECT_EQ(r.error, "loss became NaN at step 4096");
  EXPECT_TRUE(r.end_time);
  EXPECT_THROW(store.set_status(id, RunStatus::Crashed), Error);
  EXPECT_THROW(store.set_status(id + 5, RunStatus::Finished), Error);
}

TEST(Store, RunWithStaleHeartbeatReadsAsCrashed) {
  TempDir dir;
  std::int64_t id;
  {
    Store store(dir.file("rein.db"));
    id = store.create_run(spec("ppo", "CartPole-v1", 1));
    EXPECT_EQ(store.run(id)->status, RunStatus::Running);
  }
  // A negative timeout makes every heartbeat stale without waiting.
  Store strict(dir.file("rein.db"), {.crashed_after_seconds = -1});
  EXPECT_EQ(strict.run(id)->status, RunStatus::Crashed);
  EXPECT_EQ(strict.list_runs({.status = RunStatus::Crashed}).size(), 1u);
  EXPECT_TRUE(strict.list_runs({.status = RunStatus::Running}).empty());
}

TEST(Store, RunOfDeadLocalProcessReadsAsCrashed) {
  TempDir dir;
  std::string path = dir.file("rein.db");
  { Store store(path); }
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      Store store(path);
      store.create_run(spec("ppo", "CartPole-v1", 1));
      ::_exit(0);
    } catch (...) {
      ::_exit(1);
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  Store store(path);
  std::vector<RunInfo> runs = store.list_runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].pid, child);
  EXPECT_EQ(runs[0].status, RunStatus::Crashed);
}

TEST(Store, GcDropsArtifactsOfRemovedRunsAndMissingFiles) {
  TempDir dir;
  Store store(dir.file("rein.db"));
  std::int64_t keep = store.create_run(spec("ppo", "CartPole-v1", 1));
  std::int64_t gone = store.create_run(spec("ppo", "CartPole-v1", 2));
  // Files of removed runs are deleted only from their checkpoint folder beside the database.
  std::string kept_file = dir.file("keep.ckpt");
  std::string gone_file = dir.file("checkpoints/" + store.run(gone)->name + "/gone.ckpt");
  std::filesystem::create_directories(std::filesystem::path(gone_file).parent_path());
  std::ofstream(kept_file) << "weights";
  std::ofstream(gone_file) << "weights";
  store.add_artifact(keep, "checkpoint", kept_file, 1000);
  store.add_artifact(keep, "config", dir.file("never-written.toml"));
  store.add_artifact(gone, "checkpoint", gone_file, 2000);
  EXPECT_EQ(store.artifacts(keep).size(), 2u);
  store.set_status(gone, RunStatus::Finished);
  store.remove_run(gone);

  std::vector<Artifact> planned = store.gc(/*dry_run=*/true).artifacts;
  EXPECT_EQ(planned.size(), 2u);
  EXPECT_TRUE(std::filesystem::exists(gone_file));
  std::vector<Artifact> dropped = store.gc().artifacts;
  ASSERT_EQ(dropped.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(gone_file));
  EXPECT_TRUE(std::filesystem::exists(kept_file));
  std::vector<Artifact> left = store.artifacts(keep);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].path, kept_file);
  EXPECT_EQ(left[0].step, 1000);
  EXPECT_TRUE(store.gc().artifacts.empty());
}

TEST(Store, ParamValuesParseAndFormatByType) {
  EXPECT_EQ(std::get<bool>(parse_param_value("true")), true);
  EXPECT_EQ(std::get<std::int64_t>(parse_param_value("-12")), -12);
  EXPECT_EQ(std::get<double>(parse_param_value("1e-3")), 1e-3);
  EXPECT_EQ(std::get<std::string>(parse_param_value("relu")), "relu");
  EXPECT_EQ(format_param_value(0.001), "0.001");
  EXPECT_EQ(format_param_value(2.0), "2.0");
  EXPECT_EQ(format_param_value(std::int64_t{64}), "64");
  EXPECT_EQ(parse_run_status("interrupted"), RunStatus::Interrupted);
  EXPECT_THROW(parse_run_status("done"), Error);
}

}  // namespace
}  // namespace rein::tracker
