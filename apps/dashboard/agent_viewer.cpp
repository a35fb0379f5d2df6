// Agent viewer: plays episodes of a run's env and draws its render primitives with ImDrawList.
#include "apps/dashboard/agent_viewer.h"

#include <GL/gl.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <utility>

#include "base/error.h"
#include "envs/registry.h"
#include "tracker/artifact_kinds.h"

namespace rein::dashboard {

void draw_env_frame(const envs::DrawList& frame, ImDrawList* dl, ImVec2 min, ImVec2 max) {
  const envs::Viewport& v = frame.viewport();
  const double ww = v.x_max - v.x_min, wh = v.y_max - v.y_min;
  if (!(ww > 0) || !(wh > 0)) return;
  const double avail_w = max.x - min.x, avail_h = max.y - min.y;
  const double scale = std::min(avail_w / ww, avail_h / wh);
  const double ox = min.x + (avail_w - ww * scale) / 2, oy = min.y + (avail_h - wh * scale) / 2;
  auto P = [&](envs::Point p) {  // world y points up, screen y down
    return ImVec2(static_cast<float>(ox + (p.x - v.x_min) * scale),
                  static_cast<float>(oy + (v.y_max - p.y) * scale));
  };
  auto C = [](envs::Color c) { return IM_COL32(c.r, c.g, c.b, c.a); };
  const envs::Color bg = frame.background();
  dl->AddRectFilled(P({v.x_min, v.y_max}), P({v.x_max, v.y_min}), C(bg));
  dl->PushClipRect(P({v.x_min, v.y_max}), P({v.x_max, v.y_min}), true);
  std::vector<ImVec2> pts;
  for (const envs::DrawShape& s : frame.shapes()) {
    const ImU32 col = C(s.color);
    const float w = static_cast<float>(std::max(1.0, s.width));
    switch (s.kind) {
      case envs::ShapeKind::Line:
        if (s.points.size() >= 2) dl->AddLine(P(s.points[0]), P(s.points[1]), col, w);
        break;
      case envs::ShapeKind::Rect: {
        if (s.points.size() < 2) break;
        const ImVec2 a = P(s.points[0]), b = P(s.points[1]);
        const ImVec2 lo(std::min(a.x, b.x), std::min(a.y, b.y)),
            hi(std::max(a.x, b.x), std::max(a.y, b.y));
        if (s.filled)
          dl->AddRectFilled(lo, hi, col);
        else
          dl->AddRect(lo, hi, col, 0.0f, ImDrawFlags_None, w);
        break;
      }
      case envs::ShapeKind::Circle: {
        if (s.points.empty()) break;
        const float r = static_cast<float>(s.radius * scale);
        if (s.filled)
          dl->AddCircleFilled(P(s.points[0]), r, col, 32);
        else
          dl->AddCircle(P(s.points[0]), r, col, 32, w);
        break;
      }
      case envs::ShapeKind::Polygon: {
        pts.clear();
        for (const envs::Point& p : s.points) pts.push_back(P(p));
        if (pts.size() < 3) break;
        // Env bodies (carts, poles, links) are convex; AddConvexPolyFilled draws them exactly.
        if (s.filled)
          dl->AddConvexPolyFilled(pts.data(), static_cast<int>(pts.size()), col);
        else
          dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), col, ImDrawFlags_Closed, w);
        break;
      }
      case envs::ShapeKind::Text: {
        if (s.points.empty()) break;
        const float px = s.size > 0 ? static_cast<float>(s.size * scale) : ImGui::GetFontSize();
        dl->AddText(ImGui::GetFont(), px, P(s.points[0]), col, s.text.c_str());
        break;
      }
    }
  }
  dl->PopClipRect();
}

AgentViewer::~AgentViewer() {
  if (texture_ != 0) glDeleteTextures(1, &texture_);
}

void AgentViewer::video_picker(const RunRow& run, tracker::Store& store) {
  std::vector<std::pair<std::string, std::int64_t>> videos;
  for (const tracker::Artifact& a : store.artifacts(run.id)) {
    if (a.kind == tracker::kVideoArtifact) videos.emplace_back(a.path, a.step.value_or(0));
  }
  if (videos.empty() && video_path_.empty()) return;
  ImGui::SameLine();
  ImGui::SetNextItemWidth(220);
  std::string chosen = video_path_;
  if (want_newest_video_ && !videos.empty()) {
    chosen = std::max_element(videos.begin(), videos.end(), [](const auto& a, const auto& b) {
               return a.second < b.second;
             })->first;
    want_newest_video_ = false;
  }
  auto label = [](const std::string& path, std::int64_t step) {
    return "step " + std::to_string(step) + "  " + std::filesystem::path(path).filename().string();
  };
  std::string shown = "(none)";
  for (const auto& [path, step] : videos) {
    if (path == chosen) shown = label(path, step);
  }
  if (ImGui::BeginCombo("video", shown.c_str())) {
    if (ImGui::Selectable("(none)", chosen.empty())) chosen = "";
    for (const auto& [path, step] : videos) {
      ImGui::PushID(path.c_str());
      if (ImGui::Selectable(label(path, step).c_str(), path == chosen)) chosen = path;
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", path.c_str());
      ImGui::PopID();
    }
    ImGui::EndCombo();
  }
  if (chosen == video_path_) return;
  video_path_ = chosen;
  video_.reset();
  video_error_.clear();
  texture_stale_ = true;
  if (chosen.empty()) return;
  try {
    video_ = std::make_unique<VideoClip>(chosen);
  } catch (const std::exception& e) {
    video_error_ = e.what();
  }
}

void AgentViewer::draw_video(ImDrawList* dl, ImVec2 min, ImVec2 max) {
  if (!video_) {
    if (!video_error_.empty()) dl->AddText(min, IM_COL32(255, 110, 80, 255), video_error_.c_str());
    return;
  }
  const envs::RgbImage& f = video_->frame();
  if (texture_ == 0) glGenTextures(1, &texture_);
  glBindTexture(GL_TEXTURE_2D, texture_);
  if (texture_stale_) {
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);  // RGB rows are not padded
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB, f.width, f.height, 0, GL_RGB, GL_UNSIGNED_BYTE,
                 f.pixels.data());
    texture_stale_ = false;
  }
  const double scale = std::min((max.x - min.x) / f.width, (max.y - min.y) / f.height);
  const float w = static_cast<float>(f.width * scale), h = static_cast<float>(f.height * scale);
  const ImVec2 a(min.x + ((max.x - min.x) - w) / 2, min.y + ((max.y - min.y) - h) / 2);
  dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(texture_)), a,
               ImVec2(a.x + w, a.y + h));
  const std::string caption = std::filesystem::path(video_->path()).filename().string() +
                              "  frame " + std::to_string(video_->frame_index() + 1);
  const ImVec2 size = ImGui::CalcTextSize(caption.c_str());  // on a dark band: frames may be white
  dl->AddRectFilled(a, ImVec2(a.x + size.x + 8, a.y + size.y + 4), IM_COL32(0, 0, 0, 170));
  dl->AddText(ImVec2(a.x + 4, a.y + 2), IM_COL32(255, 255, 255, 255), caption.c_str());
}

void AgentViewer::open(const RunRow& run, const std::string& checkpoint) {
  run_id_ = run.id;
  env_id_ = run.env;
  checkpoint_ = checkpoint;
  playing_ = false;
  env_.reset();
  policy_.reset();
  try {
    load_run_plugins(run.env, recorded_plugins(run.params));
    if (checkpoint.empty()) {
      policy_ = std::make_unique<RandomPolicy>(run.env, 12345);
    } else {
      policy_ = load_policy(checkpoint);
    }
    env_ = policy_->make_env();
    status_ = policy_->describe();
    next_seed_ = run.seed ? static_cast<std::uint64_t>(*run.seed) : 0;
    episodes_ = 0;
    reset_episode();
  } catch (const std::exception& e) {
    env_.reset();
    status_ = e.what();
  }
}

void AgentViewer::stop(const std::exception& e) {
  status_ = str("stopped at step ", steps_, " of episode ", episodes_ + 1, ": ", e.what());
  env_.reset();
  playing_ = false;
  ahead_ = 0;
}

void AgentViewer::redraw() {
  frame_.clear();
  const envs::RenderInfo ri = env_->render_info();
  if (ri.draws || ri.text) env_->render(frame_);  // a plug-in may not render: it still plays
}

void AgentViewer::reset_episode() {
  if (!env_) return;
  try {
    auto r = env_->reset(next_seed_++);
    obs_ = r.obs.clone();
    steps_ = 0;
    episode_return_ = 0.0;
    done_ = false;
    redraw();
  } catch (const std::exception& e) {
    stop(e);
  }
}

void AgentViewer::step_once() {
  if (!env_) return;
  if (done_) {
    last_return_ = episode_return_;
    ++episodes_;
    reset_episode();
    return;
  }
  try {
    const envs::Action a = policy_->act(obs_);
    auto r = env_->step(a);
    obs_ = r.obs.clone();
    episode_return_ += r.reward;
    ++steps_;
    done_ = r.terminated || r.truncated;
    redraw();
  } catch (const std::exception& e) {
    stop(e);
  }
}

void AgentViewer::panel(const std::vector<const RunRow*>& runs, tracker::Store& store) {
  if (runs.empty()) {
    ImGui::TextDisabled("Select a run in the table to play its env.");
    return;
  }
  const RunRow* run = runs.front();
  for (const RunRow* r : runs) {
    if (r->id == run_id_) run = r;
  }
  ImGui::SetNextItemWidth(260);
  if (ImGui::BeginCombo("run", run->name.c_str())) {
    for (const RunRow* r : runs) {
      if (ImGui::Selectable(r->name.c_str(), r->id == run->id)) run = r;
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  std::vector<std::string> checkpoints;
  std::string latest;  // a newly picked run starts with its latest checkpoint: the trained agent
  std::int64_t latest_step = -1;
  for (const tracker::Artifact& a : store.artifacts(run->id)) {
    if (a.kind != tracker::kCheckpointArtifact) continue;
    checkpoints.push_back(a.path);
    if (a.step.value_or(0) >= latest_step) {
      latest_step = a.step.value_or(0);
      latest = a.path;
    }
  }
  ImGui::SetNextItemWidth(260);
  std::string chosen = run->id != run_id_ ? latest : checkpoint_;
  // Checkpoint files by name (step-000100096.safetensors); the full path is in the tooltip.
  auto file_name = [](const std::string& path) {
    return std::filesystem::path(path).filename().string();
  };
  const std::string shown = chosen.empty() ? "(random actions)" : file_name(chosen);
  if (ImGui::BeginCombo("checkpoint", shown.c_str())) {
    if (ImGui::Selectable("(random actions)", chosen.empty())) chosen = "";
    for (const std::string& c : checkpoints) {
      ImGui::PushID(c.c_str());
      if (ImGui::Selectable(file_name(c).c_str(), c == chosen)) chosen = c;
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", c.c_str());
      ImGui::PopID();
    }
    ImGui::EndCombo();
  }
  if (!chosen.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", chosen.c_str());
  if (run->id != run_id_ || chosen != checkpoint_ || (!env_ && status_.empty())) open(*run, chosen);
  video_picker(*run, store);

  for (; env_ && ahead_ > 0; --ahead_) step_once();
  if (!env_) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.4f, 0.3f, 1));
    ImGui::TextWrapped("cannot play %s: %s", env_id_.c_str(), status_.c_str());
    ImGui::PopStyleColor();
    if (ImGui::Button("open again")) open(*run, chosen);
    return;
  }
  if (ImGui::Button(playing_ ? "pause" : "play")) {
    playing_ = !playing_;
    last_time_ = ImGui::GetTime();
  }
  ImGui::SameLine();
  if (ImGui::Button("step")) {
    playing_ = false;
    step_once();
  }
  ImGui::SameLine();
  if (ImGui::Button("new episode")) reset_episode();
  ImGui::SameLine();
  ImGui::SetNextItemWidth(140);
  ImGui::SliderFloat("speed", &speed_, 0.25f, 8.0f, "%.2fx", ImGuiSliderFlags_Logarithmic);
  ImGui::Text("%s  |  %s  |  episode %lld  step %lld  return %.2f  (last episode %.2f)",
              env_id_.c_str(), status_.c_str(), static_cast<long long>(episodes_ + 1),
              static_cast<long long>(steps_), episode_return_, last_return_);

  if (playing_) {
    const double now = ImGui::GetTime();
    const int fps = std::max(1, env_->render_info().fps);
    try {
      if (video_ && video_->advance((now - last_time_) * speed_)) texture_stale_ = true;
    } catch (const std::exception& e) {  // a frame that does not decode: the clip stops there
      video_error_ = e.what();
      video_.reset();
    }
    carry_ += (now - last_time_) * fps * speed_;
    last_time_ = now;
    // At most a second's worth of steps per frame, so a stalled frame does not freeze the UI.
    for (int i = 0; carry_ >= 1.0 && i < fps * 8; ++i, carry_ -= 1.0) step_once();
    carry_ = std::min(carry_, 1.0);
  }
  const ImVec2 min = ImGui::GetCursorScreenPos();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 max(min.x + avail.x, min.y + std::max(100.0f, avail.y));
  ImGui::Dummy(ImVec2(avail.x, std::max(100.0f, avail.y)));
  if (!video_ && video_error_.empty()) {
    draw_env_frame(frame_, ImGui::GetWindowDrawList(), min, max);
    return;
  }
  // Live replay on the left, the recorded video on the right.
  const float mid = (min.x + max.x) / 2;
  draw_env_frame(frame_, ImGui::GetWindowDrawList(), min, ImVec2(mid - 4, max.y));
  draw_video(ImGui::GetWindowDrawList(), ImVec2(mid + 4, min.y), max);
}

}  // namespace rein::dashboard
