// The agent viewer: pick a selected run and one of its checkpoints, then play episodes of the
// run's env, drawn from the env's render primitives (envs/render.h), with play/pause/step,
// speed, episode return and step counter. A checkpoint plays its trained agent deterministically
// in the env (and env arguments) it was trained on (apps/dashboard/agent_policy.h); without one,
// random actions. Beside the live replay it plays a video the run recorded (`rein train
// --video-every`), decoded to an OpenGL texture, on the same play/pause and speed.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "apps/dashboard/agent_policy.h"
#include "apps/dashboard/video_clip.h"
#include "apps/dashboard/view_model.h"
#include "envs/env.h"
#include "envs/render.h"
#include "tracker/store.h"

namespace rein::dashboard {

// Draws a DrawList (world coordinates, y up) into the screen rectangle [min, max] of `dl`,
// keeping the viewport's aspect ratio, centred.
void draw_env_frame(const envs::DrawList& frame, ImDrawList* dl, ImVec2 min, ImVec2 max);

class AgentViewer {
 public:
  AgentViewer() = default;
  AgentViewer(const AgentViewer&) = delete;
  AgentViewer& operator=(const AgentViewer&) = delete;
  ~AgentViewer();
  void panel(const std::vector<const RunRow*>& runs, tracker::Store& store);
  bool playing() const { return playing_ && env_ != nullptr; }
  // For the screenshot's description: the env shown ("" before any), whether it can play, what
  // is loaded or the error that stopped it, the step of the episode.
  const std::string& env_id() const { return env_id_; }
  bool playable() const { return env_ != nullptr; }
  const std::string& status() const { return status_; }
  std::int64_t step() const { return steps_; }
  // Plays `steps` steps as soon as an env is open (screenshots of an agent mid-episode).
  void play_ahead(std::int64_t steps) { ahead_ = steps; }
  // Opens the run's newest video (highest step) as soon as a run with videos is shown.
  void show_newest_video() { want_newest_video_ = true; }

 private:
  void open(const RunRow& run, const std::string& checkpoint);
  // The run's recorded videos: a combo to pick one (or none); opens the clip picked.
  void video_picker(const RunRow& run, tracker::Store& store);
  // Draws the clip's current frame into [min, max] (aspect kept), uploading it when it changed.
  void draw_video(ImDrawList* dl, ImVec2 min, ImVec2 max);
  // Reset and step catch what the policy or env throws (a remote server gone, a plug-in's step
  // failing, an action the env refuses) and stop() the replay with the message: the dashboard
  // stays open, and "open again" starts over.
  void reset_episode();
  void step_once();
  void stop(const std::exception& e);
  void redraw();  // the env's frame into frame_ (empty when the env neither draws nor has text)

  std::int64_t run_id_ = -1;
  std::string env_id_;
  std::string checkpoint_;  // "" = random actions
  std::string status_;      // what is loaded, or the error that stopped it
  std::unique_ptr<envs::Env> env_;
  std::unique_ptr<Policy> policy_;
  envs::DrawList frame_;
  Tensor obs_;
  bool playing_ = false;
  bool done_ = false;
  float speed_ = 1.0f;
  double carry_ = 0.0;  // fractional steps owed to the play clock
  double last_time_ = -1.0;
  std::int64_t steps_ = 0;
  std::int64_t ahead_ = 0;
  std::int64_t episodes_ = 0;
  std::uint64_t next_seed_ = 0;
  double episode_return_ = 0.0;
  double last_return_ = 0.0;
  std::unique_ptr<VideoClip> video_;
  std::string video_path_;    // the picked video artifact ("" = none)
  std::string video_error_;   // why it could not be opened
  unsigned int texture_ = 0;  // OpenGL texture of the clip's frame (0 until first drawn)
  bool texture_stale_ = true;
  bool want_newest_video_ = false;
};

}  // namespace rein::dashboard
