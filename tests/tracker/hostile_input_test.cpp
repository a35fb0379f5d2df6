// Hostile input at the tracker's boundary: run names that would escape their checkpoint
// folder, text that is not UTF-8, `rm` of a live run, a database naming files elsewhere for
// `gc` to delete, orphan rows, a negative schema version, and a writer whose run was removed.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/tracker/temp_dir.h"
#include "tracker/export.h"
#include "tracker/names.h"
#include "tracker/run_writer.h"
#include "tracker/store.h"

namespace rein::tracker {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

// Runs SQL on the file directly, as an older rein or another tool could have written it.
void raw_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

RunSpec spec_named(const std::string& name) {
  RunSpec s;
  s.name = name;
  s.algorithm = "ppo";
  s.env = "CartPole-v1";
  return s;
}

TEST(HostileInput, RunNamesThatWouldEscapeTheirFolderAreRefused) {
  TempDir dir;
  const std::string db = dir.file("rein.db");
  for (const std::string& name :
       std::vector<std::string>{"../../../X", "/etc/cron.d/x", "a/b", "a\\b", ".", "..", ".hidden",
                                "-rf", std::string("a\0b", 3), "tab\there"}) {
    const std::string msg = error_of([&] { RunWriter w(db, spec_named(name)); });
    EXPECT_NE(msg.find("run name '"), std::string::npos) << msg;
    EXPECT_NE(msg.find("becomes a folder name"), std::string::npos) << msg;
    EXPECT_NE(error_of([&] { run_checkpoint_dir(db, name); }).find("run name"), std::string::npos);
  }
  Store store(db);
  EXPECT_TRUE(store.list_runs().empty());  // nothing half-created
  const std::int64_t id = store.create_run(spec_named("ok-name_1.2"));
  EXPECT_NE(error_of([&] { store.rename_run(id, "runs/x"); }).find("contains a path separator"),
            std::string::npos);
  EXPECT_EQ(run_checkpoint_dir(db, "ok-name_1.2"), dir.path() + "/checkpoints/ok-name_1.2");
}

TEST(HostileInput, TextThatIsNotUtf8IsRefusedWhereItEnters) {
  TempDir dir;
  const std::string db = dir.file("rein.db");
  const std::string latin1 = "caf\xE9";
  RunSpec s = spec_named("r1");
  s.tags = {latin1};
  EXPECT_NE(error_of([&] { RunWriter w(db, s); }).find("tag 'caf\\xE9' is not valid UTF-8"),
            std::string::npos);
  RunWriter w(db, spec_named("r2"));
  EXPECT_NE(error_of([&] {
              w.add_artifact("checkpoint", "/tmp/" + latin1 + "/x");
            }).find("artifact path '/tmp/caf\\xE9/x' is not valid UTF-8"),
            std::string::npos);
  EXPECT_NE(error_of([&] { w.log_param("note", latin1); }).find("not valid UTF-8"),
            std::string::npos);
  EXPECT_NE(error_of([&] { w.add_tag(latin1); }).find("not valid UTF-8"), std::string::npos);
  EXPECT_NE(error_of([&] { w.key(latin1); }).find("metric name"), std::string::npos);
  w.add_tag("caf\xC3\xA9");  // the same word in UTF-8 is fine
  w.finish(RunStatus::Finished);
  EXPECT_FALSE(is_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_TRUE(is_utf8("\xF0\x9F\x98\x80"));
  EXPECT_EQ(to_utf8("a\xE9z"), "a\xEF\xBF\xBDz");
}

TEST(HostileInput, RowsOfAnOlderReinWithLatin1BytesStillExportAsUtf8) {
  TempDir dir;
  const std::string db = dir.file("rein.db");
  std::int64_t id = 0;
  {
    Store store(db);
    id = store.create_run(spec_named("old"));
    store.set_status(id, RunStatus::Finished);
  }
  raw_sql(db, "INSERT INTO tags(run_id, tag) VALUES(" + std::to_string(id) +
                  ", CAST(X'636166E9' AS TEXT));"
                  "UPDATE runs SET command = CAST(X'7265696EE9' AS TEXT)");
  Store store(db);
  std::ostringstream out;
  export_runs(store, {id}, ExportFormat::Json, out);
  EXPECT_TRUE(is_utf8(out.str()));
  EXPECT_NE(out.str().find("caf\xEF\xBF\xBD"), std::string::npos);
}

TEST(HostileInput, RmOfALiveRunIsRefusedAndForcedRmStopsItsWriter) {
  TempDir dir;
  const std::string db = dir.file("rein.db");
  RunWriter w(db, spec_named("live"));
  for (int i = 0; i < 100; ++i) w.log("train/x", i, 1.0);
  w.flush();
  Store store(db);
  const std::string msg = error_of([&] { store.remove_run(w.run_id()); });
  EXPECT_NE(msg.find("rm: run 'live' (id 1) is still running (pid " + std::to_string(::getpid())),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("pass --force"), std::string::npos);
  EXPECT_NO_THROW(w.check());
  store.remove_run(w.run_id(), /*force=*/true);
  for (int i = 100; i < 200; ++i) w.log("train/x", i, 1.0);
  EXPECT_NE(error_of([&] { w.flush(); }).find("is no longer in the database"), std::string::npos);
  EXPECT_NE(error_of([&] { w.check(); }).find("run 'live': writing to the database failed"),
            std::string::npos);
  // The writer added nothing after the removal: no orphan rows to collect.
  EXPECT_EQ(store.gc(/*dry_run=*/true).orphan_rows, 0);
  EXPECT_THROW(w.finish(RunStatus::Finished), Error);
}

TEST(HostileInput, GcCollectsOrphanRowsOfRunsThatNoLongerExist) {
  TempDir dir;
  const std::string db = dir.file("rein.db");
  { Store create(db); }
  raw_sql(db,
          "INSERT INTO metric_keys(id, name) VALUES(1, 'x');"
          "INSERT INTO metrics VALUES(77, 1, 0, 0, 1.0), (77, 1, 1, 0, 2.0);"
          "INSERT INTO metric_series VALUES(77, 1, 2, 0, 1, 0, 2.0, 1);"
          "INSERT INTO params VALUES(77, 'lr', 'float', 0.1);"
          "INSERT INTO tags VALUES(77, 't');"
          "INSERT INTO artifacts(run_id, kind, path, created) VALUES(77, 'checkpoint', "
          "'/nonexistent', 0)");
  Store store(db);
  GcResult planned = store.gc(/*dry_run=*/true);
  EXPECT_EQ(planned.orphan_rows, 5);
  EXPECT_EQ(planned.artifacts.size(), 1u);
  EXPECT_EQ(store.gc().orphan_rows, 5);
  EXPECT_EQ(store.gc(/*dry_run=*/true).orphan_rows, 0);
  EXPECT_TRUE(store.gc().artifacts.empty());
}

TEST(HostileInput, GcDeletesOnlyFilesInARunsOwnCheckpointFolder) {
  TempDir dir;
  const std::string db = dir.file("rein.db");
  auto touch = [](const std::string& path) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << "x";
  };
  const std::string own = dir.file("checkpoints/run-a/step-1.safetensors");
  const std::string outside = dir.file("precious.txt");
  const std::string escaping = dir.file("checkpoints/run-b/../../precious2.txt");
  const std::string linked = dir.file("checkpoints/run-c/step-1.safetensors");
  const std::string via_link_dir = dir.file("checkpoints/run-d/step-1.safetensors");
  touch(own);
  touch(outside);
  touch(dir.file("precious2.txt"));
  touch(dir.file("elsewhere/step-1.safetensors"));
  fs::create_directories(dir.file("checkpoints/run-b"));
  fs::create_directories(dir.file("checkpoints/run-c"));
  fs::create_symlink(outside, linked);
  fs::create_directory_symlink(dir.file("elsewhere"), dir.file("checkpoints/run-d"));
  {
    Store store(db);
    const std::int64_t id = store.create_run(spec_named("victim"));
    for (const std::string& p : {own, outside, escaping, linked, via_link_dir})
      store.add_artifact(id, "checkpoint", p);
    store.set_status(id, RunStatus::Finished);
    store.remove_run(id);
  }
  Store store(db);
  GcResult r = store.gc();
  EXPECT_EQ(r.artifacts.size(), 5u);
  EXPECT_EQ(r.deleted_files, std::vector<std::string>{own});
  EXPECT_EQ(r.kept_files.size(), 4u);
  EXPECT_FALSE(fs::exists(own));
  EXPECT_TRUE(fs::exists(outside));
  EXPECT_TRUE(fs::exists(dir.file("precious2.txt")));
  EXPECT_TRUE(fs::exists(dir.file("elsewhere/step-1.safetensors")));
}

TEST(HostileInput, NegativeSchemaVersionIsRefused) {
  TempDir dir;
  const std::string db = dir.file("rein.db");
  { Store create(db); }
  raw_sql(db, "PRAGMA user_version = -1");
  for (OpenMode mode : {OpenMode::ReadOnly, OpenMode::ReadWrite}) {
    const std::string msg = error_of([&] { Store s(db, {.mode = mode}); });
    EXPECT_NE(msg.find("schema version -1 is not one rein ever wrote"), std::string::npos) << msg;
  }
  EXPECT_NE(error_of([&] { RunWriter w(db, spec_named("x")); }).find("schema version -1"),
            std::string::npos);
}

// `--db /dev/null` created /dev/null-journal as root (and reported a failing disk); a pipe as the
// database hung on SQLite's first read. A path that is not a regular file is refused at open.
TEST(HostileInput, ADatabasePathThatIsNotARegularFileIsRefused) {
  TempDir dir;
  const std::string fifo = dir.file("pipe.db");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (OpenMode mode : {OpenMode::ReadOnly, OpenMode::ReadWrite}) {
    EXPECT_EQ(error_of([&] { Store s(fifo, {.mode = mode}); }),
              "open '" + fifo +
                  "': it is a pipe (FIFO), not a database file; give the path of a database file "
                  "(a new one is created)");
  }
  EXPECT_NE(error_of([&] { RunWriter w(fifo, spec_named("x")); }).find("it is a pipe (FIFO)"),
            std::string::npos);
  EXPECT_NE(error_of([&] { Store s(dir.path()); }).find("it is a folder, not a database file"),
            std::string::npos);
  EXPECT_TRUE(fs::is_fifo(fifo));
  EXPECT_FALSE(fs::exists(fifo + "-journal"));
  EXPECT_FALSE(fs::exists(fifo + "-wal"));
}

}  // namespace
}  // namespace rein::tracker
