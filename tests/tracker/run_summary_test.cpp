// Store::summaries: the final value and last-N mean that rank runs in `rein runs list` and the
// dashboard (a run whose evaluation reached 460 must not rank by its last training episode).
#include "tracker/run_summary.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/tracker/temp_dir.h"
#include "tests/tracker/writer_cases.h"
#include "tracker/run_writer.h"
#include "tracker/store.h"

namespace rein::tracker {
namespace {

using testing::run_spec;
using testing::TempDir;

TEST(RunSummary, FinalEvalAndLastHundredTrainingEpisodes) {
  TempDir dir;
  RunWriter w(dir.file("rein.db"), run_spec(1));
  // 250 episodes: returns 0..249 (the last 100 average 199.5), the final one a bad 129.
  for (int i = 0; i < 250; ++i) w.log(kTrainReturnKey, i * 10, i == 249 ? 129.0 : i);
  w.log(kEvalReturnKey, 2490, 460.0);
  w.finish(RunStatus::Finished);
  Store store(dir.file("rein.db"));
  const auto train = store.summaries({w.run_id()}, kTrainReturnKey);
  ASSERT_EQ(train.size(), 1u);
  EXPECT_EQ(train[0].last.value, 129.0);
  EXPECT_EQ(train[0].count, 250);
  EXPECT_EQ(train[0].recent_count, 100);
  double want = 129.0;
  for (int i = 150; i < 249; ++i) want += i;
  EXPECT_DOUBLE_EQ(train[0].recent_mean, want / 100.0);
  const auto eval = store.summaries({w.run_id()}, kEvalReturnKey);
  ASSERT_EQ(eval.size(), 1u);
  EXPECT_EQ(eval[0].last.value, 460.0);
  EXPECT_EQ(eval[0].last.step, 2490);
  EXPECT_EQ(eval[0].recent_count, 1);
  EXPECT_EQ(eval[0].recent_mean, 460.0);
}

TEST(RunSummary, RunsWithoutTheKeyAreSkippedInRunOrder) {
  TempDir dir;
  std::vector<std::int64_t> ids;
  for (int seed = 0; seed < 3; ++seed) {
    RunWriter w(dir.file("rein.db"), run_spec(seed));
    if (seed != 1) {
      for (int i = 0; i < 5; ++i) w.log(kTrainReturnKey, i, 10.0 * seed + i);
    }
    w.finish(RunStatus::Finished);
    ids.push_back(w.run_id());
  }
  Store store(dir.file("rein.db"));
  const auto s = store.summaries({ids[2], ids[1], ids[0]}, kTrainReturnKey, 2);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].run_id, ids[2]);
  EXPECT_DOUBLE_EQ(s[0].recent_mean, 23.5);  // 23 and 24
  EXPECT_EQ(s[1].run_id, ids[0]);
  EXPECT_DOUBLE_EQ(s[1].recent_mean, 3.5);
  EXPECT_TRUE(store.summaries(ids, "no/such_metric").empty());
}

TEST(RunSummary, FewerPointsThanNAndNaNsAverageWhatIsFinite) {
  TempDir dir;
  RunWriter w(dir.file("rein.db"), run_spec(1));
  w.log(kTrainReturnKey, 1, 2.0);
  w.log(kTrainReturnKey, 2, std::nan(""));
  w.log(kTrainReturnKey, 3, 4.0);
  w.finish(RunStatus::Finished);
  Store store(dir.file("rein.db"));
  const auto s = store.summaries({w.run_id()}, kTrainReturnKey);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].recent_count, 2);
  EXPECT_DOUBLE_EQ(s[0].recent_mean, 3.0);
  const auto none = store.summaries({w.run_id()}, kTrainReturnKey, 0);
  ASSERT_EQ(none.size(), 1u);
  EXPECT_TRUE(std::isnan(none[0].recent_mean));
  EXPECT_EQ(none[0].last.value, 4.0);
}

TEST(RunSummary, ResumedRunAveragesItsLatestStepsNotItsFirst) {
  TempDir dir;
  RunWriter w(dir.file("rein.db"), run_spec(1));
  // Logged out of order (a resume re-logging from a checkpoint): the last steps count.
  for (int i = 10; i < 20; ++i) w.log(kTrainReturnKey, i, 100.0);
  for (int i = 0; i < 10; ++i) w.log(kTrainReturnKey, i, 0.0);
  w.finish(RunStatus::Finished);
  Store store(dir.file("rein.db"));
  const auto s = store.summaries({w.run_id()}, kTrainReturnKey, 5);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_DOUBLE_EQ(s[0].recent_mean, 100.0);
}

}  // namespace
}  // namespace rein::tracker
