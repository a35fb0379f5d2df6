// TrackedRun: the tracker side of a training run.
#include "session/tracked_run.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>

#include "rl/metric_names.h"
#include "tracker/artifact_kinds.h"
#include "tracker/run_summary.h"

namespace rein::session {

// The tracker ranks runs by two metric names it keeps itself (it links no rl); they must be the
// names rl logs.
static_assert(std::string_view(tracker::kEvalReturnKey) == rl::metric::kEvalMeanReturn);
static_assert(std::string_view(tracker::kTrainReturnKey) == rl::metric::kEpisodeReturn);

void RunWriterSink::log(int64_t step, std::string_view name, double value) {
  auto it = keys_.find(std::string(name));
  if (it == keys_.end()) it = keys_.emplace(std::string(name), writer_.key(name)).first;
  writer_.log(it->second, step, value);
}

TrackedRun::TrackedRun(const std::string& db, const tracker::RunSpec& spec)
    : writer_(std::make_unique<tracker::RunWriter>(db, spec)), sink_(*writer_) {}

TrackedRun::TrackedRun(const std::string& db, int64_t run_id, int64_t resume_step,
                       const tracker::RunSpec& spec)
    : writer_(std::make_unique<tracker::RunWriter>(
          db, tracker::ReopenSpec{.run_id = run_id, .truncate_after_step = resume_step})),
      sink_(*writer_) {
  for (const tracker::Param& p : spec.params) writer_->log_param(p.key, p.value);
  for (const std::string& t : spec.tags) writer_->add_tag(t);
}

TrackedRun::~TrackedRun() = default;

void TrackedRun::add_checkpoint(const std::string& path, int64_t step, int64_t keep) {
  last_checkpoint_ = std::filesystem::absolute(path).string();
  writer_->add_artifact(tracker::kCheckpointArtifact, last_checkpoint_, step);
  written_.push_back(last_checkpoint_);
  while (keep > 0 && written_.size() > static_cast<size_t>(keep)) {
    std::error_code ec;
    std::filesystem::remove(written_.front(), ec);
    written_.pop_front();
  }
}

void TrackedRun::finish(const rl::TrainResult& result) {
  nlohmann::json summary;
  summary["global_step"] = result.global_step;
  summary["wall_seconds"] = result.wall_seconds;
  summary["checkpoint"] = result.last_checkpoint;
  if (result.final_eval) {
    summary["eval_mean_return"] = result.final_eval->mean_return;
    summary["eval_std_return"] = result.final_eval->std_return;
    summary["eval_episodes"] = result.final_eval->returns.size();
  }
  writer_->set_summary(summary.dump());
  writer_->finish(result.interrupted ? tracker::RunStatus::Interrupted
                                     : tracker::RunStatus::Finished);
}

void TrackedRun::fail(const std::string& error) noexcept {
  try {
    writer_->finish(tracker::RunStatus::Failed, error);
  } catch (const std::exception&) {
  }
}

}  // namespace rein::session
