// The kinds of file a run records (Artifact::kind). Writers and readers name them through these
// constants, so the checkpoint training registers is the one `rein eval RUN`, `--resume RUN` and
// the dashboard's agent viewer find.
#pragma once

namespace rein::tracker {

// A model checkpoint written by training (rl/checkpoint.h format); its step is the global step.
inline constexpr const char* kCheckpointArtifact = "checkpoint";
// An MP4 of one evaluation episode (`rein train --video-every`); its step is the global step.
inline constexpr const char* kVideoArtifact = "video";

}  // namespace rein::tracker
